/**
 * watch-probe: the "commit → HTTP watcher" measurement of api-bench, in a worker thread of its
 * own, so that the load the bench generates on its main thread (HTTP clients parsing replies)
 * does not delay the probe's writes or the reading of its events.
 *
 * It opens an HTTP watch on `namespace` from `resourceVersion`, warms up (WARM_UP_MS of untimed
 * writes), then, until told to stop, writes one ConfigMap at a time straight to the store (2 ms
 * apart) and times each from just before its store write (the store round trip counts) to its
 * ADDED event read from the HTTP response. Posts `{ latencies, busLatencies, apiLatencies,
 * probes }` when done: `busLatencies` time the same writes to their change event arriving on
 * the bus (subscribed as the API server subscribes), the relay's hop; `apiLatencies` time each
 * event from its arrival on the bus (here) to its arrival over HTTP: the API server's part
 * (informer, fan-out, HTTP write) and the HTTP hop; `storeLatencies` time each write's own
 * store round trip.
 */
import http from "node:http";
import { performance } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import { storeListWatch } from "../services/apiserver/store-source.js";
import { Bus } from "../services/kernel/index.js";
import { encodeStored } from "../services/schema/index.js";
import { objectKey } from "../services/store/object-keys.js";
import { RedisStore } from "../services/store/index.js";

/** A watch stream over HTTP; calls onEvent with each event's type and object name as it arrives. */
export function openWatch(base: URL, path: string, onEvent: (type: string, name: string, at: number) => void): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: base.hostname, port: base.port, method: "GET", path, agent: false, headers: { Accept: "application/json" } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`watch: ${res.statusCode}`));
      let buf = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        const at = performance.now();
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (!line) continue;
          const e = JSON.parse(line) as { type: string; object: { metadata?: { name?: string } } };
          onEvent(e.type, e.object?.metadata?.name ?? "", at);
        }
      });
      res.on("error", () => undefined);
      resolve(req);
    });
    req.on("error", (err) => reject(err));
    req.end();
  });
}

const WARM_UP_MS = 500;

export interface ProbeInput {
  apiUrl: string;
  redisUrl: string;
  natsUrl: string;
  namespace: string;
  resourceVersion: string;
  prefix: string;
}

export interface ProbeResult {
  latencies: number[];
  busLatencies: number[];
  apiLatencies: number[];
  /** Each timed store write's own round trip (the commit lies within it). */
  storeLatencies: number[];
  probes: number;
}

async function run(input: ProbeInput): Promise<void> {
  const store = await RedisStore.connect(input.redisUrl);
  const base = new URL(input.apiUrl);
  const probeAt = new Map<string, number>();
  const latencies: number[] = [];
  const bus = await Bus.connect({ servers: input.natsUrl, name: "watch-probe" });
  const busAt = new Map<string, number>();
  const busLatencies: number[] = [];
  const arrivedOnBus = new Map<string, number>();
  const arrivedOverHttp = new Map<string, number>();
  const storeLatencies: number[] = [];
  const unsubscribe = storeListWatch(store, bus, "configmaps").subscribe((events) => {
    const now = performance.now();
    for (const e of events) {
      const t = e.type === "ADDED" ? busAt.get(e.key) : undefined;
      if (t === undefined) continue;
      busLatencies.push(now - t);
      busAt.delete(e.key);
      arrivedOnBus.set(e.key.slice(e.key.lastIndexOf("/") + 1), now);
    }
  });
  const req = await openWatch(base, `/api/v1/namespaces/${input.namespace}/configmaps?watch=1&resourceVersion=${input.resourceVersion}`, (type, name, at) => {
    const t = type === "ADDED" ? probeAt.get(name) : undefined;
    if (t === undefined) return;
    latencies.push(at - t);
    probeAt.delete(name);
    arrivedOverHttp.set(name, at);
  });
  const write = async (name: string, timed: boolean) => {
    const value = encodeStored("ConfigMap", { metadata: { name, namespace: input.namespace, uid: name, creationTimestamp: "2026-01-01T00:00:00Z" }, data: { payload: "x".repeat(250) } });
    const key = objectKey("configmaps", input.namespace, name);
    const t = performance.now();
    if (timed) {
      probeAt.set(name, t);
      busAt.set(key, t);
    }
    await store.create(key, value);
    if (timed) storeLatencies.push(performance.now() - t);
    await new Promise((res) => setTimeout(res, 2));
  };
  // Warm-up, not timed: this thread's code, and the API server's and relay's watch paths, get compiled.
  const warmUntil = performance.now() + WARM_UP_MS;
  for (let i = 0; performance.now() < warmUntil; i++) await write(`${input.prefix}-warm-${i}`, false);
  await new Promise((res) => setTimeout(res, 50));
  let stop = false;
  parentPort!.once("message", () => (stop = true));
  parentPort!.postMessage("ready");
  let probes = 0;
  while (!stop) await write(`${input.prefix}-${probes++}`, true);
  const until = performance.now() + 5000;
  while (latencies.length < probes && performance.now() < until) await new Promise((res) => setTimeout(res, 20));
  req.destroy();
  unsubscribe();
  // Negative when the HTTP event was read before the bus one (both are read on this thread).
  const apiLatencies = [...arrivedOverHttp].flatMap(([name, at]) => (arrivedOnBus.has(name) ? [at - arrivedOnBus.get(name)!] : []));
  await bus.close();
  await store.close();
  parentPort!.postMessage({ latencies, busLatencies, apiLatencies, storeLatencies, probes } satisfies ProbeResult);
}

if (parentPort) void run(workerData as ProbeInput);
