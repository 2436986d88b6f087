import { test } from "node:test";
import assert from "node:assert/strict";
import { decidePod, goDuration, kubeTime, podPhase, restartDelay, type PodAction } from "./pod-sync.js";
import type { ContainerInstance } from "./runtime.js";

const NOW = Date.parse("2025-01-01T00:01:00Z");
const NODE = { hostIP: "127.0.0.2", podIP: "10.244.1.2", backoff: { baseMs: 10_000, maxMs: 300_000 } };

function pod(over: { spec?: any; status?: any; metadata?: any } = {}): any {
  return {
    metadata: { name: "p", namespace: "ns", uid: "u1", ...(over.metadata ?? {}) },
    spec: { nodeName: "node-1", restartPolicy: "Always", containers: [{ name: "app", image: "nginx" }], ...(over.spec ?? {}) },
    status: { phase: "Pending", qosClass: "BestEffort", ...(over.status ?? {}) },
  };
}

function inst(over: Partial<ContainerInstance>): ContainerInstance {
  return { name: "app", id: "sim://a", attempt: 0, image: "nginx", imageID: "nginx@sha256:1", state: "running", createdAt: NOW - 5000, startedAt: NOW - 4000, ready: true, ...over };
}

const statusOf = (as: PodAction[]) => (as.find((a) => a.type === "status") as any)?.status;
const types = (as: PodAction[]) => as.map((a) => a.type);

test("pod sync - a new pod starts its containers; running and ready gives Running with every condition", () => {
  const first = decidePod({ pod: pod(), instances: undefined, node: NODE, now: NOW });
  assert.deepEqual(first, [{ type: "start", container: { name: "app", image: "nginx" }, attempt: 0 }]);

  const creating = statusOf(decidePod({ pod: pod(), instances: [inst({ state: "creating", startedAt: undefined, ready: false })], node: NODE, now: NOW }));
  assert.equal(creating.phase, "Pending");
  assert.deepEqual(creating.containerStatuses[0].state, { waiting: { reason: "ContainerCreating" } });
  assert.equal(creating.podIP, "10.244.1.2");
  assert.deepEqual(creating.podIPs, [{ ip: "10.244.1.2" }]);

  const s = statusOf(decidePod({ pod: pod(), instances: [inst({})], node: NODE, now: NOW }));
  assert.equal(s.phase, "Running");
  assert.deepEqual(
    s.conditions.map((c: any) => [c.type, c.status]),
    [["PodReadyToStartContainers", "True"], ["Initialized", "True"], ["Ready", "True"], ["ContainersReady", "True"], ["PodScheduled", "True"]],
  );
  const cs = s.containerStatuses[0];
  assert.deepEqual([cs.ready, cs.started, cs.restartCount, cs.containerID, cs.imageID], [true, true, 0, "sim://a", "nginx@sha256:1"]);
  assert.deepEqual(cs.state, { running: { startedAt: kubeTime(NOW - 4000) } });
  assert.deepEqual([s.hostIP, s.startTime, s.qosClass], ["127.0.0.2", kubeTime(NOW), "BestEffort"]);
});

test("pod sync - conditions keep lastTransitionTime while unchanged, and set it on a change", () => {
  const old = [
    { type: "Ready", status: "True", lastTransitionTime: "2024-01-01T00:00:00Z" },
    { type: "ContainersReady", status: "True", lastTransitionTime: "2024-01-01T00:00:00Z" },
    { type: "PodScheduled", status: "True", lastTransitionTime: "2023-01-01T00:00:00Z" },
    { type: "DisruptionTarget", status: "True", lastTransitionTime: "2024-01-01T00:00:00Z" },
  ];
  const same = statusOf(decidePod({ pod: pod({ status: { conditions: old } }), instances: [inst({})], node: NODE, now: NOW }));
  const byType = (s: any, t: string) => s.conditions.find((c: any) => c.type === t);
  assert.equal(byType(same, "Ready").lastTransitionTime, "2024-01-01T00:00:00Z");
  assert.equal(byType(same, "PodScheduled").lastTransitionTime, "2023-01-01T00:00:00Z", "the scheduler's condition is kept");
  assert.ok(byType(same, "DisruptionTarget"), "conditions others own are kept");
  const changed = statusOf(decidePod({ pod: pod({ status: { conditions: old } }), instances: [inst({ ready: false })], node: NODE, now: NOW }));
  assert.deepEqual([byType(changed, "Ready").status, byType(changed, "Ready").lastTransitionTime, byType(changed, "Ready").reason], ["False", kubeTime(NOW), "ContainersNotReady"]);
  assert.equal(byType(changed, "Ready").message, "containers with unready status: [app]");
});

