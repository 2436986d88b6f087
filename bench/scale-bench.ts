/**
 * scale-bench: the whole control loop at scale (issue 4). One Deployment of SCALE_PODS replicas
 * (default 10,000, tiny requests) onto SCALE_NODES sim nodes (default 1,000) hosted by ONE
 * node-host process, measured from the Deployment create to every pod Available as seen by a
 * watch (bus informers on Pods and Deployments in this process, fed by the relay's change
 * events, as every actor's informer is; the pod informer reads only name, creation time, node,
 * phase and Ready from each event's stored bytes (bench/peek.ts), so that this process, which
 * shares the cores with the cluster, takes little of them).
 *
 * Each run is a fresh cluster (startCluster: nats-server, redis-server, a relay, SCALE_APISERVERS
 * API servers) plus a controller-manager, the node host and N schedulers; runs with 1 and 2
 * schedulers by default (SCALE_SCHEDULERS="1,2"). Each run measures SCALE_ROUNDS rounds (default
 * 2) on the same cluster: round 1 on processes just started (cold: V8 still compiling the hot
 * code, ~1.5x the CPU per pod), then the Deployment is deleted, every pod gone, and round 2
 * creates a new one in another namespace (warm: the steady state of a control plane that has
 * run before). The headline figure is the warm round; the cold one is printed beside it.
 *
 * Measured per run:
 * - total time (create → last pod Running+Ready and Deployment availableReplicas = replicas),
 *   end-to-end pods/s, and the moments all pods were created / bound / Ready;
 * - pod startup p50/p99: creationTimestamp → first seen Running+Ready in the watch (ms; the
 *   timestamp has 1 s resolution so this over-states by ~0.5 s on average), and the same from the
 *   pod's first ADDED event in the watch (ms resolution);
 * - peak memory (VmHWM) of every process, the node host and the API servers in the table;
 * - CPU% of every process (from /proc/<pid>/stat, sampled each second), CPU ms per pod of each
 *   (and of this process, outside the sum), and API requests by verb (a plain subscription to
 *   `k8s.api.>`, peeking at each request's resource and verb), to show where the time goes.
 * The last line reads `end-to-end: N pods/s` for the better warm run (with the cold figure); the
 * issue's goal (≥ 2,000 pods/s on this 2-core machine) is printed with whether it is met.
 *
 * Environment: SCALE_NODES, SCALE_PODS, SCALE_SCHEDULERS ("1,2"), SCALE_ROUNDS (2), SCALE_APISERVERS (1),
 * SCALE_TIMEOUT_S (per-run measured phase, default 300), SCALE_CPU_PROF (comma list of
 * process roles — apiserver, relay, node, scheduler, controllers — to run with --cpu-prof; their
 * hottest functions are printed), SCALE_ENV (extra actor env, "K=V,K2=V2"), SCALE_VERBOSE=1 (health
 * details of the schedulers and the controller-manager with each progress line), KEEP_LOGS=1.
 *
 * Run: `npm run bench:scale` (a few minutes); quick try: `SCALE_NODES=100 SCALE_PODS=1000 npm run bench:scale`.
 */
import "reflect-metadata";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cpus } from "node:os";
import type { Msg, Subscription } from "@nats-io/transport-node";
import { Redis } from "ioredis";
import { Bus, KINDS, probeAllHealth, probeHealth, setLogLevel, unwrap, type ActorHealthInfo } from "../services/kernel/index.js";
import { KubeClient, type Informer, type Cached, type KubeObject } from "../services/client/index.js";
import { peekApiOps, peekPodProgress, type ApiOp, type PodProgress } from "./peek.js";
import { startCluster, type TestCluster } from "../test/harness/cluster.js";
import { BenchTimeoutError, CLOCK_TICKS, intEnv, procCpu, sleep } from "./bench-util.js";
import { pollFor } from "../test/harness/poll.js";
import { spawnActor, type ActorProcessHandle } from "../test/harness/actor-process.js";

// ---- settings ----

