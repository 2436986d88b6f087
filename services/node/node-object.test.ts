import { test } from "node:test";
import assert from "node:assert/strict";
import { nodeConfigFromEnv, NodeConfigError } from "./config.js";
import { PodIPAllocator, PodIPExhaustedError } from "./ip-allocator.js";
import { leaseObject, nodeHostIP, nodeObject, nodePodCIDR, nodeStatus, reregisteredNode } from "./node-object.js";
import { prune, sameStatus } from "./status-writer.js";

test("node config - defaults and every problem reported at once", () => {
  const d = nodeConfigFromEnv({});
  assert.deepEqual([d.nodes, d.prefix, d.first, d.cpu, d.memory, d.pods, d.leaseRenewMs, d.backoff.baseMs, d.backoff.maxMs], [3, "node", 1, "8", "32Gi", 110, 10_000, 10_000, 300_000]);
  const c = nodeConfigFromEnv({ K8S_NODES: "1000", K8S_NODE_CPU: "4", K8S_NODE_MEMORY: "16Gi", K8S_NODE_LABELS: "zone=a,tier=x", K8S_NODE_TAINTS: "dedicated=gpu:NoSchedule,spot:PreferNoSchedule", K8S_NODE_BACKOFF_BASE_MS: "200" });
  assert.deepEqual(c.labels, { zone: "a", tier: "x" });
  assert.deepEqual(c.taints, [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }, { key: "spot", effect: "PreferNoSchedule" }]);
  assert.equal(c.backoff.baseMs, 200);
  assert.throws(
    () => nodeConfigFromEnv({ K8S_NODES: "-1", K8S_NODE_CPU: "lots", K8S_NODE_TAINTS: "x:Sometimes", K8S_NODE_RUNTIME: "docker", K8S_SIM_CRASH_RATE: "2" }),
    (err: unknown) => err instanceof NodeConfigError && err.problems.length === 5,
  );
});

test("node object - registration carries capacity, labels, addresses, nodeInfo and Ready", () => {
  const cfg = nodeConfigFromEnv({ K8S_NODE_TAINTS: "a=b:NoSchedule" });
  const n = nodeObject(cfg, 7, Date.parse("2025-01-01T00:00:00Z"));
  assert.equal(n.metadata.name, "node-7");
  assert.deepEqual(n.status.capacity, { cpu: "8", memory: "32Gi", pods: "110", "ephemeral-storage": "100Gi" });
  assert.deepEqual(n.status.allocatable, n.status.capacity);
  assert.equal(n.metadata.labels["kubernetes.io/hostname"], "node-7");
  assert.equal(n.metadata.labels["kubernetes.io/os"], "linux");
  assert.equal(n.metadata.labels["node.kubernetes.io/instance-type"], "sim");
  assert.deepEqual(n.status.addresses, [{ type: "InternalIP", address: "127.0.0.8" }, { type: "Hostname", address: "node-7" }]);
  assert.equal(n.status.nodeInfo.kubeletVersion, "v1.32.0-sim");
  assert.equal(n.status.conditions.find((c: any) => c.type === "Ready").status, "True");
  assert.deepEqual(n.spec.taints, [{ key: "a", value: "b", effect: "NoSchedule" }]);
  assert.equal(n.spec.podCIDR, "10.244.7.0/24");
  const later = nodeStatus(cfg, 7, "node-7", Date.parse("2025-01-01T01:00:00Z"), n.status);
  const ready = later.conditions.find((c: any) => c.type === "Ready");
  assert.deepEqual([ready.lastTransitionTime, ready.lastHeartbeatTime], ["2025-01-01T00:00:00Z", "2025-01-01T01:00:00Z"]);
  assert.equal(reregisteredNode(n, cfg, 7), undefined, "an up-to-date Node is left alone");
  const drifted = reregisteredNode({ ...n, metadata: { ...n.metadata, labels: { custom: "kept" } }, spec: {} }, cfg, 7);
  assert.equal(drifted.metadata.labels.custom, "kept");
  assert.equal(drifted.metadata.labels["kubernetes.io/hostname"], "node-7");
  assert.deepEqual(drifted.spec.taints, [{ key: "a", value: "b", effect: "NoSchedule" }]);
});

test("node object - addresses and pod CIDRs are unique per index", () => {
  const ips = new Set<string>();
  const cidrs = new Set<string>();
  for (let i = 1; i <= 3071; i++) {
    ips.add(nodeHostIP(i));
    cidrs.add(nodePodCIDR(i));
  }
  assert.equal(ips.size, 3071);
  assert.equal(cidrs.size, 3071);
  assert.equal(nodePodCIDR(3071), "10.255.255.0/24");
});

test("node object - the Lease is held by the node and owned by its Node", () => {
  const l = leaseObject("node-1", { uid: "n-uid" }, 40, Date.parse("2025-01-01T00:00:00.123Z"));
  assert.deepEqual([l.metadata.namespace, l.spec.holderIdentity, l.spec.leaseDurationSeconds, l.spec.renewTime], ["kube-node-lease", "node-1", 40, "2025-01-01T00:00:00.123000Z"]);
  assert.deepEqual(l.metadata.ownerReferences, [{ apiVersion: "v1", kind: "Node", name: "node-1", uid: "n-uid" }]);
});

test("pod IPs - unique per pod, kept on adoption, reused last", () => {
  const a = new PodIPAllocator("10.244.1.0/24");
  assert.equal(a.ensure("u1"), "10.244.1.2");
  assert.equal(a.ensure("u1"), "10.244.1.2");
  assert.equal(a.ensure("u2", "10.244.1.77"), "10.244.1.77", "the status's IP is kept");
  assert.equal(a.ensure("u3", "10.244.1.77"), "10.244.1.3", "a taken IP is not shared");
  assert.equal(a.ensure("u4", "10.9.9.9"), "10.244.1.4", "an IP from another node is not kept");
  a.release("u1");
  assert.equal(a.ensure("u5"), "10.244.1.5", "a freed IP is not handed out at once");
  for (let i = 6; i < 300 && a.size < 253; i++) a.ensure(`x${i}`);
  assert.throws(() => a.ensure("full"), PodIPExhaustedError);
});

test("status compare - ignores what protobuf drops and key order", () => {
  assert.ok(sameStatus({ a: 1, b: { lastProbeTime: null, x: [] }, c: false, lastState: {} }, { a: 1 }));
  assert.ok(sameStatus({ x: { b: 1, a: 2 } }, { x: { a: 2, b: 1 } }));
  assert.ok(!sameStatus({ phase: "Running" }, { phase: "Pending" }));
  assert.equal(prune({ list: [{}, { a: 1 }] }).list.length, 2, "list positions are kept");
});
