// ReplicaSet controller against a real cluster (issue 4): API server + relay + one
// controller-manager process. No scheduler or nodes: pods stay Pending unless a test writes
// their status through the status subresource. A watch (informer) of pods checks that the
// live pods a ReplicaSet owns never exceed spec.replicas while it scales up, also across a
// SIGKILL and restart of the controller-manager.
import "reflect-metadata";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { Bus } from "../services/kernel/index.js";
import { KubeClient, type Cached, type Informer, type KubeObject } from "../services/client/index.js";
import { startCluster, type TestCluster } from "./harness/cluster.js";
import { spawnActor, type ActorProcessHandle } from "./harness/actor-process.js";

const NS = "rs-test";
let cluster: TestCluster;
let bus: Bus;
let client: KubeClient;
let cm: ActorProcessHandle;
let pods: Informer<KubeObject>;

/** Live (active: not being deleted, not finished) pods per controller uid, and the most ever seen at once. */
const live = new Map<string, Set<string>>();
const maxLive = new Map<string, number>();

function controllerUid(o: KubeObject | undefined): string | undefined {
  return (o?.metadata.ownerReferences ?? []).find((r: { controller?: boolean }) => r.controller)?.uid;
}

function track(c: Cached<KubeObject> | undefined, gone: boolean): void {
  if (!c) return;
  for (const set of live.values()) set.delete(c.key);
  const uid = controllerUid(c.object);
  if (gone || !uid || c.object.metadata.deletionTimestamp || ["Succeeded", "Failed"].includes(c.object.status?.phase)) return;
  let set = live.get(uid);
  if (!set) live.set(uid, (set = new Set()));
  set.add(c.key);
  maxLive.set(uid, Math.max(maxLive.get(uid) ?? 0, set.size));
  const w = liveWaiters.get(uid);
  if (w && set.size >= w.n) {
    liveWaiters.delete(uid);
    w.resolve(set.size);
  }
}

/** Resolves (from inside the watch handler, without polling delay) once `uid` has `n` live pods. */
const liveWaiters = new Map<string, { n: number; resolve: (count: number) => void }>();
function whenLive(uid: string, n: number): Promise<number> {
  return new Promise((resolve) => liveWaiters.set(uid, { n, resolve }));
}

async function eventually<T>(what: string | (() => string), fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === "string" ? what : what()}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function replicaSet(name: string, replicas: number, extra: { minReadySeconds?: number; app?: string } = {}): KubeObject {
  const app = extra.app ?? name;
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      ...(extra.minReadySeconds ? { minReadySeconds: extra.minReadySeconds } : {}),
      selector: { matchLabels: { app } },
      template: { metadata: { labels: { app, tier: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } },
    },
  };
}

/** The active (not terminating, not finished) pods controlled by `uid`, from the API. */
async function podsOf(uid: string): Promise<KubeObject[]> {
  const { items } = await client.list("Pod", NS);
  return items.filter((p) => controllerUid(p) === uid && !p.metadata.deletionTimestamp && !["Succeeded", "Failed"].includes(p.status?.phase));
}

async function scale(name: string, replicas: number): Promise<void> {
  await client.patch("ReplicaSet", NS, name, "merge", { spec: { replicas } });
}

async function setPodStatus(pod: KubeObject, status: { phase: string; ready?: boolean; readySince?: number; restarts?: number }): Promise<void> {
  const fresh = await client.get("Pod", NS, pod.metadata.name);
  const conditions = status.ready === undefined ? [] : [{ type: "Ready", status: status.ready ? "True" : "False", lastTransitionTime: new Date(status.readySince ?? Date.now()).toISOString().replace(/\.\d+Z$/, "Z") }];
  await client.updateStatus({
    ...fresh,
    kind: "Pod",
    apiVersion: "v1",
    status: { phase: status.phase, conditions, containerStatuses: [{ name: "c", image: "nginx", imageID: "", ready: !!status.ready, restartCount: status.restarts ?? 0, state: {} }] },
  });
}

