// Scheduler (issue 4): a real cluster (relay, two API server replicas) and four scheduler
// processes, all active. Nodes are created through the API (no node actors): allocatable and a
// Ready condition. Covers: concurrent binds onto one nearly full node never overcommit it (and
// deleting a bound pod releases its charge); 2,000 pods exactly filling 100 nodes are all bound
// with no node over its allocatable; nodeSelector / required affinity / taints and tolerations;
// a pod that fits no node stays Pending with a FailedScheduling event naming why, bumped on retry.
import "reflect-metadata";
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Bus, probeAllHealth } from "../services/kernel/index.js";
import { KubeClient, isStatus, type KubeObject } from "../services/client/index.js";
import { RedisStore } from "../services/store/index.js";
import { amountOf, decodeNodeUsage, nodeUsageKey, podRequests } from "../services/scheduler/resources.js";
import { startCluster } from "./harness/cluster.js";
import { spawnActor, type ActorProcessHandle } from "./harness/actor-process.js";
import { pollFor } from "./harness/poll.js";

/** A partial Kubernetes JSON value (specs, taints, expressions). */
type Json = Record<string, any>;

const NS = "sched";
const SCHEDULERS = 4;
const FILL_NODES = 100;
const PODS_PER_NODE = 20;

function node(name: string, labels: Record<string, string>, allocatable: Record<string, string>, taints: Json[] = []): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels },
    spec: taints.length ? { taints } : {},
    status: { capacity: allocatable, allocatable, conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "ready", lastHeartbeatTime: "2025-01-01T00:00:00Z", lastTransitionTime: "2025-01-01T00:00:00Z" }] },
  };
}

function pod(name: string, spec: Json = {}, cpu = "100m"): KubeObject {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: NS }, spec: { containers: [{ name: "c", image: "busybox", resources: { requests: { cpu } } }], ...spec } };
}

/** Creates a Node and sets its status (create drops status, as in Kubernetes). */
async function createNode(client: KubeClient, n: KubeObject): Promise<void> {
  const created = await client.create(n);
  await client.updateStatus({ ...created, status: n.status });
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

/** Per-node totals of the bound pods' requests, from a pod list. */
function usageByNode(pods: KubeObject[]): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  for (const p of pods) {
    if (!p.spec.nodeName) continue;
    const u = out.get(p.spec.nodeName) ?? {};
    for (const [k, v] of Object.entries(podRequests(p))) u[k] = (u[k] ?? 0) + v;
    out.set(p.spec.nodeName, u);
  }
  return out;
}

