import { test } from "node:test";
import assert from "node:assert/strict";
import { slowStartBatch } from "./slow-start.js";

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
