/**
 * Conformance tests of the store's etcd contract against a real redis-server (AOF, fsync always).
 * Each test uses its own key prefix on the shared server; the kill -9 test has its own server.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { startRedis, type LocalServer } from "../kernel/local-servers.js";
import {
  AlreadyExistsError,
  CompactedError,
  ConflictError,
  InvalidRequestError,
  NotFoundError,
  RedisStore,
  StoreUnavailableError,
  resourceOf,
  type ChangeEvent,
} from "./index.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

let server: LocalServer;
let n = 0;
const stores: RedisStore[] = [];

/** A store on the shared test server with a fresh key prefix (an empty store). */
async function freshStore(prefix?: string): Promise<RedisStore> {
  const s = await RedisStore.connect(server.url, { prefix: prefix ?? `t${++n}` });
  stores.push(s);
  return s;
}

/** Collects `count` events from a watch, then aborts it. */
async function collect(store: RedisStore, prefix: string, from: number, count: number, onEvent?: (ev: ChangeEvent, i: number) => void | Promise<void>, onResume?: () => void): Promise<ChangeEvent[]> {
  const ac = new AbortController();
  const out: ChangeEvent[] = [];
  for await (const ev of store.watch(prefix, from, { signal: ac.signal, onResume })) {
    out.push(ev);
    await onEvent?.(ev, out.length);
    if (out.length === count) ac.abort();
  }
  return out;
}

before(async () => {
  server = await startRedis();
});

after(async () => {
  for (const s of stores) await s.close();
  await server.stop();
});

test("store - resourceOf is the first key segment", () => {
  assert.equal(resourceOf("/pods/default/web"), "pods");
  assert.equal(resourceOf("/nodes/n1"), "nodes");
  assert.equal(resourceOf("/namespaces"), "namespaces");
  assert.equal(resourceOf("leases/x"), "leases");
});

test("store - create, get, update, delete follow compare-and-swap rules", async () => {
  const s = await freshStore();
  assert.equal(await s.currentRevision(), 0);
  assert.equal(await s.get("/pods/ns/a"), undefined);

  const a = await s.create("/pods/ns/a", enc("v1"));
  assert.deepEqual([a.modRevision, a.createRevision], [1, 1]);
  await assert.rejects(s.create("/pods/ns/a", enc("again")), AlreadyExistsError);

  const got = await s.get("/pods/ns/a");
  assert.ok(got);
  assert.equal(dec(got.value), "v1");
  assert.deepEqual([got.modRevision, got.createRevision], [1, 1]);

  const b = await s.update("/pods/ns/a", enc("v2"), 1);
  assert.deepEqual([b.modRevision, b.createRevision], [2, 1]);
  await assert.rejects(s.update("/pods/ns/a", enc("stale"), 1), (e: unknown) => e instanceof ConflictError && e.actual === 2 && e.expected === 1);
  await assert.rejects(s.update("/pods/ns/missing", enc("x"), 1), NotFoundError);
  await assert.rejects(s.delete("/pods/ns/a", 1), ConflictError);
  await assert.rejects(s.delete("/pods/ns/missing"), NotFoundError);
  assert.equal(dec((await s.get("/pods/ns/a"))!.value), "v2");

  const d = await s.delete("/pods/ns/a", 2);
  assert.equal(dec(d.value), "v2", "delete returns the last value");
  assert.deepEqual([d.modRevision, d.createRevision], [3, 1]);
  assert.equal(await s.get("/pods/ns/a"), undefined);
  assert.equal(await s.currentRevision(), 3);

  // Binary values round-trip byte for byte; a re-created key starts a new createRevision.
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
  const c = await s.create("/pods/ns/a", bytes);
  assert.equal(c.createRevision, 4);
  assert.deepEqual(new Uint8Array((await s.get("/pods/ns/a"))!.value), bytes);
  const unconditional = await s.delete("/pods/ns/a");
  assert.equal(unconditional.modRevision, 5);

  const evs = await s.events("/pods/", 0);
  assert.deepEqual(evs.map((e) => [e.type, e.revision]), [["ADDED", 1], ["MODIFIED", 2], ["DELETED", 3], ["ADDED", 4], ["DELETED", 5]]);
  assert.equal(dec(evs[2].value), "v2", "DELETED carries the last value");
});

