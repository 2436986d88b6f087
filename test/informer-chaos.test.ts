// Informer suite (issue 2): an informer's cache converges to a fresh list of the store after
// 10,000 random writes while relay processes are SIGKILLed and restarted at random moments,
// and again after a nats-server restart and a redis-server kill -9 + restart.
import "reflect-metadata";
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNats, startRedis } from "../services/kernel/local-servers.js";
import { Bus, BusTimeoutError, NoRespondersError } from "../services/kernel/index.js";
import { ApiClient, Informer, isStatus } from "../services/client/index.js";
import { RedisStore } from "../services/store/index.js";
import { decodeStored, encodeStored } from "../services/schema/index.js";
import { spawnActor } from "./harness/actor-process.js";

const REF = { group: "", resource: "configmaps" };
const NAMESPACES = ["default", "kube-system", "team-a"];
const NAMES = 300;

/** Deterministic PRNG so a failure can be replayed (seed printed on failure). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function configMap(ns: string, name: string, n: number): Uint8Array {
  return encodeStored("ConfigMap", { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns }, data: { n: String(n) } });
}

/** Poll until `check` returns undefined (converged) or the deadline passes; returns the last difference. */
async function eventually(check: () => Promise<string | undefined>, deadlineMs: number): Promise<string | undefined> {
  const end = Date.now() + deadlineMs;
  let diff: string | undefined;
  while (Date.now() < end) {
    diff = await check();
    if (diff === undefined) return undefined;
    await new Promise((r) => setTimeout(r, 200));
  }
  return diff;
}

test("informer - cache equals a fresh list across relay kills, a NATS restart and a Redis restart", { timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "informer-chaos-"));
  const redis = await startRedis();
  const nats = await startNats();
  const env = { NATS_URL: nats.url, REDIS_URL: redis.url, RELAY_LEASE_MS: "600", LOG_LEVEL: "warn" };
  const relays = [spawnActor("relay", "relay-1", env, join(dir, "relay-1.log")), spawnActor("relay", "relay-2", env, join(dir, "relay-2.log"))];
  const apiservers = [spawnActor("apiserver", "apiserver-1", env, join(dir, "api-1.log")), spawnActor("apiserver", "apiserver-2", env, join(dir, "api-2.log"))];
  const store = await RedisStore.connect(redis.url);
  const bus = await Bus.connect({ servers: nats.url, name: "informer-chaos-test" });
  const api = new ApiClient(bus, 3_000);
  const errors: string[] = [];
  const informer = new Informer(api.listWatch(REF, "configmaps"), (v) => decodeStored(v).message, { resyncCheckMs: 2000, onError: (e) => errors.push(String(e)) });
  const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 100000);
  const random = rng(seed);
  const revisions = new Map<string, number>(); // what this writer believes; refreshed on conflict/404

  const compare = async (): Promise<string | undefined> => {
    const fresh = await store.list("/configmaps/");
    const cache = new Map(informer.list().map((c) => [c.key, c.modRevision]));
    const diffs: string[] = [];
    for (const o of fresh.items) if (cache.get(o.key) !== o.modRevision) diffs.push(`${o.key}: store rev ${o.modRevision}, informer ${cache.get(o.key)}`);
    const inStore = new Set(fresh.items.map((o) => o.key));
    for (const k of cache.keys()) if (!inStore.has(k)) diffs.push(`${k}: deleted in the store, informer rev ${cache.get(k)}`);
    if (diffs.length === 0) return undefined;
    // Enough to debug a failure: the informer's position and the log around the first difference.
    const key = diffs[0]!.split(":")[0]!;
    const history = (await store.events("/configmaps/", 0)).filter((e) => e.key === key).map((e) => `${e.type}@${e.revision}(prev ${e.prevRevision})`);
    return `${diffs.length} differ (store ${fresh.items.length}, informer ${cache.size}, informer at ${informer.revision}, store at ${fresh.revision}, stats ${JSON.stringify(informer.stats)}); first: ${diffs[0]}; its log: ${history.join(" ")}`;
  };

  /** One random write through the API; lost races (409/404) are part of the game. */
  const write = async (i: number) => {
    const ns = NAMESPACES[Math.floor(random() * NAMESPACES.length)]!;
    const name = `cm-${Math.floor(random() * NAMES)}`;
    const k = `/configmaps/${ns}/${name}`;
    const rev = revisions.get(k);
    const roll = random();
    try {
      if (rev === undefined) revisions.set(k, (await api.create(REF, ns, name, configMap(ns, name, i))).modRevision);
      else if (roll < 0.8) revisions.set(k, (await api.update(REF, ns, name, configMap(ns, name, i), rev)).modRevision);
      else {
        await api.delete(REF, ns, name, rev);
        revisions.delete(k);
      }
    } catch (err) {
      // Lost races (409/404) and requests lost while the bus reconnects (outcome unknown):
      // re-read the truth from the store and go on.
      if (isStatus(err, 409) || isStatus(err, 404) || err instanceof BusTimeoutError || err instanceof NoRespondersError) {
        const cur = await store.get(k);
        if (cur) revisions.set(k, cur.modRevision);
        else revisions.delete(k);
        return;
      }
      throw err;
    }
  };

  let kills = 0;
  /** `count` writes from 16 workers; with chaos, relays are SIGKILLed and restarted meanwhile. */
  const runWrites = async (count: number, chaos: boolean) => {
    let next = 0;
    let writing = true;
    const worker = async () => {
      while (next < count) await write(next++);
    };
    const killer = async () => {
      while (writing) {
        await new Promise((r) => setTimeout(r, 100 + random() * 400));
        const r = relays[Math.floor(random() * relays.length)]!;
        await r.kill("SIGKILL");
        kills++;
        await new Promise((res) => setTimeout(res, random() * 300));
        r.start();
      }
    };
    const k = chaos ? killer() : Promise.resolve();
    try {
      await Promise.all(Array.from({ length: 16 }, worker));
    } finally {
      writing = false;
      await k;
    }
  };

  try {
    await informer.start();
    // Phase 1: 10,000 writes while relays are killed and restarted at random moments.
    await runWrites(10_000, true);
    assert.ok(kills > 0, "the relay was never killed");
    console.log(`relay kills: ${kills}; informer repairs: ${JSON.stringify(informer.stats)}`);
    let diff = await eventually(compare, 60_000);
    assert.equal(diff, undefined, `after relay kills (seed ${seed}): ${diff}`);

    // Phase 2: restart nats-server, then write again.
    await nats.restart();
    await runWrites(500, false);
    diff = await eventually(compare, 60_000);
    assert.equal(diff, undefined, `after nats restart (seed ${seed}): ${diff}`);

    // Phase 3: kill -9 redis-server and restart it (AOF keeps every acknowledged write).
    await redis.kill("SIGKILL");
    await redis.restart();
    await runWrites(500, false);
    diff = await eventually(compare, 60_000);
    assert.equal(diff, undefined, `after redis restart (seed ${seed}): ${diff}`);
  } finally {
    informer.stop();
    await bus.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    await Promise.all([...relays, ...apiservers].map((p) => p.kill("SIGKILL")));
    await nats.stop();
    await redis.stop();
    if (!process.env.KEEP_LOGS) rmSync(dir, { recursive: true, force: true });
    else console.log("logs in", dir);
  }
});
