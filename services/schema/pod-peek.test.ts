import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeStored, fromKubeJSON } from "./index.js";
import { peekStoredPod } from "./pod-peek.js";

const stored = (kind: string, obj: object) => encodeStored(kind, fromKubeJSON(kind, obj).message as object);

test("pod peek - identity and node of a stored pod, as a full decode has them", () => {
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web-1", namespace: "prod", uid: "u-1", labels: { app: "web" }, annotations: { a: "b" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: "rs" }] },
    spec: { containers: [{ name: "c", image: "nginx", resources: { requests: { cpu: "100m" } } }], nodeName: "node-7", tolerations: [{ key: "k", operator: "Exists" }] },
    status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] },
  };
  assert.deepEqual(peekStoredPod(stored("Pod", pod)), { name: "web-1", namespace: "prod", uid: "u-1", nodeName: "node-7" });
  assert.deepEqual(peekStoredPod(stored("Pod", { ...pod, spec: { containers: pod.spec.containers } })), { name: "web-1", namespace: "prod", uid: "u-1", nodeName: "" });
  assert.equal(peekStoredPod(stored("ConfigMap", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } })), undefined, "not a pod");
  assert.equal(peekStoredPod(Uint8Array.of(1, 2, 3, 4, 5)), undefined, "not a stored value");
  const bytes = stored("Pod", pod);
  assert.equal(peekStoredPod(bytes.subarray(0, bytes.length - 20)), undefined, "truncated");
});