test("store - txn is all or nothing, with consecutive revisions", async () => {
  const s = await freshStore();
  const node = await s.create("/nodes/n1", enc("cap=4"));
  const pod = await s.create("/pods/ns/p", enc("unbound"));

  // A failing check in the middle leaves nothing written and no revision or event used.
  await assert.rejects(
    s.txn([
      { op: "create", key: "/pods/ns/q", value: enc("new") },
      { op: "update", key: "/pods/ns/p", value: enc("bound"), expectedModRevision: pod.modRevision },
      { op: "check", key: "/nodes/n1", expectedModRevision: node.modRevision + 10 },
    ]),
    (e: unknown) => e instanceof ConflictError && e.key === "/nodes/n1",
  );
  await assert.rejects(s.txn([{ op: "update", key: "/pods/ns/p", value: enc("x"), expectedModRevision: pod.modRevision }, { op: "create", key: "/nodes/n1", value: enc("dup") }]), AlreadyExistsError);
  await assert.rejects(s.txn([{ op: "create", key: "/pods/ns/q", value: enc("x") }, { op: "delete", key: "/pods/ns/none" }]), NotFoundError);
  await assert.rejects(s.txn([{ op: "check", key: "/pods/ns/q", expectedModRevision: 0 }, { op: "update", key: "/pods/ns/p", value: enc("x"), expectedModRevision: 99 }]), ConflictError);
  await assert.rejects(s.txn([{ op: "create", key: "/pods/ns/z", value: enc("x") }, { op: "delete", key: "/pods/ns/z" }]), InvalidRequestError);
  assert.equal(await s.get("/pods/ns/q"), undefined);
  assert.equal(await s.get("/pods/ns/z"), undefined);
  assert.equal(dec((await s.get("/pods/ns/p"))!.value), "unbound");
  assert.equal(await s.currentRevision(), 2);
  assert.equal((await s.events("/", 0)).length, 2);

  // Success: one result per write op (checks give none), consecutive revisions.
  const res = await s.txn([
    { op: "check", key: "/pods/ns/q", expectedModRevision: 0 },
    { op: "update", key: "/pods/ns/p", value: enc("bound"), expectedModRevision: pod.modRevision },
    { op: "update", key: "/nodes/n1", value: enc("cap=3"), expectedModRevision: node.modRevision },
    { op: "create", key: "/pods/ns/q", value: enc("new") },
  ]);
  assert.deepEqual(res.map((r) => [r.key, r.modRevision]), [["/pods/ns/p", 3], ["/nodes/n1", 4], ["/pods/ns/q", 5]]);
  assert.equal(dec((await s.get("/nodes/n1"))!.value), "cap=3");
  const del = await s.txn([{ op: "delete", key: "/pods/ns/p", expectedModRevision: 3 }, { op: "check", key: "/nodes/n1", expectedModRevision: 4 }]);
  assert.equal(dec(del[0].value), "bound");
  assert.equal(del[0].modRevision, 6);
  assert.deepEqual((await s.events("/", 2)).map((e) => e.revision), [3, 4, 5, 6]);
});

