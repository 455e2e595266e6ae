// The models, deployments, account and hardware APIs through the official
// replicate JavaScript client.
import assert from "node:assert/strict";
import { CHAOS, ECHO, NOT_FOUND, STAMP, main, rejectsWith, replicate } from "./harness.mjs";

await main(async () => {
  // models.get: a community model and its latest version.
  const chaos = await replicate.models.get("zeke", "chaos-monkey");
  assert.equal(chaos.owner, "zeke");
  assert.equal(chaos.name, "chaos-monkey");
  assert.equal(chaos.is_official, false);
  assert.equal(chaos.latest_version.id, CHAOS);
  assert.match(chaos.latest_version.created_at, STAMP);
  assert.equal(typeof chaos.latest_version.cog_version, "string");

  // models.versions.get and list agree with it.
  const version = await replicate.models.versions.get("zeke", "chaos-monkey", CHAOS);
  assert.deepEqual(version, chaos.latest_version);
  const versions = await replicate.models.versions.list("zeke", "chaos-monkey");
  assert.deepEqual(versions.results, [version]);

  // The Input schema is the one enforced: every outcome it lists is taken,
  // a sleep past its maximum refused; the Output schema fits the output.
  const { Input, Output } = version.openapi_schema.components.schemas;
  assert.deepEqual(Object.keys(Input.properties).sort(), ["outcome", "sleep"]);
  for (const outcome of Input.properties.outcome.enum) {
    const p = await replicate.predictions.create({ version: CHAOS, input: { outcome } });
    assert.equal(p.status, "starting", outcome);
  }
  const refused = await rejectsWith(
    replicate.predictions.create({ version: CHAOS, input: { sleep: Input.properties.sleep.maximum + 1 } }),
    422,
  );
  assert.deepEqual(refused.invalid_fields.map((f) => f.field), ["input.sleep"]);
  await rejectsWith(replicate.predictions.create({ version: CHAOS, input: { outcome: "explode" } }), 422);
  const out = await replicate.run(`zeke/chaos-monkey:${CHAOS}`, { input: {} });
  assert.equal(Output.type, "object");
  for (const k of Output.required) assert.equal(typeof out[k], Output.properties[k].type);

  // An official model, whose version also runs.
  const echo = await replicate.models.get("acme", "echo");
  assert.equal(echo.is_official, true);
  assert.equal(echo.latest_version.id, ECHO);
  assert.equal(echo.latest_version.openapi_schema.components.schemas.Input.additionalProperties, true);
  assert.deepEqual(await replicate.run(`acme/echo:${ECHO}`, { input: { a: [1] } }), { a: [1] });

  // Unknown models and versions: Replicate's 404.
  assert.deepEqual(await rejectsWith(replicate.models.get("acme", "nope"), 404), NOT_FOUND);
  await rejectsWith(replicate.models.versions.get("zeke", "chaos-monkey", "0".repeat(64)), 404);
  await rejectsWith(replicate.models.versions.list("acme", "nope"), 404);

  // A deployment: its prediction carries the deployed model and version,
  // and the deployment's name.
  const dep = await replicate.deployments.get("acme", "chaos-monkey");
  assert.equal(dep.owner, "acme");
  assert.equal(dep.current_release.model, "zeke/chaos-monkey");
  assert.equal(dep.current_release.version, CHAOS);
  const p = await replicate.deployments.predictions.create("acme", "chaos-monkey", { input: { sleep: 0.05 }, wait: true });
  assert.equal(p.status, "succeeded");
  assert.equal(p.model, "zeke/chaos-monkey");
  assert.equal(p.version, CHAOS);
  assert.equal(p.deployment, "acme/chaos-monkey");
  assert.deepEqual((await replicate.predictions.get(p.id)).deployment, "acme/chaos-monkey");
  await rejectsWith(replicate.deployments.predictions.create("acme", "nope", { input: {} }), 404);
  await rejectsWith(replicate.deployments.get("acme", "nope"), 404);
  assert.deepEqual((await replicate.deployments.list()).results, [dep]);

  // The account the token belongs to owns the deployment; hardware lists SKUs.
  const account = await replicate.accounts.current();
  assert.equal(account.username, dep.owner);
  assert.ok(["user", "organization"].includes(account.type));
  const hardware = await replicate.hardware.list();
  assert.ok(hardware.some((h) => h.sku === "cpu" && h.name === "CPU"));
});
