import { test } from "node:test";
import assert from "node:assert/strict";
import { decideDelete, invalidDeleteOptions, shouldRemoveAfterUpdate } from "./deletion.js";

const now = new Date("2026-11-26T10:00:00Z");
const cm = (meta: Record<string, unknown> = {}) => ({ metadata: { name: "a", namespace: "d", ...meta } });
const pod = (spec: Record<string, unknown>, status: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) => ({ metadata: { name: "p", ...meta }, spec, status });

test("deletion - an object without finalizers is removed at once", () => {
  assert.deepEqual(decideDelete("ConfigMap", cm(), {}, now), { action: "remove" });
  assert.deepEqual(decideDelete("ConfigMap", cm(), { propagationPolicy: "Background" }, now), { action: "remove" });
});

test("deletion - foreground and orphan add their finalizer and a deletionTimestamp", () => {
  for (const [policy, finalizer] of [["Foreground", "foregroundDeletion"], ["Orphan", "orphan"]] as const) {
    const d = decideDelete("ConfigMap", cm(), { propagationPolicy: policy }, now);
    assert.equal(d.action, "update");
    if (d.action !== "update") return;
    assert.deepEqual(d.object.metadata.finalizers, [finalizer]);
    assert.equal(d.object.metadata.deletionTimestamp, "2026-11-26T10:00:00Z");
    assert.equal(d.object.metadata.deletionGracePeriodSeconds, 0);
  }
  const legacy = decideDelete("ConfigMap", cm(), { orphanDependents: true }, now);
  assert.equal(legacy.action === "update" && legacy.object.metadata.finalizers[0], "orphan");
});

test("deletion - background drops a pending orphan finalizer; other finalizers keep the object", () => {
  const d = decideDelete("ConfigMap", cm({ finalizers: ["orphan", "example.com/keep"] }), { propagationPolicy: "Background" }, now);
  assert.equal(d.action, "update");
  assert.deepEqual(d.action === "update" && d.object.metadata.finalizers, ["example.com/keep"]);
});

test("deletion - a bound pod is deleted gracefully, an unbound or finished one at once", () => {
  const bound = decideDelete("Pod", pod({ nodeName: "n1", terminationGracePeriodSeconds: 30 }, { phase: "Running" }), {}, now);
  assert.equal(bound.action, "update");
  if (bound.action === "update") {
    assert.equal(bound.object.metadata.deletionTimestamp, "2026-11-26T10:00:30Z");
    assert.equal(bound.object.metadata.deletionGracePeriodSeconds, 30);
  }
  assert.equal(decideDelete("Pod", pod({}), {}, now).action, "remove");
  assert.equal(decideDelete("Pod", pod({ nodeName: "n1" }, { phase: "Succeeded" }), {}, now).action, "remove");
  assert.equal(decideDelete("Pod", pod({ nodeName: "n1" }, { phase: "Running" }), { gracePeriodSeconds: 0 }, now).action, "remove");
});

test("deletion - a second delete may shorten a pod's grace period, never lengthen it", () => {
  const first = pod({ nodeName: "n1" }, { phase: "Running" }, { deletionTimestamp: "2026-11-26T10:00:10Z", deletionGracePeriodSeconds: 10 });
  const longer = decideDelete("Pod", first, { gracePeriodSeconds: 60 }, now);
  assert.equal(longer.action === "update" && longer.object.metadata.deletionGracePeriodSeconds, 10);
  assert.equal(decideDelete("Pod", first, { gracePeriodSeconds: 0 }, now).action, "remove");
});

test("deletion - a namespace waits for its spec finalizers and turns Terminating", () => {
  const d = decideDelete("Namespace", { metadata: { name: "x" }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } }, {}, now);
  assert.equal(d.action, "update");
  assert.equal(d.action === "update" && d.object.status.phase, "Terminating");
});

test("deletion - the last finalizer gone on a deleting object removes it", () => {
  assert.equal(shouldRemoveAfterUpdate("ConfigMap", cm({ deletionTimestamp: "x", deletionGracePeriodSeconds: 0 })), true);
  assert.equal(shouldRemoveAfterUpdate("ConfigMap", cm({ deletionTimestamp: "x", finalizers: ["f"] })), false);
  assert.equal(shouldRemoveAfterUpdate("Pod", pod({}, {}, { deletionTimestamp: "x", deletionGracePeriodSeconds: 30 })), false);
  assert.equal(shouldRemoveAfterUpdate("ConfigMap", cm()), false);
});

test("deletion - invalid options are named", () => {
  assert.match(invalidDeleteOptions({ propagationPolicy: "Sideways" as never }) ?? "", /Unsupported value/);
  assert.match(invalidDeleteOptions({ gracePeriodSeconds: -1 }) ?? "", /non-negative/);
  assert.equal(invalidDeleteOptions({ propagationPolicy: "Orphan" }), undefined);
});
