import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeStoredJSON, encodeStoredJSON, k8s, messageToKubeJSON } from "./index.js";
import { peekStoredPod, peekStoredPodNodeName, type PodPeek } from "./pod-peek.js";

/** A peek without the spec span (tested on its own). */
function omitSpan(p: PodPeek | undefined): Omit<PodPeek, "specStart" | "specEnd"> | undefined {
  if (!p) return undefined;
  const { specStart: _s, specEnd: _e, ...rest } = p;
  return rest;
}

const stored = (kind: string, obj: object) => encodeStoredJSON(kind, obj).value;

test("pod peek - identity and node of a stored pod, as a full decode has them", () => {
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web-1", namespace: "prod", uid: "u-1", labels: { app: "web" }, annotations: { a: "b" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: "rs" }] },
    spec: { containers: [{ name: "c", image: "nginx", resources: { requests: { cpu: "100m" } } }], nodeName: "node-7", tolerations: [{ key: "k", operator: "Exists" }] },
    status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] },
  };
  const identity = { name: "web-1", namespace: "prod", uid: "u-1", deleting: false };
  assert.deepEqual(omitSpan(peekStoredPod(stored("Pod", pod))), { ...identity, nodeName: "node-7" });
  assert.deepEqual(omitSpan(peekStoredPod(stored("Pod", { ...pod, spec: { containers: pod.spec.containers } }))), { ...identity, nodeName: "" });
  const deleting = { ...pod, metadata: { ...pod.metadata, deletionTimestamp: "2025-01-01T00:00:00Z" } };
  assert.deepEqual(omitSpan(peekStoredPod(stored("Pod", deleting))), { ...identity, nodeName: "node-7", deleting: true });
  assert.equal(peekStoredPod(stored("ConfigMap", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } })), undefined, "not a pod");
  assert.equal(peekStoredPod(Uint8Array.of(1, 2, 3, 4, 5)), undefined, "not a stored value");
  const bytes = stored("Pod", pod);
  assert.equal(peekStoredPod(bytes.subarray(0, bytes.length - 20)), undefined, "truncated");
});

test("pod peek - the node name alone, as the full peek reads it", () => {
  const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "web-1", namespace: "prod", uid: "u-1", labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }], nodeName: "node-7" }, status: { phase: "Running" } };
  assert.equal(peekStoredPodNodeName(stored("Pod", pod)), "node-7");
  assert.equal(peekStoredPodNodeName(stored("Pod", { ...pod, spec: { containers: pod.spec.containers } })), "", "not bound");
  assert.equal(peekStoredPodNodeName(stored("Pod", { apiVersion: "v1", kind: "Pod", metadata: { name: "p" } })), "", "no spec");
  assert.equal(peekStoredPodNodeName(stored("ConfigMap", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } })), undefined, "not a pod");
  const bytes = stored("Pod", pod);
  assert.equal(peekStoredPodNodeName(bytes.subarray(0, bytes.length - 20)), undefined, "truncated");
});

test("pod peek - the spec span holds exactly the encoded PodSpec", () => {
  const spec = { containers: [{ name: "c", image: "nginx" }], nodeName: "n", schedulerName: "s" };
  const bytes = stored("Pod", { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec, status: { phase: "Pending" } });
  const peek = peekStoredPod(bytes)!;
  const decoded = k8s.core.v1.PodSpec.decode(bytes.subarray(peek.specStart, peek.specEnd));
  assert.deepEqual(messageToKubeJSON("k8s.core.v1.PodSpec", decoded), decodeStoredJSON(bytes, 1).spec);
  const none = peekStoredPod(stored("Pod", { apiVersion: "v1", kind: "Pod", metadata: { name: "p" } }))!;
  assert.equal(none.specEnd - none.specStart, 0, "no spec");
});