const NODES = intEnv("SCALE_NODES", 1000);
const PODS = intEnv("SCALE_PODS", 10_000);
const APISERVERS = intEnv("SCALE_APISERVERS", 1);
const TIMEOUT_MS = intEnv("SCALE_TIMEOUT_S", 300) * 1000;
const SCHEDULER_RUNS = (process.env.SCALE_SCHEDULERS ?? "1,2").split(",").map((s) => Number(s.trim()));
if (SCHEDULER_RUNS.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`SCALE_SCHEDULERS must be a comma list of positive integers`);
const CPU_PROF = new Set((process.env.SCALE_CPU_PROF ?? "").split(",").map((s) => s.trim()).filter(Boolean));
const EXTRA_ENV: Record<string, string> = Object.fromEntries(
  (process.env.SCALE_ENV ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
);
const VERBOSE = !!process.env.SCALE_VERBOSE;
const GOAL_PODS_PER_S = 2000;
const NAME = "scale";
/** Rounds per cluster: each creates a fresh Deployment in its own namespace; the one before is deleted (and all its pods gone) first. */
const ROUNDS = intEnv("SCALE_ROUNDS", 2);
/** The namespace of round `r` (1-based). */
const roundNs = (r: number) => (r === 1 ? "scale" : `scale-${r}`);
/** Pods per node: room for the whole Deployment with 50% spare, within the node config's limit. */
const PODS_PER_NODE = Math.min(250, Math.max(110, Math.ceil((PODS / NODES) * 1.5)));
if (PODS_PER_NODE * NODES < PODS) throw new Error(`${PODS} pods cannot fit ${NODES} nodes of at most 250 pods`);

// ---- small helpers ----

function fmt(n: number | undefined, digits = 0): string {
  return n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : "-";
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function mib(kb: number | undefined): string {
  return kb === undefined ? "-" : `${(kb / 1024).toFixed(0)} MiB`;
}

// ---- /proc sampling ----

/** utime+stime of a process in clock ticks, or undefined when it is gone. */
function cpuTicks(pid: number): number | undefined {
  const cpu = procCpu(`/proc/${pid}/stat`);
  return cpu && Math.round(((cpu.userMs + cpu.sysMs) * CLOCK_TICKS) / 1000);
}

/** A /proc/<pid>/status field in kB (VmHWM, VmRSS). */
function statusKb(pid: number, field: string): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Busy and total jiffies of the whole machine (all cores), from /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const first = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = first.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (first[3] ?? 0) + (first[4] ?? 0);
  return { busy: total - idle, total };
}

interface Proc {
  role: string;
  name: string;
  pid: () => number;
}

/** CpuSampler: CPU% of each process every second (100% = one core). */
class CpuSampler {
  readonly series = new Map<string, number[]>();
  private last = new Map<string, { ticks: number; at: number }>();
  private timer: NodeJS.Timeout | undefined;
  private benchLast = process.cpuUsage();
  private benchAt = Date.now();
  private machineLast = machineTicks();
  private machineAt = Date.now();
  latest = new Map<string, number>();
  /** CPU% of processes that are not this benchmark's (other users of the machine), per sample. */
  readonly others: number[] = [];

  constructor(private readonly procs: Proc[]) {}

  start(): void {
    this.sample(false);
    this.timer = setInterval(() => this.sample(true), 1000);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.sample(true);
  }

  private sample(record: boolean): void {
    const now = Date.now();
    for (const p of this.procs) {
      const ticks = cpuTicks(p.pid());
      if (ticks === undefined) continue;
      const prev = this.last.get(p.name);
      this.last.set(p.name, { ticks, at: now });
      if (!record || !prev || now - prev.at < 200) continue;
      const pct = (((ticks - prev.ticks) / CLOCK_TICKS) * 1000 * 100) / (now - prev.at);
      this.push(p.name, pct);
    }
    const usage = process.cpuUsage();
    if (record && now - this.benchAt >= 200) {
      this.push("bench (this process)", ((usage.user - this.benchLast.user + usage.system - this.benchLast.system) / 1000 / (now - this.benchAt)) * 100);
    }
    this.benchLast = usage;
    this.benchAt = now;
    const m = machineTicks();
    if (record && now - this.machineAt >= 200) {
      const machinePct = ((m.busy - this.machineLast.busy) / CLOCK_TICKS / ((now - this.machineAt) / 1000)) * 100;
      let ours = 0;
      for (const p of this.procs) ours += this.latest.get(p.name) ?? 0;
      ours += this.latest.get("bench (this process)") ?? 0;
      const other = Math.max(0, machinePct - ours);
      this.others.push(other);
      this.latest.set("OTHER", other);
    }
    this.machineLast = m;
    this.machineAt = now;
  }

  /** Average CPU% of other processes on the machine while sampling. */
  othersAvg(): number {
    return this.others.reduce((a, b) => a + b, 0) / Math.max(1, this.others.length);
  }

  private push(name: string, pct: number): void {
    let s = this.series.get(name);
    if (!s) this.series.set(name, (s = []));
    s.push(pct);
    this.latest.set(name, pct);
  }

  /** Average and peak CPU% per process over the samples. */
  summary(): Array<{ name: string; avg: number; peak: number }> {
    return [...this.series].map(([name, s]) => ({ name, avg: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length), peak: Math.max(...s) })).sort((a, b) => b.avg - a.avg);
  }
}

// ---- API request counting (a plain subscriber sees a copy of every request) ----

class RequestCounter {
  readonly byOp = new Map<string, number>();
  readonly perSecond: number[] = [];
  /** API operations (a batch counts each of its items). */
  total = 0;
  /** NATS messages carrying them (a batch is one). */
  messages = 0;
  private sub: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastTotal = 0;

  constructor(private readonly bus: Bus) {}

  start(): void {
    this.sub = this.bus.nats.subscribe("k8s.api.>", { callback: (err, m) => (err ? undefined : this.count(m)) });
    this.timer = setInterval(() => {
      this.perSecond.push(this.total - this.lastTotal);
      this.lastTotal = this.total;
    }, 1000);
  }

  stop(): void {
    this.sub?.unsubscribe();
    if (this.timer) clearInterval(this.timer);
  }

  private count(m: Msg): void {
    this.messages++;
    const u = envelopeOf(m.data);
    const batch = u?.kind === KINDS.ApiBatchRequest;
    let ops: ApiOp[] | undefined;
    try {
      if (batch || u?.kind === KINDS.ApiRequest) ops = peekApiOps(u!.payload, batch);
    } catch {
      ops = undefined;
    }
    if (batch) {
      for (const op of ops ?? []) this.countOp(op.resource, op.verb, op.subresource);
      return;
    }
    const t = m.subject.split(".");
    this.countOp(t[3] ?? "", t[4] ?? "", ops?.[0]?.subresource ?? "");
  }

