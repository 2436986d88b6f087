import { test } from "node:test";
import assert from "node:assert/strict";
import { slowStartBatch, slowStartWindow } from "./slow-start.js";

/** Runs slowStartBatch recording the size of each batch (calls started before any settles). */
async function run(count: number, initial: number, failAt: ReadonlySet<number> = new Set()) {
  const batches: number[] = [];
  let inBatch = 0;
  let scheduled = false;
  const result = await slowStartBatch(count, initial, async (i) => {
    inBatch++;
    if (!scheduled) {
      scheduled = true;
      queueMicrotask(() => {
        batches.push(inBatch);
        inBatch = 0;
        scheduled = false;
      });
    }
    await Promise.resolve();
    if (failAt.has(i)) throw new Error(`call ${i} failed`);
  });
  return { ...result, batches };
}

test("slowStartBatch - doubles the batch size: 1, 2, 4, ... up to the count", async () => {
  const r = await run(10, 1);
  assert.deepEqual(r.batches, [1, 2, 4, 3]);
  assert.equal(r.successes, 10);
  assert.equal(r.skipped, 0);
  assert.deepEqual(r.errors, []);
  assert.deepEqual((await run(5, 2)).batches, [2, 3]);
  assert.deepEqual((await run(0, 1)).batches, []);
});

test("slowStartBatch - a batch with an error stops the run and counts the rest as skipped", async () => {
  // Calls 0 | 1 2 | 3 4 5 6 | ...: call 4 fails, the batch of 4 finishes, then stop.
  const r = await run(20, 1, new Set([4]));
  assert.deepEqual(r.batches, [1, 2, 4]);
  assert.equal(r.successes, 6);
  assert.equal(r.errors.length, 1);
  assert.equal(r.skipped, 13);
  const first = await run(100, 1, new Set([0]));
  assert.equal(first.successes, 0);
  assert.equal(first.skipped, 99, "a create failing for every pod is tried once");
});

/** Runs slowStartWindow with calls that settle after `delay(i)` ms, recording the most in flight. */
async function runWindow(count: number, initial: number, delay: (i: number) => number, failAt: ReadonlySet<number> = new Set()) {
  let inFlight = 0;
  let peak = 0;
  const starts: number[] = [];
  const result = await slowStartWindow(count, initial, async (i) => {
    starts.push(i);
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, delay(i)));
    inFlight--;
    if (failAt.has(i)) throw new Error(`call ${i} failed`);
  });
  return { ...result, peak, starts };
}

test("slowStartWindow - every call runs once; the window grows by one per success", async () => {
  const r = await runWindow(30, 1, () => 1);
  assert.equal(r.successes, 30);
  assert.equal(r.skipped, 0);
  assert.deepEqual(r.starts, Array.from({ length: 30 }, (_, i) => i));
  assert.ok(r.peak <= 16, `the window doubles per round trip, peak ${r.peak}`);
  assert.equal((await runWindow(0, 1, () => 1)).successes, 0);
  assert.equal((await runWindow(3, 10, () => 1)).peak, 3, "never more than the count");
});

test("slowStartWindow - a slow call does not hold back the others", async () => {
  // Call 0 takes 200 ms; with batches nothing else would start until it finished.
  const t0 = Date.now();
  const r = await runWindow(20, 2, (i) => (i === 0 ? 200 : 1));
  assert.equal(r.successes, 20);
  assert.ok(r.peak >= 2);
  assert.ok(Date.now() - t0 < 400);
});

test("slowStartWindow - the first error stops new calls and counts the rest as skipped", async () => {
  const first = await runWindow(100, 1, () => 1, new Set([0]));
  assert.equal(first.successes, 0);
  assert.equal(first.errors.length, 1);
  assert.equal(first.skipped, 99, "a create failing for every pod is tried once");
  const later = await runWindow(100, 1, () => 1, new Set([5]));
  assert.equal(later.errors.length, 1);
  assert.equal(later.successes + later.errors.length + later.skipped, 100);
  assert.ok(later.successes + later.errors.length <= 2 * 5 + 2, `started ${later.successes + later.errors.length}`);
});

test("slow start - the window a run reaches is reported, so a run continuing it starts there", async () => {
  const w = await runWindow(30, 1, () => 1);
  assert.equal(w.window, 31, "the window grows by one per success");
  const next = await runWindow(20, w.window, () => 1);
  assert.equal(next.peak, 20, "a continued run starts every call at once");
  assert.equal(next.window, 51);
  const b = await run(10, 1);
  assert.equal(b.window, 8, "batches 1, 2, 4, 3: the next batch would have been 8");
  assert.deepEqual((await run(10, b.window)).batches, [8, 2]);
  assert.equal((await run(0, 4)).window, 4, "an empty run keeps the window it was given");
});
