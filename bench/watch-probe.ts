/**
 * watch-probe: the "commit → HTTP watcher" measurement of api-bench, in a worker thread of its
 * own, so that the load the bench generates on its main thread (HTTP clients parsing replies)
 * does not delay the probe's writes or the reading of its events.
 *
 * It opens an HTTP watch on `namespace` from `resourceVersion`, warms up (WARM_UP_MS of untimed
 * writes), then, until told to stop, writes one ConfigMap at a time straight to the store (2 ms
 * apart) and notes, per write, when it was sent, when it became visible in the store (commit),
 * when its change event reached the bus, and when its ADDED event was read from the HTTP
 * response; posts the spans between these ({@link ProbeResult}) when done.
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
  /** Commit → HTTP watcher: from the moment the store made the write visible to readers (the probe's own store watch saw it) to its ADDED event read over HTTP. */
  latencies: number[];
  /** From just before the store write was sent (its round trip counts) to the HTTP event. */
  writeLatencies: number[];
  /** Commit → bus: store-visible to the change event arriving on the bus (the relay's hop). */
  busLatencies: number[];
  /** Each timed store write's own round trip (queueing in the store's group commit and the fsync). */
  storeLatencies: number[];
  probes: number;
}

/** When each probe write was sent, became visible in the store, reached the bus, and arrived over HTTP (performance.now() of this thread). */
interface ProbeTimes {
  sent: number;
  visible?: number;
  bus?: number;
  http?: number;
}

const nameOfKey = (key: string) => key.slice(key.lastIndexOf("/") + 1);

async function run(input: ProbeInput): Promise<void> {
  const store = await RedisStore.connect(input.redisUrl);
  const base = new URL(input.apiUrl);
  const times = new Map<string, ProbeTimes>();
  const storeLatencies: number[] = [];
  let arrivedOverHttp = 0;
  // The commit instant as readers see it: the store's own watch (a blocking read of the log, as
  // the relay's) receives the entry when Redis releases it, i.e. after the write's AOF fsync.
  const abort = new AbortController();
  const storeWatch = (async () => {
    for await (const run of store.watchRuns(`/configmaps/${input.namespace}/`, Number(input.resourceVersion), { signal: abort.signal })) {
      const now = performance.now();
      for (const e of run) {
        const t = e.type === "ADDED" ? times.get(nameOfKey(e.key)) : undefined;
        if (t && t.visible === undefined) t.visible = now;
      }
    }
  })().catch(() => undefined);
  const bus = await Bus.connect({ servers: input.natsUrl, name: "watch-probe" });
  const unsubscribe = storeListWatch(store, bus, "configmaps").subscribe((events) => {
    const now = performance.now();
    for (const e of events) {
      const t = e.type === "ADDED" ? times.get(nameOfKey(e.key)) : undefined;
      if (t && t.bus === undefined) t.bus = now;
    }
  });
  const req = await openWatch(base, `/api/v1/namespaces/${input.namespace}/configmaps?watch=1&resourceVersion=${input.resourceVersion}`, (type, name, at) => {
    const t = type === "ADDED" ? times.get(name) : undefined;
    if (!t || t.http !== undefined) return;
    t.http = at;
    arrivedOverHttp++;
  });
  const write = async (name: string, timed: boolean) => {
    const value = encodeStored("ConfigMap", { metadata: { name, namespace: input.namespace, uid: name, creationTimestamp: "2026-01-01T00:00:00Z" }, data: { payload: "x".repeat(250) } });
    const key = objectKey("configmaps", input.namespace, name);
    const sent = performance.now();
    if (timed) times.set(name, { sent });
    await store.create(key, value);
    if (timed) storeLatencies.push(performance.now() - sent);
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
  while (arrivedOverHttp < probes && performance.now() < until) await new Promise((res) => setTimeout(res, 20));
  req.destroy();
  unsubscribe();
  abort.abort();
  await bus.close();
  await store.close();
  await storeWatch;
  const all = [...times.values()];
  const span = (from: keyof ProbeTimes, to: keyof ProbeTimes) => all.flatMap((t) => (t[from] !== undefined && t[to] !== undefined ? [t[to]! - t[from]!] : []));
  parentPort!.postMessage({
    latencies: span("visible", "http"),
    writeLatencies: span("sent", "http"),
    busLatencies: span("visible", "bus"),
    storeLatencies,
    probes,
  } satisfies ProbeResult);
}

if (parentPort) void run(workerData as ProbeInput);