  private countOp(resource: string, verb: string, subresource: string): void {
    this.total++;
    let op = `${resource} ${verb}`;
    if (subresource && (verb === "create" || verb === "update" || verb === "patch")) op += `/${subresource}`;
    this.byOp.set(op, (this.byOp.get(op) ?? 0) + 1);
  }
}

/** The envelope of a message, or undefined when it is not one (counted by subject only). */
function envelopeOf(data: Uint8Array): { kind: string; payload: Uint8Array } | undefined {
  try {
    return unwrap(data);
  } catch {
    return undefined;
  }
}

// ---- Redis: where its single thread spends time ----

/** Top commands by total time from INFO commandstats (commands inside Lua scripts count too). */
async function redisCommandStats(redis: Redis, top = 8): Promise<Array<{ cmd: string; calls: number; usec: number; perCall: number }>> {
  const info = await redis.info("commandstats");
  const out: Array<{ cmd: string; calls: number; usec: number; perCall: number }> = [];
  for (const line of info.split("\n")) {
    const m = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/.exec(line.trim());
    if (m) out.push({ cmd: m[1]!, calls: Number(m[2]), usec: Number(m[3]), perCall: Number(m[4]) });
  }
  return out.sort((a, b) => b.usec - a.usec).slice(0, top);
}

/** Commands slower than 10 ms (Redis' slowlog default), grouped by command and resource prefix: what held Redis' one thread. */
async function redisSlowCommands(redis: Redis): Promise<{ count: number; totalMs: number; groups: Array<[string, { n: number; ms: number }]> }> {
  const entries = (await redis.call("SLOWLOG", "GET", "10000")) as Array<[number, number, number, Array<string | Buffer>]>;
  const groups = new Map<string, { n: number; ms: number }>();
  let totalMs = 0;
  for (const [, , micros, args] of entries) {
    const words = args.map((a) => String(a));
    const prefix = words.find((w) => /^\/[a-z0-9.-]+\/$/.test(w));
    const key = `${words[0]?.toLowerCase()}${prefix ? ` ${prefix}` : ""}`;
    const g = groups.get(key) ?? { n: 0, ms: 0 };
    g.n++;
    g.ms += micros / 1000;
    totalMs += micros / 1000;
    groups.set(key, g);
  }
  return { count: entries.length, totalMs, groups: [...groups].sort((a, b) => b[1].ms - a[1].ms) };
}

// ---- what the watch sees of the pods ----

interface PodTimes {
  created: number; // creationTimestamp (ms since epoch, 1 s resolution)
  added: number; // first seen in the watch (Date.now())
  bound?: number;
  ready?: number;
}

class PodWatch {
  constructor(private readonly ns: string) {}
  readonly pods = new Map<string, PodTimes>();
  bound = 0;
  ready = 0;
  deploymentAvailable = 0;
  deploymentUpdated = 0;
  allCreatedAt?: number;
  allBoundAt?: number;
  allReadyAt?: number;
  deploymentAvailableAt?: number;
  private waiters: Array<() => void> = [];

  onPod(o: Cached<PodProgress>): void {
    const p = o.object;
    const now = Date.now();
    let t = this.pods.get(p.name);
    if (!t) {
      t = { created: p.createdMs || now, added: now };
      this.pods.set(p.name, t);
      if (this.pods.size >= PODS && this.allCreatedAt === undefined) this.allCreatedAt = now;
    }
    if (t.bound === undefined && p.nodeName) {
      t.bound = now;
      if (++this.bound >= PODS && this.allBoundAt === undefined) this.allBoundAt = now;
    }
    if (t.ready === undefined && p.phase === "Running" && p.ready) {
      t.ready = now;
      if (++this.ready >= PODS && this.allReadyAt === undefined) this.allReadyAt = now;
    }
    this.check();
  }

  onDeployment(o: Cached<KubeObject>): void {
    const d = o.object;
    if (d.metadata.namespace !== this.ns || d.metadata.name !== NAME) return;
    this.deploymentAvailable = d.status?.availableReplicas ?? 0;
    this.deploymentUpdated = d.status?.updatedReplicas ?? 0;
    if (this.deploymentAvailable >= PODS && this.deploymentAvailableAt === undefined) this.deploymentAvailableAt = Date.now();
    this.check();
  }

  get done(): boolean {
    return this.allReadyAt !== undefined && this.deploymentAvailableAt !== undefined;
  }

