/**
 * api-bench: latency and throughput of the Kubernetes REST API over HTTP, on a whole local
 * cluster (startCluster: nats-server, redis-server, a relay and one API server process).
 *
 * Operations, each at 1, 16 and 64 concurrent clients (keep-alive agents), on ConfigMaps:
 * - create: POST a new ConfigMap (~250 B of data);
 * - get: GET one of the ConfigMaps the create phase made;
 * - list: GET a namespace holding 1,000 ConfigMaps (one page, no limit);
 * - patch: merge patch of one label on one of the created ConfigMaps;
 * - watch: delivery latency, from just before a create is sent to its ADDED event arriving on a
 *   watch stream opened over HTTP on the same replica (includes the create's own latency);
 * - watch commit: the issue's definition, "commit to a watcher on the other side of HTTP": while
 *   the clients above create over HTTP, a probe (bench/watch-probe.ts, in a worker thread so the
 *   load generator's own event loop does not delay it) writes straight to the store one object
 *   at a time; each is timed from its commit — the moment the store makes it visible to readers,
 *   seen by the probe's own blocking read of the store's log (Redis releases it after the
 *   write's AOF fsync, to every reader at once: the relay reads the same way) — to its ADDED
 *   event read from the probe's HTTP watch;
 * - watch write: the same events timed from just before the probe's store write is sent (adds
 *   the write's queueing in the store's group commit and its fsync: an upper bound);
 * - bus commit: commit to the change event on the bus (the relay's hop and NATS): what actors'
 *   informers see; the API server's watch cache reads the store's log itself, without this hop;
 * - probe write: the store round trip of each probe write (the commit lies within it);
 * - store create: RedisStore.create in this process at the same concurrency (no HTTP, no
 *   validation, no encoding round trip): the API's overhead is the ratio of create p50s.
 * Each phase runs for a fixed time (BENCH_SECONDS, default 3). The issue's goals are printed with
 * whether they are met: p99 of a mutating call (create, patch) under 20 ms at 16 clients, and
 * watch delivery p99 under 10 ms (at 16 clients).
 *
 * Run: `npm run bench:api` (about 1-2 minutes).
 */
import http from "node:http";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { encodeStored } from "../services/schema/index.js";
import { objectKey } from "../services/store/object-keys.js";
import { RedisStore } from "../services/store/index.js";
import { join } from "node:path";
import { spawnActor } from "../test/harness/actor-process.js";
import { startCluster } from "../test/harness/cluster.js";
import { openWatch, type ProbeInput, type ProbeResult } from "./watch-probe.js";

const CLIENTS = [1, 16, 64];
const PHASE_SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const LIST_SIZE = 1000;
const MUTATION_GOAL_MS = 20;
const WATCH_GOAL_MS = 10;
const GOAL_CLIENTS = 16;
const DATA = { payload: "x".repeat(250) };

interface PhaseResult {
  op: string;
  clients: number;
  ops: number;
  errors: number;
  opsPerSec: number;
  p50: number;
  p99: number;
}

interface Reply {
  status: number;
  body: string;
}

function request(base: URL, agent: http.Agent | false, method: string, path: string, body?: unknown, contentType = "application/json"): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string | number> = { Accept: "application/json" };
    if (text !== undefined) Object.assign(headers, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(text) });
    const req = http.request({ host: base.hostname, port: base.port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
    req.on("error", reject);
    req.end(text);
  });
}

async function expectStatus(p: Promise<Reply>, code: number): Promise<Reply> {
  const r = await p;
  if (r.status !== code) throw new Error(`expected ${code}, got ${r.status}: ${r.body.slice(0, 200)}`);
  return r;
}

function configMap(namespace: string, name: string): object {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace, labels: { bench: "api" } }, data: DATA };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summarize(op: string, clients: number, latencies: number[], errors: number, seconds: number): PhaseResult {
  const sorted = [...latencies].sort((a, b) => a - b);
  const r = { op, clients, ops: sorted.length, errors, opsPerSec: sorted.length / seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  console.log(`  ${op.padEnd(12)} c=${String(clients).padStart(2)}: ${fmt(r.opsPerSec)} ops/s, p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms (${r.ops} ops${errors ? `, ${errors} errors` : ""})`);
  return r;
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toFixed(digits) : "-";
}

/** Starts the commit → HTTP watcher probe (bench/watch-probe.ts) in a worker thread; `stop` ends it and returns its latencies. */
async function startProbe(input: ProbeInput): Promise<{ stop(): Promise<ProbeResult> }> {
  const worker = new Worker(new URL("./watch-probe.js", import.meta.url), { workerData: input });
  const failed = new Promise<never>((_, reject) => worker.once("error", reject));
  const next = () => Promise.race([new Promise<unknown>((res) => worker.once("message", res)), failed]);
  await next();
  return {
    async stop() {
      worker.postMessage("stop");
      const result = (await next()) as ProbeResult;
      await worker.terminate();
      return result;
    },
  };
}

/** Runs `op` from `clients` loops for `seconds`; each call's latency is recorded (or measured by `op` itself). */
async function timed(clients: number, seconds: number, op: (n: number) => Promise<void>): Promise<{ latencies: number[]; errors: number; elapsed: number; firstError?: unknown }> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: unknown;
  let next = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const n = next++;
        const t = performance.now();
        try {
          await op(n);
          latencies.push(performance.now() - t);
        } catch (err) {
          errors++;
          firstError ??= err;
        }
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  if (firstError) console.log(`    first error: ${(firstError as Error).message}`);
  return { latencies, errors, elapsed, ...(firstError ? { firstError } : {}) };
}

