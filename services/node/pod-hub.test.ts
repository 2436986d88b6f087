import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeStored, fromKubeJSON } from "../schema/index.js";
import { podView } from "./pod-hub.js";

const stored = (pod: object) => encodeStored("Pod", fromKubeJSON("Pod", pod).message as object);
const POD = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns", uid: "u1", labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "i" }] }, status: { phase: "Pending" } };

test("pod hub - podView: a bound pod in full, an unbound one as its identity only", () => {
  const bound = podView(stored({ ...POD, spec: { ...POD.spec, nodeName: "n1" } }), 7);
  assert.equal(bound.spec.nodeName, "n1");
  assert.equal(bound.status.phase, "Pending");
  assert.deepEqual(bound.metadata.labels, { a: "b" });
  assert.equal(bound.metadata.resourceVersion, "7");
  const stub = podView(stored(POD), 5);
  assert.deepEqual(stub, { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns", uid: "u1", resourceVersion: "5" }, spec: {} });
});