test("store - list pages by prefix at a consistent revision", async () => {
  const s = await freshStore();
  for (let i = 0; i < 25; i++) await s.create(`/pods/a/p${String(i).padStart(2, "0")}`, enc(`a${i}`));
  for (let i = 0; i < 5; i++) await s.create(`/pods/b/p${i}`, enc(`b${i}`));
  await s.create("/podsx/a/p00", enc("other resource"));
  await s.create("/pods/a", enc("not under /pods/a/"));

  const all = await s.list("/pods/a/");
  assert.equal(all.items.length, 25);
  assert.equal(all.more, false);
  assert.equal(all.revision, await s.currentRevision());
  assert.deepEqual(all.items.map((o) => o.key), [...all.items.map((o) => o.key)].sort());
  assert.equal(dec(all.items[3].value), "a3");
  assert.equal(all.items[3].modRevision, 4);

  const keys: string[] = [];
  let startAfter: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await s.list("/pods/a/", { limit: 10, startAfter });
    pages++;
    keys.push(...page.items.map((o) => o.key));
    if (!page.more) break;
    assert.equal(page.items.length, 10);
    startAfter = page.items[page.items.length - 1].key;
  }
  assert.equal(pages, 3);
  assert.deepEqual(keys, all.items.map((o) => o.key));

  assert.equal((await s.list("/pods/")).items.length, 31);
  assert.deepEqual((await s.list("/pods/", { startAfter: "/pods/a/p99" })).items.map((o) => o.key), ["/pods/b/p0", "/pods/b/p1", "/pods/b/p2", "/pods/b/p3", "/pods/b/p4"]);
  assert.equal((await s.list("/pods/b/", { startAfter: "/a" })).items.length, 5, "startAfter below the prefix starts at the prefix");
  assert.equal((await s.list("/nothing/")).items.length, 0);

  // The list revision moves with writes; the items are those at that revision.
  await s.update("/pods/b/p1", enc("b1'"), 27);
  await s.delete("/pods/b/p2");
  const later = await s.list("/pods/b/");
  assert.equal(later.revision, 34);
  assert.deepEqual(later.items.map((o) => [o.key, o.modRevision]), [["/pods/b/p0", 26], ["/pods/b/p1", 33], ["/pods/b/p3", 29], ["/pods/b/p4", 30]]);
});

test("store - 8 concurrent writers and a watcher: 8,000 changes, in order, once each", async () => {
  const prefix = `t${++n}`;
  const watcherStore = await freshStore(prefix);
  let writersMade = 0;
  const writers = await Promise.all(
    Array.from({ length: 8 }, async () => {
      // Two pooled connections each (reads may use either); half the writers allow two batches in flight.
      const w = await RedisStore.connect(server.url, { prefix, connections: 2, batch: { maxInFlight: 1 + (writersMade++ % 2) } });
      stores.push(w);
      return w;
    }),
  );
  const start = await watcherStore.currentRevision();
  const watched = collect(watcherStore, "/items/", start, 8000);

  const acked = new Map<number, { key: string; value: string }>();
  await Promise.all(
    writers.map(async (w, wi) => {
      const revs: number[] = [];
      for (let j = 0; j < 1000; j++) {
        const key = `/items/w${wi}/k${j % 100}`;
        const value = `w${wi}-${j}`;
        const obj = j < 100 ? await w.create(key, enc(value)) : await w.update(key, enc(value), revs[j % 100]);
        revs[j % 100] = obj.modRevision;
        acked.set(obj.modRevision, { key, value });
      }
    }),
  );
  assert.equal(acked.size, 8000);

  const events = await watched;
  assert.equal(events.length, 8000);
  for (let i = 1; i < events.length; i++) assert.ok(events[i].revision > events[i - 1].revision, `revision order at ${i}`);
  for (const ev of events) {
    const a = acked.get(ev.revision);
    assert.ok(a, `event ${ev.revision} was acknowledged`);
    assert.equal(ev.key, a.key);
    assert.equal(dec(ev.value), a.value);
  }
  assert.equal(new Set(events.map((e) => e.revision)).size, 8000);
});

