import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decideNode,
  decideOrphanedPods,
  desiredTaints,
  evictionTime,
  formatTime,
  markConditionsUnknown,
  nodeHealth,
  podNotReadyConditions,
  taintsEqual,
  withDefaultTolerations,
  TAINT_NOT_READY,
  TAINT_UNREACHABLE,
  type LifecycleNode,
  type LifecyclePod,
  type NodeCondition,
  type Taint,
  type Toleration,
} from "./decide.js";

const T0 = Date.parse("2024-05-01T10:00:00Z");
const at = (sec: number) => formatTime(T0 + sec * 1000);
const CFG = { nodeMonitorGraceMs: 40_000, nodeStartupGraceMs: 60_000, defaultTolerationSeconds: 300 };

const ready = (status: string, heartbeatSec = 0): NodeCondition => ({ type: "Ready", status, reason: "KubeletReady", lastHeartbeatTime: at(heartbeatSec), lastTransitionTime: at(-100) });
const cond = (type: string, status: string): NodeCondition => ({ type, status, lastHeartbeatTime: at(0), lastTransitionTime: at(-100) });

function node(conditions: NodeCondition[] | undefined, taints?: Taint[], extra: { unschedulable?: boolean; createdSec?: number } = {}): LifecycleNode {
  return {
    metadata: { name: "n1", creationTimestamp: at(extra.createdSec ?? -1000) },
    spec: { ...(taints ? { taints } : {}), ...(extra.unschedulable ? { unschedulable: true } : {}) },
    status: conditions ? { conditions } : {},
  };
}
const lease = (renewSec: number) => ({ spec: { renewTime: formatTime(T0 + renewSec * 1000).replace("Z", ".000000Z") } });
function pod(name: string, opts: { tolerations?: Toleration[]; createdSec?: number; deletionSec?: number; readyStatus?: string } = {}): LifecyclePod {
  return {
    metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: "7", creationTimestamp: at(opts.createdSec ?? -2000), ...(opts.deletionSec !== undefined ? { deletionTimestamp: at(opts.deletionSec) } : {}) },
    spec: { nodeName: "n1", ...(opts.tolerations ? { tolerations: opts.tolerations } : {}) },
    status: { conditions: [{ type: "PodScheduled", status: "True" }, { type: "Ready", status: opts.readyStatus ?? "True", lastTransitionTime: at(-500) }] },
  };
}
const noExec = (key: string, addedSec?: number, value?: string): Taint => ({ key, effect: "NoExecute", ...(value ? { value } : {}), ...(addedSec !== undefined ? { timeAdded: at(addedSec) } : {}) });
const noSched = (key: string): Taint => ({ key, effect: "NoSchedule" });

// ---- nodeHealth ----

test("nodeHealth - heartbeat is the newest of lease renewTime and Ready lastHeartbeatTime; startup grace without Ready", () => {
  const cases: Array<{ name: string; node: LifecycleNode; lease?: ReturnType<typeof lease>; nowSec: number; healthy: boolean; staleAtSec: number }> = [
    { name: "fresh lease", node: node([ready("True", -100)]), lease: lease(-10), nowSec: 0, healthy: true, staleAtSec: 30 },
    { name: "lease exactly at grace", node: node([ready("True", -100)]), lease: lease(-40), nowSec: 0, healthy: true, staleAtSec: 0 },
    { name: "lease past grace", node: node([ready("True", -100)]), lease: lease(-41), nowSec: 0, healthy: false, staleAtSec: -1 },
    { name: "no lease, fresh Ready heartbeat", node: node([ready("True", -5)]), nowSec: 0, healthy: true, staleAtSec: 35 },
    { name: "stale lease, fresher Ready heartbeat", node: node([ready("True", -20)]), lease: lease(-100), nowSec: 0, healthy: true, staleAtSec: 20 },
    { name: "no Ready condition: startup grace from creation", node: node(undefined, undefined, { createdSec: -50 }), nowSec: 0, healthy: true, staleAtSec: 10 },
    { name: "no Ready condition, created long ago", node: node(undefined, undefined, { createdSec: -61 }), nowSec: 0, healthy: false, staleAtSec: -1 },
    { name: "no Ready condition but the lease is renewed (healthy, as Kubernetes)", node: node(undefined, undefined, { createdSec: -500 }), lease: lease(-1), nowSec: 0, healthy: true, staleAtSec: 59 },
    { name: "Ready posted by the controller (Unknown) keeps the old heartbeat", node: node([{ ...ready("Unknown", -100), reason: "NodeStatusUnknown" }]), lease: lease(-90), nowSec: 0, healthy: false, staleAtSec: -50 },
  ];
  for (const c of cases) {
    const h = nodeHealth(c.node, c.lease, T0 + c.nowSec * 1000, CFG);
    assert.equal(h.healthy, c.healthy, c.name);
    assert.equal(h.staleAt, T0 + c.staleAtSec * 1000, c.name);
  }
});