test("pod sync - restart policy and crash loop backoff", () => {
  const exited = (attempt: number, exitCode: number, finishedAgo: number) => [inst({ attempt, state: "exited", exitCode, reason: exitCode ? "Error" : "Completed", startedAt: NOW - finishedAgo - 100, finishedAt: NOW - finishedAgo, ready: false })];
  const cases: Array<{ name: string; policy: string; instances: ContainerInstance[]; want: string[]; attempt?: number; phase?: string; waiting?: string; requeue?: number }> = [
    { name: "Always: first crash restarts at once", policy: "Always", instances: exited(0, 1, 0), want: ["start"], attempt: 1 },
    { name: "Always: second crash waits 10s", policy: "Always", instances: exited(1, 1, 3000), want: ["status", "requeue"], phase: "Running", waiting: "CrashLoopBackOff", requeue: 7000 },
    { name: "Always: fourth crash waits 40s", policy: "Always", instances: exited(3, 1, 39_000), want: ["status", "requeue"], waiting: "CrashLoopBackOff", requeue: 1000 },
    { name: "Always: backoff over restarts", policy: "Always", instances: exited(1, 1, 10_000), want: ["start"], attempt: 2 },
    { name: "Always: a completed container restarts too", policy: "Always", instances: exited(0, 0, 0), want: ["start"], attempt: 1 },
    { name: "OnFailure: exit 0 completes", policy: "OnFailure", instances: exited(0, 0, 0), want: ["status"], phase: "Succeeded" },
    { name: "OnFailure: exit 1 restarts", policy: "OnFailure", instances: exited(0, 1, 0), want: ["start"], attempt: 1 },
    { name: "Never: exit 0 succeeds", policy: "Never", instances: exited(0, 0, 0), want: ["status"], phase: "Succeeded" },
    { name: "Never: exit 2 fails", policy: "Never", instances: exited(0, 2, 0), want: ["status"], phase: "Failed" },
  ];
  for (const c of cases) {
    const as = decidePod({ pod: pod({ spec: { restartPolicy: c.policy } }), instances: c.instances, node: NODE, now: NOW });
    assert.deepEqual(types(as), c.want, c.name);
    const start = as.find((a) => a.type === "start") as any;
    if (c.attempt !== undefined) assert.equal(start.attempt, c.attempt, c.name);
    const s = statusOf(as);
    if (c.phase) assert.equal(s.phase, c.phase, c.name);
    if (c.waiting) {
      assert.equal(s.containerStatuses[0].state.waiting.reason, c.waiting, c.name);
      assert.equal(s.containerStatuses[0].lastState.terminated.exitCode, 1, c.name);
      assert.equal(s.containerStatuses[0].restartCount, c.instances[0]!.attempt, c.name);
    }
    if (c.requeue !== undefined) assert.equal((as.find((a) => a.type === "requeue") as any).afterMs, c.requeue, c.name);
  }
  const done = statusOf(decidePod({ pod: pod({ spec: { restartPolicy: "Never" } }), instances: exited(0, 0, 0), node: NODE, now: NOW }));
  assert.deepEqual(done.containerStatuses[0].state.terminated.reason, "Completed");
  const ready = done.conditions.find((c: any) => c.type === "Ready");
  assert.deepEqual([ready.status, ready.reason], ["False", "PodCompleted"]);
});

test("pod sync - restartDelay and goDuration", () => {
  const b = { baseMs: 10_000, maxMs: 300_000 };
  assert.deepEqual([0, 1, 2, 3, 5, 6, 40].map((n) => restartDelay(n, 1000, b)), [0, 10_000, 20_000, 40_000, 160_000, 300_000, 300_000]);
  assert.equal(restartDelay(4, 600_001, b), 0, "a long run resets the backoff");
  assert.deepEqual([500, 10_000, 1500, 300_000, 90_000].map(goDuration), ["500ms", "10s", "1.5s", "5m0s", "1m30s"]);
});

