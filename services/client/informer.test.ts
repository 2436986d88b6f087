// Informer logic against an in-memory log (the bus and store versions run in test/informer-chaos.test.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Informer, type InformerEvent, type ListWatchSource } from "./informer.js";
import { CompactedError } from "../store/types.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** An in-memory resource log with one revision counter; `deliver` controls which events go live. */
function memoryLog() {
  let rev = 0;
  let lastOfResource = 0;
  let compacted = 0;
  const state = new Map<string, { value: string; mod: number; create: number }>();
  const log: InformerEvent[] = [];
  let live: ((events: readonly InformerEvent[]) => void) | undefined;
  const calls = { list: 0, replay: 0 };
  const write = (key: string, value: string | null, deliver = true) => {
    rev += 1;
    const old = state.get(key);
    let e: InformerEvent;
    if (value === null) {
      state.delete(key);
      e = { type: "DELETED", revision: rev, prevRevision: lastOfResource, key, value: enc(old!.value), createRevision: old!.create };
    } else {
      const create = old ? old.create : rev;
      state.set(key, { value, mod: rev, create });
      e = { type: old ? "MODIFIED" : "ADDED", revision: rev, prevRevision: lastOfResource, key, value: enc(value), createRevision: create };
    }
    lastOfResource = rev;
    log.push(e);
    if (deliver) live?.([e]);
    return e;
  };
  const source: ListWatchSource = {
    async list() {
      calls.list++;
      return { revision: rev, items: [...state].map(([key, v]) => ({ key, value: enc(v.value), modRevision: v.mod, createRevision: v.create })) };
    },
    async replay(from) {
      calls.replay++;
      if (from < compacted) throw new CompactedError(from, compacted);
      return { events: log.filter((e) => e.revision > from), revision: rev };
    },
    subscribe(cb) {
      live = cb;
      return () => (live = undefined);
    },
  };
  /** A write to another resource: the global revision moves, this resource's log does not. */
  const otherResourceWrite = () => (rev += 1);
  /** Delivers events as one live batch (as one relay message carries them). */
  const deliver = (events: InformerEvent[]) => live?.(events);
  return { source, write, deliver, otherResourceWrite, calls, compact: (r: number) => (compacted = r), snapshot: () => new Map([...state].map(([k, v]) => [k, v.value])) };
}

const view = (inf: Informer<string>) => new Map(inf.list().map((c) => [c.key, c.object]));

test("informer - lists, then applies live events in order", async () => {
  const m = memoryLog();
  m.write("/cm/a", "1");
  const inf = new Informer(m.source, dec, { resyncCheckMs: 0 });
  const seen: string[] = [];
  inf.addHandlers({ onAdd: (o) => seen.push(`add ${o.key}`), onUpdate: (_o, n) => seen.push(`update ${n.key}=${n.object}`), onDelete: (o) => seen.push(`delete ${o.key}`) });
  await inf.start();
  m.write("/cm/b", "1");
  m.write("/cm/a", "2");
  m.write("/cm/b", null);
  await inf.idle();
  assert.deepEqual(seen, ["add /cm/a", "add /cm/b", "update /cm/a=2", "delete /cm/b"]);
  assert.deepEqual(view(inf), m.snapshot());
  assert.equal(m.calls.replay, 0);
});

test("informer - a gap in the live events is filled from the log", async () => {
  const m = memoryLog();
  const inf = new Informer(m.source, dec, { resyncCheckMs: 0 });
  await inf.start();
  m.write("/cm/a", "1");
  m.write("/cm/b", "1", false); // lost on the bus
  m.write("/cm/c", "1", false); // lost on the bus
  m.write("/cm/a", "2"); // reveals the gap
  await inf.idle();
  assert.deepEqual(view(inf), m.snapshot());
  assert.equal(m.calls.replay, 1);
  assert.equal(inf.revision, 4);
});

test("informer - duplicates are dropped by revision", async () => {
  const m = memoryLog();
  const inf = new Informer(m.source, dec, { resyncCheckMs: 0 });
  let updates = 0;
  inf.addHandlers({ onUpdate: () => updates++ });
  await inf.start();
  const e1 = m.write("/cm/a", "1");
  const e2 = m.write("/cm/a", "2");
  // A relay failover re-publishes events the informer already has.
  m.deliver([e1, e2]);
  await inf.idle();
  assert.equal(updates, 1);
  assert.deepEqual(view(inf), m.snapshot());
});

