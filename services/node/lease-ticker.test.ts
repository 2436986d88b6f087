import { test } from "node:test";
import assert from "node:assert/strict";
import { LeaseTicker } from "./lease-ticker.js";

test("lease ticker - each renewal runs on the first tick a period after its last start, never overlapping itself; remove stops it", async () => {
  let now = 1_000;
  const ticker = new LeaseTicker(60_000, { now: () => now });
  const runs: string[] = [];
  let release: () => void = () => undefined;
  const removeA = ticker.add(100, () => {
    runs.push(`a@${now}`);
    return new Promise<void>((res) => (release = res));
  });
  ticker.add(150, async () => void runs.push(`b@${now}`));

  now = 1_099;
  ticker.tick();
  assert.deepEqual(runs, []);
  now = 1_120; // a is due (1_100): one tick starts it
  ticker.tick();
  assert.deepEqual(runs, ["a@1120"]);
  now = 1_160; // b due (1_150); a runs again only from 1_220
  ticker.tick();
  assert.deepEqual(runs, ["a@1120", "b@1160"]);
  now = 1_230; // a is due but its first run has not finished: skipped
  ticker.tick();
  assert.deepEqual(runs, ["a@1120", "b@1160"]);
  release();
  await new Promise((res) => setImmediate(res));
  now = 1_240;
  ticker.tick();
  assert.deepEqual(runs, ["a@1120", "b@1160", "a@1240"]);
  removeA();
  now = 2_000;
  ticker.tick();
  assert.deepEqual(runs, ["a@1120", "b@1160", "a@1240", "b@2000"]);
  assert.equal(ticker.size, 1);
});
