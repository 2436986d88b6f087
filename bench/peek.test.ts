import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeStoredJSON, encodeStoredJSON } from "../services/schema/index.js";
import { bus } from "../services/schema/bus.js";
import { peekApiOps, peekPodProgress, PeekError } from "./peek.js";

const stored = (kind: string, obj: object) => encodeStoredJSON(kind, obj).value;

const pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name: "scale-abc12",
    namespace: "scale",
    uid: "u-1",
    creationTimestamp: "2026-11-26T21:00:05Z",
    labels: { app: "scale" },
    ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "scale-1", uid: "rs", controller: true }],
  },
  spec: { containers: [{ name: "app", image: "pause", resources: { requests: { cpu: "1m" } } }], nodeName: "sim-node-7" },
  status: {
    phase: "Running",
    conditions: [
      { type: "PodScheduled", status: "True" },
      { type: "Ready", status: "True", lastTransitionTime: "2026-11-26T21:00:06Z" },
    ],
    containerStatuses: [{ name: "app", ready: true, restartCount: 0, image: "pause", imageID: "", started: true }],
  },
};

test("pod progress - reads what the full decode has, for a running, a pending and a not-ready pod", () => {
  const cases = [
    pod,
    { ...pod, spec: { containers: pod.spec.containers }, status: { phase: "Pending" } },
    { ...pod, status: { phase: "Running", conditions: [{ type: "Ready", status: "False" }] } },
  ];
  for (const p of cases) {
    const bytes = stored("Pod", p);
    const full = decodeStoredJSON(bytes, 7);
    assert.deepEqual(peekPodProgress(bytes), {
      name: full.metadata.name,
      createdMs: Date.parse(full.metadata.creationTimestamp),
      nodeName: full.spec.nodeName ?? "",
      phase: full.status?.phase ?? "",
      ready: (full.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True"),
    });
  }
});

test("pod progress - anything but a stored Pod is a PeekError", () => {
  assert.throws(() => peekPodProgress(stored("ConfigMap", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } })), PeekError);
  assert.throws(() => peekPodProgress(Uint8Array.of(1, 2, 3, 4, 5)), PeekError);
  const bytes = stored("Pod", pod);
  assert.throws(() => peekPodProgress(bytes.subarray(0, bytes.length - 30)), PeekError, "truncated");
});

test("api ops - resource, verb and subresource of a lone request and of each batch item, as the full decode has them", () => {
  const reqs = [
    { verb: "create", group: "", resource: "pods", namespace: "scale", name: "a", object: stored("Pod", pod), subresource: "binding" },
    { verb: "update", resource: "pods", namespace: "scale", name: "b", object: stored("Pod", pod), expectedRevision: 42, subresource: "status" },
    { verb: "get", group: "coordination.k8s.io", resource: "leases", namespace: "kube-system", name: "l" },
  ];
  const ops = (rs: typeof reqs) => rs.map((q) => ({ resource: q.resource, verb: q.verb, subresource: q.subresource ?? "" }));
  const batch = bus.ApiBatchRequest.encode({ items: reqs.map((request) => ({ request, trace: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" } })) }).finish();
  assert.deepEqual(peekApiOps(batch, true), ops(reqs));
  assert.deepEqual(peekApiOps(bus.ApiRequest.encode(reqs[2]!).finish(), false), ops([reqs[2]!]));
  assert.throws(() => peekApiOps(batch.subarray(0, batch.length - 10), true), PeekError, "truncated");
});
