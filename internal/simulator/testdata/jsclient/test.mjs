// Runs the official replicate JavaScript client against a notifier simulator.
// Usage: SIM_BASE_URL=http://127.0.0.1:PORT/v1 SIM_TOKEN=r8_... node test.mjs
// Run by jsclient_test.go; prints "ok" and exits 0 when every check passes.
import http from "node:http";
import assert from "node:assert/strict";
import Replicate, { validateWebhook } from "replicate";

const CHAOS = "0098011f5f482d1fcdbbba44ef1d6d22858e439a103b6ebb449ef9dec623a71e";
const baseUrl = process.env.SIM_BASE_URL;
const auth = process.env.SIM_TOKEN;
assert.ok(baseUrl && auth, "SIM_BASE_URL and SIM_TOKEN must be set");

// A webhook receiver that hands each delivery to the next waiter.
const deliveries = [];
let notify = () => {};
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    deliveries.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
    res.writeHead(200).end();
    notify();
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const hookURL = `http://127.0.0.1:${server.address().port}/hook?token=js`;

function nextDelivery(timeoutMs = 10000) {
  if (deliveries.length > 0) return Promise.resolve(deliveries.shift());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no webhook delivery")), timeoutMs);
    notify = () => {
      clearTimeout(timer);
      notify = () => {};
      resolve(deliveries.shift());
    };
  });
}

const replicate = new Replicate({ auth, baseUrl });

try {
  // Create with a webhook, then poll with replicate.wait.
  let p = await replicate.predictions.create({
    version: CHAOS,
    input: { sleep: 0.05, outcome: "success" },
    webhook: hookURL,
    webhook_events_filter: ["completed"],
  });
  assert.equal(p.status, "starting");
  p = await replicate.wait(p, { interval: 20 });
  assert.equal(p.status, "succeeded");
  assert.ok(p.output && p.output.result, "chaos-monkey output has a result");

  // The default webhook secret verifies the completed delivery.
  const { key } = await replicate.webhooks.default.secret.get();
  assert.match(key, /^whsec_/);
  const d = await nextDelivery();
  assert.equal(JSON.parse(d.body).id, p.id);
  assert.equal(await validateWebhook({ headers: d.headers, body: d.body }, key), true);

  // Prefer: wait on the models route, and replicate.run.
  const echo = await replicate.predictions.create({ model: "acme/echo", input: { text: "hi" }, wait: 5 });
  assert.equal(echo.status, "succeeded");
  assert.deepEqual(echo.output, { text: "hi" });
  const out = await replicate.run("acme/echo", { input: { n: 42 } });
  assert.deepEqual(out, { n: 42 });

  // Cancel a running prediction.
  const slow = await replicate.predictions.create({ version: CHAOS, input: { sleep: 60 } });
  const canceled = await replicate.predictions.cancel(slow.id);
  assert.equal(canceled.status, "canceled");
  assert.equal((await replicate.predictions.get(slow.id)).status, "canceled");

  // List, newest first.
  const page = await replicate.predictions.list();
  assert.equal(page.results[0].id, slow.id);
  assert.equal(page.next, null);

  // Errors surface as ApiError with the problem JSON.
  await assert.rejects(
    replicate.predictions.create({ version: "f".repeat(64), input: {} }),
    (err) => err.response && err.response.status === 422,
  );
  console.log("ok");
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  server.close();
}