test("scheduler - four active replicas, atomic binding, filters and FailedScheduling", { timeout: 120_000 }, async (t) => {
  const cluster = await startCluster({ apiservers: 2, relays: 1 });
  const schedulers: ActorProcessHandle[] = [];
  let bus: Bus | undefined;
  let store: RedisStore | undefined;
  try {
    const env = { NATS_URL: cluster.nats.url, REDIS_URL: cluster.redis.url, LOG_LEVEL: "warn", K8S_SCHEDULER_PEER_PROBE_MS: "500" };
    for (let i = 1; i <= SCHEDULERS; i++) schedulers.push(spawnActor("scheduler", `scheduler-${i}`, env, join(cluster.dir, `scheduler-${i}.log`)));
    bus = await Bus.connect({ servers: cluster.nats.url, name: "scheduler-test" });
    store = await RedisStore.connect(cluster.redis.url);
    const client = new KubeClient(bus, 15_000);
    await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
    await pollFor("every scheduler to see its 3 peers", async () => {
      const h = (await probeAllHealth(bus!, 500)).filter((x) => x.kind === "scheduler" && x.state === "running");
      return h.length === SCHEDULERS && h.every((x) => x.detail.startsWith(`peers ${SCHEDULERS};`)) ? true : undefined;
    });

    await t.test("bind - concurrent binds onto one nearly full node never overcommit it; removal releases", async () => {
      // Tainted, so the schedulers leave it alone; pods with another schedulerName are never scheduled.
      await createNode(client, node("race-node", { pool: "race" }, { cpu: "1", memory: "1Gi", pods: "100" }, [{ key: "dedicated", value: "race", effect: "NoSchedule" }]));
      const names = Array.from({ length: 40 }, (_, i) => `race-${i}`);
      await pool(names, 40, async (n) => void (await client.create(pod(n, { schedulerName: "nobody" }, "100m"))));
      const results = await Promise.all(names.map((n) => client.bind(NS, n, "race-node").then(() => "bound", (err) => (isStatus(err, 409) ? String(err.message) : Promise.reject(err)))));
      const bound = results.filter((r) => r === "bound").length;
      assert.equal(bound, 10, "exactly 1 cpu / 100m pods fit");
      const refusal = results.find((r) => r !== "bound")!;
      assert.match(refusal, /does not fit on node "race-node": Insufficient cpu/);
      const pods = (await client.list("Pod", NS)).items.filter((p) => p.metadata.name.startsWith("race-"));
      assert.equal(usageByNode(pods).get("race-node")?.cpu, 1000);
      const usage = decodeNodeUsage((await store!.get(nodeUsageKey("race-node")))!.value);
      assert.deepEqual([usage.requested.cpu, usage.requested.pods, usage.pods.length], [1000, 10, 10], "the usage record matches the bound pods");

      const victim = pods.find((p) => p.spec.nodeName === "race-node")!;
      const waiting = pods.find((p) => !p.spec.nodeName)!;
      await client.delete("Pod", NS, victim.metadata.name, { gracePeriodSeconds: 0 });
      await client.bind(NS, waiting.metadata.name, "race-node");
      await assert.rejects(client.bind(NS, waiting.metadata.name, "race-node"), /already assigned/);
      await assert.rejects(client.bind(NS, pods.find((p) => !p.spec.nodeName && p !== waiting)!.metadata.name, "no-such-node"), /node "no-such-node" not found/);
      const after = decodeNodeUsage((await store!.get(nodeUsageKey("race-node")))!.value);
      assert.equal(after.requested.cpu, 1000);
      assert.ok(!after.pods.includes(victim.metadata.uid) && after.pods.includes(waiting.metadata.uid));
    });

    await t.test("fill - 2,000 pods exactly fill 100 nodes: all bound, none over allocatable, nothing pending", async () => {
      await pool(Array.from({ length: FILL_NODES }, (_, i) => i), 16, (i) => createNode(client, node(`fill-${i}`, { pool: "fill" }, { cpu: "4", memory: "8Gi", pods: String(PODS_PER_NODE) })));
      const total = FILL_NODES * PODS_PER_NODE;
      const informer = client.informer("Pod", { keyPrefix: `/pods/${NS}/fill-` });
      let boundCount = 0;
      let lastBindAt = 0;
      const seen = new Set<string>();
      const onPod = (o: { key: string; object: KubeObject }) => {
        if (o.object.spec?.nodeName && !seen.has(o.key)) {
          seen.add(o.key);
          boundCount++;
          lastBindAt = Date.now();
        }
      };
      informer.addHandlers({ onAdd: onPod, onUpdate: (_o, n) => onPod(n) });
      await informer.start();
      try {
        const firstCreateAt = Date.now();
        await pool(Array.from({ length: total }, (_, i) => i), 64, async (i) => void (await client.create(pod(`fill-${i}`, { nodeSelector: { pool: "fill" } }, "150m"))));
        const createdAt = Date.now();
        await pollFor(`${total} pods bound (bound so far: ${boundCount})`, async () => (boundCount >= total ? true : undefined), 45_000);
        const secs = (lastBindAt - firstCreateAt) / 1000;
        console.log(`scheduler fill: ${total} pods on ${FILL_NODES} nodes by ${SCHEDULERS} schedulers; creates took ${((createdAt - firstCreateAt) / 1000).toFixed(2)} s; first create → last bind ${secs.toFixed(2)} s = ${Math.round(total / secs)} pods/s`);
      } finally {
        informer.stop();
      }
      const pods = (await client.list("Pod", NS)).items.filter((p) => p.metadata.name.startsWith("fill-"));
      assert.equal(pods.length, total);
      assert.deepEqual(pods.filter((p) => !p.spec.nodeName).map((p) => p.metadata.name), [], "nothing pending");
      const byNode = usageByNode(pods);
      assert.equal(byNode.size, FILL_NODES);
      for (const [n, u] of byNode) {
        assert.ok(n.startsWith("fill-"), `a fill pod on ${n}`);
        assert.equal(u.pods, PODS_PER_NODE, `pods on ${n}`);
        assert.ok(u.cpu! <= amountOf("cpu", "4"), `cpu on ${n}: ${u.cpu}m`);
        const record = decodeNodeUsage((await store!.get(nodeUsageKey(n)))!.value);
        assert.deepEqual([record.requested.pods, record.requested.cpu], [u.pods, u.cpu], `usage record of ${n}`);
      }
      const scheduled = await pollFor("a Scheduled event", async () => {
        const evs = (await client.list("Event", NS, { fieldSelector: "reason=Scheduled" })).items;
        return evs.find((e) => e.involvedObject?.name === "fill-0");
      });
      assert.match(scheduled.message, /^Successfully assigned sched\/fill-0 to fill-\d+$/);
      assert.equal(scheduled.type, "Normal");
      assert.equal(scheduled.source?.component, "default-scheduler");
    });

    await t.test("filters - nodeSelector, required affinity (In/NotIn/Gt), taints and tolerations; an impossible pod stays Pending with FailedScheduling", async () => {
      const gpuTaint = { key: "gpu", value: "true", effect: "NoSchedule" };
      await createNode(client, node("aff-a", { pool: "aff", zone: "a", cores: "4" }, { cpu: "4", memory: "8Gi", pods: "10" }));
      await createNode(client, node("aff-b", { pool: "aff", zone: "b", cores: "16" }, { cpu: "4", memory: "8Gi", pods: "10" }));
      await createNode(client, node("aff-t", { pool: "aff", zone: "t", cores: "16" }, { cpu: "4", memory: "8Gi", pods: "10" }, [gpuTaint]));
      const req = (...exprs: Json[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: exprs }] } } } });
      const cases: Array<[string, Json, string | undefined]> = [
        ["aff-in", req({ key: "pool", operator: "In", values: ["aff"] }, { key: "zone", operator: "In", values: ["a"] }), "aff-a"],
        ["aff-gt", req({ key: "pool", operator: "In", values: ["aff"] }, { key: "cores", operator: "Gt", values: ["8"] }), "aff-b"], // aff-t is tainted
        ["aff-selector", { nodeSelector: { pool: "aff", zone: "b" } }, "aff-b"],
        ["aff-tolerates", { nodeSelector: { zone: "t" }, tolerations: [{ key: "gpu", operator: "Exists", effect: "NoSchedule" }] }, "aff-t"],
        ["aff-untolerated", { nodeSelector: { pool: "aff" }, ...req({ key: "zone", operator: "NotIn", values: ["a", "b"] }) }, undefined],
      ];
      for (const [name, spec] of cases) await client.create(pod(name, spec));
      await client.create(pod("too-big", {}, "64"));
      for (const [name, , want] of cases) {
        if (!want) continue;
        const p = await pollFor(`${name} bound`, async () => {
          const got = await client.get("Pod", NS, name);
          return got.spec.nodeName ? got : undefined;
        });
        assert.equal(p.spec.nodeName, want, name);
      }
      const failed = async (podName: string) =>
        pollFor(`FailedScheduling for ${podName}`, async () => (await client.list("Event", NS, { fieldSelector: "reason=FailedScheduling" })).items.find((e) => e.involvedObject?.name === podName));
      const untolerated = await failed("aff-untolerated");
      assert.equal(untolerated.type, "Warning");
      // aff-t: the taint; aff-a/aff-b and the fill nodes: the selector; race-node: its own taint (checked before affinity).
      assert.match(untolerated.message, /^0\/\d+ nodes are available: 1 node\(s\) had untolerated taint \{dedicated: race\}, 1 node\(s\) had untolerated taint \{gpu: true\}, \d+ node\(s\) didn't match Pod's node affinity\/selector\.$/);
      const big = await failed("too-big");
      // Every node: the fill nodes are full (pods), the others too small; the tainted ones say so first.
      assert.match(big.message, /^0\/\d+ nodes are available: .*Insufficient cpu/);
      assert.match(big.message, /\d+ Too many pods/);
      for (const name of ["aff-untolerated", "too-big"]) assert.equal((await client.get("Pod", NS, name)).spec.nodeName ?? "", "", `${name} stays Pending`);

      // A cluster change that helps nobody retries the pod: the same event is bumped, not duplicated.
      const raceNode = await client.get("Node", "", "race-node");
      await client.update({ ...raceNode, metadata: { ...raceNode.metadata, labels: { ...raceNode.metadata.labels, touched: "yes" } } });
      const bumped = await pollFor("the FailedScheduling count to grow", async () => {
        const evs = (await client.list("Event", NS, { fieldSelector: "reason=FailedScheduling" })).items.filter((e) => e.involvedObject?.name === "too-big");
        return evs.length === 1 && evs[0]!.count >= 2 ? evs[0] : undefined;
      });
      assert.equal(bumped.message, big.message);

      // A node that fits arrives: the pending pod is scheduled onto it.
      await createNode(client, node("big-node", { pool: "big" }, { cpu: "64", memory: "64Gi", pods: "10" }));
      const placed = await pollFor("too-big bound", async () => {
        const got = await client.get("Pod", NS, "too-big");
        return got.spec.nodeName ? got : undefined;
      });
      assert.equal(placed.spec.nodeName, "big-node");
    });
  } finally {
    await Promise.all(schedulers.map((s) => s.kill("SIGKILL")));
    await store?.close();
    await bus?.close();
    await cluster.stop();
  }
});