/** Waits until the API holds exactly `n` active pods of the ReplicaSet, and its status says so. */
async function settled(name: string, n: number, timeoutMs = 15_000): Promise<{ rs: KubeObject; pods: KubeObject[] }> {
  let seen = "";
  return eventually(
    () => `${name} to settle at ${n} pods (last seen: ${seen})`,
    async () => {
      const rs = await client.get("ReplicaSet", NS, name);
      const ps = await podsOf(rs.metadata.uid);
      seen = `${ps.length} active pods, spec.replicas ${rs.spec.replicas}, generation ${rs.metadata.generation}, status ${JSON.stringify(rs.status)}`;
      return ps.length === n && (rs.status?.replicas ?? 0) === n && rs.status?.observedGeneration === rs.metadata.generation ? { rs, pods: ps } : undefined;
    },
    timeoutMs,
  );
}

before(async () => {
  cluster = await startCluster({ apiservers: 1, relays: 1 });
  bus = await Bus.connect({ servers: cluster.nats.url, name: "replicaset-test" });
  client = new KubeClient(bus);
  await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
  pods = client.informer("Pod", { resyncCheckMs: 1000 });
  pods.addHandlers({ onAdd: (c) => track(c, false), onUpdate: (_o, c) => track(c, false), onDelete: (c) => track(c, true) });
  await pods.start();
  cm = spawnActor("controllers", "controller-manager-1", { NATS_URL: cluster.nats.url, REDIS_URL: cluster.redis.url, LOG_LEVEL: "warn" }, join(cluster.dir, "controller-manager-1.log"));
});

after(async () => {
  pods?.stop();
  await cm?.kill();
  await bus?.close();
  if (process.env.KEEP_LOGS && cluster) console.log(readFileSync(join(cluster.dir, "controller-manager-1.log"), "utf8").slice(-4000));
  await cluster?.stop();
});

test("replicaset - scales up from 0 without ever exceeding spec.replicas, and down again", { timeout: 60_000 }, async () => {
  const rs = await client.create(replicaSet("grow", 0));
  const uid = rs.metadata.uid;
  await settled("grow", 0);
  await scale("grow", 30);
  const up = await settled("grow", 30);
  assert.equal(maxLive.get(uid), 30, "the watch saw at most spec.replicas live pods");
  for (const p of up.pods) {
    assert.equal(p.metadata.generateName, "grow-");
    assert.ok(p.metadata.name.startsWith("grow-"));
    assert.deepEqual(p.metadata.labels, { app: "grow", tier: "web" });
    assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "grow", uid, controller: true, blockOwnerDeletion: true }]);
  }
  await scale("grow", 4);
  const down = await settled("grow", 4);
  assert.deepEqual(
    down.pods.map((p) => p.metadata.name).sort(),
    down.pods.map((p) => p.metadata.name).filter((n) => up.pods.some((u) => u.metadata.name === n)).sort(),
    "scale down keeps pods, it does not replace them",
  );
  assert.equal(maxLive.get(uid), 30);
});

test("replicaset - no double creation when the controller-manager is SIGKILLed and restarted mid-scale", { timeout: 60_000 }, async (t) => {
  const rs = await client.create(replicaSet("restart", 0));
  const uid = rs.metadata.uid;
  await settled("restart", 0);
  const underWay = whenLive(uid, 8);
  await scale("restart", 60);
  const atKill = await underWay;
  await cm.kill("SIGKILL");
  t.diagnostic(`controller-manager killed with ${atKill}/60 pods live`);
  cm.start();
  await settled("restart", 60, 30_000);
  // Give a restarted controller the chance to over-create from a stale view, then look again.
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal((await podsOf(uid)).length, 60);
  assert.equal(maxLive.get(uid), 60, `never more than 60 live pods (had ${atKill} at the kill)`);
});

