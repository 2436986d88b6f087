import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeStored, fromKubeJSON } from "../schema/index.js";
import { schedulerPodView } from "./scheduler.js";

const stored = (pod: object) => encodeStored("Pod", fromKubeJSON("Pod", pod).message as object);
const POD = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns", uid: "u1" }, spec: { containers: [{ name: "c", image: "i" }] }, status: { phase: "Pending" } };

test("scheduler - pod view: metadata and spec without status; a bound pod of the same incarnation is not decoded again", () => {
  const pending = schedulerPodView(stored(POD), { modRevision: 3, createRevision: 3 }, undefined);
  assert.equal(pending.status, undefined);
  assert.equal(pending.spec.containers[0].name, "c");
  assert.equal(pending.metadata.resourceVersion, "3");
  const boundBytes = stored({ ...POD, spec: { ...POD.spec, nodeName: "n1" } });
  const bound = schedulerPodView(boundBytes, { modRevision: 4, createRevision: 3 }, { key: "k", object: pending, modRevision: 3, createRevision: 3 });
  assert.equal(bound.spec.nodeName, "n1", "an unbound cached pod is decoded again");
  const cachedBound = { key: "k", object: bound, modRevision: 4, createRevision: 3 };
  assert.equal(schedulerPodView(stored({ ...POD, status: { phase: "Running" } }), { modRevision: 5, createRevision: 3 }, cachedBound), bound);
  const recreated = schedulerPodView(stored(POD), { modRevision: 9, createRevision: 9 }, cachedBound);
  assert.equal(recreated.spec.nodeName, undefined, "a new pod under the same key is decoded");
});
