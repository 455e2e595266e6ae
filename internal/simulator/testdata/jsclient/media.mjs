// Files, file outputs and streaming through the official replicate
// JavaScript client: files.create/list/get/delete, a Blob input uploaded
// by the client, stream(), and run() of acme/image with and without
// useFileOutput. Run over HTTPS (see jsclient_test.go): run() makes
// FileOutput objects of https: URLs only.
import assert from "node:assert/strict";
import Replicate from "replicate";
import { NOT_FOUND, main, rejectsWith, replicate } from "./harness.mjs";

// The first bytes of a PNG: enough for the simulator to sniff image/png.
const PNG = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");

// pngSize reads the width and height of a PNG from its IHDR chunk.
const pngSize = (b) => [b.readUInt32BE(16), b.readUInt32BE(20)];

await main(async () => {
  // files.create with a Blob keeps its type; with a Buffer (sent as
  // application/octet-stream) the type is sniffed.
  const blob = await replicate.files.create(new Blob([PNG], { type: "image/png" }), { k: "v" });
  assert.equal(blob.content_type, "image/png");
  assert.equal(blob.size, PNG.length);
  assert.deepEqual(blob.metadata, { k: "v" });
  assert.match(blob.checksums.sha256, /^[0-9a-f]{64}$/);
  assert.match(blob.urls.get, /^https:\/\/127\.0\.0\.1:\d+\/v1\/files\/[a-z0-9]{26}$/);
  const buf = await replicate.files.create(PNG);
  assert.equal(buf.content_type, "image/png");
  assert.match(buf.name, /^buffer_\d+$/);
  assert.deepEqual((await replicate.files.list()).results.map((f) => f.id), [buf.id, blob.id]);
  assert.equal((await replicate.files.get(blob.id)).etag, blob.etag);
  assert.equal(await replicate.files.delete(buf.id), true);
  assert.deepEqual(await rejectsWith(replicate.files.get(buf.id), 404), NOT_FOUND);

  // A Blob input: the client uploads it and sends its urls.get, which
  // acme/echo describes.
  const echoed = await replicate.run("acme/echo", { input: { image: new Blob([PNG], { type: "image/png" }), n: 1 } });
  assert.deepEqual(echoed, { image: { size: PNG.length, content_type: "image/png" }, n: 1 });

  // stream(): the tokens, in order, are the prediction's output.
  const input = { prompt: "two\nlines", max_tokens: 8 };
  const tokens = [];
  for await (const ev of replicate.stream("acme/stream", { input })) {
    if (ev.event === "output") tokens.push(String(ev));
  }
  const p = await replicate.predictions.create({ model: "acme/stream", input, wait: 10 });
  assert.equal(p.status, "succeeded");
  assert.deepEqual(tokens, p.output);
  assert.ok(tokens.includes("\nlines"), `a multi-line token in ${JSON.stringify(tokens)}`);
  // A model that does not stream has no urls.stream.
  await assert.rejects(replicate.stream("acme/echo", { input: {} }).next(), /does not support streaming/);

  // run() of acme/image: FileOutput objects by default...
  const [file] = await replicate.run("acme/image", { input: { width: 64, height: 80, seed: 3 } });
  assert.ok(file instanceof ReadableStream, `run() gave ${typeof file}, want a FileOutput`);
  assert.match(String(file), /^https:\/\/127\.0\.0\.1:\d+\/delivery\/[a-z0-9]{26}\/out-0\.png$/);
  const png = await file.blob();
  assert.equal(png.type, "image/png");
  assert.deepEqual(pngSize(Buffer.from(await png.arrayBuffer())), [64, 80]);
  // ...and URLs with useFileOutput: false.
  const plain = new Replicate({ auth: process.env.SIM_TOKEN, baseUrl: process.env.SIM_BASE_URL, useFileOutput: false });
  const urls = await plain.run("acme/image", { input: { num_outputs: 2, width: 64, height: 64 } });
  assert.equal(urls.length, 2);
  for (const u of urls) {
    assert.equal(typeof u, "string");
    const res = await fetch(u);
    assert.equal(res.status, 200);
    assert.deepEqual(pngSize(Buffer.from(await res.arrayBuffer())), [64, 64]);
  }
});