test("replicaset - replaces a deleted pod and a failed pod", { timeout: 30_000 }, async () => {
  const rs = await client.create(replicaSet("heal", 3));
  const uid = rs.metadata.uid;
  const { pods: first } = await settled("heal", 3);
  await client.delete("Pod", NS, first[0]!.metadata.name);
  const afterDelete = await eventually("a replacement", async () => {
    const ps = await podsOf(uid);
    return ps.length === 3 && !ps.some((p) => p.metadata.name === first[0]!.metadata.name) ? ps : undefined;
  });
  await setPodStatus(afterDelete[0]!, { phase: "Failed" });
  await eventually("a replacement for the failed pod", async () => {
    const ps = await podsOf(uid);
    return ps.length === 3 && !ps.some((p) => p.metadata.name === afterDelete[0]!.metadata.name) ? ps : undefined;
  });
  // The failed pod stays (the RS does not delete it) but does not count.
  const failed = await client.get("Pod", NS, afterDelete[0]!.metadata.name);
  assert.equal(failed.status.phase, "Failed");
  assert.equal((await settled("heal", 3)).rs.status.replicas, 3);
  assert.equal(maxLive.get(uid), 3, "never more than 3 active pods");
});

test("replicaset - adopts a matching orphan and releases a relabeled pod", { timeout: 30_000 }, async () => {
  const orphan = await client.create({ apiVersion: "v1", kind: "Pod", metadata: { name: "orphan", namespace: NS, labels: { app: "adopt" } }, spec: { containers: [{ name: "c", image: "nginx" }] } });
  const other = await client.create({ apiVersion: "v1", kind: "Pod", metadata: { name: "stranger", namespace: NS, labels: { app: "someone-else" } }, spec: { containers: [{ name: "c", image: "nginx" }] } });
  const rs = await client.create(replicaSet("adopt", 2));
  const uid = rs.metadata.uid;
  const { pods: owned, rs: st } = await settled("adopt", 2);
  assert.ok(owned.some((p) => p.metadata.name === "orphan"), "the orphan is one of the two");
  const adopted = await client.get("Pod", NS, "orphan");
  assert.deepEqual(adopted.metadata.ownerReferences, [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "adopt", uid, controller: true, blockOwnerDeletion: true }]);
  assert.equal(adopted.metadata.uid, orphan.metadata.uid);
  assert.equal(st.status.fullyLabeledReplicas, 1, "the orphan lacks the template's tier label");
  assert.equal((await client.get("Pod", NS, "stranger")).metadata.ownerReferences, undefined, "a pod that does not match is left alone");
  void other;

  await client.patch("Pod", NS, "orphan", "merge", { metadata: { labels: { app: "gone" } } });
  const released = await eventually("the relabeled pod to be released", async () => {
    const p = await client.get("Pod", NS, "orphan");
    return (p.metadata.ownerReferences ?? []).length === 0 ? p : undefined;
  });
  assert.equal(released.metadata.deletionTimestamp, undefined, "released, not deleted");
  // settled() may catch the old status (2 replicas, 1 fully labeled) before the release's sync writes; wait for the new one.
  const after = await eventually("a replacement and its status", async () => {
    const r = await settled("adopt", 2);
    return r.rs.status.fullyLabeledReplicas === 2 ? r : undefined;
  });
  assert.ok(!after.pods.some((p) => p.metadata.name === "orphan"), "a replacement took its place");
});