// ---- markConditionsUnknown ----

test("markConditionsUnknown - every monitored condition becomes Unknown, NetworkUnavailable untouched, missing ones added", () => {
  const n = node([ready("True", -50), cond("MemoryPressure", "False"), cond("NetworkUnavailable", "False"), { ...cond("DiskPressure", "Unknown"), reason: "Earlier" }]);
  const out = markConditionsUnknown(n, T0)!;
  const byType = new Map(out.map((c) => [c.type, c]));
  assert.deepEqual(byType.get("Ready"), { type: "Ready", status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastHeartbeatTime: at(-50), lastTransitionTime: at(0) });
  assert.equal(byType.get("MemoryPressure")!.status, "Unknown");
  assert.equal(byType.get("MemoryPressure")!.lastTransitionTime, at(0));
  assert.deepEqual(byType.get("NetworkUnavailable"), cond("NetworkUnavailable", "False"));
  assert.deepEqual(byType.get("DiskPressure"), { ...cond("DiskPressure", "Unknown"), reason: "Earlier" }, "already Unknown: unchanged");
  assert.deepEqual(byType.get("PIDPressure"), {
    type: "PIDPressure",
    status: "Unknown",
    reason: "NodeStatusNeverUpdated",
    message: "Kubelet never posted node status.",
    lastHeartbeatTime: n.metadata.creationTimestamp,
    lastTransitionTime: at(0),
  });
  assert.equal(n.status!.conditions![0]!.status, "True", "input not mutated");
});

test("markConditionsUnknown - nothing to write when all are Unknown already", () => {
  const n = node(["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"].map((t) => cond(t, "Unknown")));
  assert.equal(markConditionsUnknown(n, T0), undefined);
});

test("markConditionsUnknown - a node that never posted status gets all four conditions", () => {
  const out = markConditionsUnknown(node(undefined), T0)!;
  assert.deepEqual(out.map((c) => [c.type, c.status, c.reason]), [
    ["Ready", "Unknown", "NodeStatusNeverUpdated"],
    ["MemoryPressure", "Unknown", "NodeStatusNeverUpdated"],
    ["DiskPressure", "Unknown", "NodeStatusNeverUpdated"],
    ["PIDPressure", "Unknown", "NodeStatusNeverUpdated"],
  ]);
});

// ---- desiredTaints ----

