/** StoreLogTail against a real Redis: per-resource demultiplexing, order, and no loss across a killed read connection or a compaction. */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { Informer } from "../client/index.js";
import { logger } from "../kernel/log.js";
import { startRedis, type LocalServer } from "../kernel/local-servers.js";
import { waitFor } from "../kernel/testkit.js";
import { RedisStore } from "../store/index.js";
import { StoreLogTail } from "./store-source.js";

let redis: LocalServer;
let store: RedisStore;
before(async () => {
  redis = await startRedis();
  store = await RedisStore.connect(redis.url);
});
after(async () => {
  await store.close();
  await redis.stop();
});

const text = (v: Uint8Array) => Buffer.from(v).toString();

test("store log tail - each resource's informer gets its own events in order; a killed read connection and a compaction lose nothing", async () => {
  const tail = new StoreLogTail(store, logger("tail-test"));
  const seen = new Map<string, string[]>([["things", []], ["others", []]]);
  const informers = ["things", "others"].map((r) => {
    const inf = new Informer<string>(tail.source(r), (v) => text(v), { resyncCheckMs: 200 });
    inf.addHandlers({ onEvent: (type, c) => seen.get(r)!.push(`${type} ${c.key}`) });
    return inf;
  });
  await Promise.all(informers.map((i) => i.start()));
  const admin = new Redis(redis.url);
  const killTailReads = async () => {
    const list = (await admin.call("CLIENT", "LIST")) as string;
    for (const id of list.split("\n").filter((l) => /\bname=store-watch\b/.test(l)).map((l) => /\bid=(\d+)/.exec(l)![1])) await admin.call("CLIENT", "KILL", "ID", id!);
  };
  try {
    for (let i = 0; i < 300; i++) {
      await store.create(`/things/ns/t${i}`, Buffer.from(`t${i}`));
      if (i % 3 === 0) await store.create(`/others/ns/o${i}`, Buffer.from(`o${i}`));
      if (i === 100) await killTailReads();
      if (i === 200) await store.compact(await store.currentRevision());
    }
    for (let i = 0; i < 300; i += 2) {
      const cur = await store.get(`/things/ns/t${i}`);
      await store.update(`/things/ns/t${i}`, Buffer.from(`t${i}!`), cur!.modRevision);
    }
    await waitFor(() => informers[0]!.size === 300 && informers[0]!.list().filter((c) => c.object.endsWith("!")).length === 150, "things converge");
    await waitFor(() => informers[1]!.size === 100, "others converge");
    assert.ok(seen.get("things")!.every((e) => e.includes(" /things/")), "only its own resource");
    assert.ok(seen.get("others")!.every((e) => e.includes(" /others/")), "only its own resource");
    const things = seen.get("things")!;
    assert.equal(things.filter((e) => e.startsWith("ADDED")).length, 300, "every create seen once");
    assert.equal(things.filter((e) => e.startsWith("MODIFIED")).length, 150, "every update seen once");
  } finally {
    admin.disconnect();
    for (const i of informers) i.stop();
    tail.stop();
  }
});
