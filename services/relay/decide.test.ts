import { test } from "node:test";
import assert from "node:assert/strict";
import { batchesOf, decideCursorSave } from "./decide.js";
import type { IChangeEvent } from "../schema/bus.js";

let rev = 0;
const ev = (resource: string, namespace: string, bytes = 10): IChangeEvent => ({ type: "ADDED", revision: ++rev, resource, namespace, name: `o${rev}`, object: new Uint8Array(bytes) });
const shape = (bs: ReturnType<typeof batchesOf>) => bs.map((b) => `${b.resource}/${b.namespace}:${b.events.map((e) => e.revision).join(",")}`);

test("relay - one read becomes one batch per resource and namespace run, each resource in revision order", () => {
  rev = 0;
  const read = [ev("pods", "a"), ev("pods", "a"), ev("events", "a"), ev("pods", "a"), ev("nodes", ""), ev("events", "a"), ev("pods", "b"), ev("pods", "b"), ev("pods", "a")];
  const out = batchesOf(read);
  assert.deepEqual(shape(out), ["pods/a:1,2,4", "pods/b:7,8", "pods/a:9", "events/a:3,6", "nodes/:5"]);
  // Per resource, concatenating its batches in publish order gives its events in log order.
  for (const resource of ["pods", "events", "nodes"]) {
    const published = out.filter((b) => b.resource === resource).flatMap((b) => b.events.map((e) => e.revision));
    assert.deepEqual(published, read.filter((e) => e.resource === resource).map((e) => e.revision), resource);
  }
  assert.deepEqual(batchesOf([]), []);
});

test("relay - batches are capped in size; an event above the cap travels alone", () => {
  rev = 0;
  const read = [ev("pods", "a", 400), ev("pods", "a", 400), ev("pods", "a", 400), ev("pods", "a", 5000), ev("pods", "a", 10)];
  const out = batchesOf(read, 1000);
  assert.deepEqual(shape(out), ["pods/a:1,2", "pods/a:3", "pods/a:4", "pods/a:5"]);
  for (const b of out) assert.ok(b.events.length === 1 || b.bytes <= 1000, `batch of ${b.bytes} bytes`);
});

test("relay - the cursor is saved after enough events or enough time", () => {
  const policy = { maxEvents: 10, maxDelayMs: 100 };
  assert.equal(decideCursorSave(0, 0, 1000, policy), false, "nothing unsaved");
  assert.equal(decideCursorSave(3, 950, 1000, policy), false);
  assert.equal(decideCursorSave(10, 990, 1000, policy), true, "enough events");
  assert.equal(decideCursorSave(1, 900, 1000, policy), true, "waited long enough");
});
