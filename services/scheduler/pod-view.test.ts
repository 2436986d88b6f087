import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeStoredJSON, encodeStored, fromKubeJSON } from "../schema/index.js";
import { SpecCache, schedulerPodView } from "./pod-view.js";

const stored = (pod: object) => encodeStored("Pod", fromKubeJSON("Pod", pod).message as object);
const SPEC = { containers: [{ name: "c", image: "i", resources: { requests: { cpu: "100m", memory: "64Mi" } } }], tolerations: [{ key: "k", operator: "Exists" }], schedulerName: "default-scheduler" };
const POD = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns", uid: "u1", labels: { app: "a" } }, spec: SPEC, status: { phase: "Pending" } };

test("scheduler - pod view: identity metadata and spec without status; a bound pod of the same incarnation is not decoded again", () => {
  const specs = new SpecCache();
  const pending = schedulerPodView(stored(POD), { modRevision: 3, createRevision: 3 }, undefined, specs);
  assert.equal(pending.status, undefined);
  assert.deepEqual(pending.metadata, { name: "p", namespace: "ns", uid: "u1", resourceVersion: "3" });
  assert.deepEqual(pending.spec, decodeStoredJSON(stored(POD), 3).spec, "the spec as a full decode has it");
  const boundBytes = stored({ ...POD, spec: { ...POD.spec, nodeName: "n1" } });
  const bound = schedulerPodView(boundBytes, { modRevision: 4, createRevision: 3 }, { key: "k", object: pending, modRevision: 3, createRevision: 3 }, specs);
  assert.equal(bound.spec.nodeName, "n1", "an unbound cached pod is decoded again");
  assert.equal(bound.spec.containers, pending.spec.containers);
  const other = schedulerPodView(stored({ ...POD, metadata: { ...POD.metadata, name: "q", uid: "u2" } }), { modRevision: 6, createRevision: 6 }, undefined, specs);
  const otherBound = schedulerPodView(boundBytes, { modRevision: 7, createRevision: 6 }, { key: "k2", object: other, modRevision: 6, createRevision: 6 }, specs);
  assert.equal(otherBound.spec, bound.spec, "pods of one template bound to one node share one frozen spec");
  assert.ok(Object.isFrozen(bound.spec));
  const cachedBound = { key: "k", object: bound, modRevision: 4, createRevision: 3 };
  assert.equal(schedulerPodView(stored({ ...POD, status: { phase: "Running" } }), { modRevision: 5, createRevision: 3 }, cachedBound, specs), bound);
  const recreated = schedulerPodView(stored(POD), { modRevision: 9, createRevision: 9 }, cachedBound, specs);
  assert.equal(recreated.spec.nodeName, undefined, "a new pod under the same key is decoded");
});

test("scheduler - pod view: pods of one template share one frozen decoded spec; a pod being deleted is decoded in full", () => {
  const specs = new SpecCache();
  const views = Array.from({ length: 5 }, (_, i) => schedulerPodView(stored({ ...POD, metadata: { ...POD.metadata, name: `p${i}`, uid: `u${i}` } }), { modRevision: 10 + i, createRevision: 10 + i }, undefined, specs));
  assert.deepEqual(specs.stats, { hits: 4, decodes: 1 });
  for (const v of views) assert.equal(v.spec, views[0]!.spec);
  assert.deepEqual(views.map((v) => v.metadata.name), ["p0", "p1", "p2", "p3", "p4"]);
  assert.throws(() => {
    views[0]!.spec.containers[0].name = "x";
  }, TypeError);

  const other = schedulerPodView(stored({ ...POD, spec: { ...SPEC, containers: [{ name: "c", image: "j" }] } }), { modRevision: 20, createRevision: 20 }, undefined, specs);
  assert.equal(other.spec.containers[0].image, "j");
  assert.equal(specs.stats.decodes, 2, "another spec is decoded");

  const deleting = schedulerPodView(stored({ ...POD, metadata: { ...POD.metadata, deletionTimestamp: "2025-01-01T00:00:00Z" } }), { modRevision: 21, createRevision: 10 }, undefined, specs);
  assert.equal(deleting.metadata.deletionTimestamp, "2025-01-01T00:00:00Z");
  assert.deepEqual(deleting.metadata.labels, { app: "a" }, "full decode");
  assert.equal(deleting.status, undefined);
  assert.equal(specs.stats.decodes, 2);
});