test("informer - a batch is applied event by event, in order", async () => {
  const m = memoryLog();
  const inf = new Informer(m.source, dec, { resyncCheckMs: 0 });
  const seen: string[] = [];
  inf.addHandlers({ onEvent: (type, o, _old, rev) => seen.push(`${type} ${o.key}@${rev}`) });
  await inf.start();
  const batch = [m.write("/cm/a", "1", false), m.write("/cm/b", "1", false), m.write("/cm/a", "2", false), m.write("/cm/b", null, false)];
  m.deliver(batch);
  await inf.idle();
  assert.deepEqual(seen, ["ADDED /cm/a@1", "ADDED /cm/b@2", "MODIFIED /cm/a@3", "DELETED /cm/b@4"]);
  assert.deepEqual(view(inf), m.snapshot());
  assert.equal(m.calls.replay, 0);
});

test("informer - a gap in the middle of a batch triggers a replay and the cache converges", async () => {
  const m = memoryLog();
  const inf = new Informer(m.source, dec, { resyncCheckMs: 0 });
  const revisions: number[] = [];
  inf.addHandlers({ onEvent: (_t, _o, _old, rev) => revisions.push(rev) });
  await inf.start();
  const e1 = m.write("/cm/a", "1");
  m.write("/cm/b", "1", false); // lost on the bus
  const e3 = m.write("/cm/c", "1", false);
  const e4 = m.write("/cm/a", "2", false);
  const e5 = m.write("/cm/b", null, false);
  // A redelivered event (e1), then e3 whose prevRevision 2 proves the gap, then more.
  m.deliver([e1, e3, e4, e5]);
  await inf.idle();
  assert.deepEqual(view(inf), m.snapshot());
  assert.equal(m.calls.replay, 1);
  assert.equal(inf.stats.gaps, 1);
  assert.ok(inf.stats.duplicates >= 1, "e1 and the replayed rest of the batch are dropped as duplicates");
  assert.deepEqual(revisions, [1, 2, 3, 4, 5], "every change once, in order");
  assert.equal(inf.revision, 5);
});

test("informer - a compacted log makes it relist and emit the difference", async () => {
  const m = memoryLog();
  m.write("/cm/a", "1");
  m.write("/cm/b", "1");
  const inf = new Informer(m.source, dec, { resyncCheckMs: 0 });
  const deleted: string[] = [];
  inf.addHandlers({ onDelete: (o) => deleted.push(o.key) });
  await inf.start();
  m.write("/cm/a", null, false);
  m.write("/cm/c", "1", false);
  m.compact(4);
  m.write("/cm/d", "1"); // reveals the gap; the log below 4 is gone
  await inf.idle();
  assert.deepEqual(view(inf), m.snapshot());
  assert.deepEqual(deleted, ["/cm/a"]);
  assert.equal(m.calls.list, 2);
});

test("informer - a lost final event is found by the catch-up check", async () => {
  const m = memoryLog();
  const inf = new Informer(m.source, dec, { resyncCheckMs: 0 });
  await inf.start();
  m.write("/cm/a", "1", false);
  assert.equal(inf.size, 0);
  inf.requestCatchUp();
  await inf.idle();
  assert.deepEqual(view(inf), m.snapshot());
});

test("informer - a value that does not decode is reported and skipped", async () => {
  const m = memoryLog();
  const errors: string[] = [];
  const inf = new Informer(
    m.source,
    (b) => {
      const s = dec(b);
      if (s === "corrupt") throw new Error("bad value");
      return s;
    },
    { resyncCheckMs: 0, onError: (_e, ctx) => errors.push(ctx) },
  );
  await inf.start();
  m.write("/cm/a", "corrupt");
  m.write("/cm/b", "ok");
  await inf.idle();
  assert.equal(errors.length, 1);
  assert.deepEqual([...view(inf).keys()], ["/cm/b"]);
});

test("informer - a replay that finds nothing still moves the informer past the scanned log", async () => {
  const m = memoryLog();
  const inf = new Informer(m.source, dec, { resyncCheckMs: 0 });
  await inf.start();
  m.write("/cm/a", "1");
  await inf.idle();
  for (let i = 0; i < 5; i++) m.otherResourceWrite();
  inf.requestCatchUp();
  await inf.idle();
  // The next catch-up starts at the scanned head, not at the last event of this resource.
  assert.equal(inf.revision, 6);
  m.write("/cm/b", "1");
  await inf.idle();
  assert.deepEqual(view(inf), m.snapshot());
});
