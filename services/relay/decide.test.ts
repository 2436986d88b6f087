import { test } from "node:test";
import assert from "node:assert/strict";
import { decideCursorSave, routeOf } from "./decide.js";

test("relay - events route by the key's resource and namespace", () => {
  assert.deepEqual(routeOf({ key: "/pods/default/web-1" }), { resource: "pods", namespace: "default", name: "web-1" });
  assert.deepEqual(routeOf({ key: "/nodes/node-1" }), { resource: "nodes", namespace: "", name: "node-1" });
  assert.deepEqual(routeOf({ key: "/deployments.apps/demo/web" }), { resource: "deployments.apps", namespace: "demo", name: "web" });
});

test("relay - the cursor is saved after enough events or enough time", () => {
  const policy = { maxEvents: 10, maxDelayMs: 100 };
  assert.equal(decideCursorSave(0, 0, 1000, policy), false, "nothing unsaved");
  assert.equal(decideCursorSave(3, 950, 1000, policy), false);
  assert.equal(decideCursorSave(10, 990, 1000, policy), true, "enough events");
  assert.equal(decideCursorSave(1, 900, 1000, policy), true, "waited long enough");
});