test("desiredTaints - taints follow the conditions; others are kept; timeAdded kept or carried over a swap", () => {
  const userTaint: Taint = { key: "dedicated", value: "gpu", effect: "NoSchedule" };
  const userNoExec: Taint = { key: "example.com/drain", effect: "NoExecute", timeAdded: at(-5) };
  const cases: Array<{ name: string; current?: Taint[]; conditions: NodeCondition[]; unschedulable?: boolean; want: Taint[] }> = [
    { name: "healthy, no taints", conditions: [ready("True")], want: [] },
    { name: "healthy keeps user taints", current: [userTaint, userNoExec], conditions: [ready("True")], want: [userTaint, userNoExec] },
    {
      name: "Unknown adds unreachable NoSchedule + NoExecute(timeAdded now)",
      current: [userTaint],
      conditions: [ready("Unknown")],
      want: [userTaint, noSched(TAINT_UNREACHABLE), noExec(TAINT_UNREACHABLE, 0)],
    },
    { name: "False adds not-ready", conditions: [ready("False")], want: [noSched(TAINT_NOT_READY), noExec(TAINT_NOT_READY, 0)] },
    {
      name: "already tainted: unchanged (timeAdded kept)",
      current: [noSched(TAINT_UNREACHABLE), noExec(TAINT_UNREACHABLE, -30)],
      conditions: [ready("Unknown")],
      want: [noSched(TAINT_UNREACHABLE), noExec(TAINT_UNREACHABLE, -30)],
    },
    {
      name: "Ready again removes them, keeps the user's",
      current: [noSched(TAINT_UNREACHABLE), userTaint, noExec(TAINT_UNREACHABLE, -30), userNoExec],
      conditions: [ready("True")],
      want: [userTaint, userNoExec],
    },
    {
      name: "unreachable → not-ready swap keeps the NoExecute timeAdded",
      current: [noSched(TAINT_UNREACHABLE), noExec(TAINT_UNREACHABLE, -30)],
      conditions: [ready("False")],
      want: [noSched(TAINT_NOT_READY), noExec(TAINT_NOT_READY, -30)],
    },
    {
      name: "pressure conditions and unschedulable give NoSchedule taints",
      conditions: [ready("True"), cond("MemoryPressure", "True"), cond("DiskPressure", "True"), cond("PIDPressure", "True"), cond("NetworkUnavailable", "True")],
      unschedulable: true,
      want: [
        noSched("node.kubernetes.io/memory-pressure"),
        noSched("node.kubernetes.io/disk-pressure"),
        noSched("node.kubernetes.io/pid-pressure"),
        noSched("node.kubernetes.io/network-unavailable"),
        noSched("node.kubernetes.io/unschedulable"),
      ],
    },
    {
      name: "pressure gone and schedulable again: removed",
      current: [noSched("node.kubernetes.io/memory-pressure"), noSched("node.kubernetes.io/unschedulable")],
      conditions: [ready("True"), cond("MemoryPressure", "False")],
      want: [],
    },
    {
      name: "a managed key with another effect is not ours (unreachable:PreferNoSchedule stays)",
      current: [{ key: TAINT_UNREACHABLE, effect: "PreferNoSchedule" }],
      conditions: [ready("True")],
      want: [{ key: TAINT_UNREACHABLE, effect: "PreferNoSchedule" }],
    },
    { name: "no Ready condition: no Ready taints", conditions: [], want: [] },
  ];
  for (const c of cases) {
    assert.deepEqual(desiredTaints(c.current, c.conditions, c.unschedulable ?? false, T0), c.want, c.name);
  }
});

test("taintsEqual - compares key, value, effect, timeAdded and order", () => {
  assert.equal(taintsEqual(undefined, []), true);
  assert.equal(taintsEqual([noExec("a", 1)], [noExec("a", 1)]), true);
  assert.equal(taintsEqual([noExec("a", 1)], [noExec("a", 2)]), false);
  assert.equal(taintsEqual([noExec("a", 1, "x")], [noExec("a", 1)]), false);
  assert.equal(taintsEqual([noExec("a"), noSched("b")], [noSched("b"), noExec("a")]), false);
});

// ---- tolerations ----


test("withDefaultTolerations - adds not-ready/unreachable NoExecute for N seconds unless the pod has one", () => {
  const def = (key: string, s = 300): Toleration => ({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: s });
  const cases: Array<[string, Toleration[] | undefined, Toleration[]]> = [
    ["none", undefined, [def(TAINT_NOT_READY), def(TAINT_UNREACHABLE)]],
    ["own unreachable toleration kept, not-ready added", [{ key: TAINT_UNREACHABLE, operator: "Exists", tolerationSeconds: 5 }], [{ key: TAINT_UNREACHABLE, operator: "Exists", tolerationSeconds: 5 }, def(TAINT_NOT_READY)]],
    ["wildcard toleration covers both", [{ operator: "Exists" }], [{ operator: "Exists" }]],
    ["a NoSchedule toleration does not count", [{ key: TAINT_UNREACHABLE, operator: "Exists", effect: "NoSchedule" }], [{ key: TAINT_UNREACHABLE, operator: "Exists", effect: "NoSchedule" }, def(TAINT_NOT_READY), def(TAINT_UNREACHABLE)]],
  ];
  for (const [name, input, want] of cases) assert.deepEqual(withDefaultTolerations(input, 300), want, name);
  assert.deepEqual(withDefaultTolerations(undefined, 2)[0], def(TAINT_NOT_READY, 2));
});

// ---- evictionTime ----