  /** Resolves when every pod is Running+Ready and the Deployment reports them all available. */
  whenDone(): Promise<void> {
    if (this.done) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  private check(): void {
    if (this.done) for (const w of this.waiters.splice(0)) w();
  }
}

// ---- one run ----

interface RunResult {
  schedulers: number;
  round: number;
  totalMs: number;
  podsPerSec: number;
  createdMs: number;
  boundMs: number;
  readyMs: number;
  availableMs: number;
  startupP50: number;
  startupP99: number;
  watchStartupP50: number;
  watchStartupP99: number;
  bindP50: number;
  bindP99: number;
  nodeHostHwmKb?: number;
  apiHwmKb: Array<number | undefined>;
  hwm: Array<{ name: string; kb?: number }>;
  cpu: Array<{ name: string; avg: number; peak: number }>;
  /** CPU milliseconds per pod, all of this benchmark's processes (a measure that machine sharing changes little). */
  cpuMsPerPod: number;
  otherCpu: number;
  requests: Array<[string, number]>;
  requestTotal: number;
  requestMessages: number;
  requestPeakPerSec: number;
  redisTop: Array<{ cmd: string; calls: number; usec: number; perCall: number }>;
  redisSlow: { count: number; totalMs: number; groups: Array<[string, { n: number; ms: number }]> };
  profiles: Map<string, string>;
}

function deployment(ns: string, replicas: number): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: NAME, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: NAME } },
      template: {
        metadata: { labels: { app: NAME } },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [{ name: "app", image: "registry.k8s.io/pause:3.10", resources: { requests: { cpu: "1m", memory: "1Mi" } } }],
        },
      },
    },
  };
}

/** node arguments that write a CPU profile into `dir` on exit, when `role` is profiled. */
function profArgs(role: string, dir: string): string[] {
  if (!CPU_PROF.has(role)) return [];
  mkdirSync(dir, { recursive: true });
  return ["--cpu-prof", `--cpu-prof-dir=${dir}`];
}

/** The hottest functions (self time) of a .cpuprofile, as text lines. */
function summarizeProfile(file: string, top = 12): string {
  const prof = JSON.parse(readFileSync(file, "utf8")) as {
    nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const n = byId.get(prof.samples[i]!);
    const dt = prof.timeDeltas[i] ?? 0;
    if (!n) continue;
    total += dt;
    const url = n.callFrame.url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, "$1/");
    const key = `${n.callFrame.functionName || "(anonymous)"} ${url ? `${url}:${n.callFrame.lineNumber + 1}` : ""}`.trim();
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  const idle = ["(idle)", "(program)", "(garbage collector)"];
  const busy = total - idle.reduce((a, k) => a + (self.get(k) ?? 0), 0);
  const lines = [`    busy ${fmt(busy / 1000)} ms of ${fmt(total / 1000)} ms sampled; GC ${fmt((self.get("(garbage collector)") ?? 0) / 1000)} ms`];
  for (const [k, v] of [...self].filter(([k]) => !idle.includes(k)).sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`    ${fmt((100 * v) / Math.max(1, busy), 1).padStart(5)}%  ${k}`);
  }
  return lines.join("\n");
}

