// replicate.run() through the official replicate JavaScript client: a
// prediction longer than its wait, official and community models by name,
// and a failed prediction.
import assert from "node:assert/strict";
import { CHAOS, NOT_FOUND, main, rejectsWith, replicate } from "./harness.mjs";

await main(async () => {
  // A prediction longer than its wait: Prefer: wait=1 runs out and the
  // answer is the prediction in "starting" state, so run() polls on and
  // returns the output. With any other status run() would return at once,
  // with no output.
  const out = await replicate.run(`zeke/chaos-monkey:${CHAOS}`, {
    input: { sleep: 1.5 },
    wait: { mode: "block", timeout: 1 },
  });
  assert.deepEqual(out, { result: { outcome: "success", sleep: 1.5, message: "the chaos monkey behaved" } });

  // The same answer to predictions.create({wait}).
  const waited = await replicate.predictions.create({ version: CHAOS, input: { sleep: 30 }, wait: 1 });
  assert.equal(waited.status, "starting");
  assert.equal(waited.started_at, null);
  assert.equal((await replicate.predictions.cancel(waited.id)).status, "canceled");

  // An official model runs by name, through the models route.
  assert.deepEqual(await replicate.run("acme/echo", { input: { n: 42 } }), { n: 42 });

  // A community model does not: the models route answers 404, as on
  // Replicate, and a version of owner/name without its hash is refused.
  assert.deepEqual(await rejectsWith(replicate.run("zeke/chaos-monkey", { input: {} }), 404), NOT_FOUND);
  const refused = await rejectsWith(replicate.predictions.create({ version: "zeke/chaos-monkey", input: {} }), 422);
  assert.equal(refused.title, "Invalid version or not permitted");
  assert.match(refused.detail, /zeke\/chaos-monkey:VERSION/);
  // Its latest version, looked up through the models API, runs.
  const { latest_version } = await replicate.models.get("zeke", "chaos-monkey");
  const latest = await replicate.run(`zeke/chaos-monkey:${latest_version.id}`, { input: { outcome: "random_data" } });
  assert.deepEqual(Object.keys(latest.result).sort(), ["numbers", "outcome", "token"]);

  // A failed prediction raises its error.
  await assert.rejects(
    replicate.run(`zeke/chaos-monkey:${CHAOS}`, { input: { outcome: "error" } }),
    /Prediction failed: chaos monkey: outcome=error requested/,
  );
  await assert.rejects(
    replicate.wait(await replicate.predictions.create({ version: CHAOS, input: { outcome: "bad_return_type" } }), { interval: 20 }),
    /Prediction failed: chaos monkey: bad return type/,
  );
});
