/**
 * node-bench: the node host's CPU per pod, alone (services/node). A cluster with no scheduler
 * and no controllers; one node host process of NODE_BENCH_NODES sim nodes (default 500). This
 * process creates NODE_BENCH_PODS pods (default 5,000) in chunks of NODE_BENCH_CHUNK (default
 * 250) and binds each chunk round-robin to the nodes (as a scheduler would), then waits until
 * every pod is Running and Ready in its watch; NODE_BENCH_ROUNDS (default 1) times, each round
 * measured on its own (the first includes the process's warm-up: JIT compilation, heap growth).
 *
 * The node host's CPU comes from /proc (utime + stime): first while idle (its Lease renewals
 * only, NODE_BENCH_IDLE_S seconds, default 10), then over the run. Printed: the idle rate, the
 * run's CPU per pod, and the same without the idle rate (what each pod itself costs), so a change
 * can be judged without the noise of the whole scale bench.
 *
 * NODE_BENCH_PROF=<dir>: the node host runs with --cpu-prof into that directory;
 * NODE_BENCH_NODE_ARGS: more node arguments for the node host (e.g. "--trace-gc").
 *
 * Run: `npm run build && node dist/bench/node-bench.js`.
 */
import "reflect-metadata";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { Bus } from "../services/kernel/index.js";
import { KubeClient, type KubeObject } from "../services/client/index.js";
import { startCluster, type TestCluster } from "../test/harness/cluster.js";
import { spawnActor, type ActorProcessHandle } from "../test/harness/actor-process.js";
import { intEnv, procCpu, sleep } from "./bench-util.js";
import { pollFor } from "../test/harness/poll.js";
import { peekPodProgress, type PodProgress } from "./peek.js";

const NODES = intEnv("NODE_BENCH_NODES", 500);
const PODS = intEnv("NODE_BENCH_PODS", 5000);
const CHUNK = intEnv("NODE_BENCH_CHUNK", 250);
const ROUNDS = intEnv("NODE_BENCH_ROUNDS", 1);
const IDLE_S = intEnv("NODE_BENCH_IDLE_S", 10);
const PROF_DIR = process.env.NODE_BENCH_PROF?.trim();
const NODE_ARGS = (process.env.NODE_BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
const NS = "nodebench";

/** CPU ms (utime + stime) of a process so far. */
function cpuMs(pid: number): number {
  const [user, sys] = userSysMs(pid);
  return user + sys;
}

/** CPU ms of each thread of a process, by thread name (main thread "main"; V8's GC workers, libuv's pool, …). */
function threadCpuMs(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const cpu = procCpu(`/proc/${pid}/task/${tid}/stat`);
    if (!cpu) continue; // the thread ended
    const name = tid === String(pid) ? "main" : cpu.name;
    out.set(name, (out.get(name) ?? 0) + cpu.userMs + cpu.sysMs);
  }
  return out;
}

/** Per-thread CPU between two {@link threadCpuMs} readings, largest first. */
function threadDelta(before: Map<string, number>, after: Map<string, number>): string {
  return [...after]
    .map(([name, ms]) => [name, ms - (before.get(name) ?? 0)] as const)
    .filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, ms]) => `${name} ${Math.round(ms)}`)
    .join(", ");
}

/** utime and stime (ms) of a process. */
function userSysMs(pid: number): [number, number] {
  const cpu = procCpu(`/proc/${pid}/stat`);
  if (!cpu) throw new Error(`process ${pid} is gone`);
  return [cpu.userMs, cpu.sysMs];
}

function podOf(i: number): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `p-${i}`, namespace: NS, labels: { app: "nodebench" } },
    spec: { containers: [{ name: "app", image: "registry.k8s.io/pause:3.9", resources: { requests: { cpu: "1m", memory: "1Mi" } } }] },
  };
}


