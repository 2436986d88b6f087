/**
 * store-bench: compare-and-swap write throughput of the Redis store versus etcd 3.4.
 *
 * Both run locally with the same durability (redis: AOF appendfsync always; etcd: fsync per
 * commit, its default). Phases, each with 64 operations in flight and ~1 KB values:
 * - create: store.create (Lua CAS + event) vs etcd txn(if createRevision == 0 then put);
 * - update: store.update(expected modRevision) vs etcd txn(if modRevision == R then put).
 * Each phase runs 3 times, interleaved (redis create, etcd create, redis update, etcd update);
 * medians are reported, with CPU per op (this process: bench, store client and watcher; and
 * redis-server) and ops per script call (group commit). A store watcher consumes the store's
 * events during the whole run.
 * The last line is `store/etcd write throughput: <median ratio>x` (creates+updates per round).
 *
 * Run: `npm run bench:store` (env STORE_BENCH_N / STORE_BENCH_ETCD_N override the op counts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Etcd3 } from "etcd3";
import { Redis } from "ioredis";
import { freePort, startRedis } from "../services/kernel/local-servers.js";
import { RedisStore } from "../services/store/index.js";

const IN_FLIGHT = 64;
const ROUNDS = 3;
const VALUE_SIZE = 1024;
/** Target seconds per etcd phase when its op count is calibrated. */
const ETCD_PHASE_SECONDS = 8;

interface PhaseResult {
  ops: number;
  seconds: number;
  opsPerSec: number;
  p50: number;
  p99: number;
  /** Store phases: CPU µs per op of this process (client, bench and watcher) and of redis-server. */
  nodeUs?: number;
  redisUs?: number;
  /** Store phases: ops per BATCH script call. */
  opsPerBatch?: number;
}

/** CPU seconds of redis-server so far and its EVALSHA call count. */
async function redisStats(admin: Redis): Promise<{ cpu: number; evalsha: number }> {
  const info = (await admin.info("cpu")) + (await admin.info("commandstats"));
  const n = (re: RegExp) => Number(re.exec(info)?.[1] ?? 0);
  return { cpu: n(/used_cpu_sys:([\d.]+)/) + n(/used_cpu_user:([\d.]+)/), evalsha: n(/cmdstat_evalsha:calls=(\d+)/) };
}

/** Runs a store phase and adds CPU per op (client and redis-server) and ops per script call. */
async function storePhase(admin: Redis, label: string, n: number, op: (i: number) => Promise<void>): Promise<PhaseResult> {
  const r0 = await redisStats(admin);
  const c0 = process.cpuUsage();
  const r = await runPhase(label, n, op);
  const c = process.cpuUsage(c0);
  const r1 = await redisStats(admin);
  r.nodeUs = (c.user + c.system) / n;
  r.redisUs = ((r1.cpu - r0.cpu) * 1e6) / n;
  // Every EVALSHA in a phase is a write batch (the watcher reads without scripts).
  r.opsPerBatch = n / Math.max(1, r1.evalsha - r0.evalsha);
  console.log(`  ${label}: cpu per op: bench+client+watcher ${fmt(r.nodeUs, 1)} µs, redis-server ${fmt(r.redisUs, 1)} µs; ${fmt(r.opsPerBatch, 1)} ops per script call`);
  return r;
}

