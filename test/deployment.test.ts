// Deployment controller against a real cluster (issue 4): API server, relay and one
// controller-manager process (Deployment + ReplicaSet controllers). No scheduler or nodes: a
// small "kubelet" loop in this test marks pods Running and Ready through the status
// subresource (after a random delay, and never for pods whose `gate` label is held), and a
// pod watch keeps the log the invariants are checked on. kubectl drives the rollouts.
import "reflect-metadata";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Bus } from "../services/kernel/index.js";
import { isStatus, KubeClient, type Cached, type Informer, type KubeObject } from "../services/client/index.js";
import { startCluster, type TestCluster } from "./harness/cluster.js";
import { spawnActor, type ActorProcessHandle } from "./harness/actor-process.js";

const NS = "deploy-test";
let cluster: TestCluster;
let bus: Bus;
let client: KubeClient;
let cm: ActorProcessHandle;
let pods: Informer<KubeObject>;
let home: string;

// ---- kubectl ----

interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectlRun(args: string[]): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile(
      "/usr/bin/kubectl",
      ["--cache-dir", join(home, "cache"), "-n", NS, ...args],
      { env: { ...process.env, HOME: home, KUBECONFIG: cluster.kubeconfig(0) }, timeout: 80_000, maxBuffer: 8 << 20 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof (err as NodeJS.ErrnoException).code === "number" ? Number((err as NodeJS.ErrnoException).code) : 255) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

async function kubectl(...args: string[]): Promise<string> {
  const r = await kubectlRun(args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

function applyYaml(name: string, yaml: string): Promise<string> {
  const file = join(home, `${name}.yaml`);
  writeFileSync(file, yaml);
  return kubectl("apply", "-f", file);
}

function deploymentYaml(name: string, o: { replicas: number; image: string; strategy?: string; extraSpec?: string; gate?: string; annotations?: string }): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
${o.annotations ? `  annotations:\n${o.annotations}\n` : ""}spec:
  replicas: ${o.replicas}
  selector:
    matchLabels:
      app: ${name}
${o.strategy ?? ""}${o.extraSpec ?? ""}  template:
    metadata:
      labels:
        app: ${name}
        gate: "${o.gate ?? "open"}"
    spec:
      containers:
      - name: c
        image: ${o.image}
`;
}

// ---- helpers ----

async function eventually<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The ReplicaSets a Deployment controls, by revision. */
async function replicaSetsOf(name: string): Promise<KubeObject[]> {
  const d = await client.get("Deployment", NS, name);
  const { items } = await client.list("ReplicaSet", NS);
  return items
    .filter((rs) => (rs.metadata.ownerReferences ?? []).some((r: { uid: string; controller?: boolean }) => r.controller && r.uid === d.metadata.uid))
    .sort((a, b) => Number(a.metadata.annotations?.["deployment.kubernetes.io/revision"]) - Number(b.metadata.annotations?.["deployment.kubernetes.io/revision"]));
}

const revisionOf = (rs: KubeObject) => rs.metadata.annotations?.["deployment.kubernetes.io/revision"];
const imageOf = (o: KubeObject) => o.spec.template.spec.containers[0].image;

async function rolloutStatus(name: string): Promise<string> {
  return kubectl("rollout", "status", `deployment/${name}`, "--timeout=60s");
}

// ---- the "kubelet": pods become Running and Ready unless their gate is held ----

const heldGates = new Set<string>(["closed"]);
const marking = new Set<string>();
const readyDelayMs = { max: 150 };

function isReady(p: KubeObject): boolean {
  return (p.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True");
}

function active(p: KubeObject): boolean {
  return !p.metadata.deletionTimestamp && !["Succeeded", "Failed"].includes(p.status?.phase);
}

async function markReady(key: string, ns: string, name: string): Promise<void> {
  try {
    for (let attempt = 0; attempt < 20; attempt++) {
      let p: KubeObject;
      try {
        p = await client.get("Pod", ns, name);
      } catch (err) {
        if (isStatus(err, 404)) return;
        throw err;
      }
      if (!active(p) || isReady(p) || heldGates.has(p.metadata.labels?.gate)) return;
      const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
      const conditions = ["Initialized", "Ready", "ContainersReady", "PodScheduled"].map((type) => ({ type, status: "True", lastTransitionTime: now }));
      try {
        await client.updateStatus({ ...p, kind: "Pod", status: { phase: "Running", conditions, startTime: now, containerStatuses: [{ name: "c", image: p.spec.containers[0].image, imageID: "", ready: true, restartCount: 0, started: true, state: { running: { startedAt: now } } }] } });
        return;
      } catch (err) {
        if (isStatus(err, 404)) return;
        if (!isStatus(err, 409)) throw err;
      }
    }
  } finally {
    marking.delete(key);
  }
}

function kubelet(c: Cached<KubeObject>): void {
  const p = c.object;
  if (!p.metadata.namespace || p.metadata.namespace !== NS || !active(p) || isReady(p) || heldGates.has(p.metadata.labels?.gate) || marking.has(c.key)) return;
  marking.add(c.key);
  setTimeout(() => void markReady(c.key, p.metadata.namespace, p.metadata.name).catch((err) => console.error("kubelet:", err)), Math.random() * readyDelayMs.max);
}

/** openGate: pods with this gate label may become ready (existing ones too). */
function openGate(gate: string): void {
  heldGates.delete(gate);
  for (const c of pods.list()) kubelet(c);
}

// ---- the watch log: per app label, pods that exist and pods available, after every event ----

interface AppLog {
  maxTotal: number;
  minAvailable: number;
  /** The most distinct pod-template-hash values among active pods at one time. */
  maxTemplates: number;
  events: number;
}

const appLogs = new Map<string, AppLog>();

function record(): void {
  if (appLogs.size === 0) return;
  const byApp = new Map<string, { total: number; available: number; hashes: Set<string> }>();
  for (const c of pods.list()) {
    const p = c.object;
    const app = p.metadata.labels?.app;
    if (!app || !appLogs.has(app) || !active(p)) continue;
    let s = byApp.get(app);
    if (!s) byApp.set(app, (s = { total: 0, available: 0, hashes: new Set() }));
    s.total++;
    if (isReady(p)) s.available++;
    s.hashes.add(p.metadata.labels?.["pod-template-hash"]);
  }
  for (const [app, log] of appLogs) {
    const s = byApp.get(app) ?? { total: 0, available: 0, hashes: new Set() };
    log.maxTotal = Math.max(log.maxTotal, s.total);
    log.minAvailable = Math.min(log.minAvailable, s.available);
    log.maxTemplates = Math.max(log.maxTemplates, s.hashes.size);
    log.events++;
  }
}

function startLog(app: string): AppLog {
  const log: AppLog = { maxTotal: 0, minAvailable: Number.MAX_SAFE_INTEGER, maxTemplates: 0, events: 0 };
  appLogs.set(app, log);
  record();
  return log;
}

function stopLog(app: string): AppLog {
  const log = appLogs.get(app)!;
  appLogs.delete(app);
  return log;
}

before(async () => {
  cluster = await startCluster({ apiservers: 1, relays: 1 });
  home = join(cluster.dir, "kubectl-home");
  mkdirSync(home, { recursive: true });
  bus = await Bus.connect({ servers: cluster.nats.url, name: "deployment-test" });
  client = new KubeClient(bus);
  await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
  pods = client.informer("Pod", { resyncCheckMs: 1000 });
  pods.addHandlers({
    onAdd: (c) => {
      kubelet(c);
      record();
    },
    onUpdate: (_o, c) => {
      kubelet(c);
      record();
    },
    onDelete: () => record(),
  });
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

test("deployment - revision 1, set image rolls out revision 2, history lists both, undo returns to the first template as revision 3", { timeout: 60_000 }, async () => {
  await applyYaml("web", deploymentYaml("web", { replicas: 4, image: "nginx:1.0", annotations: '    kubernetes.io/change-cause: "first release"' }));
  assert.match(await rolloutStatus("web"), /deployment "web" successfully rolled out/);
  const [first] = await replicaSetsOf("web");
  const d1 = await client.get("Deployment", NS, "web");
  const hash = first!.metadata.labels["pod-template-hash"];
  assert.ok(hash, "the hash label is on the ReplicaSet");
  assert.equal(first!.metadata.name, `web-${hash}`);
  assert.equal(first!.spec.selector.matchLabels["pod-template-hash"], hash);
  assert.equal(first!.spec.template.metadata.labels["pod-template-hash"], hash);
  assert.equal(revisionOf(first!), "1");
  assert.deepEqual(first!.metadata.ownerReferences, [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: d1.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  assert.equal(d1.metadata.annotations["deployment.kubernetes.io/revision"], "1");
  assert.equal(d1.status.observedGeneration, d1.metadata.generation);
  assert.deepEqual([d1.status.replicas, d1.status.updatedReplicas, d1.status.readyReplicas, d1.status.availableReplicas], [4, 4, 4, 4]);
  assert.deepEqual(
    d1.status.conditions.map((c: { type: string; status: string; reason: string }) => `${c.type}=${c.status}/${c.reason}`).sort(),
    ["Available=True/MinimumReplicasAvailable", "Progressing=True/NewReplicaSetAvailable"],
  );

  await kubectl("set", "image", "deployment/web", "c=nginx:2.0");
  assert.match(await rolloutStatus("web"), /successfully rolled out/);
  const afterSet = await replicaSetsOf("web");
  assert.deepEqual(afterSet.map((rs) => [revisionOf(rs), imageOf(rs), rs.spec.replicas]), [["1", "nginx:1.0", 0], ["2", "nginx:2.0", 4]]);
  assert.equal((await client.get("Deployment", NS, "web")).metadata.annotations["deployment.kubernetes.io/revision"], "2");

  const history = await kubectl("rollout", "history", "deployment/web");
  assert.match(history, /REVISION\s+CHANGE-CAUSE/);
  assert.match(history, /^1\s+first release$/m);
  assert.match(history, /^2\s+/m);
  assert.match(await kubectl("rollout", "history", "deployment/web", "--revision=1"), /nginx:1\.0/);
  assert.match(await kubectl("describe", "deployment/web"), /ScalingReplicaSet\s+.*Scaled (up|down) replica set web-/, "events about the scaling");

  assert.match(await kubectl("rollout", "undo", "deployment/web"), /rolled back/);
  assert.match(await rolloutStatus("web"), /successfully rolled out/);
  const d3 = await client.get("Deployment", NS, "web");
  assert.equal(imageOf(d3), "nginx:1.0");
  assert.equal(d3.metadata.annotations["deployment.kubernetes.io/revision"], "3");
  const afterUndo = await replicaSetsOf("web");
  assert.equal(afterUndo.length, 2, "no new ReplicaSet: the first one is the new one again");
  const back = afterUndo.find((rs) => rs.metadata.name === first!.metadata.name)!;
  assert.equal(revisionOf(back), "3");
  assert.equal(back.metadata.annotations["deployment.kubernetes.io/revision-history"], "1");
  assert.equal(back.spec.replicas, 4);
  assert.equal(afterUndo.find((rs) => rs !== back)!.spec.replicas, 0);
  const after = await kubectl("rollout", "history", "deployment/web");
  assert.match(after, /^2\s+/m);
  assert.match(after, /^3\s+first release$/m);
  assert.doesNotMatch(after, /^1\s+/m, "revision 1 moved to 3");
});

test("deployment - rollout restart makes a new ReplicaSet; paused: no rollout but scaling; resume completes; old ReplicaSets beyond revisionHistoryLimit go", { timeout: 60_000 }, async () => {
  await applyYaml("cycle", deploymentYaml("cycle", { replicas: 3, image: "nginx:1.0", extraSpec: "  revisionHistoryLimit: 1\n" }));
  await rolloutStatus("cycle");
  assert.match(await kubectl("rollout", "restart", "deployment/cycle"), /restarted/);
  await rolloutStatus("cycle");
  const restarted = await replicaSetsOf("cycle");
  assert.equal(restarted.length, 2);
  assert.ok(restarted[1]!.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"], "the new template carries restartedAt");
  assert.deepEqual(restarted.map((rs) => rs.spec.replicas), [0, 3]);

  await kubectl("rollout", "pause", "deployment/cycle");
  await kubectl("set", "image", "deployment/cycle", "c=nginx:3.0");
  await kubectl("scale", "deployment/cycle", "--replicas=5");
  const paused = await eventually("the paused Deployment to be observed", async () => {
    const d = await client.get("Deployment", NS, "cycle");
    return d.status?.observedGeneration === d.metadata.generation && d.status?.replicas === 5 ? d : undefined;
  });
  const progressing = paused.status.conditions.find((c: { type: string }) => c.type === "Progressing");
  assert.deepEqual([progressing.status, progressing.reason], ["Unknown", "DeploymentPaused"]);
  const whilePaused = await replicaSetsOf("cycle");
  assert.ok(!whilePaused.some((rs) => imageOf(rs) === "nginx:3.0"), "no ReplicaSet for the new template while paused");
  assert.deepEqual(whilePaused.filter((rs) => rs.spec.replicas > 0).map((rs) => [revisionOf(rs), rs.spec.replicas]), [["2", 5]], "scaling applies while paused");
  assert.ok(!whilePaused.some((rs) => revisionOf(rs) === "1"), "revision 1 is beyond revisionHistoryLimit 1 (cleanup runs while paused)");

  await kubectl("rollout", "resume", "deployment/cycle");
  await rolloutStatus("cycle");
  const resumed = await eventually("old ReplicaSets beyond the history limit to be deleted", async () => {
    const rss = await replicaSetsOf("cycle");
    return rss.length === 2 ? rss : undefined;
  });
  assert.deepEqual(resumed.map((rs) => [revisionOf(rs), imageOf(rs), rs.spec.replicas]), [["2", "nginx:1.0", 0], ["3", "nginx:3.0", 5]]);
});

test("deployment - Recreate: old pods are gone before new ones exist", { timeout: 60_000 }, async () => {
  await applyYaml("recreate", deploymentYaml("recreate", { replicas: 4, image: "nginx:1.0", strategy: "  strategy:\n    type: Recreate\n" }));
  await rolloutStatus("recreate");
  const log = startLog("recreate");
  await kubectl("set", "image", "deployment/recreate", "c=nginx:2.0");
  await rolloutStatus("recreate");
  stopLog("recreate");
  assert.ok(log.events > 8, `the watch saw the rollout (${log.events} events)`);
  assert.equal(log.maxTemplates, 1, "never pods of two templates at once");
  assert.equal(log.maxTotal, 4);
  const rss = await replicaSetsOf("recreate");
  assert.deepEqual(rss.map((rs) => [revisionOf(rs), rs.spec.replicas, rs.metadata.annotations["deployment.kubernetes.io/max-replicas"]]), [["1", 0, "4"], ["2", 4, "4"]]);
});

test("deployment - a stalled rollout exceeds its progress deadline; scaling it mid-rollout is proportional; it then completes", { timeout: 60_000 }, async () => {
  const strategy = "  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 3\n      maxUnavailable: 2\n";
  await applyYaml("stall", deploymentYaml("stall", { replicas: 10, image: "nginx:1.0", strategy, extraSpec: "  progressDeadlineSeconds: 2\n" }));
  await rolloutStatus("stall");
  // The new template's pods never become ready: the rollout stops at old 8 + new 5 (13 = 10 + surge 3;
  // 8 available = 10 − 2).
  await applyYaml("stall", deploymentYaml("stall", { replicas: 10, image: "nginx:2.0", strategy, extraSpec: "  progressDeadlineSeconds: 2\n", gate: "closed" }));
  const stalled = await eventually("the rollout to stall at 8 + 5", async () => {
    const rss = await replicaSetsOf("stall");
    return rss.length === 2 && rss[0]!.spec.replicas === 8 && rss[1]!.spec.replicas === 5 && rss[1]!.status?.replicas === 5 ? rss : undefined;
  });
  const failed = await kubectlRun(["rollout", "status", "deployment/stall", "--timeout=30s"]);
  assert.notEqual(failed.code, 0);
  assert.match(failed.stderr, /exceeded its progress deadline/);
  const timedOut = (await client.get("Deployment", NS, "stall")).status.conditions.find((c: { type: string }) => c.type === "Progressing");
  assert.deepEqual([timedOut.status, timedOut.reason], ["False", "ProgressDeadlineExceeded"]);

  await kubectl("scale", "deployment/stall", "--replicas=20");
  // 20 + 3 allowed, 13 now: +10; old round(8·23/13 = 14.2) = 14 (+6), new round(5·23/13 = 8.8) = 9 (+4).
  const scaled = await eventually("proportional scaling", async () => {
    const rss = await replicaSetsOf("stall");
    return rss.length === 2 && rss[0]!.spec.replicas + rss[1]!.spec.replicas === 23 ? rss : undefined;
  });
  assert.deepEqual(scaled.map((rs) => rs.spec.replicas), [14, 9]);
  assert.deepEqual(scaled.map((rs) => rs.metadata.name), stalled.map((rs) => rs.metadata.name));
  for (const rs of scaled) assert.equal(rs.metadata.annotations["deployment.kubernetes.io/desired-replicas"], "20");

  // A longer deadline for the rest, so a slow machine cannot time the rollout out again.
  await kubectl("patch", "deployment/stall", "-p", '{"spec":{"progressDeadlineSeconds":600}}');
  openGate("closed");
  await eventually("progress after the timeout", async () => {
    const d = await client.get("Deployment", NS, "stall");
    const c = d.status.conditions.find((x: { type: string }) => x.type === "Progressing");
    return d.status.observedGeneration === d.metadata.generation && c.reason !== "ProgressDeadlineExceeded" ? c : undefined;
  });
  await rolloutStatus("stall");
  const done = await replicaSetsOf("stall");
  assert.deepEqual(done.map((rs) => rs.spec.replicas), [0, 20]);
  heldGates.add("closed");
});

test("deployment - rollout of 20 with maxSurge 25% and maxUnavailable 25%: from the watch log, available ≥ 15 and pods ≤ 25 throughout", { timeout: 60_000 }, async () => {
  const strategy = "  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 25%\n      maxUnavailable: 25%\n";
  await applyYaml("big", deploymentYaml("big", { replicas: 20, image: "nginx:1.0", strategy }));
  await rolloutStatus("big");
  readyDelayMs.max = 400;
  const log = startLog("big");
  try {
    await kubectl("set", "image", "deployment/big", "c=nginx:2.0");
    await rolloutStatus("big");
  } finally {
    stopLog("big");
    readyDelayMs.max = 150;
  }
  assert.ok(log.events > 40, `the watch saw the rollout (${log.events} events)`);
  assert.ok(log.minAvailable >= 15, `available pods went down to ${log.minAvailable}`);
  assert.ok(log.maxTotal <= 25, `pods went up to ${log.maxTotal}`);
  assert.equal(log.maxTemplates, 2, "old and new pods ran side by side");
  const rss = await replicaSetsOf("big");
  assert.deepEqual(rss.map((rs) => rs.spec.replicas), [0, 20]);
  const d = await client.get("Deployment", NS, "big");
  assert.deepEqual([d.status.replicas, d.status.updatedReplicas, d.status.availableReplicas, d.status.unavailableReplicas ?? 0], [20, 20, 20, 0]);
});

test("deployment - a rollout survives a SIGKILL of the controller-manager: it completes, within maxSurge 1 and maxUnavailable 0", { timeout: 80_000 }, async () => {
  const strategy = "  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 1\n      maxUnavailable: 0\n";
  await applyYaml("survive", deploymentYaml("survive", { replicas: 8, image: "nginx:1.0", strategy }));
  await rolloutStatus("survive");
  readyDelayMs.max = 300;
  const log = startLog("survive");
  try {
    await kubectl("set", "image", "deployment/survive", "c=nginx:2.0");
    await eventually("the rollout to be under way", async () => {
      const rss = await replicaSetsOf("survive");
      return rss.length === 2 && rss[1]!.spec.replicas >= 2 ? true : undefined;
    });
    await cm.kill("SIGKILL");
    cm.start();
    await rolloutStatus("survive");
  } finally {
    stopLog("survive");
    readyDelayMs.max = 150;
  }
  assert.ok(log.minAvailable >= 8, `available pods went down to ${log.minAvailable}`);
  assert.ok(log.maxTotal <= 9, `pods went up to ${log.maxTotal}`);
  assert.deepEqual((await replicaSetsOf("survive")).map((rs) => [revisionOf(rs), rs.spec.replicas]), [["1", 0], ["2", 8]]);
});
