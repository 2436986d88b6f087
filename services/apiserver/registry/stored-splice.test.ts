import { test } from "node:test";
import assert from "node:assert/strict";
import { CorruptValueError, KINDS, STORED_FORMAT_VERSION, decodeStored, encodeStored, fromKubeJSON, k8s } from "../../schema/index.js";
import { strategyFor } from "../strategies/index.js";
import { spliceBinding, spliceStatus } from "./stored-splice.js";

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

/** A stored Pod whose object is the bytes `object`, as they are (not necessarily a valid Pod). */
function rawPod(object: number[]): Uint8Array {
  const kind = [...Buffer.from("Pod")];
  const len = object.length < 128 ? [object.length] : [(object.length & 127) | 128, object.length >> 7];
  return Uint8Array.from([0x6b, 0x38, 0x73, STORED_FORMAT_VERSION, 0x0a, kind.length, ...kind, 0x12, ...len, ...object]);
}
const ld = (num: number, bytes: number[]) => [(num << 3) | 2, bytes.length, ...bytes];
const str = (num: number, s: string) => ld(num, [...Buffer.from(s)]);

test("spliceStatus - reads varints of up to 10 bytes (a negative int64) and skips 64-bit and 32-bit fields as bytes", () => {
  const minusOne = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
  const name = str(1, "p");
  const generation = [(7 << 3) | 0, ...minusOne]; // ObjectMeta.generation = -1
  const managedFields = [0x8a, 0x01, 3, ...str(1, "m")]; // field 17
  const fixed64 = [(4 << 3) | 1, 0x80, 0x81, 0xff, 0x0a, 0x12, 0x1a, 0x80, 0x01]; // bytes that misread as varints or tags
  const fixed32 = [(5 << 3) | 5, 0xff, 0x80, 0x1a, 0x02];
  const varint = [(6 << 3) | 0, ...minusOne];
  const tail = [...fixed64, ...fixed32, ...varint];
  const current = rawPod([...ld(1, [...name, ...generation]), ...ld(3, str(1, "Pending")), ...tail]);
  const sent = rawPod([...ld(1, managedFields), ...ld(3, str(1, "Running"))]);
  const r = spliceStatus(current, sent);
  assert.deepEqual([...r.value], [...rawPod([...ld(1, [...name, ...generation, ...managedFields]), ...ld(3, str(1, "Running")), ...tail])]);
  assert.equal(r.deleting, false);
  // 64-bit and 32-bit fields inside the metadata too
  const inMeta = rawPod([...ld(1, [...name, ...fixed64, ...fixed32, ...varint]), ...ld(3, [])]);
  assert.deepEqual([...spliceStatus(inMeta, sent).value], [...rawPod([...ld(1, [...name, ...fixed64, ...fixed32, ...varint, ...managedFields]), ...ld(3, str(1, "Running"))])]);
});

test("spliceStatus, spliceBinding - a truncated or over-long varint, length or fixed-size field is a CorruptValueError", () => {
  const good = rawPod([...ld(1, str(1, "p")), ...ld(3, str(1, "Running"))]);
  const condition = [...k8s.core.v1.PodCondition.encode({ type: "PodScheduled", status: "True" }).finish()];
  const bad: Array<[string, number[]]> = [
    ["truncated tag", [0x80]],
    ["truncated varint", [(6 << 3) | 0, 0xff, 0xff]],
    ["over-long varint (11 bytes)", [(6 << 3) | 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
    ["over-long tag (11 bytes)", [0xb0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]],
    ["truncated length", [0x0a, 0x80]],
    ["length past the end", [0x0a, 0x05, 0x01]],
    ["truncated 64-bit field", [(4 << 3) | 1, 1, 2, 3]],
    ["truncated 32-bit field", [(5 << 3) | 5, 1]],
    ["group", [(4 << 3) | 3]],
    ["in the metadata: truncated varint", ld(1, [(7 << 3) | 0, 0x80])],
    ["in the metadata: over-long varint", ld(1, [(7 << 3) | 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])],
    ["in the status: truncated 32-bit field", ld(3, [...ld(2, condition), (5 << 3) | 5, 1])],
    ["in a condition: truncated varint", ld(3, ld(2, [...condition, (9 << 3) | 0, 0x80]))],
  ];
  for (const [name, object] of bad) {
    const value = rawPod(object);
    if (!/^in (the status|a condition)/.test(name)) { // spliceStatus copies the status as a whole
      assert.throws(() => spliceStatus(value, good), CorruptValueError, `${name}: current`);
      assert.throws(() => spliceStatus(good, value), CorruptValueError, `${name}: sent`);
    }
    if (!name.startsWith("in the metadata")) assert.throws(() => spliceBinding(value, "n", Uint8Array.from(condition)), CorruptValueError, `${name}: binding`);
  }
  assert.deepEqual(decodeStored(spliceBinding(good, "n", Uint8Array.from(condition))).message.toJSON(), { metadata: { name: "p" }, spec: { nodeName: "n" }, status: { phase: "Running", conditions: [{ type: "PodScheduled", status: "True" }] } });
});