test("evictionTime - at once, after min(tolerationSeconds), or never", () => {
  const unreachable = noExec(TAINT_UNREACHABLE, -10);
  const dedicated = noExec("dedicated", -10, "db");
  const cases: Array<{ name: string; taints: Taint[]; pod: LifecyclePod; want: number | undefined }> = [
    { name: "no NoExecute taint", taints: [noSched(TAINT_UNREACHABLE)], pod: pod("p"), want: undefined },
    { name: "no tolerations: default 300 s from timeAdded", taints: [unreachable], pod: pod("p"), want: T0 + 290_000 },
    { name: "untolerated user taint: now", taints: [unreachable, dedicated], pod: pod("p"), want: T0 },
    {
      name: "own toleration of 30 s",
      taints: [unreachable],
      pod: pod("p", { tolerations: [{ key: TAINT_UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 }] }),
      want: T0 + 20_000,
    },
    { name: "tolerated forever", taints: [unreachable], pod: pod("p", { tolerations: [{ key: TAINT_UNREACHABLE, operator: "Exists" }] }), want: undefined },
    { name: "wildcard forever", taints: [unreachable, dedicated], pod: pod("p", { tolerations: [{ operator: "Exists" }] }), want: undefined },
    {
      name: "min over the used tolerations (forever + 60 s → 60 s)",
      taints: [unreachable, dedicated],
      pod: pod("p", { tolerations: [{ key: "dedicated", value: "db", effect: "NoExecute" }, { key: TAINT_UNREACHABLE, operator: "Exists", tolerationSeconds: 60 }] }),
      want: T0 + 50_000,
    },
    {
      name: "first matching toleration per taint is the one used",
      taints: [unreachable],
      pod: pod("p", { tolerations: [{ key: TAINT_UNREACHABLE, operator: "Exists" }, { key: TAINT_UNREACHABLE, operator: "Exists", tolerationSeconds: 1 }] }),
      want: undefined,
    },
    { name: "negative seconds count as 0", taints: [unreachable], pod: pod("p", { tolerations: [{ key: TAINT_UNREACHABLE, operator: "Exists", tolerationSeconds: -5 }] }), want: T0 - 10_000 },
    { name: "a pod created after the taint counts from its creation", taints: [unreachable], pod: pod("p", { createdSec: 100 }), want: T0 + 400_000 },
    { name: "earliest NoExecute taint counts", taints: [noExec(TAINT_UNREACHABLE, -100), noExec("other", -5)], pod: pod("p", { tolerations: [{ operator: "Exists", tolerationSeconds: 200 }] }), want: T0 + 100_000 },
  ];
  for (const c of cases) assert.equal(evictionTime(c.pod, c.taints, T0, 300), c.want, c.name);
});

test("evictionTime - a taint without timeAdded counts from when it was first seen, else from now", () => {
  const t = noExec(TAINT_UNREACHABLE);
  assert.equal(evictionTime(pod("p"), [t], T0, 300), T0 + 300_000);
  assert.equal(evictionTime(pod("p"), [t], T0, 300, new Map([[`${TAINT_UNREACHABLE}:NoExecute`, T0 - 299_000]])), T0 + 1_000);
});

test("podNotReadyConditions - flips Ready True to False, nothing otherwise", () => {
  const out = podNotReadyConditions(pod("p"), T0)!;
  assert.deepEqual(out.find((c) => c.type === "Ready"), { type: "Ready", status: "False", lastTransitionTime: at(0) });
  assert.deepEqual(out.find((c) => c.type === "PodScheduled"), { type: "PodScheduled", status: "True" });
  assert.equal(podNotReadyConditions(pod("p", { readyStatus: "False" }), T0), undefined);
  assert.equal(podNotReadyConditions({ metadata: { name: "x" } }, T0), undefined);
});

// ---- decideNode ----

test("decideNode - healthy node: nothing to write; look again when the heartbeat would go stale", () => {
  const d = decideNode({ node: node([ready("True", -30)]), lease: lease(-5), pods: [pod("a")], now: T0, config: CFG });
  assert.equal(d.conditions, undefined);
  assert.equal(d.taints, undefined);
  assert.deepEqual(d.podActions, []);
  assert.equal(d.requeueAfterMs, 35_001);
});

test("decideNode - lease stopped: Unknown, tainted, pods marked not ready and evicted as they tolerate", () => {
  const pods = [
    pod("default-tol"),
    pod("short", { tolerations: [{ key: TAINT_UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: 0 }] }),
    pod("forever", { tolerations: [{ key: TAINT_UNREACHABLE, operator: "Exists" }, { key: TAINT_NOT_READY, operator: "Exists" }] }),
  ];
  const d = decideNode({ node: node([ready("True", -100)]), lease: lease(-41), pods, now: T0, config: CFG });
  assert.equal(d.health.healthy, false);
  assert.equal(d.conditions!.find((c) => c.type === "Ready")!.status, "Unknown");
  assert.deepEqual(d.taints, [noSched(TAINT_UNREACHABLE), noExec(TAINT_UNREACHABLE, 0)]);
  assert.deepEqual(
    d.podActions.map((a) => [a.type, a.pod.name]),
    [
      ["markNotReady", "default-tol"],
      ["evict", "short"],
      ["markNotReady", "forever"],
    ],
  );
  assert.deepEqual(d.podActions[1]!.pod, { namespace: "default", name: "short", uid: "uid-short", resourceVersion: "7" });
  assert.equal(d.requeueAfterMs, 300_001, "the default toleration runs out in 300 s");
});