function value(i: number): Buffer {
  const b = Buffer.alloc(VALUE_SIZE, 120);
  b.write(`{"i":${i},"t":${Date.now()}}`);
  return b;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

/** Runs `n` operations with IN_FLIGHT concurrent workers; prints progress about once a second. */
async function runPhase(label: string, n: number, op: (i: number) => Promise<void>): Promise<PhaseResult> {
  const lat = new Float64Array(n);
  let next = 0;
  let done = 0;
  const t0 = performance.now();
  const progress = setInterval(() => {
    const s = (performance.now() - t0) / 1000;
    console.log(`  ${label}: ${fmt(done)}/${fmt(n)} (${fmt(done / s)} ops/s)`);
  }, 1000);
  try {
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (let i = next++; i < n; i = next++) {
          const s = performance.now();
          await op(i);
          lat[i] = performance.now() - s;
          done++;
        }
      }),
    );
  } finally {
    clearInterval(progress);
  }
  const seconds = (performance.now() - t0) / 1000;
  lat.sort();
  const r = { ops: n, seconds, opsPerSec: n / seconds, p50: percentile(lat, 50), p99: percentile(lat, 99) };
  console.log(`  ${label}: ${fmt(r.opsPerSec)} ops/s, p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms (${fmt(n)} ops in ${fmt(seconds, 2)} s)`);
  return r;
}