test("pod sync - podPhase follows the kubelet", () => {
  const run = { state: { running: {} } };
  const wait = { state: { waiting: { reason: "ContainerCreating" } } };
  const ok = { state: { terminated: { exitCode: 0 } } };
  const bad = { state: { terminated: { exitCode: 1 } } };
  const loop = { state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 1 } } };
  const cases: Array<[any[], string, boolean, string]> = [
    [[wait], "Always", false, "Pending"],
    [[run, wait], "Always", false, "Pending"],
    [[run, ok], "Never", false, "Running"],
    [[loop], "Always", false, "Running"],
    [[ok, ok], "Never", false, "Succeeded"],
    [[ok, bad], "Never", false, "Failed"],
    [[ok, bad], "OnFailure", false, "Running"],
    [[ok], "Always", false, "Running"],
    [[ok], "Always", true, "Succeeded"],
    [[ok, bad], "Always", true, "Failed"],
    [[], "Always", false, "Pending"],
  ];
  for (const [statuses, policy, deleting, want] of cases) assert.equal(podPhase(statuses, policy, deleting), want, JSON.stringify({ statuses, policy, deleting }));
});

test("pod sync - graceful deletion stops within the grace period, then writes the terminal status and deletes", () => {
  const deleting = { deletionTimestamp: new Date(NOW + 20_000).toISOString(), deletionGracePeriodSeconds: 30 };
  const stop = decidePod({ pod: pod({ metadata: deleting }), instances: [inst({})], node: NODE, now: NOW });
  assert.deepEqual(stop, [{ type: "stop", graceMs: 20_000 }], "bounded by the deletion timestamp");
  const stopped = [inst({ state: "exited", exitCode: 0, reason: "Completed", finishedAt: NOW, ready: false })];
  const end = decidePod({ pod: pod({ metadata: deleting }), instances: stopped, node: NODE, now: NOW });
  assert.deepEqual(types(end), ["status", "delete"]);
  const s = statusOf(end);
  assert.equal(s.phase, "Succeeded");
  assert.equal(s.containerStatuses[0].state.terminated.reason, "Completed");
  const never = decidePod({ pod: pod({ metadata: deleting }), instances: undefined, node: NODE, now: NOW });
  assert.deepEqual(types(never), ["status", "delete"], "a pod that never ran here is deleted at once");
  assert.equal(statusOf(never).containerStatuses[0].state.terminated.reason, "ContainerStatusUnknown");
  const terminal = decidePod({ pod: pod({ status: { phase: "Succeeded" } }), instances: stopped, node: NODE, now: NOW });
  assert.deepEqual(terminal, [], "a finished pod is left alone");
});

test("pod sync - adoption after a host restart: lost containers restart counting a restart; crash loops continue", () => {
  const running = {
    phase: "Running",
    podIP: "10.244.1.7",
    startTime: "2024-12-31T00:00:00Z",
    containerStatuses: [{ name: "app", image: "nginx", imageID: "nginx@sha256:1", containerID: "sim://old", restartCount: 2, ready: true, started: true, state: { running: { startedAt: "2024-12-31T00:00:05Z" } } }],
  };
  const [start] = decidePod({ pod: pod({ status: running }), instances: undefined, node: NODE, now: NOW }) as any[];
  assert.equal(start.type, "start");
  assert.equal(start.attempt, 3);
  assert.deepEqual([start.previous.reason, start.previous.exitCode, start.previous.id], ["ContainerStatusUnknown", 137, "sim://old"]);

  const looping = {
    phase: "Running",
    containerStatuses: [{ name: "app", image: "nginx", restartCount: 3, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 1, startedAt: kubeTime(NOW - 6000), finishedAt: kubeTime(NOW - 5000) } } }],
  };
  const as = decidePod({ pod: pod({ status: looping }), instances: undefined, node: NODE, now: NOW });
  assert.deepEqual(types(as), ["status", "requeue"], "the backoff continues from the status");
  assert.equal((as[1] as any).afterMs, 35_000);

  const completed = { phase: "Running", containerStatuses: [{ name: "app", restartCount: 0, state: { terminated: { exitCode: 0, reason: "Completed", finishedAt: kubeTime(NOW - 1000) } } }] };
  assert.deepEqual(types(decidePod({ pod: pod({ spec: { restartPolicy: "Never" }, status: completed }), instances: undefined, node: NODE, now: NOW })), ["status"]);
  assert.equal(statusOf(decidePod({ pod: pod({ spec: { restartPolicy: "Never" }, status: completed }), instances: undefined, node: NODE, now: NOW })).phase, "Succeeded");
});