async function runOnce(schedulers: number): Promise<RunResult[]> {
  console.log(`\n=== run: ${NODES} nodes, ${PODS} replicas, ${schedulers} scheduler${schedulers > 1 ? "s" : ""}, ${APISERVERS} API server${APISERVERS > 1 ? "s" : ""} ===`);
  const setupStart = Date.now();
  let cluster: TestCluster | undefined;
  const actors: ActorProcessHandle[] = [];
  let bus: Bus | undefined;
  const informers: Array<Informer<unknown>> = [];
  let sampler: CpuSampler | undefined;
  let counter: RequestCounter | undefined;
  let progress: NodeJS.Timeout | undefined;
  let redis: Redis | undefined;
  const profDir = (role: string) => join(cluster!.dir, "cpu-prof", role);
  try {
    const clusterEnvProf = CPU_PROF.has("apiserver") || CPU_PROF.has("relay");
    cluster = await startCluster({ apiservers: APISERVERS, relays: 1, env: { ...EXTRA_ENV } });
    if (clusterEnvProf) {
      // Restart the profiled roles with --cpu-prof (startCluster takes one env for all).
      for (const [role, list] of [["apiserver", cluster.apiservers], ["relay", cluster.relays]] as const) {
        if (!CPU_PROF.has(role)) continue;
        for (const [i, h] of list.entries()) {
          await h.kill("SIGKILL");
          const port: Record<string, string> = role === "apiserver" ? { K8S_API_PORT: new URL(cluster.apiUrls[i]!).port } : {};
          const replacement = spawnActor(role, h.name, { NATS_URL: cluster.nats.url, REDIS_URL: cluster.redis.url, LOG_LEVEL: "warn", RELAY_LEASE_MS: "1000", ...EXTRA_ENV, ...port }, join(cluster.dir, `${h.name}-prof.log`), profArgs(role, profDir(role)));
          actors.push(replacement);
          list[i] = replacement;
        }
      }
      for (let i = 0; i < cluster.apiUrls.length; i++) await cluster.waitReady(i);
    }
    const base = { NATS_URL: cluster.nats.url, REDIS_URL: cluster.redis.url, LOG_LEVEL: "warn", ...EXTRA_ENV };
    bus = await Bus.connect({ servers: cluster.nats.url, name: "scale-bench" });
    const client = new KubeClient(bus, 30_000);
    await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: roundNs(1) } });

    const nodeHost = spawnActor("node", "node-host-1", { ...base, K8S_NODES: String(NODES), K8S_NODE_PODS: String(PODS_PER_NODE) }, join(cluster.dir, "node-host-1.log"), profArgs("node", profDir("node")));
    actors.push(nodeHost);
    const readyNodes = await pollFor(`${NODES} Ready nodes`, async () => {
      const { items } = await client.list("Node");
      const ready = items.filter((n) => (n.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True")).length;
      return ready >= NODES ? ready : undefined;
    }, 180_000, 1000);
    console.log(`  ${readyNodes} nodes Ready after ${fmt((Date.now() - setupStart) / 1000, 1)} s`);

    const cm = spawnActor("controllers", "controller-manager-1", base, join(cluster.dir, "controller-manager-1.log"), profArgs("controllers", profDir("controllers")));
    actors.push(cm);
    const scheds: ActorProcessHandle[] = [];
    for (let i = 1; i <= schedulers; i++) {
      const s = spawnActor("scheduler", `scheduler-${i}`, base, join(cluster.dir, `scheduler-${i}.log`), profArgs("scheduler", profDir("scheduler")));
      scheds.push(s);
      actors.push(s);
    }
    // Ready means: the controller-manager leads, and each scheduler runs, sees every node and every peer.
    await pollFor("the controller-manager to lead", async () => ((await client.get("Lease", "kube-system", "kube-controller-manager")).spec?.holderIdentity ? true : undefined), 60_000, 250);
    await pollFor(`${schedulers} scheduler(s) running with ${NODES} nodes and ${schedulers} peers`, async () => {
      const health: ActorHealthInfo[] = (await probeAllHealth(bus!, 1500)).filter((h) => h.kind === "scheduler");
      const ok = health.filter((h) => h.state === "running" && h.detail.includes(`peers ${schedulers};`) && h.detail.includes(`nodes ${NODES};`));
      return ok.length >= schedulers ? true : undefined;
    }, 60_000, 500);

    const procs: Proc[] = [
      ...cluster.apiservers.map((h) => ({ role: "apiserver", name: h.name, pid: () => h.pid() })),
      ...cluster.relays.map((h) => ({ role: "relay", name: h.name, pid: () => h.pid() })),
      { role: "node", name: nodeHost.name, pid: () => nodeHost.pid() },
      { role: "controllers", name: cm.name, pid: () => cm.pid() },
      ...scheds.map((h) => ({ role: "scheduler", name: h.name, pid: () => h.pid() })),
      { role: "nats", name: "nats-server", pid: () => cluster!.nats.pid() },
      { role: "redis", name: "redis-server", pid: () => cluster!.redis.pid() },
    ];
    const results: RunResult[] = [];
    let roundPods: Informer<PodProgress> | undefined;
    redis = new Redis(cluster.redis.url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    await redis.connect();
    for (let round = 1; round <= ROUNDS; round++) {
      if (round > 1) {
        await deletePreviousRound(client, roundNs(round - 1), roundPods!);
        await waitClusterQuiet(procs);
      }
      const ns = roundNs(round);
      if (round > 1) await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
      const watch = new PodWatch(ns);
      // The pod watch reads only what it measures from each event's stored bytes (bench/peek.ts):
      // a full decode of every pod change was most of this process's CPU, taken from the cluster.
      const pods = client.informerOf<PodProgress>("Pod", (v) => peekPodProgress(v), { keyPrefix: `/pods/${ns}/` });
      pods.addHandlers({ onAdd: (o) => watch.onPod(o), onUpdate: (_old, o) => watch.onPod(o) });
      const deployments = client.informer("Deployment");
      deployments.addHandlers({ onAdd: (o) => watch.onDeployment(o), onUpdate: (_old, o) => watch.onDeployment(o) });
      informers.push(pods, deployments);
      roundPods = pods;
      await Promise.all([pods.start(), deployments.start()]);

      sampler = new CpuSampler(procs);
      counter = new RequestCounter(bus);
      if (round === 1) console.log(`  cluster ready after ${fmt((Date.now() - setupStart) / 1000, 1)} s`);
      console.log(`  round ${round} of ${ROUNDS}: creating Deployment ${ns}/${NAME} with ${PODS} replicas`);
      await redis.config("RESETSTAT");
      await redis.call("SLOWLOG", "RESET");
      sampler.start();
      counter.start();
      const t0 = Date.now();
      const short = (name: string) => name.replace(/^controller-manager/, "cm").replace(/^node-host/, "node").replace(/^apiserver/, "api").replace(/^scheduler/, "sched").replace(/-server$/, "");
      progress = setInterval(() => {
        const cpu = [...sampler!.latest].map(([n, v]) => `${short(n.replace(" (this process)", ""))} ${fmt(v)}`).join(", ");
        const reqs = counter!.perSecond.at(-1) ?? 0;
        console.log(
          `  [${fmt((Date.now() - t0) / 1000, 0).padStart(4)} s] pods ${watch.pods.size} created, ${watch.bound} bound, ${watch.ready} ready; deployment available ${watch.deploymentAvailable} | ${reqs} API req/s | cpu% ${cpu}`,
        );
        if (VERBOSE) {
          for (const a of [cm, ...scheds]) {
            probeHealth(bus!, a.name, 1500).then(
              (h) => console.log(`      ${a.name}: ${h.detail}`),
              (err) => console.log(`      ${a.name}: no health (${(err as Error).message})`),
            );
          }
        }
      }, 2000);
      await client.create(deployment(ns, PODS));
      const finished = await Promise.race([watch.whenDone().then(() => true), sleep(TIMEOUT_MS).then(() => false)]);
      const end = Date.now();
      clearInterval(progress);
      progress = undefined;
      sampler.stop();
      counter.stop();
      if (!finished) {
        throw new BenchTimeoutError(
          `not done after ${TIMEOUT_MS / 1000} s: ${watch.pods.size} created, ${watch.bound} bound, ${watch.ready} ready, deployment available ${watch.deploymentAvailable} (logs in ${cluster.dir} with KEEP_LOGS=1)`,
        );
      }

      const totalMs = end - t0;
      const startup = [...watch.pods.values()].filter((t) => t.ready !== undefined).map((t) => t.ready! - t.created).sort((a, b) => a - b);
      const watchStartup = [...watch.pods.values()].filter((t) => t.ready !== undefined).map((t) => t.ready! - t.added).sort((a, b) => a - b);
      const bind = [...watch.pods.values()].filter((t) => t.bound !== undefined).map((t) => t.bound! - t.added).sort((a, b) => a - b);
      const hwm = procs.map((p) => ({ name: p.name, kb: statusKb(p.pid(), "VmHWM") }));
      hwm.push({ name: "bench (this process)", kb: statusKb(process.pid, "VmHWM") });
      const result: RunResult = {
        schedulers,
        round,
        totalMs,
        podsPerSec: (PODS * 1000) / totalMs,
        createdMs: (watch.allCreatedAt ?? NaN) - t0,
        boundMs: (watch.allBoundAt ?? NaN) - t0,
        readyMs: (watch.allReadyAt ?? NaN) - t0,
        availableMs: (watch.deploymentAvailableAt ?? NaN) - t0,
        startupP50: percentile(startup, 50),
        startupP99: percentile(startup, 99),
        watchStartupP50: percentile(watchStartup, 50),
        watchStartupP99: percentile(watchStartup, 99),
        bindP50: percentile(bind, 50),
        bindP99: percentile(bind, 99),
        nodeHostHwmKb: statusKb(nodeHost.pid(), "VmHWM"),
        apiHwmKb: cluster.apiservers.map((h) => statusKb(h.pid(), "VmHWM")),
        hwm,
        cpu: sampler.summary(),
        otherCpu: sampler.othersAvg(),
        cpuMsPerPod: 0,
        requests: [...counter.byOp].sort((a, b) => b[1] - a[1]),
        requestTotal: counter.total,
        requestMessages: counter.messages,
        requestPeakPerSec: Math.max(0, ...counter.perSecond),
        redisTop: await redisCommandStats(redis),
        redisSlow: await redisSlowCommands(redis),
        profiles: new Map(),
      };
      result.cpuMsPerPod = result.cpu.filter((c) => !c.name.startsWith("bench")).reduce((a, c) => a + (c.avg / 100) * totalMs, 0) / PODS;
      printRun(result);
      results.push(result);
      deployments.stop(); // the pod watch stays on until the next round has seen this round's pods gone
    }

    const result = results.at(-1)!;
    if (CPU_PROF.size > 0) {
      // --cpu-prof writes its file on a clean exit: stop the profiled processes with SIGTERM.
      const all: Array<{ role: string; h: ActorProcessHandle }> = [
        ...cluster.apiservers.map((h) => ({ role: "apiserver", h })),
        ...cluster.relays.map((h) => ({ role: "relay", h })),
        ...actors.filter((h) => !cluster!.apiservers.includes(h) && !cluster!.relays.includes(h)).map((h) => ({ role: h.name.replace(/-\d+$/, "").replace("controller-manager", "controllers").replace("node-host", "node"), h })),
      ];
      for (const { role, h } of all.filter((x) => CPU_PROF.has(x.role))) {
        await Promise.race([h.kill("SIGTERM"), sleep(15_000)]);
        const dir = profDir(role);
        for (const f of readdirSync(dir).filter((f) => f.endsWith(".cpuprofile") && !result.profiles.has(join(dir, f)))) {
          result.profiles.set(join(dir, f), `${role} (${f})`);
          console.log(`  CPU profile of ${role} ${h.name} (the process's whole life: every round and the teardown between): ${join(dir, f)}\n${summarizeProfile(join(dir, f))}`);
        }
      }
    }
    return results;
  } finally {
    if (progress) clearInterval(progress);
    sampler?.stop();
    counter?.stop();
    for (const i of informers) i.stop();
    await bus?.close().catch(() => undefined);
    redis?.disconnect();
    await Promise.all(actors.map((a) => Promise.race([a.kill("SIGKILL"), sleep(10_000)])));
    await cluster?.stop();
  }
}

/**
 * deletePreviousRound: deletes round's Deployment (background propagation, as kubectl) and
 * waits, with progress, until the watch has seen every one of its pods gone, so the next round
 * starts on empty nodes.
 */
async function deletePreviousRound(client: KubeClient, ns: string, pods: Informer<PodProgress>): Promise<void> {
  const t0 = Date.now();
  console.log(`  deleting Deployment ${ns}/${NAME} and waiting for its ${pods.size} pods to go`);
  await client.delete("Deployment", ns, NAME, { propagationPolicy: "Background" });
  let last = Date.now();
  await pollFor(`the pods of ${ns} gone`, async () => {
    if (Date.now() - last >= 5000) {
      last = Date.now();
      console.log(`  [${fmt((Date.now() - t0) / 1000).padStart(4)} s] ${pods.size} pods left`);
    }
    return pods.size === 0 ? true : undefined;
  }, TIMEOUT_MS, 250);
  pods.stop();
  console.log(`  all gone after ${fmt((Date.now() - t0) / 1000, 1)} s`);
}

/**
 * waitClusterQuiet: waits (up to 60 s) for 2 consecutive seconds in which the cluster's
 * processes together used under 15% of a core, so that the last round's teardown (the
 * deletions' events, queued Events, garbage collection) is not measured in the next round.
 */
async function waitClusterQuiet(procs: Proc[]): Promise<void> {
  const t0 = Date.now();
  const ticks = () => procs.reduce((a, p) => a + (cpuTicks(p.pid()) ?? 0), 0);
  let quiet = 0;
  let last = ticks();
  while (quiet < 2 && Date.now() - t0 < 60_000) {
    await sleep(1000);
    const now = ticks();
    const pct = ((now - last) / CLOCK_TICKS) * 100;
    last = now;
    quiet = pct < 15 ? quiet + 1 : 0;
  }
  const waited = fmt((Date.now() - t0) / 1000, 1);
  console.log(quiet >= 2 ? `  cluster quiet after ${waited} s more` : `  cluster still busy after ${waited} s more (over 15% of a core); measuring anyway: this round's figures include that work`);
}

function printRun(r: RunResult): void {
  console.log(`  done: ${PODS} pods Available in ${fmt(r.totalMs / 1000, 2)} s (round ${r.round})`);
  console.log(`  milestones (s after create): all created ${fmt(r.createdMs / 1000, 2)}, all bound ${fmt(r.boundMs / 1000, 2)}, all Running+Ready ${fmt(r.readyMs / 1000, 2)}, Deployment available ${fmt(r.availableMs / 1000, 2)}`);
  console.log(`  pod startup (creationTimestamp → Running+Ready in the watch): p50 ${fmt(r.startupP50)} ms, p99 ${fmt(r.startupP99)} ms`);
  console.log(`  pod startup (first ADDED in the watch → Running+Ready): p50 ${fmt(r.watchStartupP50)} ms, p99 ${fmt(r.watchStartupP99)} ms; ADDED → bound p50 ${fmt(r.bindP50)} ms, p99 ${fmt(r.bindP99)} ms`);
  console.log(`  peak memory (VmHWM): ${r.hwm.map((h) => `${h.name} ${mib(h.kb)}`).join(", ")}`);
  const totalCpu = r.cpu.filter((c) => !c.name.startsWith("bench")).reduce((a, c) => a + c.avg, 0);
  console.log(`  CPU% while measuring (avg / peak 1-s sample; 100 = one core, the machine has 200): ${r.cpu.map((c) => `${c.name} ${fmt(c.avg)}/${fmt(c.peak)}`).join(", ")}; cluster total avg ${fmt(totalCpu)}; OTHER processes on the machine (not this benchmark's) avg ${fmt(r.otherCpu)}${r.otherCpu > 20 ? " — the machine was shared: numbers are pessimistic" : ""}`);
  console.log(
    `  CPU per pod: ${fmt(r.cpuMsPerPod, 2)} ms in all (budget for ${GOAL_PODS_PER_S} pods/s on ${cpus().length} cores: ${fmt((cpus().length * 1000) / GOAL_PODS_PER_S, 2)} ms): ${r.cpu
      .filter((c) => !c.name.startsWith("bench"))
      .map((c) => `${c.name} ${fmt(((c.avg / 100) * r.totalMs) / PODS, 2)}`)
      .join(", ")}; and this bench process (its watch and request count, not in the sum) ${fmt((((r.cpu.find((c) => c.name.startsWith("bench"))?.avg ?? NaN) / 100) * r.totalMs) / PODS, 2)}`,
  );
  const secs = r.totalMs / 1000;
  console.log(`  API requests on the bus: ${r.requestTotal} in ${r.requestMessages} NATS messages (${fmt(r.requestTotal / secs)}/s avg, peak ${r.requestPeakPerSec}/s); by op: ${r.requests.map(([op, n]) => `${op} ${n} (${fmt(n / secs)}/s)`).join(", ")}`);
  console.log(`  Redis time by command (INFO commandstats; script-internal commands included): ${r.redisTop.map((c) => `${c.cmd} ${fmt(c.usec / 1000)} ms/${c.calls} calls (${fmt(c.perCall)} µs each)`).join(", ")}`);
  console.log(
    `  Redis commands over 10 ms (slowlog): ${r.redisSlow.count}, ${fmt(r.redisSlow.totalMs)} ms in all${r.redisSlow.count ? "; " : ""}${r.redisSlow.groups
      .slice(0, 8)
      .map(([k, g]) => `${k} ${g.n}x ${fmt(g.ms)} ms`)
      .join(", ")}`,
  );
  console.log(`end-to-end (${r.schedulers} scheduler${r.schedulers > 1 ? "s" : ""}): ${fmt(r.podsPerSec)} pods/s`);
}

async function main(): Promise<void> {
  setLogLevel("warn");
  const cores = cpus().length;
  console.log(`scale-bench: ${NODES} sim nodes in one node host, a Deployment of ${PODS} replicas (cpu 1m, memory 1Mi), runs with ${SCHEDULER_RUNS.join(" and ")} scheduler(s); ${cores} cores`);
  const results: RunResult[] = [];
  for (const n of SCHEDULER_RUNS) results.push(...(await runOnce(n)));

  console.log("\nschedulers round  total s   pods/s  created s  bound s  ready s  p50 ms  p99 ms  node host  API server(s)  cpu ms/pod  other cpu%  busiest process (avg cpu%)");
  for (const r of results) {
    const busiest = r.cpu.find((c) => !c.name.startsWith("bench"));
    console.log(
      `${String(r.schedulers).padStart(10)} ${String(r.round).padStart(5)} ${fmt(r.totalMs / 1000, 2).padStart(8)} ${fmt(r.podsPerSec).padStart(8)} ${fmt(r.createdMs / 1000, 2).padStart(10)} ${fmt(r.boundMs / 1000, 2).padStart(8)} ${fmt(r.readyMs / 1000, 2).padStart(8)} ${fmt(r.startupP50).padStart(7)} ${fmt(r.startupP99).padStart(7)} ${mib(r.nodeHostHwmKb).padStart(10)} ${r.apiHwmKb.map(mib).join(" + ").padStart(14)} ${fmt(r.cpuMsPerPod, 2).padStart(11)} ${fmt(r.otherCpu).padStart(11)}  ${busiest ? `${busiest.name} ${fmt(busiest.avg)}` : "-"}`,
    );
  }
  const label = (r: RunResult) => `${r.schedulers} scheduler${r.schedulers > 1 ? "s" : ""}, round ${r.round}${ROUNDS > 1 ? (r.round === 1 ? " (cold)" : " (warm)") : ""}`;
  const byRound = (round: number) => results.filter((r) => r.round === round);
  for (const round of [...new Set(results.map((r) => r.round))]) {
    const [first, ...rest] = byRound(round);
    for (const r of rest) {
      console.log(`ratio ${label(r)} vs ${label(first!)}: pods/s x${fmt(r.podsPerSec / first!.podsPerSec, 2)}, p50 startup x${fmt(r.startupP50 / first!.startupP50, 2)}, p99 startup x${fmt(r.startupP99 / first!.startupP99, 2)}, all-bound time x${fmt(r.boundMs / first!.boundMs, 2)}`);
    }
  }
  for (const r of results.filter((r) => r.round > 1)) {
    const cold = results.find((c) => c.schedulers === r.schedulers && c.round === 1)!;
    console.log(`ratio ${label(r)} vs ${label(cold)}: pods/s x${fmt(r.podsPerSec / cold.podsPerSec, 2)}, CPU per pod x${fmt(r.cpuMsPerPod / cold.cpuMsPerPod, 2)}`);
  }
  // The headline is the warm cluster (the last round): a control plane runs for days, and the
  // first round of fresh processes also measures V8 compiling the code; both are printed.
  const measured = byRound(ROUNDS);
  const best = measured.reduce((a, b) => (b.podsPerSec > a.podsPerSec ? b : a));
  const bestCold = byRound(1).reduce((a, b) => (b.podsPerSec > a.podsPerSec ? b : a));
  if (best.podsPerSec < GOAL_PODS_PER_S) {
    const busiest = best.cpu.filter((c) => !c.name.startsWith("bench"));
    const total = busiest.reduce((a, c) => a + c.avg, 0);
    console.log(`where the time goes (${label(best)}): cluster CPU ${fmt(total)}% of 200% available (other processes on the machine took ${fmt(best.otherCpu)}%); ${busiest.slice(0, 4).map((c) => `${c.name} ${fmt(c.avg)}%`).join(", ")}`);
    const top = busiest[0];
    if (top && top.avg > 85) console.log(`  ${top.name} is at ~one core (${fmt(top.avg)}%): a single-threaded Node process is the bottleneck`);
    if (total > 170) console.log(`  the 2 cores are saturated: the sum of work per pod, not one process, limits throughput`);
    console.log(`  CPU per pod ${fmt(best.cpuMsPerPod, 2)} ms vs a budget of ${fmt((cpus().length * 1000) / GOAL_PODS_PER_S, 2)} ms: even with no waiting at all, the cluster could do at most ${fmt((cpus().length * 1000) / best.cpuMsPerPod)} pods/s here`);
    console.log(`  API requests per pod: ${fmt(best.requestTotal / PODS, 1)} in ${fmt(best.requestMessages / PODS, 2)} NATS messages (${best.requests.slice(0, 5).map(([op, n]) => `${op} ${fmt(n / PODS, 2)}`).join(", ")})`);
  }
  const coldNote = ROUNDS > 1 ? `; cold first round: ${fmt(bestCold.podsPerSec)} pods/s with ${bestCold.schedulers} scheduler(s)` : "";
  console.log(`goal: ≥ ${GOAL_PODS_PER_S} pods/s end to end on this ${cores}-core machine: ${fmt(best.podsPerSec)} pods/s (${label(best)}) - ${best.podsPerSec >= GOAL_PODS_PER_S ? "MET" : "NOT MET"}${coldNote}`);
  console.log(`end-to-end: ${fmt(best.podsPerSec)} pods/s${ROUNDS > 1 ? ` (warm cluster, round ${ROUNDS}${coldNote})` : ""}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
