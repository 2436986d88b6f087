import { test } from "node:test";
import assert from "node:assert/strict";
import { deepFreeze } from "./index.js";

test("deepFreeze freezes nested objects and arrays and returns its argument", () => {
  const v = { a: { b: [1, { c: 2 }] }, d: "x" };
  assert.equal(deepFreeze(v), v);
  assert.ok(Object.isFrozen(v) && Object.isFrozen(v.a) && Object.isFrozen(v.a.b) && Object.isFrozen(v.a.b[1]));
  assert.throws(() => {
    (v.a.b[1] as { c: number }).c = 3;
  }, TypeError);
  assert.equal(deepFreeze(null), null);
  assert.equal(deepFreeze(5), 5);
});
