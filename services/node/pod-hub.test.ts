import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeStored, fromKubeJSON } from "../schema/index.js";
import { PodRecord } from "./pod-hub.js";

const stored = (pod: object) => encodeStored("Pod", fromKubeJSON("Pod", pod).message as object);
const POD = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns", uid: "u1", labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "i" }] }, status: { phase: "Pending" } };

test("pod hub - PodRecord: a pod bound to no node is kept as its identity only", () => {
  const r = PodRecord.of("k", stored(POD), 5, 5, () => undefined);
  assert.equal(r.nodeName, "");
  assert.deepEqual(r.object, { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns", uid: "u1", resourceVersion: "5" }, spec: {} });
});

test("pod hub - PodRecord: node and uid at once, the pod decoded on first read from a copy of the bytes", () => {
  const bytes = stored({ ...POD, spec: { ...POD.spec, nodeName: "n1" } });
  let lookups = 0;
  const r = PodRecord.of("k", bytes, 7, 3, () => (lookups++, undefined));
  assert.deepEqual([r.key, r.nodeName, r.uid, r.modRevision, r.createRevision], ["k", "n1", "u1", 7, 3]);
  bytes.fill(0); // the event's buffer is reused by the bus
  assert.equal(r.object.metadata.labels.a, "b");
  assert.equal(r.object.metadata.resourceVersion, "7");
  assert.equal(r.object, r.object, "decoded once");
  assert.equal(lookups, 2, "own write looked up when the event arrived and when first read");
});

test("pod hub - PodRecord: the echo of an own write is the pod that write stored, also when the reply came after the event", () => {
  const own = { ...POD, spec: { ...POD.spec, nodeName: "n1" }, metadata: { ...POD.metadata, resourceVersion: "9" } };
  let replied = false;
  const written = (key: string, rev: number) => (replied && key === "k" && rev === 9 ? own : undefined);
  assert.throws(() => PodRecord.of("k", new Uint8Array([1, 2, 3]), 9, 3, written), "bytes that are not a stored pod fail when their event arrives (the informer skips them)");
  const r = PodRecord.of("k", stored(own), 9, 3, written);
  replied = true;
  assert.equal(r.object, own);
  assert.equal(PodRecord.of("k", stored(own), 9, 3, written).object, own, "reply first");
  const unbound = PodRecord.of("k", stored(POD), 5, 5, written);
  assert.deepEqual([unbound.nodeName, unbound.object.spec], ["", {}], "a pod bound to no node is a stub");
});
