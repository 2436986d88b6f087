import { test } from "node:test";
import assert from "node:assert/strict";
import { RecentValues } from "./recent-values.js";

const v = (n: number) => Uint8Array.of(n);

test("RecentValues - answers a key only at the revision remembered; keeps the newest revision; forgets the least recently written first", () => {
  const r = new RecentValues(2);
  r.set("/a", 5, v(5));
  assert.deepEqual(r.at("/a", 5), v(5));
  assert.equal(r.at("/a", 4), undefined);
  r.set("/a", 3, v(3));
  assert.deepEqual(r.latest("/a"), { rev: 5, value: v(5) }, "an older revision does not replace a newer one");
  r.set("/b", 6, v(6));
  r.set("/a", 7, v(7)); // /a written last: /b is now the oldest
  r.set("/c", 8, v(8));
  assert.equal(r.latest("/b"), undefined);
  assert.deepEqual(r.at("/a", 7), v(7));
  r.forget("/a");
  assert.equal(r.latest("/a"), undefined);
  assert.equal(r.size, 1);
});

test("RecentValues - when full, forgets the least recently written sixteenth at once", () => {
  const r = new RecentValues(32);
  for (let i = 0; i < 32; i++) r.set(`/k${i}`, i + 1, v(i));
  r.set("/k0", 40, v(40)); // rewritten: /k1 and /k2 are now the oldest
  r.set("/new", 41, v(41));
  assert.equal(r.size, 31);
  assert.equal(r.latest("/k1"), undefined);
  assert.equal(r.latest("/k2"), undefined);
  assert.deepEqual(r.at("/k0", 40), v(40));
  assert.deepEqual(r.at("/k3", 4), v(3));
  assert.deepEqual(r.at("/new", 41), v(41));
});