async function main(): Promise<void> {
  console.log(`node-bench: ${NODES} sim nodes in one node host, ${PODS} pods bound round-robin in chunks of ${CHUNK}`);
  let cluster: TestCluster | undefined;
  let bus: Bus | undefined;
  let host: ActorProcessHandle | undefined;
  try {
    cluster = await startCluster({ apiservers: 1, relays: 1 });
    bus = await Bus.connect({ servers: cluster.nats.url, name: "node-bench" });
    const client = new KubeClient(bus, 30_000);
    await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
    const podsPerNode = Math.min(250, Math.max(110, Math.ceil(((PODS * ROUNDS) / NODES) * 1.5)));
    host = spawnActor("node", "node-host-1", { NATS_URL: cluster.nats.url, REDIS_URL: cluster.redis.url, LOG_LEVEL: "warn", K8S_NODES: String(NODES), K8S_NODE_PODS: String(podsPerNode) }, join(cluster.dir, "node-host-1.log"), [...(PROF_DIR ? ["--cpu-prof", "--cpu-prof-dir", PROF_DIR] : []), ...NODE_ARGS]);
    const t0 = Date.now();
    await pollFor(`${NODES} Ready nodes`, async () => {
      const { items } = await client.list("Node");
      return items.filter((n) => (n.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True")).length >= NODES ? true : undefined;
    }, 180_000, 1000);
    const nodes = (await client.list("Node")).items.map((n) => n.metadata.name as string);
    console.log(`  ${NODES} nodes Ready after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await sleep(12_000); // past the first Lease renewals
    const pid = host.pid();
    const idle0 = cpuMs(pid);
    const idleThreads0 = threadCpuMs(pid);
    const idleT0 = Date.now();
    await sleep(IDLE_S * 1000);
    const idleRate = (cpuMs(pid) - idle0) / (Date.now() - idleT0); // CPU ms per ms
    console.log(`  idle: ${(idleRate * 1000).toFixed(1)} CPU ms/s (by thread, ms: ${threadDelta(idleThreads0, threadCpuMs(pid))})`);

    const ready = new Set<string>();
    // Only phase and Ready are read from each pod's bytes: this process shares the cores with the node host.
    const informer = client.informerOf("Pod", (value) => peekPodProgress(value), { keyPrefix: `/pods/${NS}/` });
    const seen = (o: { key: string; object: PodProgress }) => {
      if (o.object.phase === "Running" && o.object.ready) ready.add(o.key);
    };
    informer.addHandlers({ onAdd: seen, onUpdate: (_old, o) => seen(o) });
    await informer.start();

    for (let round = 1; round <= ROUNDS; round++) {
      const first = (round - 1) * PODS;
      const run0 = cpuMs(pid);
      const threads0 = threadCpuMs(pid);
      const us0 = userSysMs(pid);
      const runT0 = Date.now();
      if (process.env.NODE_BENCH_MARKS) console.log(`  round ${round} starts at ${runT0} (monotonic ${process.hrtime.bigint() / 1000n} µs)`);
      for (let start = first; start < first + PODS; start += CHUNK) {
        const idx = Array.from({ length: Math.min(CHUNK, first + PODS - start) }, (_, j) => start + j);
        await Promise.all(idx.map((i) => client.create(podOf(i))));
        await Promise.all(idx.map((i) => client.bind(NS, `p-${i}`, nodes[i % nodes.length]!)));
      }
      await pollFor(`${PODS} pods Running and Ready`, async () => (ready.size >= first + PODS ? true : undefined), 300_000, 20);
      const runMs = Date.now() - runT0;
      if (process.env.NODE_BENCH_MARKS) console.log(`  round ${round} ends at ${runT0 + runMs} (monotonic ${process.hrtime.bigint() / 1000n} µs)`);
      const runCpu = cpuMs(pid) - run0;
      const us1 = userSysMs(pid);
      const perPod = runCpu / PODS;
      const perPodNet = (runCpu - idleRate * runMs) / PODS;
      console.log(`  round ${round}: ${PODS} pods Running+Ready in ${(runMs / 1000).toFixed(2)} s (${Math.round(PODS / (runMs / 1000))} pods/s); node host CPU ${Math.round(runCpu)} ms (by thread: ${threadDelta(threads0, threadCpuMs(pid))}; user ${Math.round(us1[0] - us0[0])}, system ${Math.round(us1[1] - us0[1])})`);
      console.log(`node host CPU per pod (round ${round}): ${perPod.toFixed(3)} ms (without the idle rate: ${perPodNet.toFixed(3)} ms); idle ${(idleRate * 1000).toFixed(1)} ms/s`);
    }
    informer.stop();
  } finally {
    await host?.kill(PROF_DIR ? "SIGTERM" : "SIGKILL"); // the profile is written on a clean exit
    await bus?.close();
    await cluster?.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
