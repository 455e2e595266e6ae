// Listing predictions through the official replicate JavaScript client:
// paging, the previous link and the list filters. jsclient_test.go gives
// this simulator a clock that moves one second per reading, so creation
// times are distinct and have no fraction of a second.
import assert from "node:assert/strict";
import { STAMP, main, rejectsWith, replicate } from "./harness.mjs";

const N = 250;

// list asks for a page with the given query parameters, as the client's own
// request method sends them.
async function list(params) {
  return (await replicate.request("/predictions", { method: "GET", params })).json();
}

await main(async () => {
  const created = []; // oldest first
  for (let i = 0; i < N; i++) {
    created.push(await replicate.predictions.create({ model: "acme/echo", input: { i } }));
  }
  const newestFirst = created.map((p) => p.id).reverse();
  // A whole second still has its six digits.
  assert.match(created[0].created_at, /\.000000Z$/);
  assert.match(created[0].created_at, STAMP);

  // paginate follows the absolute next links: every prediction, newest first.
  const all = [];
  for await (const page of replicate.paginate(replicate.predictions.list)) all.push(...page.map((p) => p.id));
  assert.deepEqual(all, newestFirst);

  // The previous link leads back to the page before.
  const first = await replicate.predictions.list();
  assert.equal(first.previous, null);
  const second = await (await replicate.request(new URL(first.next), { method: "GET" })).json();
  const third = await (await replicate.request(new URL(second.next), { method: "GET" })).json();
  assert.equal(third.next, null);
  const back = await (await replicate.request(new URL(third.previous), { method: "GET" })).json();
  assert.deepEqual(back.results.map((p) => p.id), second.results.map((p) => p.id));
  const front = await (await replicate.request(new URL(back.previous), { method: "GET" })).json();
  assert.deepEqual(front.results.map((p) => p.id), first.results.map((p) => p.id));

  // created_after includes its time, created_before excludes it; the next
  // links keep the filters.
  const pivot = created[120].created_at;
  const after = await list({ created_after: pivot });
  assert.equal(after.results.length, 100);
  const rest = await (await replicate.request(new URL(after.next), { method: "GET" })).json();
  assert.deepEqual([...after.results, ...rest.results].map((p) => p.id), newestFirst.slice(0, N - 120));
  assert.equal(rest.next, null);
  const before = await list({ created_before: pivot });
  assert.deepEqual(before.results.map((p) => p.id), newestFirst.slice(N - 120, N - 20));
  const window = await list({ created_after: created[10].created_at, created_before: created[20].created_at });
  assert.deepEqual(window.results.map((p) => p.id), newestFirst.slice(N - 20, N - 10));
  assert.equal(window.next, null);

  // source=web: none here, every prediction came from the API.
  assert.deepEqual((await list({ source: "web" })).results, []);
  await rejectsWith(list({ source: "cli" }), 400);
  await rejectsWith(list({ created_after: "yesterday" }), 400);
});
