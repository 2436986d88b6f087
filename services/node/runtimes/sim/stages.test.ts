import { test } from "node:test";
import assert from "node:assert/strict";
import { advance, DEFAULT_SIM_PROFILE, draw, planContainer, requestStop, seededRandom, SimRuntime, TimerHeap, type SimContainer, type SimProfile } from "./index.js";
import { randomHex } from "./sim-runtime.js";
import type { RuntimeEvent } from "../../runtime.js";

const FLAT: SimProfile = { ...DEFAULT_SIM_PROFILE, startup: { ms: 100, jitterMs: 0 }, ready: { ms: 0, jitterMs: 0 }, stop: { ms: 50, jitterMs: 0 }, initRun: { ms: 10, jitterMs: 0 }, crashAfter: { ms: 1000, jitterMs: 0 } };
const APP = { name: "app", image: "nginx" };
const never = () => 0.99;

test("sim stages - planContainer reads profile and annotations", () => {
  const cases: Array<{ name: string; ann: Record<string, string>; profile?: SimProfile; container?: any; want: Partial<ReturnType<typeof planContainer>> }> = [
    { name: "defaults run forever", ann: {}, want: { startupMs: 100, readyMs: 0, exitAfterMs: undefined, exitCode: 0, stopMs: 50, pullFails: false } },
    { name: "crash exits 1 after the profile's crash delay", ann: { "sim.k8s-dev/fail": "crash" }, want: { exitAfterMs: 1000, exitCode: 1 } },
    { name: "crash with exit-after-ms and exit-code", ann: { "sim.k8s-dev/fail": "crash", "sim.k8s-dev/exit-after-ms": "200", "sim.k8s-dev/exit-code": "3" }, want: { exitAfterMs: 200, exitCode: 3 } },
    { name: "crash never exits 0", ann: { "sim.k8s-dev/fail": "crash", "sim.k8s-dev/exit-code": "0" }, want: { exitCode: 1 } },
    { name: "exit-after-ms alone completes with 0", ann: { "sim.k8s-dev/exit-after-ms": "300" }, want: { exitAfterMs: 300, exitCode: 0 } },
    { name: "startup/ready/stop overrides", ann: { "sim.k8s-dev/startup-ms": "7", "sim.k8s-dev/ready-ms": "8", "sim.k8s-dev/stop-ms": "9" }, want: { startupMs: 7, readyMs: 8, stopMs: 9 } },
    { name: "invalid numbers are ignored", ann: { "sim.k8s-dev/startup-ms": "soon", "sim.k8s-dev/exit-code": "999" }, want: { startupMs: 100, exitCode: 0 } },
    { name: "image-pull failure", ann: { "sim.k8s-dev/fail": "image-pull" }, want: { pullFails: true } },
    { name: "crash rate 1 crashes", ann: {}, profile: { ...FLAT, crashRate: 1 }, want: { exitCode: 1, exitAfterMs: 1000 } },
    { name: "fail none overrides the crash rate", ann: { "sim.k8s-dev/fail": "none" }, profile: { ...FLAT, crashRate: 1 }, want: { exitCode: 0, exitAfterMs: undefined } },
    { name: "readiness probe delay wins", ann: { "sim.k8s-dev/ready-ms": "8" }, container: { ...APP, readinessDelayMs: 5000 }, want: { readyMs: 5000 } },
    { name: "init containers exit 0 and are never ready", ann: { "sim.k8s-dev/fail": "crash" }, container: { ...APP, init: true }, want: { exitAfterMs: 10, exitCode: 0, readyMs: Infinity } },
  ];
  for (const c of cases) {
    const plan = planContainer(c.profile ?? FLAT, c.ann, c.container ?? APP, never);
    for (const [k, v] of Object.entries(c.want)) assert.deepEqual((plan as any)[k], v, `${c.name}: ${k}`);
  }
});

