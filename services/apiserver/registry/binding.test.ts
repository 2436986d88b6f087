/** binding: the message-level edit writes what the JSON path would, and reads the same requests. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeStored, type Pod } from "../../schema/index.js";
import { nodeAllocatable, podRequests } from "../../scheduler/resources.js";
import { decodeObject, encodeObject } from "../codec.js";
import { strategyFor } from "../strategies/index.js";
import { boundPod, messageAllocatable, messageRequests } from "./binding.js";

function storedPod(spec: any, status?: any): Uint8Array {
  const pod: any = { kind: "Pod", metadata: { name: "p", namespace: "d", uid: "u-1", creationTimestamp: "2024-05-01T00:00:00Z", labels: { app: "web" } }, spec };
  const s = strategyFor("Pod");
  s.defaults(pod);
  s.prepareForCreate(pod);
  if (status) pod.status = status;
  return encodeObject("Pod", pod).value;
}

/** What pods/binding wrote before it edited bytes: the pod as JSON, changed, encoded again. */
function boundByJson(value: Uint8Array, node: string, now: string): Uint8Array {
  const pod = decodeObject(value, 5);
  (pod.spec ??= {}).nodeName = node;
  const conditions: any[] = (pod.status ??= {}).conditions ?? [];
  pod.status.conditions = [...conditions.filter((c) => c.type !== "PodScheduled"), { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: now }];
  return encodeObject("Pod", pod).value;
}

const containers = [{ name: "a", image: "i", resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "1" } } }, { name: "b", image: "i" }];

test("boundPod - the same stored bytes as binding through JSON", () => {
  const now = "2024-05-01T00:00:03Z";
  const condition = (type: string, status: string) => ({ type, status, lastTransitionTime: "2024-05-01T00:00:01Z" });
  for (const value of [
    storedPod({ containers }),
    storedPod({ containers, tolerations: [{ key: "k", operator: "Exists" }] }, {
      phase: "Pending",
      conditions: [{ ...condition("PodScheduled", "False"), reason: "Unschedulable" }, condition("Custom", "True")],
    }),
    storedPod({ containers, priority: 5, schedulerName: "s" }, { phase: "Pending", conditions: [condition("A", "True"), condition("PodScheduled", "False"), condition("B", "True")], podIP: "10.0.0.1" }),
    encodeObject("Pod", { metadata: { name: "bare" } }).value,
    encodeObject("Pod", { metadata: { name: "no-status" }, spec: { containers } }).value,
  ]) {
    assert.deepEqual(Buffer.from(boundPod(value, "node-1", now)), Buffer.from(boundByJson(value, "node-1", now)));
    assert.deepEqual(Buffer.from(boundPod(value, "n-\u00e9", now)), Buffer.from(boundByJson(value, "n-\u00e9", now)), "UTF-8 node name");
  }
});

test("messageRequests - podRequests of the JSON pod (containers, sidecar and plain init containers, overhead)", () => {
  const spec = {
    containers,
    initContainers: [
      { name: "side", image: "i", restartPolicy: "Always", resources: { requests: { cpu: "50m" } } },
      { name: "init", image: "i", resources: { requests: { cpu: "2", "example.com/gpu": "1" } } },
    ],
    overhead: { cpu: "10m", memory: "1Mi" },
  };
  const value = storedPod(spec);
  const json = decodeObject(value, 5);
  const want = podRequests(json);
  assert.equal(want.cpu, 2060, "the test pod exercises the init container peak");
  assert.deepEqual(messageRequests((decodeStored(value).message as Pod).spec), want);
  assert.deepEqual(messageRequests(null), podRequests({}));
});

test("messageAllocatable - equals nodeAllocatable of the node's JSON (allocatable, else capacity)", () => {
  for (const status of [
    { allocatable: { cpu: "3500m", memory: "1Gi", pods: "110", "example.com/gpu": "2" }, capacity: { cpu: "4", memory: "2Gi", pods: "110" } },
    { capacity: { cpu: "4", memory: "2Gi", pods: "110" } },
    { allocatable: {}, capacity: { cpu: "2" } },
    { phase: "Running" },
    undefined,
  ]) {
    const value = encodeObject("Node", { kind: "Node", metadata: { name: "n" }, ...(status ? { status } : {}) }).value;
    assert.deepEqual(messageAllocatable(decodeStored(value).message as never), nodeAllocatable(decodeObject(value, 1)), JSON.stringify(status));
  }
});