/** A private etcd on loopback free ports with a temporary data directory. */
async function startEtcd(): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "k8s-etcd-bench-"));
  const client = await freePort();
  const peer = await freePort();
  const url = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const proc: ChildProcess = spawn(
    "etcd",
    [
      "--name", "bench", "--data-dir", join(dir, "data"),
      "--listen-client-urls", url, "--advertise-client-urls", url,
      "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
      "--initial-cluster", `bench=${peerUrl}`, "--logger", "zap", "--log-level", "error",
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  const exited = new Promise<void>((res) => proc.once("exit", () => res()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGTERM");
      const t = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const probe = new Etcd3({ hosts: url });
  try {
    for (let i = 0; ; i++) {
      if (proc.exitCode !== null) throw new Error(`etcd exited with code ${proc.exitCode}`);
      try {
        await probe.get("probe").string();
        break;
      } catch (err) {
        if (i > 150) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (err) {
    await stop();
    throw err;
  } finally {
    probe.close();
  }
  return { url, stop };
}

async function main(): Promise<void> {
  console.log(`store-bench: CAS creates then CAS updates, ${IN_FLIGHT} in flight, ${VALUE_SIZE} B values, ${ROUNDS} interleaved rounds`);
  const redis = await startRedis({ fsync: "always" });
  let etcd: Awaited<ReturnType<typeof startEtcd>> | undefined;
  let store: RedisStore | undefined;
  let etcdClient: Etcd3 | undefined;
  let admin: Redis | undefined;
  const watchAbort = new AbortController();
  try {
    etcd = await startEtcd();
    console.log(`redis-server on ${redis.url} (appendfsync always), etcd on ${etcd.url} (fsync per commit)`);
    store = await RedisStore.connect(redis.url);
    admin = new Redis(redis.url);
    etcdClient = new Etcd3({ hosts: etcd.url });
    const s = store;
    const e = etcdClient;
    const a = admin;

    // The watcher: every store write is an event; count what it receives.
    let watched = 0;
    const watchStart = await s.currentRevision();
    const watching = (async () => {
      for await (const ev of s.watch("/bench/", watchStart, { signal: watchAbort.signal })) {
        watched++;
        void ev;
      }
    })();

    // Warm up both, and size the etcd phases to ~ETCD_PHASE_SECONDS.
    console.log("warm-up:");
    await runPhase("redis warm-up", 2000, async (i) => void (await s.create(`/bench/warm/k${i}`, value(i))));
    const warm = await runPhase("etcd warm-up", 1000, async (i) => {
      const k = `/bench/warm/k${i}`;
      const r = await e.if(k, "Create", "==", 0).then(e.put(k).value(value(i))).commit();
      if (!r.succeeded) throw new Error(`etcd create ${k} failed`);
    });
    const nRedis = Number(process.env.STORE_BENCH_N ?? 20_000);
    const nEtcd = Number(process.env.STORE_BENCH_ETCD_N ?? Math.max(2000, Math.min(30_000, Math.round((warm.opsPerSec * ETCD_PHASE_SECONDS) / 1000) * 1000)));
    console.log(`ops per phase: redis ${fmt(nRedis)}, etcd ${fmt(nEtcd)}`);

    const results: Record<string, PhaseResult[]> = { "redis create": [], "redis update": [], "etcd create": [], "etcd update": [] };
    const ratios: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(`round ${round}/${ROUNDS}:`);
      const rRevs = new Array<number>(nRedis);
      const eRevs = new Array<number>(nEtcd);
      const rc = await storePhase(a, `redis create r${round}`, nRedis, async (i) => {
        rRevs[i] = (await s.create(`/bench/r${round}/k${i}`, value(i))).modRevision;
      });
      const ec = await runPhase(`etcd create r${round}`, nEtcd, async (i) => {
        const k = `/bench/r${round}/k${i}`;
        const r = await e.if(k, "Create", "==", 0).then(e.put(k).value(value(i))).commit();
        if (!r.succeeded) throw new Error(`etcd create ${k} failed`);
        eRevs[i] = Number(r.header.revision);
      });
      const ru = await storePhase(a, `redis update r${round}`, nRedis, async (i) => {
        await s.update(`/bench/r${round}/k${i}`, value(i + 1), rRevs[i]);
      });
      const eu = await runPhase(`etcd update r${round}`, nEtcd, async (i) => {
        const k = `/bench/r${round}/k${i}`;
        const r = await e.if(k, "Mod", "==", eRevs[i]).then(e.put(k).value(value(i + 1))).commit();
        if (!r.succeeded) throw new Error(`etcd update ${k} failed (stale modRevision)`);
      });
      results["redis create"].push(rc);
      results["etcd create"].push(ec);
      results["redis update"].push(ru);
      results["etcd update"].push(eu);
      const redisRate = (rc.ops + ru.ops) / (rc.seconds + ru.seconds);
      const etcdRate = (ec.ops + eu.ops) / (ec.seconds + eu.seconds);
      ratios.push(redisRate / etcdRate);
      console.log(`  round ${round}: store ${fmt(redisRate)} ops/s, etcd ${fmt(etcdRate)} ops/s, ratio ${fmt(redisRate / etcdRate, 1)}x; watcher has ${fmt(watched)} events`);
    }

    // The watcher must see every store write of the run.
    const expected = (await s.currentRevision()) - watchStart;
    for (let i = 0; i < 600 && watched < expected; i++) await new Promise((r) => setTimeout(r, 50));
    console.log(`store watcher received ${fmt(watched)} of ${fmt(expected)} events written during the run`);
    watchAbort.abort();
    await watching;

    console.log("medians over rounds:");
    for (const [label, rs] of Object.entries(results)) {
      console.log(
        `  ${label.padEnd(13)} ${fmt(median(rs.map((r) => r.opsPerSec))).padStart(8)} ops/s  p50 ${fmt(median(rs.map((r) => r.p50)), 2).padStart(7)} ms  p99 ${fmt(median(rs.map((r) => r.p99)), 2).padStart(7)} ms`,
      );
    }
    for (const l of ["redis create", "redis update"]) {
      const rs = results[l];
      console.log(
        `  ${l} cpu per op (medians): bench+client+watcher ${fmt(median(rs.map((r) => r.nodeUs ?? 0)), 1)} µs, redis-server ${fmt(median(rs.map((r) => r.redisUs ?? 0)), 1)} µs; ${fmt(median(rs.map((r) => r.opsPerBatch ?? 0)), 1)} ops per script call`,
      );
    }
    const med = (l: string) => median(results[l].map((r) => r.opsPerSec));
    console.log(`  create ratio ${fmt(med("redis create") / med("etcd create"), 1)}x, update ratio ${fmt(med("redis update") / med("etcd update"), 1)}x`);
    console.log(`store/etcd write throughput: ${median(ratios).toFixed(1)}x`);
  } finally {
    watchAbort.abort();
    etcdClient?.close();
    admin?.disconnect();
    await store?.close();
    await etcd?.stop();
    await redis.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