test("sim stages - draw stays within jitter and never below 0", () => {
  const r = seededRandom(7);
  for (let i = 0; i < 1000; i++) {
    const v = draw({ ms: 100, jitterMs: 50 }, r);
    assert.ok(v >= 50 && v <= 150, String(v));
  }
  assert.equal(draw({ ms: 10, jitterMs: 100 }, () => 0), 0);
});

function fresh(plan: Partial<SimContainer["plan"]> = {}): SimContainer {
  return {
    instance: { name: "app", id: "sim://1", attempt: 0, image: "nginx", imageID: "x", state: "creating", createdAt: 1000, ready: false, reason: "ContainerCreating" },
    plan: { startupMs: 100, readyMs: 0, exitCode: 0, stopMs: 50, pullFails: false, ...plan },
  };
}

test("sim stages - advance walks the table in time order", () => {
  const cases: Array<{ name: string; plan: Partial<SimContainer["plan"]>; at: number; stages: string[]; state: string; ready: boolean; exitCode?: number }> = [
    { name: "nothing before startup", plan: {}, at: 1099, stages: [], state: "creating", ready: false },
    { name: "starts ready", plan: {}, at: 1100, stages: ["started"], state: "running", ready: true },
    { name: "ready after its delay", plan: { readyMs: 500 }, at: 1599, stages: ["started"], state: "running", ready: false },
    { name: "ready after its delay (due)", plan: { readyMs: 500 }, at: 1600, stages: ["started", "ready"], state: "running", ready: true },
    { name: "exits before it is ready", plan: { readyMs: 500, exitAfterMs: 200, exitCode: 1 }, at: 5000, stages: ["started", "exited"], state: "exited", ready: false, exitCode: 1 },
    { name: "runs, gets ready, completes", plan: { readyMs: 100, exitAfterMs: 300 }, at: 5000, stages: ["started", "ready", "exited"], state: "exited", ready: false, exitCode: 0 },
    { name: "pull failure", plan: { pullFails: true }, at: 5000, stages: ["created-failed"], state: "failed", ready: false },
  ];
  for (const c of cases) {
    const { container, applied } = advance(fresh(c.plan), c.at);
    assert.deepEqual(applied, c.stages, c.name);
    assert.equal(container.instance.state, c.state, c.name);
    assert.equal(container.instance.ready, c.ready, c.name);
    if (c.exitCode !== undefined) assert.equal(container.instance.exitCode, c.exitCode, c.name);
  }
  const done = advance(fresh({ exitAfterMs: 300, exitCode: 2 }), 9999).container.instance;
  assert.equal(done.startedAt, 1100);
  assert.equal(done.finishedAt, 1400, "timestamps are the stage times, not the time advance ran");
  assert.equal(done.reason, "Error");
});

test("sim stages - requestStop honours the stop delay within the grace period, kills after it", () => {
  const running = advance(fresh({ stopMs: 50 }), 1100).container;
  const soft = advance(requestStop(running, 2000, 30_000), 10_000).container.instance;
  assert.deepEqual([soft.state, soft.exitCode, soft.reason, soft.finishedAt], ["exited", 0, "Completed", 2050]);
  const slow = advance(fresh({ stopMs: 5000 }), 1100).container;
  const killed = advance(requestStop(slow, 2000, 1000), 10_000).container.instance;
  assert.deepEqual([killed.exitCode, killed.reason, killed.finishedAt], [137, "Error", 3000]);
  const creating = advance(requestStop(fresh(), 1050, 30_000), 1050).container.instance;
  assert.equal(creating.state, "exited", "a container still being created is abandoned at once");
  const again = requestStop(requestStop(running, 2000, 30_000), 2010, 30_000);
  assert.equal(again.stop?.at, 2050, "a second stop keeps the earlier deadline");
});

