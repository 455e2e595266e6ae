// Predictions and webhooks through the official replicate JavaScript client.
// Usage: SIM_BASE_URL=http://127.0.0.1:PORT/v1 SIM_TOKEN=r8_... node test.mjs
// Run by jsclient_test.go; prints "ok" and exits 0 when every check passes.
import assert from "node:assert/strict";
import { validateWebhook } from "replicate";
import { CHAOS, NOT_FOUND, STAMP, main, receiver, rejectsWith, replicate } from "./harness.mjs";

const hooks = await receiver();

await main(async () => {
  // Create with a webhook, then poll with replicate.wait.
  let p = await replicate.predictions.create({
    version: CHAOS,
    input: { sleep: 0.05, outcome: "success" },
    webhook: hooks.url,
    webhook_events_filter: ["completed"],
  });
  assert.equal(p.status, "starting");
  p = await replicate.wait(p, { interval: 20 });
  assert.equal(p.status, "succeeded");
  assert.ok(p.output && p.output.result, "chaos-monkey output has a result");

  // Times as Replicate writes them: six fractional digits and "Z", which
  // fixed-layout parsers (Python's strptime("...%fZ")) need.
  for (const t of [p.created_at, p.started_at, p.completed_at]) assert.match(t, STAMP);

  // The default webhook secret verifies the completed delivery.
  const { key } = await replicate.webhooks.default.secret.get();
  assert.match(key, /^whsec_/);
  const [d] = await hooks.untilCompleted(p.id);
  assert.equal(await validateWebhook({ headers: d.headers, body: d.body }, key), true);

  // "start" is sent as the prediction is created, in "starting" state.
  const started = await replicate.predictions.create({
    version: CHAOS,
    input: { sleep: 0.05 },
    webhook: hooks.url,
    webhook_events_filter: ["start", "completed"],
  });
  const [start, done] = await hooks.untilCompleted(started.id);
  assert.equal(start.prediction.status, "starting");
  assert.equal(start.prediction.started_at, null);
  assert.equal(done.prediction.status, "succeeded");

  // Without webhook_events_filter: new output and completion, as Replicate
  // documents; not the log line this 1.2 s run writes every second.
  const unfiltered = await replicate.predictions.create({
    version: CHAOS,
    input: { sleep: 1.2 },
    webhook: hooks.url,
  });
  const sent = await hooks.untilCompleted(unfiltered.id);
  assert.deepEqual(
    sent.map((x) => x.prediction.status),
    ["processing", "succeeded"],
    "an output webhook, then the completed one",
  );
  assert.ok(sent[0].prediction.output, "the first carries the output");
  assert.match(sent[1].prediction.logs, /sleeping: /, "the run logged, unsent");

  // Prefer: wait on the models route of an official model.
  const echo = await replicate.predictions.create({ model: "acme/echo", input: { text: "hi" }, wait: 5 });
  assert.equal(echo.status, "succeeded");
  assert.deepEqual(echo.output, { text: "hi" });

  // Cancel a running prediction.
  const slow = await replicate.predictions.create({ version: CHAOS, input: { sleep: 60 } });
  const canceled = await replicate.predictions.cancel(slow.id);
  assert.equal(canceled.status, "canceled");
  assert.equal((await replicate.predictions.get(slow.id)).status, "canceled");

  // Errors surface as ApiError with the problem JSON; a 404 has
  // Replicate's shape.
  const bad = await rejectsWith(replicate.predictions.create({ version: "f".repeat(64), input: {} }), 422);
  assert.equal(bad.title, "Invalid version or not permitted");
  assert.deepEqual(await rejectsWith(replicate.predictions.get("doesnotexist"), 404), NOT_FOUND);
});
hooks.close();