test("decideNode - default toleration expired: evicted; pods being deleted on an unreachable node are force-deleted", () => {
  const unknown = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"].map((t) => ({ ...cond(t, "Unknown"), lastHeartbeatTime: at(-400) }));
  const n = node(unknown, [noSched(TAINT_UNREACHABLE), noExec(TAINT_UNREACHABLE, -301)]);
  const d = decideNode({ node: n, lease: lease(-400), pods: [pod("old"), pod("terminating", { deletionSec: 30 }), pod("young", { createdSec: -10 })], now: T0, config: CFG });
  assert.equal(d.conditions, undefined, "already Unknown: no status write");
  assert.equal(d.taints, undefined);
  assert.deepEqual(
    d.podActions.map((a) => [a.type, a.pod.name]),
    [
      ["evict", "old"],
      ["forceDelete", "terminating"],
      ["markNotReady", "young"],
    ],
  );
  assert.equal(d.requeueAfterMs, 290_001);
});

test("decideNode - lease renewed but the kubelet has not posted Ready: taints stay; Ready=True removes them", () => {
  const tainted = [noSched(TAINT_UNREACHABLE), noExec(TAINT_UNREACHABLE, -20)];
  const unknown = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"].map((t) => ({ ...cond(t, "Unknown"), lastHeartbeatTime: at(-100) }));
  const stillUnknown = decideNode({ node: node(unknown, tainted), lease: lease(-1), pods: [pod("a")], now: T0, config: CFG });
  assert.equal(stillUnknown.health.healthy, true);
  assert.equal(stillUnknown.conditions, undefined);
  assert.equal(stillUnknown.taints, undefined);
  assert.deepEqual(stillUnknown.podActions.map((a) => a.type), ["markNotReady"]);
  assert.equal(stillUnknown.requeueAfterMs, 39_001);

  const back = decideNode({ node: node([ready("True", -1)], tainted), lease: lease(-1), pods: [pod("a")], now: T0, config: CFG });
  assert.deepEqual(back.taints, []);
  assert.deepEqual(back.podActions, []);
});

test("decideNode - NotReady node (kubelet posted False): not-ready taints; terminating pods force-deleted only after their deletion time", () => {
  const n = node([ready("False", -1)], [noSched(TAINT_NOT_READY), noExec(TAINT_NOT_READY, -10)]);
  const d = decideNode({ node: n, lease: lease(-1), pods: [pod("due", { deletionSec: -1 }), pod("later", { deletionSec: 20 })], now: T0, config: CFG });
  assert.equal(d.taints, undefined);
  assert.deepEqual(d.podActions.map((a) => [a.type, a.pod.name]), [["forceDelete", "due"]]);
  assert.equal(d.requeueAfterMs, 20_001);
});

test("decideNode - a user NoExecute taint on a healthy node evicts pods that do not tolerate it", () => {
  const n = node([ready("True", -1)], [noExec("example.com/maintenance", -1)]);
  const d = decideNode({
    node: n,
    lease: lease(-1),
    pods: [pod("plain"), pod("ok", { tolerations: [{ key: "example.com/maintenance", operator: "Exists", tolerationSeconds: 10 }] })],
    now: T0,
    config: CFG,
  });
  assert.deepEqual(d.podActions.map((a) => [a.type, a.pod.name]), [["evict", "plain"]]);
  assert.equal(d.requeueAfterMs, 9_001);
});

// ---- decideOrphanedPods ----

test("decideOrphanedPods - force-deletes pods of a missing node after the quarantine", () => {
  assert.deepEqual(decideOrphanedPods([], T0, T0 + 100_000, 40_000), { podActions: [] });
  assert.deepEqual(decideOrphanedPods([pod("a")], T0, T0 + 10_000, 40_000), { podActions: [], requeueAfterMs: 30_001 });
  const d = decideOrphanedPods([pod("a"), pod("b")], T0, T0 + 40_000, 40_000);
  assert.deepEqual(d.podActions.map((a) => [a.type, a.pod.name]), [["forceDelete", "a"], ["forceDelete", "b"]]);
});
