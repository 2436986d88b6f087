import { test } from "node:test";
import assert from "node:assert/strict";
import { CreateRun } from "./create-run.js";

class Unknown extends Error {}

/** A run whose creates settle after `delay(i)` ms (create i is the i-th started), failing those in `failAt`. */
function harness(initial: number, max: number, delay: (i: number) => number = () => 1, failAt: ReadonlySet<number> = new Set()) {
  const h = { started: 0, succeeded: 0, inFlight: 0, peak: 0, failures: [] as Array<{ err: unknown; never: number }> };
  let settledAll: () => void = () => undefined;
  const run = new CreateRun(initial, max, (err) => err instanceof Unknown, (err, never) => h.failures.push({ err, never }), () => h.succeeded++);
  const create = async () => {
    const i = h.started++;
    h.inFlight++;
    h.peak = Math.max(h.peak, h.inFlight);
    await new Promise((r) => setTimeout(r, delay(i)));
    h.inFlight--;
    if (h.inFlight === 0) setImmediate(() => (run.sending === 0 ? settledAll() : undefined));
    if (failAt.has(i)) throw i === 0 && failAt.has(-1) ? new Unknown("no answer") : new Error(`create ${i} failed`);
  };
  /** Resolves once nothing is in flight (and nothing more starts). */
  const idle = () => new Promise<void>((r) => (settledAll = r));
  return { run, h, create, idle };
}

test("CreateRun - every create is sent once; the window grows by one per success, doubling per round trip", async () => {
  const { run, h, create, idle } = harness(1, 500);
  const done = idle();
  run.add(30, create);
  await done;
  assert.equal(h.started, 30);
  assert.equal(h.succeeded, 30);
  assert.ok(h.peak <= 16, `peak ${h.peak}`);
  assert.equal(run.currentWindow, 31);
});

test("CreateRun - the window is kept between adds (one scale-up ramps once) and capped at max", async () => {
  const { run, h, create, idle } = harness(1, 20);
  let done = idle();
  run.add(40, create);
  await done;
  assert.equal(run.currentWindow, 20, "capped at max (burstReplicas)");
  done = idle();
  const before = h.started;
  run.add(20, create);
  assert.equal(h.started - before, 20, "a continued run sends the whole window at once");
  await done;
  assert.equal(h.succeeded, 60);
});

test("CreateRun - a slow create does not hold back the others", async () => {
  const { run, h, create, idle } = harness(2, 500, (i) => (i === 0 ? 200 : 1));
  const done = idle();
  run.add(20, create);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(h.started, 20, "all started while create 0 is still in flight");
  await done;
});

test("CreateRun - the first failure drops what was not sent and resets the ramp; the failures say what will never happen", async () => {
  const { run, h, create, idle } = harness(1, 500, () => 1, new Set([0]));
  let done = idle();
  run.add(100, create);
  await done;
  assert.equal(h.started, 1, "a create failing for every pod is tried once");
  assert.deepEqual(h.failures.map((f) => f.never), [100], "the failed one and the 99 dropped");
  assert.equal(run.queued, 0);
  // A later add starts a new ramp at the initial window.
  done = idle();
  run.add(3, create);
  assert.equal(run.sending, 1);
  await done;
  assert.equal(h.succeeded, 3);
});

test("CreateRun - a failure mid-run: creates in flight finish, each failure is reported", async () => {
  const { run, h, create, idle } = harness(4, 500, () => 1, new Set([5, 6]));
  const done = idle();
  run.add(100, create);
  await done;
  const never = h.failures.reduce((a, f) => a + f.never, 0);
  assert.equal(h.succeeded + never, 100, "every create either succeeded or is reported as never happening");
  assert.ok(h.started <= 2 * 5 + 4, `started ${h.started}`);
});

test("CreateRun - an unknown outcome stops the run but may still appear, so it is not counted as never", async () => {
  const { run, h, create, idle } = harness(1, 500, () => 1, new Set([0, -1]));
  const done = idle();
  run.add(10, create);
  await done;
  assert.equal(h.failures.length, 1);
  assert.ok(h.failures[0]!.err instanceof Unknown);
  assert.equal(h.failures[0]!.never, 9, "the 9 dropped, not the unknown one");
});

test("CreateRun - trim drops queued creates only; stop sends nothing more", async () => {
  const { run, h, create, idle } = harness(2, 500, () => 5);
  const done = idle();
  run.add(10, create);
  assert.equal(run.sending, 2);
  assert.equal(run.trim(3), 3);
  assert.equal(run.queued, 5);
  assert.equal(run.trim(100), 5, "never more than queued");
  await done;
  assert.equal(h.started, 2);
  run.stop();
  run.add(5, create);
  assert.equal(h.started, 2, "a stopped run sends nothing");
});

test("CreateRun - after a failure nothing is sent until the backoff has passed; the backoff grows per failed attempt and resets on success", async () => {
  let now = 1000;
  const steps: number[] = [];
  const failures: unknown[] = [];
  let fail = true;
  const run = new CreateRun(
    1,
    500,
    () => false,
    (err) => failures.push(err),
    () => undefined,
    (n) => {
      steps.push(n);
      return 100 * 2 ** (n - 1);
    },
    () => now,
  );
  let sent = 0;
  const create = async () => {
    sent++;
    if (fail) throw new Error("quota");
  };
  const settle = () => new Promise((r) => setImmediate(r));
  run.add(5, create);
  await settle();
  assert.equal(sent, 1);
  assert.equal(run.retryInMs(), 100);
  run.add(5, create);
  await settle();
  assert.equal(sent, 1, "nothing is sent while backing off");
  now += 100;
  run.add(5, create);
  await settle();
  assert.equal(sent, 2);
  assert.equal(run.retryInMs(), 200, "the second failed attempt doubles the backoff");
  now += 200;
  fail = false;
  run.add(3, create);
  await settle();
  await settle();
  assert.equal(sent, 5);
  assert.equal(run.retryInMs(), 0);
  fail = true;
  run.add(1, create);
  await settle();
  assert.deepEqual(steps, [1, 2, 1], "a success resets the backoff");
});

test("CreateRun - a create sent before a failure that settles after it is not a new attempt: no backoff step, and its success does not end the failing", async () => {
  const steps: number[] = [];
  const successes: boolean[] = [];
  const run = new CreateRun(
    2,
    500,
    () => false,
    () => undefined,
    (current) => successes.push(current),
    (n) => {
      steps.push(n);
      return 0;
    },
  );
  const gates: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  const create = () => new Promise<void>((resolve, reject) => gates.push({ resolve, reject }));
  run.add(2, create);
  assert.equal(gates.length, 2);
  gates[0]!.reject(new Error("first fails"));
  await new Promise((r) => setImmediate(r));
  gates[1]!.resolve();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(successes, [false], "the late success belongs to the failed attempt");
  assert.deepEqual(steps, [1]);
  run.add(2, create);
  gates[2]!.reject(new Error("late"));
  gates[3]!.reject(new Error("late too"));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(steps, [1, 2], "one step per failed attempt, not per failed create");
});

test("CreateRun - idle() resolves once nothing is in flight", async () => {
  const run = new CreateRun(2, 500, () => false, () => undefined);
  await run.idle();
  let release: () => void = () => undefined;
  run.add(1, () => new Promise<void>((r) => (release = r)));
  let idle = false;
  const waiting = run.idle().then(() => (idle = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(idle, false);
  run.stop();
  release();
  await waiting;
  assert.equal(idle, true);
});