test("store - a watch whose connection is killed resumes and loses nothing", async () => {
  const s = await freshStore();
  const writer = await freshStore(`t${n}`);
  const admin = new Redis(server.url);
  const watchClients = async () =>
    ((await admin.call("CLIENT", "LIST")) as string)
      .split("\n")
      .filter((l) => /\bname=store-watch\b/.test(l))
      .map((l) => ({ id: /\bid=(\d+)/.exec(l)![1], blocked: /\bflags=\w*b/.test(l) && /\bcmd=xread\b/.test(l) }));
  const killWatch = async () => {
    let killed = 0;
    for (const { id } of await watchClients()) killed += (await admin.call("CLIENT", "KILL", "ID", id)) as number;
    return killed;
  };
  try {
    const writeMany = async (count: number, tag: string, midway?: () => Promise<void>) => {
      for (let i = 0; i < count; i++) {
        await writer.create(`/things/${tag}-${i}`, enc(tag));
        if (i === count / 2) await midway?.();
      }
    };
    let resumes = 0;
    let killed = 0;
    let reached100!: () => void;
    const at100 = new Promise<void>((res) => (reached100 = res));
    const watched = collect(s, "/things/", 0, 1100, (_ev, i) => void (i === 100 && reached100()), () => resumes++);
    await writeMany(100, "a");
    await at100;
    // Caught up: wait until the watch is blocked in XREAD, then cut its connection.
    for (let i = 0; i < 500 && !(await watchClients()).some((c) => c.blocked); i++) await new Promise((r) => setTimeout(r, 10));
    killed += await killWatch();
    // Then cut it again in the middle of a stream of writes, wherever the watch is.
    await writeMany(500, "b", async () => void (killed += await killWatch()));
    await writeMany(500, "c");
    const events = await watched;
    assert.ok(killed >= 2, "the watch connection was cut twice");
    assert.ok(resumes >= 1, "onResume reported the resume after the cut during XREAD");
    assert.equal(events.length, 1100);
    assert.deepEqual(events.map((e) => e.revision), Array.from({ length: 1100 }, (_, i) => i + 1));
    assert.deepEqual(events.slice(95, 105).map((e) => e.key), [95, 96, 97, 98, 99].map((i) => `/things/a-${i}`).concat([0, 1, 2, 3, 4].map((i) => `/things/b-${i}`)));
  } finally {
    admin.disconnect();
  }
});

