/**
 * relay-bench: the relay's CPU per pod, alone (services/relay), with the nats-server and
 * redis-server CPU that the change path costs. A private nats-server and redis-server and one
 * relay process; this process writes pods straight into the store as the bench's pipeline does
 * (create, bind, status: three events per pod) at RELAY_BENCH_RATE pods/s (default 600) in
 * ticks of 20 ms, RELAY_BENCH_PODS pods in all (default 5,000), while RELAY_BENCH_SUBS bus
 * connections (default 6, the scale bench's pod watchers) subscribe to every change subject.
 * It waits until every subscriber has received every event.
 *
 * CPU comes from /proc (utime + stime): first while idle (RELAY_BENCH_IDLE_S seconds, default
 * 3), then over the run. Printed per pod: the run's CPU, and the same without the idle rate.
 * RELAY_BENCH_ROUNDS (default 2) rounds on one relay; the first includes warm-up (JIT).
 *
 * RELAY_BENCH_PROF=<dir>: the relay runs with --cpu-prof into that directory;
 * RELAY_BENCH_NODE_ARGS: more node arguments for the relay (e.g. "--perf-basic-prof" for `perf record -p`).
 *
 * Run: `npm run build && node dist/bench/relay-bench.js`.
 */
import "reflect-metadata";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bus, KINDS, setLogLevel, subjects } from "../services/kernel/index.js";
import { startNats, startRedis } from "../services/kernel/local-servers.js";
import { informerEventsFromBatch } from "../services/client/index.js";
import { RedisStore } from "../services/store/index.js";
import { RespConnection } from "../services/store/resp.js";
import { objectKey } from "../services/store/object-keys.js";
import { encodeStoredJSON } from "../services/schema/index.js";
import { spawnActor } from "../test/harness/actor-process.js";
import { intEnv, procCpu, sleep } from "./bench-util.js";
import { pollFor } from "../test/harness/poll.js";

const PODS = intEnv("RELAY_BENCH_PODS", 5000);
const RATE = intEnv("RELAY_BENCH_RATE", 600);
const SUBS = intEnv("RELAY_BENCH_SUBS", 6);
const IDLE_S = intEnv("RELAY_BENCH_IDLE_S", 3);
const ROUNDS = intEnv("RELAY_BENCH_ROUNDS", 2);
const PROF_DIR = process.env.RELAY_BENCH_PROF?.trim();
const NODE_ARGS = (process.env.RELAY_BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
const NS = "relaybench";
const TICK_MS = 20;

function cpuMs(pid: number): number {
  const c = procCpu(`/proc/${pid}/stat`);
  return c ? c.userMs + c.sysMs : 0;
}

/** A pod as the pipeline writes it: created by the ReplicaSet, bound, then Running and Ready. */
function pod(round: number, i: number, stage: 0 | 1 | 2): Record<string, unknown> {
  const name = `web-r${round}-${i.toString(36).padStart(5, "0")}`;
  const node = `node-${i % 500}`;
  const now = new Date(1_700_000_000_000 + i * 10).toISOString().replace(/\.\d+Z$/, "Z");
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: NS,
      uid: `7f0c${i.toString(16).padStart(8, "0")}-1111-2222-3333-444455556666`,
      creationTimestamp: now,
      generateName: `web-r${round}-`,
      labels: { app: "web", "pod-template-hash": "5d4f8c7b9" },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-5d4f8c7b9", uid: "0a0b0c0d-1111-2222-3333-444455556666", controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      ...(stage > 0 ? { nodeName: node } : {}),
      containers: [{ name: "app", image: "registry.k8s.io/pause:3.10", resources: { requests: { cpu: "1m", memory: "1Mi" } } }],
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
      schedulerName: "default-scheduler",
    },
    status:
      stage === 2
        ? {
            phase: "Running",
            podIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
            hostIP: "10.0.0.1",
            startTime: now,
            conditions: ["PodScheduled", "Initialized", "ContainersReady", "Ready"].map((type) => ({ type, status: "True", lastTransitionTime: now })),
            containerStatuses: [{ name: "app", ready: true, started: true, restartCount: 0, image: "registry.k8s.io/pause:3.10", imageID: "sim://pause", containerID: `sim://${name}`, state: { running: { startedAt: now } } }],
          }
        : stage === 1
          ? { phase: "Pending", conditions: [{ type: "PodScheduled", status: "True", lastTransitionTime: now }] }
          : { phase: "Pending" },
  };
}

