// Shared by the scripts that run the official replicate JavaScript client
// against a notifier simulator (see jsclient_test.go): the client, a webhook
// receiver, and helpers for the API's errors.
import http from "node:http";
import assert from "node:assert/strict";
import Replicate from "replicate";

export const CHAOS = "0098011f5f482d1fcdbbba44ef1d6d22858e439a103b6ebb449ef9dec623a71e";
export const ECHO = "afc7b04dc9791d711871cafdd7edcfdd9022eabbf2defdea32a1bc9be280cff6";

// Replicate's time format: UTC, six fractional digits, "Z".
export const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

const baseUrl = process.env.SIM_BASE_URL;
const auth = process.env.SIM_TOKEN;
assert.ok(baseUrl && auth, "SIM_BASE_URL and SIM_TOKEN must be set");

export const replicate = new Replicate({ auth, baseUrl });

// until polls cond every 10 ms and resolves with its first truthy value;
// it rejects after timeoutMs.
export async function until(what, cond, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// receiver starts a webhook endpoint that records every delivery.
export async function receiver() {
  const deliveries = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      deliveries.push({ headers: req.headers, body, prediction: JSON.parse(body) });
      res.writeHead(200).end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const terminal = (d) => ["succeeded", "failed", "canceled", "aborted"].includes(d.prediction.status);
  return {
    url: `http://127.0.0.1:${server.address().port}/hook?token=js`,
    // of returns the deliveries of prediction id so far.
    of: (id) => deliveries.filter((d) => d.prediction.id === id),
    // untilCompleted waits for the terminal delivery of prediction id and
    // returns all of its deliveries.
    async untilCompleted(id) {
      await until(`the completed webhook of ${id}`, () => this.of(id).some(terminal));
      return this.of(id);
    },
    close: () => server.close(),
  };
}

// rejectsWith asserts that promise fails with an ApiError of the given
// HTTP status and returns the problem JSON the API answered.
export async function rejectsWith(promise, status) {
  let body;
  await assert.rejects(promise, (err) => {
    assert.equal(err.name, "ApiError", `want an ApiError, got ${err}`);
    assert.equal(err.response.status, status, err.message);
    const m = err.message.match(/: (\{[\s\S]*\})\s*\.$/);
    assert.ok(m, `no JSON body in ${err.message}`);
    body = JSON.parse(m[1]);
    return true;
  });
  return body;
}

// NOT_FOUND is Replicate's 404 body: a detail and a status, no title.
export const NOT_FOUND = { detail: "The requested resource could not be found.", status: 404 };

// main runs a script's checks, prints "ok" when they pass and sets a
// failing exit code otherwise.
export async function main(checks) {
  try {
    await checks();
    console.log("ok");
  } catch (err) {
    console.error(err);
    process.exitCode = 1;
  }
}