test("replicaset - scale down deletes the least valuable pods first", { timeout: 30_000 }, async () => {
  await client.create(replicaSet("rank", 4));
  const { pods: ps } = await settled("rank", 4);
  const [readyOld, readyNew, runningNotReady, pending] = ps;
  await setPodStatus(readyOld!, { phase: "Running", ready: true, readySince: Date.now() - 600_000 });
  await setPodStatus(readyNew!, { phase: "Running", ready: true, readySince: Date.now() - 1_000 });
  await setPodStatus(runningNotReady!, { phase: "Running", ready: false });
  void pending; // stays Pending
  await eventually("the status to count 2 ready", async () => ((await client.get("ReplicaSet", NS, "rank")).status?.readyReplicas === 2 ? true : undefined));
  const names = async () => (await settled("rank", (await client.get("ReplicaSet", NS, "rank")).spec.replicas)).pods.map((p) => p.metadata.name).sort();
  await scale("rank", 3);
  assert.deepEqual(await names(), [readyOld, readyNew, runningNotReady].map((p) => p!.metadata.name).sort(), "the pending pod goes first");
  await scale("rank", 2);
  assert.deepEqual(await names(), [readyOld, readyNew].map((p) => p!.metadata.name).sort(), "then the running pod that is not ready");
  await scale("rank", 1);
  assert.deepEqual(await names(), [readyOld!.metadata.name], "then the pod ready for less time");
});

test("replicaset - status counts ready and available pods (minReadySeconds) and observedGeneration", { timeout: 30_000 }, async () => {
  await client.create(replicaSet("status", 3, { minReadySeconds: 2 }));
  const { pods: ps, rs } = await settled("status", 3);
  assert.deepEqual(
    { replicas: rs.status.replicas, fullyLabeledReplicas: rs.status.fullyLabeledReplicas, ready: rs.status.readyReplicas ?? 0, available: rs.status.availableReplicas ?? 0 },
    { replicas: 3, fullyLabeledReplicas: 3, ready: 0, available: 0 },
  );
  await setPodStatus(ps[0]!, { phase: "Running", ready: true, readySince: Date.now() - 60_000 });
  await setPodStatus(ps[1]!, { phase: "Running", ready: true, readySince: Date.now() });
  const first = await eventually("2 ready", async () => {
    const r = await client.get("ReplicaSet", NS, "status");
    return r.status?.readyReplicas === 2 ? r : undefined;
  });
  assert.equal(first.status.availableReplicas, 1, "the pod ready for less than minReadySeconds is not available yet");
  // No pod event comes when the second pod's minReadySeconds pass: the controller requeues itself.
  const later = await eventually("2 available", async () => {
    const r = await client.get("ReplicaSet", NS, "status");
    return r.status?.availableReplicas === 2 ? r : undefined;
  });
  assert.equal(later.status.readyReplicas, 2);
  assert.equal(later.status.observedGeneration, later.metadata.generation);
  await scale("status", 2);
  const scaled = await settled("status", 2);
  assert.equal(scaled.rs.status.observedGeneration, scaled.rs.metadata.generation);
  assert.equal(scaled.rs.status.readyReplicas, 2, "the pod that was not ready went first");
});

test("replicaset - a deleted ReplicaSet creates no more pods; a recreated one starts afresh", { timeout: 30_000 }, async () => {
  const rs = await client.create(replicaSet("gone", 2));
  await settled("gone", 2);
  await client.delete("ReplicaSet", NS, "gone", { propagationPolicy: "Orphan" });
  await eventually("the ReplicaSet to be gone", async () => {
    try {
      await client.get("ReplicaSet", NS, "gone");
      return undefined;
    } catch {
      return true;
    }
  });
  // Orphaned pods: the garbage collector removed the reference; a new ReplicaSet adopts them.
  await eventually("the pods to be orphaned", async () => {
    const { items } = await client.list("Pod", NS);
    const mine = items.filter((p) => p.metadata.labels?.app === "gone");
    return mine.length === 2 && mine.every((p) => !controllerUid(p)) ? true : undefined;
  });
  const again = await client.create(replicaSet("gone", 3));
  assert.notEqual(again.metadata.uid, rs.metadata.uid);
  const { pods: ps } = await settled("gone", 3);
  assert.equal(ps.length, 3);
  assert.ok((maxLive.get(again.metadata.uid) ?? 0) <= 3);
});