/** XREAD and XRANGE calls Redis has served so far (INFO commandstats). */
async function logReads(url: string): Promise<number> {
  const conn = await RespConnection.open(url, "relay-bench");
  try {
    const info = String(await conn.command(["INFO", "commandstats"]));
    return [...info.matchAll(/^cmdstat_(?:xread|xrange):calls=(\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
  } finally {
    conn.close();
  }
}

async function main(): Promise<void> {
  setLogLevel("warn");
  const dir = mkdtempSync(join(tmpdir(), "relay-bench-"));
  const redis = await startRedis({ dataDir: join(dir, "redis") });
  const nats = await startNats({ dataDir: join(dir, "nats") });
  const env = { NATS_URL: nats.url, REDIS_URL: redis.url, LOG_LEVEL: "warn", RELAY_LEASE_MS: "1000" };
  const relay = spawnActor("relay", "relay-1", env, join(dir, "relay-1.log"), [...NODE_ARGS, ...(PROF_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROF_DIR}`] : [])]);
  const store = await RedisStore.connect(redis.url);
  const received = new Array<number>(SUBS).fill(0);
  const buses: Bus[] = [];
  for (let s = 0; s < SUBS; s++) {
    const bus = await Bus.connect({ servers: nats.url, name: `sub-${s}` });
    bus.subscribe(subjects.changesAny(), (m) => void (received[s] += informerEventsFromBatch(m.payload).length), { expectKind: KINDS.ChangeEventBatch });
    buses.push(bus);
  }
  try {
    // The relay is up and leading once a first write reaches every subscriber.
    await store.create(objectKey("namespaces", "", NS), encodeStoredJSON("Namespace", { metadata: { name: NS } }).value);
    await pollFor("the relay", () => (received.every((n) => n >= 1) ? true : undefined), 30_000, 50);
    console.log(`relay-bench: ${PODS} pods × 3 events at ${RATE} pods/s, ${SUBS} subscribers; relay pid ${relay.pid()}`);
    const procs = [
      { name: "relay", pid: relay.pid() },
      { name: "nats-server", pid: nats.pid() },
      { name: "redis-server", pid: redis.pid() },
    ];
    for (let round = 1; round <= ROUNDS; round++) {
      const idle0 = procs.map((p) => cpuMs(p.pid));
      await sleep(IDLE_S * 1000);
      const idleRate = procs.map((p, i) => (cpuMs(p.pid) - idle0[i]!) / (IDLE_S * 1000));
      const base = received.map((n) => n);
      const reads0 = await logReads(redis.url);
      const t0 = Date.now();
      const cpu0 = procs.map((p) => cpuMs(p.pid));
      const sys0 = procCpu(`/proc/${relay.pid()}/stat`)!.sysMs;
      const perTick = Math.max(1, Math.round((RATE * TICK_MS) / 1000));
      const revs = new Map<number, number>();
      const LAG = 5; // ticks between a pod's create and its bind, and its bind and its status
      for (let tick = 0; tick * perTick < PODS + 2 * LAG * perTick; tick++) {
        const next = t0 + tick * TICK_MS;
        const writes: Promise<void>[] = [];
        for (const [stage, from] of [[0, tick], [1, tick - LAG], [2, tick - 2 * LAG]] as const) {
          for (let i = from * perTick; i < Math.min(PODS, (from + 1) * perTick); i++) {
            if (i < 0) continue;
            const key = objectKey("pods", NS, (pod(round, i, 0).metadata as { name: string }).name);
            const value = encodeStoredJSON("Pod", pod(round, i, stage)).value;
            writes.push((stage === 0 ? store.create(key, value) : store.update(key, value, revs.get(i)!)).then((o) => void revs.set(i, o.modRevision)));
          }
        }
        await Promise.all(writes);
        const wait = next + TICK_MS - Date.now();
        if (wait > 0) await sleep(wait);
      }
      const expect = 3 * PODS;
      await pollFor("every event at every subscriber", () => (received.every((n, s) => n - base[s]! >= expect) ? true : undefined), 120_000, 20);
      const ms = Date.now() - t0;
      const used = procs.map((p, i) => cpuMs(p.pid) - cpu0[i]!);
      const sys = procCpu(`/proc/${relay.pid()}/stat`)!.sysMs - sys0;
      const line = procs
        .map((p, i) => `${p.name} ${(used[i]! / PODS).toFixed(3)} (${((used[i]! - idleRate[i]! * ms) / PODS).toFixed(3)} without idle)`)
        .join(", ");
      const reads = (await logReads(redis.url)) - reads0;
      console.log(`round ${round}: ${reads} log reads (XREAD/XRANGE), ${(expect / reads).toFixed(1)} events each`);
      console.log(`round ${round}: ${PODS} pods in ${(ms / 1000).toFixed(1)} s; CPU ms per pod: ${line}; relay system time ${(sys / PODS).toFixed(3)}; relay idle ${(idleRate[0]! * 1000).toFixed(1)} ms/s`);
    }
  } finally {
    await Promise.all(buses.map((b) => b.close()));
    await store.close();
    await relay.kill("SIGTERM");
    await nats.stop();
    await redis.stop();
    if (process.env.KEEP_LOGS) console.log(`logs kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
