import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Actor, probeAllHealth, probeHealth } from "./actor.js";
import { Bus } from "./bus.js";
import type { Clock } from "./clock.js";
import { startNats, type LocalServer } from "./local-servers.js";
import { nextBackoff, Supervisor, type BackoffConfig, type SupervisorEvent } from "./supervisor.js";
import { captureLogs, waitFor, type CapturedLogs } from "./testkit.js";

test("nextBackoff - table", () => {
  const cfg: BackoffConfig = { baseMs: 100, maxMs: 1000 };
  const rows: Array<[attempt: number, cfg: BackoffConfig, random: number, want: number]> = [
    [0, cfg, 0.5, 100],
    [1, cfg, 0.5, 200],
    [2, cfg, 0.5, 400],
    [3, cfg, 0.5, 800],
    [4, cfg, 0.5, 1000], // capped
    [50, cfg, 0.5, 1000],
    [100_000, cfg, 0.5, 1000], // no overflow
    [-3, cfg, 0.5, 100], // negative treated as 0
    [2, { ...cfg, factor: 3 }, 0.5, 900],
    [1, { ...cfg, jitter: 0.5 }, 0, 100], // 200 - 50%
    [1, { ...cfg, jitter: 0.5 }, 0.999999, 300], // 200 + ~50%
    [3, { ...cfg, jitter: 0.5 }, 0.999999, 1000], // jitter never exceeds max
    [0, { baseMs: 0, maxMs: 10 }, 0.5, 0],
  ];
  for (const [attempt, c, random, want] of rows) assert.equal(nextBackoff(attempt, c, random), want, `attempt ${attempt} ${JSON.stringify(c)} r=${random}`);
});

let nats: LocalServer;
let logs: CapturedLogs;
let bus: Bus;
before(async () => {
  logs = captureLogs();
  nats = await startNats();
  bus = await Bus.connect({ servers: nats.url, name: "supervisor-test" });
});
after(async () => {
  await bus.close();
  await nats.stop();
  logs.restore();
});

/** Fails its first `failStarts` starts; `fail()` can be called from outside to simulate a crash while running. */
class Flaky extends Actor {
  starts = 0;
  constructor(
    id: string,
    private failStarts: number,
    clock?: Clock,
  ) {
    super({ id, kind: "flaky", bus, ...(clock ? { clock } : {}) });
  }
  protected async onStart(): Promise<void> {
    this.starts++;
    if (this.starts <= this.failStarts) throw new Error(`start ${this.starts} failed`);
    this.subscribe(`k8s.actor.${this.id}.work`, () => undefined);
  }
}

function restartPlan(events: SupervisorEvent[]): Array<[number, number]> {
  return events.flatMap((e) => (e.type === "restart-scheduled" ? [[e.attempt, e.delayMs] as [number, number]] : []));
}

test("supervisor - restarts a crashing actor with exponential backoff and reports health on the bus", async () => {
  let now = 1_000_000;
  const clock: Clock = { now: () => now };
  const sup = new Supervisor({ backoff: { baseMs: 1, maxMs: 8, resetAfterMs: 60_000 }, clock });
  const events: SupervisorEvent[] = [];
  sup.onEvent((e) => events.push(e));
  const actor = new Flaky("flaky-1", 3, clock);

  await sup.supervise(actor);
  await waitFor(() => actor.state === "running", "actor running after 3 failed starts");
  assert.deepEqual(restartPlan(events), [
    [0, 1],
    [1, 2],
    [2, 4],
  ]);
  assert.equal(actor.starts, 4);
  assert.equal(actor.restarts, 3);

  // A crash soon after starting continues the backoff sequence.
  now += 10;
  actor.fail(new Error("watch broke"));
  assert.equal(actor.state, "failed");
  await waitFor(() => actor.state === "running" && actor.starts === 5, "restarted after fail()");
  // Crash after a stable period: the backoff starts over.
  now += 120_000;
  actor.fail(new Error("lost lease"));
  await waitFor(() => actor.state === "running" && actor.starts === 6, "restarted after second fail()");
  assert.deepEqual(restartPlan(events), [
    [0, 1],
    [1, 2],
    [2, 4],
    [3, 8],
    [0, 1],
  ]);
  assert.deepEqual(
    events.filter((e) => e.type === "crashed").map((e) => (e as { ranMs: number }).ranMs),
    [0, 0, 0, 10, 120_000],
  );

  const h = await probeHealth(bus, "flaky-1");
  assert.equal(h.state, "running");
  assert.equal(h.restarts, 5);
  assert.equal(h.kind, "flaky");
  assert.equal(h.pid, process.pid);
  const all = await probeAllHealth(bus, 300);
  assert.ok(all.some((x) => x.id === "flaky-1" && x.restarts === 5));

  await sup.drainAll();
  assert.equal(actor.state, "stopped");
  assert.ok(logs.records.some((r) => r.msg === "actor crashed, restarting" && (r.err as { message?: string }).message === "lost lease"));
});

test("supervisor - a failed actor answers health as failed; stopAll cancels the pending restart", async () => {
  const sup = new Supervisor({ backoff: { baseMs: 60_000, maxMs: 60_000 } });
  const actor = new Flaky("always-failing", Infinity);
  await sup.supervise(actor);
  const h = await probeHealth(bus, "always-failing");
  assert.equal(h.state, "failed");
  assert.match(h.detail, /start 1 failed/);
  await sup.stopAll();
  assert.equal(actor.state, "stopped");
  assert.equal(actor.starts, 1, "no restart after stopAll");
});