async function main(): Promise<void> {
  console.log(`api-bench: ConfigMaps over HTTP at ${CLIENTS.join(", ")} clients, ${PHASE_SECONDS} s per phase, list of ${LIST_SIZE}`);
  const cluster = await startCluster({ apiservers: 1, relays: 1 });
  const apiArgs = (process.env.BENCH_APISERVER_ARGS ?? "").split(" ").filter(Boolean);
  if (apiArgs.length) {
    // Restart the API server with these node flags (e.g. --trace-gc, --cpu-prof); its log stays in the cluster dir.
    const h = cluster.apiservers[0]!;
    await h.kill("SIGKILL");
    const env = { NATS_URL: cluster.nats.url, REDIS_URL: cluster.redis.url, LOG_LEVEL: "warn", RELAY_LEASE_MS: "1000", K8S_API_PORT: new URL(cluster.apiUrls[0]!).port };
    cluster.apiservers[0] = spawnActor("apiserver", h.name, env, join(cluster.dir, `${h.name}-args.log`), apiArgs);
    await cluster.waitReady(0);
    console.log(`API server restarted with ${apiArgs.join(" ")}; log: ${join(cluster.dir, `${h.name}-args.log`)}`);
  }
  const base = new URL(cluster.apiUrls[0]!);
  const store = await RedisStore.connect(cluster.redis.url);
  const results: PhaseResult[] = [];
  const setupAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  try {
    for (const ns of ["bench", "bench-list", "bench-watch"]) {
      await expectStatus(request(base, setupAgent, "POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }), 201);
    }
    console.log(`setup: ${LIST_SIZE} ConfigMaps in bench-list, warm-up`);
    let made = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (made < LIST_SIZE) {
          const i = made++;
          await expectStatus(request(base, setupAgent, "POST", "/api/v1/namespaces/bench-list/configmaps", configMap("bench-list", `item-${i}`)), 201);
        }
      }),
    );
    await timed(16, 1, (n) => expectStatus(request(base, setupAgent, "POST", "/api/v1/namespaces/bench/configmaps", configMap("bench", `warm-${n}`)), 201).then(() => undefined));
    await timed(4, 1, () => expectStatus(request(base, setupAgent, "GET", "/api/v1/namespaces/bench-list/configmaps"), 200).then(() => undefined));

    for (const clients of CLIENTS) {
      console.log(`${clients} client${clients > 1 ? "s" : ""}:`);
      const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
      const names: string[] = [];
      const cm = (name: string) => `/api/v1/namespaces/bench/configmaps/${name}`;

      let r = await timed(clients, PHASE_SECONDS, async (n) => {
        const name = `c${clients}-${n}`;
        await expectStatus(request(base, agent, "POST", "/api/v1/namespaces/bench/configmaps", configMap("bench", name)), 201);
        names.push(name);
      });
      results.push(summarize("create", clients, r.latencies, r.errors, r.elapsed));

      r = await timed(clients, PHASE_SECONDS, async (n) => {
        await expectStatus(request(base, agent, "GET", cm(names[n % names.length]!)), 200);
      });
      results.push(summarize("get", clients, r.latencies, r.errors, r.elapsed));

      r = await timed(clients, PHASE_SECONDS, async () => {
        const reply = await expectStatus(request(base, agent, "GET", "/api/v1/namespaces/bench-list/configmaps"), 200);
        if (!reply.body.includes(`"item-${LIST_SIZE - 1}"`)) throw new Error("list is missing items");
      });
      results.push(summarize("list(1000)", clients, r.latencies, r.errors, r.elapsed));

      r = await timed(clients, PHASE_SECONDS, async (n) => {
        const patch = { metadata: { labels: { step: String(n) } } };
        await expectStatus(request(base, agent, "PATCH", cm(names[n % names.length]!), patch, "application/merge-patch+json"), 200);
      });
      results.push(summarize("patch", clients, r.latencies, r.errors, r.elapsed));

      // Watch delivery: the stream is opened from the namespace's current revision (no initial ADDED burst).
      const listed = JSON.parse((await expectStatus(request(base, agent, "GET", "/api/v1/namespaces/bench-watch/configmaps?limit=1"), 200)).body) as { metadata: { resourceVersion: string } };
      const sentAt = new Map<string, number>();
      const delivery: number[] = [];
      const watch = await openWatch(base, `/api/v1/namespaces/bench-watch/configmaps?watch=1&resourceVersion=${listed.metadata.resourceVersion}`, (type, name, at) => {
        if (type !== "ADDED") return;
        const t = sentAt.get(name);
        if (t === undefined) return;
        delivery.push(at - t);
        sentAt.delete(name);
      });
      const probe = await startProbe({ apiUrl: cluster.apiUrls[0]!, redisUrl: cluster.redis.url, natsUrl: cluster.nats.url, namespace: "bench-watch", resourceVersion: listed.metadata.resourceVersion, prefix: `probe${clients}` });
      let sent = 0;
      r = await timed(clients, PHASE_SECONDS, async (n) => {
        const name = `w${clients}-${n}`;
        sentAt.set(name, performance.now());
        sent++;
        await expectStatus(request(base, agent, "POST", "/api/v1/namespaces/bench-watch/configmaps", configMap("bench-watch", name)), 201);
      });
      const probed = await probe.stop();
      const waitUntil = performance.now() + 5000;
      while (delivery.length < sent - r.errors && performance.now() < waitUntil) await new Promise((res) => setTimeout(res, 20));
      watch.destroy();
      const missing = sent - r.errors - delivery.length;
      if (missing > 0) console.log(`    ${missing} events did not arrive within 5 s`);
      results.push(summarize("watch", clients, delivery, missing, r.elapsed));
      results.push(summarize("watch commit", clients, probed.latencies, probed.probes - probed.latencies.length, r.elapsed));
      results.push(summarize("watch write", clients, probed.writeLatencies, probed.probes - probed.writeLatencies.length, r.elapsed));
      results.push(summarize("bus commit", clients, probed.busLatencies, probed.probes - probed.busLatencies.length, r.elapsed));
      results.push(summarize("probe write", clients, probed.storeLatencies, 0, r.elapsed));

      const value = encodeStored("ConfigMap", { metadata: { name: "raw", namespace: "bench-raw", labels: { bench: "api" } }, data: DATA });
      r = await timed(clients, PHASE_SECONDS, async (n) => {
        await store.create(objectKey("configmaps", "bench-raw", `r${clients}-${n}`), value);
      });
      results.push(summarize("store create", clients, r.latencies, r.errors, r.elapsed));
      agent.destroy();
    }

    console.log("");
    console.log("op            clients    ops/s   p50 ms   p99 ms      ops  errors");
    for (const x of results) {
      console.log(`${x.op.padEnd(13)} ${String(x.clients).padStart(7)} ${fmt(x.opsPerSec).padStart(8)} ${fmt(x.p50, 2).padStart(8)} ${fmt(x.p99, 2).padStart(8)} ${String(x.ops).padStart(8)} ${String(x.errors).padStart(7)}`);
    }
    console.log("");
    const at = (op: string, c: number) => results.find((x) => x.op === op && x.clients === c)!;
    for (const c of CLIENTS) {
      console.log(`API overhead at ${c} client${c > 1 ? "s" : ""}: create p50 ${fmt(at("create", c).p50, 2)} ms / store create p50 ${fmt(at("store create", c).p50, 2)} ms = ${fmt(at("create", c).p50 / at("store create", c).p50, 1)}x`);
    }
    const mutP99 = Math.max(at("create", GOAL_CLIENTS).p99, at("patch", GOAL_CLIENTS).p99);
    const watchP99 = at("watch commit", GOAL_CLIENTS).p99;
    console.log(`goal: mutating call p99 < ${MUTATION_GOAL_MS} ms at ${GOAL_CLIENTS} clients: ${fmt(mutP99, 2)} ms (create ${fmt(at("create", GOAL_CLIENTS).p99, 2)}, patch ${fmt(at("patch", GOAL_CLIENTS).p99, 2)}) - ${mutP99 < MUTATION_GOAL_MS ? "MET" : "NOT MET"}`);
    console.log(
      `goal: watch delivery (commit → HTTP watcher) p99 < ${WATCH_GOAL_MS} ms at ${GOAL_CLIENTS} clients: ${fmt(watchP99, 2)} ms - ${watchP99 < WATCH_GOAL_MS ? "MET" : "NOT MET"} (1 client: ${fmt(at("watch commit", 1).p99, 2)} ms; from before the store write is sent: ${fmt(at("watch write", GOAL_CLIENTS).p99, 2)} ms; from before an HTTP create is sent: ${fmt(at("watch", GOAL_CLIENTS).p99, 2)} ms)`,
    );
    console.log(
      `  for comparison at ${GOAL_CLIENTS} clients: commit → bus (relay, NATS: what actors' informers see) p99 ${fmt(at("bus commit", GOAL_CLIENTS).p99, 2)} ms; a probe write's own store round trip p99 ${fmt(at("probe write", GOAL_CLIENTS).p99, 2)} ms`,
    );
  } finally {
    setupAgent.destroy();
    await store.close().catch(() => undefined);
    await cluster.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
