import { test } from "node:test";
import assert from "node:assert/strict";
import { KINDS, decodeStored, encodeStored, fromKubeJSON, k8s } from "../../schema/index.js";
import { strategyFor } from "../strategies/index.js";
import { spliceStatus } from "./stored-splice.js";

const stored = (kind: string, obj: object) => encodeStored(kind, fromKubeJSON(kind, obj).message as object);

/** The status write as the registry made it on messages: decode, replace status and managedFields, encode. */
function onMessages(kind: string, current: Uint8Array, sent: Uint8Array): Uint8Array {
  const s = decodeStored(sent).message as any;
  const next = decodeStored(current).message as any;
  next.status = s.status;
  (next.metadata ??= {}).managedFields = s.metadata?.managedFields;
  return encodeStored(kind, next);
}

const managed = (manager: string) => [{ manager, operation: "Update", apiVersion: "v1", time: "2024-05-01T00:00:00Z", fieldsType: "FieldsV1", fieldsV1: { "f:status": {} } }];
const pod = {
  metadata: { name: "p", namespace: "ns", uid: "u", labels: { a: "1", b: "2" }, annotations: { z: "y" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: "r", controller: true }], finalizers: ["f"] },
  spec: { nodeName: "n", containers: [{ name: "c", image: "i", resources: { requests: { cpu: "1m" } } }] },
  status: { phase: "Pending", conditions: [{ type: "PodScheduled", status: "True", lastTransitionTime: "2024-05-01T00:00:00Z" }] },
};
const running = { phase: "Running", podIP: "10.0.0.1", conditions: [{ type: "Ready", status: "True", lastTransitionTime: "2024-05-01T00:00:01Z" }] };

test("spliceStatus - the bytes the registry's message edit gives, with and without status, managedFields and metadata on either side", () => {
  const cases: Array<[string, string, object, object]> = [
    ["new status", "Pod", pod, { status: running }],
    ["status removed", "Pod", pod, { metadata: {} }],
    ["status added", "Pod", { ...pod, status: undefined }, { status: running }],
    ["same status", "Pod", pod, { status: pod.status }],
    ["managedFields added", "Pod", pod, { metadata: { managedFields: managed("kubelet") }, status: running }],
    ["managedFields kept", "Pod", { ...pod, metadata: { ...pod.metadata, managedFields: managed("kubelet") } }, { metadata: { managedFields: managed("kubelet") }, status: running }],
    ["managedFields replaced", "Pod", { ...pod, metadata: { ...pod.metadata, managedFields: managed("a") } }, { metadata: { managedFields: [...managed("b"), ...managed("c")] }, status: running }],
    ["managedFields removed", "Pod", { ...pod, metadata: { ...pod.metadata, managedFields: managed("a") } }, { status: running }],
    ["no metadata stored", "Pod", { spec: pod.spec }, { metadata: { managedFields: managed("m") }, status: running }],
    ["no metadata stored, none sent", "Pod", { spec: pod.spec }, { status: running }],
    ["node", "Node", { metadata: { name: "n" }, spec: { podCIDR: "10.0.0.0/24" }, status: { capacity: { cpu: "1" } } }, { status: { capacity: { cpu: "2" }, allocatable: { cpu: "2" } } }],
    ["deployment", "Deployment", { metadata: { name: "d", namespace: "ns", generation: 3 }, spec: { replicas: 2, selector: { matchLabels: { a: "1" } }, template: { metadata: { labels: { a: "1" } }, spec: { containers: [{ name: "c", image: "i" }] } } } }, { status: { replicas: 2, observedGeneration: 3 } }],
  ];
  for (const [name, kind, current, sent] of cases) {
    const c = stored(kind, current);
    const s = stored(kind, sent);
    const r = spliceStatus(c, s);
    assert.deepEqual(Buffer.from(r.value), Buffer.from(onMessages(kind, c, s)), name);
    assert.equal(r.deleting, false, name);
  }
});

test("spliceStatus - tells whether the object is being deleted", () => {
  const c = stored("Pod", { ...pod, metadata: { ...pod.metadata, deletionTimestamp: "2024-05-01T00:00:00Z", deletionGracePeriodSeconds: 30 } });
  const r = spliceStatus(c, stored("Pod", { status: running }));
  assert.equal(r.deleting, true);
  assert.deepEqual(Buffer.from(r.value), Buffer.from(onMessages("Pod", c, stored("Pod", { status: running }))));
});

test("spliceStatus - the field numbers it relies on: metadata 1 and status 3 in every kind with a status; ObjectMeta deletionTimestamp 9, managedFields 17", () => {
  for (const info of KINDS.values()) {
    if (!strategyFor(info.kind).hasStatus) continue;
    assert.deepEqual([...info.type.encode(new info.type({ metadata: {}, status: {} })).finish()], [0x0a, 0, 0x1a, 0], info.kind);
  }
  const meta = k8s.meta.v1.ObjectMeta.encode({ deletionTimestamp: {}, managedFields: [{}] }).finish();
  assert.deepEqual([...meta], [(9 << 3) | 2, 0, 0x8a, 0x01, 0], "field 9, then field 17 (tag 138 as a varint)");
});