test("sim runtime - one heap drives instances; events and inspect follow the stages", () => {
  let now = 0;
  const fired: Array<() => void> = [];
  const heap = new TimerHeap(() => now, { setTimeout: (fn) => (fired.push(fn), fired.length), clearTimeout: () => {} });
  const rt = new SimRuntime({ profile: FLAT, timers: heap, now: () => now, random: seededRandom(1) });
  const events: RuntimeEvent[] = [];
  rt.onEvent((e) => events.push(e));
  const pod = { uid: "u1", namespace: "ns", name: "p", annotations: { "sim.k8s-dev/exit-after-ms": "200", "sim.k8s-dev/exit-code": "2" } };
  rt.startContainer(pod, APP, 0);
  assert.equal(rt.inspect("u1")![0]!.state, "creating");
  assert.equal(heap.size, 1, "one timer per live instance");
  now = 100;
  heap.runDue();
  assert.equal(rt.inspect("u1")![0]!.state, "running");
  now = 300;
  heap.runDue();
  const [cur] = rt.inspect("u1")!;
  assert.deepEqual([cur!.state, cur!.exitCode, cur!.id.startsWith("sim://")], ["exited", 2, true]);
  assert.deepEqual(events.map((e) => e.type), ["started", "exited"]);
  rt.startContainer(pod, APP, 1);
  const list = rt.inspect("u1")!;
  assert.deepEqual(list.map((i) => [i.attempt, i.state]), [[1, "creating"], [0, "exited"]], "newest first, previous kept");
  rt.removePod("u1");
  assert.equal(rt.inspect("u1"), undefined);
  assert.equal(heap.size, 0, "removing a pod cancels its timers");
});

test("timer heap - runs due entries in deadline order, skips cancelled ones", () => {
  let now = 0;
  const heap = new TimerHeap(() => now, { setTimeout: () => 1, clearTimeout: () => {} });
  const order: number[] = [];
  const r = seededRandom(3);
  const handles = [];
  for (let i = 0; i < 200; i++) {
    const at = Math.floor(r() * 1000);
    handles.push({ at, h: heap.schedule(at, () => order.push(at)) });
  }
  for (let i = 0; i < 200; i += 3) heap.cancel(handles[i]!.h);
  now = 500;
  heap.runDue();
  now = 2000;
  heap.runDue();
  const want = handles.filter((_, i) => i % 3 !== 0).map((x) => x.at).sort((a, b) => a - b);
  assert.deepEqual(order, want);
  assert.equal(heap.size, 0);
});

test("timer heap - with slack, the real timer fires on a multiple of it and runs every entry due by then", () => {
  let now = 100;
  const armed: Array<{ fn: () => void; ms: number }> = [];
  const heap = new TimerHeap(() => now, { setTimeout: (fn, ms) => (armed.push({ fn, ms }), armed.length), clearTimeout: () => {} }, 10);
  const ran: number[] = [];
  heap.schedule(101, () => ran.push(101));
  heap.schedule(104, () => ran.push(104));
  heap.schedule(111, () => ran.push(111));
  assert.deepEqual(armed.map((a) => a.ms), [10], "one timer, for 110, however many entries fall before it");
  now = 110;
  armed[0]!.fn();
  assert.deepEqual(ran, [101, 104]);
  assert.deepEqual(armed.map((a) => a.ms), [10, 10], "re-armed for 120");
});

test("sim runtime - randomHex: 8 zero-padded hex digits per 32-bit draw, cut to length", () => {
  const draws = [0, 0.5, 0.999999999, 1 / 4294967296];
  let i = 0;
  const random = () => draws[i++ % draws.length]!;
  assert.equal(randomHex(random, 32), "00000000" + "80000000" + "fffffffb" + "00000001");
  assert.equal(randomHex(seededRandom(9), 12).length, 12);
  const r1 = seededRandom(5);
  const r2 = seededRandom(5);
  const want = Array.from({ length: 8 }, () => Math.floor(r2() * 0x100000000).toString(16).padStart(8, "0")).join("");
  assert.equal(randomHex(r1, 64), want, "the digits of Math.floor(draw·2³²) in order");
});