test("store - compaction: below the window is CompactedError, above it works", async () => {
  const s = await freshStore();
  for (let i = 0; i < 20; i++) await s.create(`/c/k${i}`, enc(String(i)));
  await s.compact(10);
  assert.equal(await s.compactRevision(), 10);
  await s.compact(5); // no-op: already compacted further
  assert.equal(await s.compactRevision(), 10);
  await assert.rejects(s.compact(21), InvalidRequestError);

  await assert.rejects(s.events("/c/", 9), (e: unknown) => e instanceof CompactedError && e.compactRevision === 10 && e.requested === 9);
  assert.deepEqual((await s.events("/c/", 10)).map((e) => e.revision), [11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
  assert.deepEqual((await s.events("/c/", 10, 3)).map((e) => e.revision), [11, 12, 13]);

  await assert.rejects(async () => {
    for await (const _ of s.watch("/c/", 3)) assert.fail("no event below the window");
  }, CompactedError);
  assert.deepEqual((await collect(s, "/c/", 10, 10)).map((e) => e.revision), [11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
  // Compaction does not touch current objects.
  assert.equal((await s.list("/c/")).items.length, 20);

  // The background compactor keeps the last `window` revisions.
  const stop = s.startCompactor(5, 10);
  try {
    for (let i = 0; i < 300 && (await s.compactRevision()) !== 15; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await s.compactRevision(), 15);
  } finally {
    stop();
  }
  assert.deepEqual((await s.events("/", 15)).map((e) => e.revision), [16, 17, 18, 19, 20]);

  // Current values outlive the log entries that wrote them.
  assert.equal(dec((await s.get("/c/k3"))!.value), "3");
  assert.deepEqual((await s.list("/c/")).items.map((o) => dec(o.value)).sort((x, y) => +x - +y), Array.from({ length: 20 }, (_, i) => String(i)));
  const k3 = await s.update("/c/k3", enc("3b"), 4);
  assert.equal(dec((await s.get("/c/k3"))!.value), "3b");
  const k4 = await s.delete("/c/k4", 5);
  assert.equal(dec(k4.value), "4", "delete of a compacted object returns its value");
  assert.equal(dec((await s.events("/c/", k3.modRevision))[0].value), "4", "and logs it");
  await s.compact(await s.currentRevision());
  assert.equal(dec((await s.get("/c/k3"))!.value), "3b");
  assert.equal(await s.get("/c/k4"), undefined);
  assert.equal((await s.list("/c/")).items.length, 19);
  const k3c = await s.update("/c/k3", enc("3c"), k3.modRevision);
  assert.deepEqual([dec((await s.get("/c/k3"))!.value), (await s.get("/c/k3"))!.createRevision], ["3c", 4]);
  assert.equal(k3c.createRevision, 4);
  // getMany: values from the log and from compaction, missing keys, repeats, in key order.
  const many = await s.getMany(["/c/k4", "/c/k3", "/c/k5", "/c/k3"]);
  assert.deepEqual(many.map((o) => o && [o.key, dec(o.value), o.modRevision, o.createRevision]), [undefined, ["/c/k3", "3c", k3c.modRevision, 4], ["/c/k5", "5", 6, 6], ["/c/k3", "3c", k3c.modRevision, 4]]);
  assert.deepEqual(await s.getMany([]), []);
});

test("store - prevRevision chains the events of each resource", async () => {
  const s = await freshStore();
  const pod = await s.create("/pods/ns/a", enc("p"));
  await s.create("/nodes/n1", enc("n"));
  await s.create("/services/ns/s", enc("s"));
  await s.update("/pods/ns/a", enc("p2"), pod.modRevision);
  await s.txn([
    { op: "create", key: "/pods/ns/b", value: enc("b") },
    { op: "update", key: "/nodes/n1", value: enc("n2"), expectedModRevision: 2 },
  ]);
  await s.delete("/pods/ns/a");
  await s.create("/nodes/n2", enc("n"));

  const events = await s.events("/", 0);
  assert.equal(events.length, 8);
  const last = new Map<string, number>();
  for (const ev of events) {
    const r = resourceOf(ev.key);
    assert.equal(ev.prevRevision, last.get(r) ?? 0, `prevRevision of ${ev.revision} (${ev.key})`);
    last.set(r, ev.revision);
  }
  assert.deepEqual(events.filter((e) => e.key.startsWith("/pods/")).map((e) => [e.revision, e.prevRevision]), [[1, 0], [4, 1], [5, 4], [7, 5]]);
});

test("store - leases and cursors", async () => {
  const s = await freshStore();
  assert.equal(await s.tryAcquireLease("relay", "a", 10_000), true);
  assert.equal(await s.tryAcquireLease("relay", "b", 10_000), false);
  assert.equal(await s.tryAcquireLease("relay", "a", 10_000), true, "renewal by the holder");
  await s.releaseLease("relay", "b"); // not the holder: no effect
  assert.equal(await s.tryAcquireLease("relay", "b", 10_000), false);
  await s.releaseLease("relay", "a");
  assert.equal(await s.tryAcquireLease("relay", "b", 10_000), true);

  assert.equal(await s.tryAcquireLease("short", "a", 30), true);
  let taken = false;
  for (let i = 0; i < 200 && !taken; i++) {
    await new Promise((r) => setTimeout(r, 10));
    taken = await s.tryAcquireLease("short", "b", 10_000);
  }
  assert.equal(taken, true, "an expired lease can be taken by another holder");

  assert.equal(await s.getCursor("relay"), 0);
  await s.setCursor("relay", 42);
  assert.equal(await s.getCursor("relay"), 42);
  await s.setCursor("relay", 43);
  assert.equal(await s.getCursor("relay"), 43);
  assert.equal(await s.currentRevision(), 0, "leases and cursors are not revisioned");
});

test("store - concurrent writes are batched: each txn succeeds or fails on its own, revisions dense in submission order", async () => {
  const s = await freshStore();
  const admin = new Redis(server.url);
  try {
    const existing = await s.create("/b/k0", enc("old"));
    const victim = await s.create("/b/k1", enc("v1"));
    const start = await s.currentRevision();
    const evalshaCalls = async () => Number(/cmdstat_evalsha:calls=(\d+)/.exec((await admin.info("commandstats")) as string)?.[1] ?? 0);
    const callsBefore = await evalshaCalls();

    // All issued in one tick: they go out in one or a few batches.
    type Outcome = { rev?: number; err?: unknown };
    const settle = (p: Promise<{ modRevision: number }[] | { modRevision: number }>): Promise<Outcome> =>
      p.then((r) => ({ rev: Array.isArray(r) ? r[0]?.modRevision : r.modRevision }), (err: unknown) => ({ err }));
    const ops: Array<{ name: string; p: Promise<Outcome>; expect: "ok" | (new (...a: never[]) => Error) }> = [];
    const add = (name: string, p: Promise<{ modRevision: number }[] | { modRevision: number }>, expect: "ok" | (new (...a: never[]) => Error)) => ops.push({ name, p: settle(p), expect });
    for (let i = 0; i < 60; i++) {
      add(`create n${i}`, s.create(`/b/n${i}`, enc(`n${i}`)), "ok");
      if (i % 10 === 0) add(`create again n${i}`, s.create(`/b/n${i}`, enc("dup")), AlreadyExistsError); // queued after the first: fails
      if (i % 15 === 0) add(`create k0 #${i}`, s.create("/b/k0", enc("x")), AlreadyExistsError);
      if (i % 20 === 0) add(`update missing #${i}`, s.update(`/b/missing${i}`, enc("x"), 1), NotFoundError);
    }
    add("stale update k0", s.update("/b/k0", enc("x"), existing.modRevision + 100), ConflictError);
    add("update k1", s.update("/b/k1", enc("v2"), victim.modRevision), "ok");
    add("second update k1 at the old revision", s.update("/b/k1", enc("v3"), victim.modRevision), ConflictError);
    add("failing txn", s.txn([{ op: "create", key: "/b/t1", value: enc("t") }, { op: "delete", key: "/b/none" }]), NotFoundError);
    add("txn", s.txn([{ op: "create", key: "/b/t2", value: enc("t") }, { op: "check", key: "/b/t1", expectedModRevision: 0 }]), "ok");
    add("delete n1 (created in the same batch)", s.delete("/b/n1"), "ok");
    const outcomes = await Promise.all(ops.map((o) => o.p));
    assert.ok((await evalshaCalls()) - callsBefore < ops.length / 4, "the writes were sent in batches");

    const revs: number[] = [];
    ops.forEach((o, i) => {
      const out = outcomes[i];
      if (o.expect === "ok") {
        assert.equal(out.err, undefined, `${o.name} succeeded`);
        revs.push(out.rev!);
      } else {
        assert.ok(out.err instanceof o.expect, `${o.name} failed with ${o.expect.name}, got ${String(out.err)}`);
      }
    });
    const conflict = outcomes[ops.findIndex((o) => o.name === "second update k1 at the old revision")].err as ConflictError;
    assert.equal(conflict.actual, outcomes[ops.findIndex((o) => o.name === "update k1")].rev, "the conflict reports the revision of the earlier update in the batch");
    // Revisions: strictly increasing in submission order, dense, one per successful write.
    for (let i = 1; i < revs.length; i++) assert.ok(revs[i] > revs[i - 1], `revision order at ${ops[i].name}`);
    assert.deepEqual(revs, Array.from({ length: revs.length }, (_, i) => start + 1 + i));
    assert.equal(await s.currentRevision(), start + revs.length);
    // Each success is in the log once; no failure left anything behind.
    const evs = await s.events("/b/", start);
    assert.deepEqual(evs.map((e) => e.revision), revs);
    assert.equal(evs.filter((e) => e.key === "/b/n10").length, 1);
    assert.equal(dec((await s.get("/b/n10"))!.value), "n10");
    assert.equal(dec((await s.get("/b/k0"))!.value), "old");
    assert.equal(dec((await s.get("/b/k1"))!.value), "v2");
    assert.equal(await s.get("/b/t1"), undefined);
    assert.equal(await s.get("/b/n1"), undefined);
    assert.deepEqual(evs.filter((e) => e.key === "/b/n1").map((e) => [e.type, dec(e.value)]), [["ADDED", "n1"], ["DELETED", "n1"]]);
    assert.equal((await s.list("/b/")).items.length, 2 + 60 - 1 + 1);
  } finally {
    admin.disconnect();
  }
});

test("store - kill -9 of redis-server keeps every acknowledged write", async () => {
  const own = await startRedis();
  const s = await RedisStore.connect(own.url);
  const admin = new Redis(own.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  admin.on("error", () => undefined);
  let evalshaCalls = 0;
  let ackedAtStats = 0;
  try {
    const acked = new Map<string, { value: string; rev: number }>();
    const errors: unknown[] = [];
    let stop = false;
    let killing: Promise<void> | undefined;
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const key = `/acks/w${w}/k${i}`;
        const value = `w${w}-${i}-${"x".repeat(200)}`;
        try {
          const o = await s.create(key, enc(value));
          acked.set(key, { value, rev: o.modRevision });
          if (acked.size === 400) {
            killing = (async () => {
              // Batching is on: fewer script calls than acknowledged writes.
              const info = (await admin.info("commandstats")) as string;
              evalshaCalls = Number(/cmdstat_evalsha:calls=(\d+)/.exec(info)?.[1] ?? 0);
              ackedAtStats = acked.size;
              await own.kill("SIGKILL");
            })();
          }
        } catch (err) {
          errors.push(err);
          stop = true;
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, (_, w) => writer(w)));
    await killing;
    admin.disconnect();
    assert.ok(acked.size >= 400);
    assert.ok(evalshaCalls > 0 && evalshaCalls < ackedAtStats / 2, `writes were batched (${evalshaCalls} script calls for ${ackedAtStats} writes)`);
    assert.ok(errors.length > 0 && errors.every((e) => e instanceof StoreUnavailableError), "writes cut by the crash fail as StoreUnavailableError");

    await own.restart();
    const after = await RedisStore.connect(own.url);
    try {
      for (const [key, { value, rev }] of acked) {
        const o = await after.get(key);
        assert.ok(o, `acknowledged ${key} survived`);
        assert.equal(dec(o.value), value);
        assert.equal(o.modRevision, rev);
      }
      const logged = new Set((await after.events("/acks/", 0)).map((e) => e.revision));
      for (const { rev } of acked.values()) assert.ok(logged.has(rev), `event ${rev} survived`);
      // The store keeps working after the restart, above every acknowledged revision.
      const next = await after.create("/acks/after", enc("x"));
      assert.ok(next.modRevision > Math.max(...[...acked.values()].map((a) => a.rev)));
    } finally {
      await after.close();
    }
  } finally {
    admin.disconnect();
    await s.close();
    await own.stop();
  }
});

test("store - scanEvents says how far the log was read, also when a resource had no change", async () => {
  const s = await freshStore();
  const enc = (x: string) => new TextEncoder().encode(x);
  const a = await s.create("/pods/ns/a", enc("1"));
  for (let i = 0; i < 5; i++) await s.create(`/configmaps/ns/c${i}`, enc("x"));
  const head = await s.currentRevision();
  // No pod changed after a: nothing to return, and the reader may move to the head.
  assert.deepEqual(await s.scanEvents("/pods/", a.modRevision), { events: [], scannedTo: head });
  // Pods changed after 0: the event comes back, read up to the head.
  const r = await s.scanEvents("/pods/", 0);
  assert.deepEqual(r.events.map((e) => e.key), ["/pods/ns/a"]);
  assert.equal(r.scannedTo, head);
  const cms = await s.scanEvents("/configmaps/", a.modRevision);
  assert.equal(cms.events.length, 5);
  await s.compact(head);
  await assert.rejects(s.scanEvents("/pods/", 0), CompactedError);
});
