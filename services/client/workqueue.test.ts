import { test } from "node:test";
import assert from "node:assert/strict";
import { WorkQueue, backoffDelay, type Timers } from "./workqueue.js";

/** Manual timers: fire() runs every pending callback whose deadline has passed. */
function manualTimers() {
  let now = 0;
  let seq = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      const id = ++seq;
      pending.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (h) => void pending.delete(h as number),
  };
  return {
    timers,
    delays: () => [...pending.values()].map((p) => p.at - now).sort((a, b) => a - b),
    advance(ms: number) {
      now += ms;
      for (const [id, p] of [...pending]) if (p.at <= now) (pending.delete(id), p.fn());
    },
  };
}

test("workqueue - backoff doubles from base and stops at the cap", () => {
  const cfg = { baseMs: 10, maxMs: 100 };
  assert.deepEqual([0, 1, 2, 3, 4, 5, 50].map((n) => backoffDelay(n, cfg)), [0, 10, 20, 40, 80, 100, 100]);
});

test("workqueue - a key added many times is handed out once", async () => {
  const q = new WorkQueue<string>();
  q.add("a");
  q.add("b");
  q.add("a");
  assert.equal(q.length, 2);
  assert.equal(await q.get(), "a");
  assert.equal(await q.get(), "b");
  assert.equal(q.length, 0);
});

test("workqueue - a key in process is not handed to a second worker, and is requeued on done", async () => {
  const q = new WorkQueue<string>();
  q.add("a");
  const k = await q.get();
  q.add("a"); // while processing
  assert.equal(q.length, 0, "must not be queued while in process");
  let second: string | undefined;
  void q.get().then((v) => (second = v));
  await Promise.resolve();
  assert.equal(second, undefined);
  q.done(k!);
  await Promise.resolve();
  assert.equal(second, "a");
});

test("workqueue - rate-limited retries back off per key until forgotten", () => {
  const t = manualTimers();
  const q = new WorkQueue<string>({ baseMs: 10, maxMs: 1000 }, t.timers);
  q.addRateLimited("a");
  assert.deepEqual(t.delays(), [10]);
  t.advance(10);
  assert.equal(q.length, 1);
  void q.get();
  q.done("a");
  q.addRateLimited("a");
  assert.deepEqual(t.delays(), [20]);
  assert.equal(q.retries("a"), 2);
  q.forget("a");
  q.addRateLimited("b");
  assert.equal(q.retries("a"), 0);
});

test("workqueue - run retries a failing key and forgets it after success", async () => {
  const q = new WorkQueue<string>({ baseMs: 1, maxMs: 2 });
  const calls: string[] = [];
  let failuresLeft = 3;
  q.add("k");
  const running = q.run(2, async (key) => {
    calls.push(key);
    if (failuresLeft-- > 0) throw new Error("transient");
    q.shutdown();
  });
  await running;
  assert.deepEqual(calls, ["k", "k", "k", "k"]);
  assert.equal(q.retries("k"), 0);
});

test("workqueue - shutdown releases waiting workers", async () => {
  const q = new WorkQueue<string>();
  const w = q.get();
  q.shutdown();
  assert.equal(await w, undefined);
  q.add("x");
  assert.equal(q.length, 0);
});

test("workqueue - of two delays for one key the earliest deadline wins", () => {
  const t = manualTimers();
  const q = new WorkQueue<string>({ baseMs: 10, maxMs: 1000 }, t.timers);
  q.addAfter("a", 40_000, 0);
  q.addAfter("a", 5_000, 0);
  assert.deepEqual(t.delays(), [5_000]);
  q.addAfter("a", 20_000, 0);
  assert.deepEqual(t.delays(), [5_000]);
  t.advance(5_000);
  assert.equal(q.length, 1);
});