test("pod sync - init containers run one at a time before the app containers", () => {
  const spec = { initContainers: [{ name: "i1", image: "busybox" }, { name: "i2", image: "busybox" }] };
  const i = (name: string, over: Partial<ContainerInstance>) => inst({ name, image: "busybox", ...over });
  const first = decidePod({ pod: pod({ spec }), instances: undefined, node: NODE, now: NOW });
  assert.deepEqual(first.map((a: any) => a.container?.name), ["i1"]);
  assert.equal((first[0] as any).container.init, true);
  const during = decidePod({ pod: pod({ spec }), instances: [i("i1", { state: "running", ready: false })], node: NODE, now: NOW });
  const s = statusOf(during);
  assert.equal(s.phase, "Pending");
  assert.equal(s.conditions.find((c: any) => c.type === "Initialized").status, "False");
  assert.equal(s.containerStatuses[0].state.waiting.reason, "PodInitializing");
  const next = decidePod({ pod: pod({ spec }), instances: [i("i1", { state: "exited", exitCode: 0, finishedAt: NOW })], node: NODE, now: NOW });
  assert.deepEqual(next.map((a: any) => a.container?.name), ["i2"]);
  const apps = decidePod({ pod: pod({ spec }), instances: [i("i1", { state: "exited", exitCode: 0 }), i("i2", { state: "exited", exitCode: 0 })], node: NODE, now: NOW });
  assert.deepEqual(apps.map((a: any) => a.container?.name), ["app"]);
  const failed = decidePod({ pod: pod({ spec: { ...spec, restartPolicy: "Never" } }), instances: [i("i1", { state: "exited", exitCode: 1 })], node: NODE, now: NOW });
  assert.equal(statusOf(failed).phase, "Failed");
});

test("pod sync - readiness gates hold Ready until their condition is True", () => {
  const spec = { readinessGates: [{ conditionType: "example.com/lb" }] };
  const missing = statusOf(decidePod({ pod: pod({ spec }), instances: [inst({})], node: NODE, now: NOW }));
  const ready = (s: any) => s.conditions.find((c: any) => c.type === "Ready");
  assert.deepEqual([ready(missing).status, ready(missing).reason], ["False", "ReadinessGatesNotReady"]);
  const set = statusOf(decidePod({ pod: pod({ spec, status: { conditions: [{ type: "example.com/lb", status: "True" }] } }), instances: [inst({})], node: NODE, now: NOW }));
  assert.equal(ready(set).status, "True");
});

test("pod sync - image pull failures back off as ErrImagePull then ImagePullBackOff, and the pod stays Pending", () => {
  const failed = inst({ state: "failed", startedAt: undefined, ready: false, reason: "ErrImagePull", createdAt: NOW - 1000 });
  const as = decidePod({ pod: pod(), instances: [failed], node: NODE, now: NOW });
  assert.deepEqual(types(as), ["status", "requeue"]);
  assert.equal(statusOf(as).phase, "Pending");
  assert.equal(statusOf(as).containerStatuses[0].state.waiting.reason, "ErrImagePull");
  const again = decidePod({ pod: pod(), instances: [failed, { ...failed, id: "sim://b" }], node: NODE, now: NOW });
  assert.equal(statusOf(again).containerStatuses[0].state.waiting.reason, "ImagePullBackOff");
  assert.deepEqual(types(decidePod({ pod: pod(), instances: [failed], node: NODE, now: NOW + 10_000 })), ["start"]);
});
