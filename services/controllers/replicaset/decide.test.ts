import { test } from "node:test";
import assert from "node:assert/strict";
import {
  calculateStatus,
  countOwned,
  countPod,
  decideClaims,
  decideReplicas,
  ownerView,
  podFromTemplate,
  podNamePrefix,
  podsToDelete,
  replicaSetSelector,
  replicaSetsSelecting,
  rfc3339,
  siblingsOf,
  statusEqual,
  statusWriteDelayMs,
  type ReplicaSetLike,
} from "./decide.js";
import type { OwnerReference, PodLike } from "./pods.js";

const T0 = Date.parse("2024-01-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

function rs(o: { replicas?: number; selector?: Record<string, string> | null; deleting?: boolean; minReady?: number; owner?: string; name?: string; uid?: string; generation?: number; status?: ReplicaSetLike["status"] } = {}): ReplicaSetLike {
  const name = o.name ?? "web";
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name,
      namespace: "ns",
      uid: o.uid ?? `uid-${name}`,
      generation: o.generation ?? 1,
      ...(o.deleting ? { deletionTimestamp: iso(T0) } : {}),
      ...(o.owner ? { ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "d", uid: o.owner, controller: true }] } : {}),
    },
    spec: {
      replicas: o.replicas ?? 3,
      ...(o.minReady ? { minReadySeconds: o.minReady } : {}),
      selector: o.selector === null ? null : { matchLabels: o.selector ?? { app: "web" } },
      template: { metadata: { labels: { app: "web", tier: "fe" }, annotations: { note: "x" } }, spec: { containers: [{ name: "c", image: "nginx" }] } },
    },
    ...(o.status ? { status: o.status } : {}),
  };
}

const ref = (uid: string, controller = true): OwnerReference => ({ apiVersion: "apps/v1", kind: "ReplicaSet", name: "x", uid, controller });

function pod(name: string, o: { labels?: Record<string, string>; owner?: OwnerReference[]; ns?: string; phase?: string; deleting?: boolean; readySince?: number; node?: string; created?: number } = {}): PodLike {
  return {
    metadata: {
      name,
      namespace: o.ns ?? "ns",
      uid: `uid-${name}`,
      labels: o.labels ?? { app: "web", tier: "fe" },
      ...(o.owner ? { ownerReferences: o.owner } : {}),
      ...(o.deleting ? { deletionTimestamp: iso(T0) } : {}),
      ...(o.created !== undefined ? { creationTimestamp: iso(o.created) } : {}),
    },
    spec: o.node ? { nodeName: o.node } : {},
    status: { phase: o.phase ?? "Pending", conditions: o.readySince !== undefined ? [{ type: "Ready", status: "True", lastTransitionTime: iso(o.readySince) }] : [] },
  };
}

const names = (ps: readonly PodLike[]) => ps.map((p) => p.metadata.name).sort();

test("replicaset decide - decideClaims keeps, adopts, releases and ignores as Kubernetes' ClaimPods", () => {
  const mine = ref("uid-web");
  const cases: Array<{ what: string; rs: ReplicaSetLike; pod: PodLike; want: "owned" | "adopt" | "release" | "ignored" }> = [
    { what: "owned and matching is kept", rs: rs(), pod: pod("p", { owner: [mine] }), want: "owned" },
    { what: "owned but relabeled is released", rs: rs(), pod: pod("p", { owner: [mine], labels: { app: "other" } }), want: "release" },
    { what: "owned, relabeled, owner being deleted: left alone", rs: rs({ deleting: true }), pod: pod("p", { owner: [mine], labels: { app: "other" } }), want: "ignored" },
    { what: "owned while the owner is being deleted still counts", rs: rs({ deleting: true }), pod: pod("p", { owner: [mine] }), want: "owned" },
    { what: "orphan that matches is adopted", rs: rs(), pod: pod("p"), want: "adopt" },
    { what: "orphan with a non-controller reference is adopted", rs: rs(), pod: pod("p", { owner: [ref("uid-other", false)] }), want: "adopt" },
    { what: "orphan that does not match is ignored", rs: rs(), pod: pod("p", { labels: { app: "db" } }), want: "ignored" },
    { what: "orphan is not adopted by an owner being deleted", rs: rs({ deleting: true }), pod: pod("p"), want: "ignored" },
    { what: "another controller's pod is never touched", rs: rs(), pod: pod("p", { owner: [ref("uid-other")] }), want: "ignored" },
    { what: "another controller's relabeled pod is not released", rs: rs(), pod: pod("p", { owner: [ref("uid-other")], labels: {} }), want: "ignored" },
    { what: "a pod in another namespace is ignored", rs: rs(), pod: pod("p", { ns: "other" }), want: "ignored" },
    { what: "a terminating pod is ignored", rs: rs(), pod: pod("p", { owner: [mine], deleting: true }), want: "ignored" },
    { what: "a succeeded pod is ignored", rs: rs(), pod: pod("p", { owner: [mine], phase: "Succeeded" }), want: "ignored" },
    { what: "a failed orphan is not adopted", rs: rs(), pod: pod("p", { phase: "Failed" }), want: "ignored" },
    { what: "a ReplicaSet without a selector adopts nothing", rs: rs({ selector: null }), pod: pod("p"), want: "ignored" },
    { what: "an empty selector adopts nothing", rs: rs({ selector: {} }), pod: pod("p"), want: "ignored" },
    { what: "an empty selector releases nothing", rs: rs({ selector: {} }), pod: pod("p", { owner: [mine] }), want: "ignored" },
  ];
  for (const c of cases) {
    const claims = decideClaims(c.rs, [c.pod]);
    const got = claims.owned.length ? "owned" : claims.adopt.length ? "adopt" : claims.release.length ? "release" : "ignored";
    assert.equal(got, c.want, c.what);
  }
});

test("replicaset decide - decideReplicas creates or deletes the difference, capped at the burst", () => {
  const cases: Array<{ what: string; rs: ReplicaSetLike; owned: number; burst?: number; want: string }> = [
    { what: "scale up from 0", rs: rs({ replicas: 3 }), owned: 0, want: "create 3" },
    { what: "one short", rs: rs({ replicas: 3 }), owned: 2, want: "create 1" },
    { what: "exact", rs: rs({ replicas: 3 }), owned: 3, want: "none" },
    { what: "two too many", rs: rs({ replicas: 3 }), owned: 5, want: "delete 2" },
    { what: "scale to zero", rs: rs({ replicas: 0 }), owned: 4, want: "delete 4" },
    { what: "burst caps creates", rs: rs({ replicas: 1000 }), owned: 0, burst: 500, want: "create 500" },
    { what: "burst caps deletes", rs: rs({ replicas: 0 }), owned: 10, burst: 4, want: "delete 4" },
    { what: "a ReplicaSet being deleted is not managed", rs: rs({ replicas: 3, deleting: true }), owned: 0, want: "none" },
  ];
  for (const c of cases) {
    const a = decideReplicas(c.rs, c.owned, { creations: 0, deletions: 0 }, c.burst);
    const got = a.type === "create" ? `create ${a.count}` : a.type === "delete" ? `delete ${a.count}` : "none";
    assert.equal(got, c.want, c.what);
  }
});

test("replicaset decide - decideReplicas counts outstanding creates as owned and keeps at most the burst outstanding", () => {
  const cases: Array<{ what: string; replicas: number; owned: number; creations: number; deletions?: number; burst: number; want: string }> = [
    { what: "unobserved creates count: no second create from a cache that lags", replicas: 5, owned: 0, creations: 5, burst: 500, want: "none" },
    { what: "tops up what is neither owned nor outstanding", replicas: 10, owned: 3, creations: 4, burst: 500, want: "create 3" },
    { what: "observed creates free the window: creates continue before all are observed", replicas: 10_000, owned: 300, creations: 200, burst: 500, want: "create 300" },
    { what: "the window is full: nothing until some are observed", replicas: 10_000, owned: 300, creations: 500, burst: 500, want: "none" },
    { what: "more outstanding than the burst (lowered burst): nothing", replicas: 10_000, owned: 0, creations: 700, burst: 500, want: "none" },
    { what: "never past spec.replicas, even with room in the window", replicas: 10, owned: 8, creations: 1, burst: 500, want: "create 1" },
    { what: "a surplus is not deleted while creates are outstanding", replicas: 3, owned: 5, creations: 1, burst: 500, want: "none" },
    { what: "outstanding deletions hold creates (Kubernetes' rule)", replicas: 10, owned: 2, creations: 0, deletions: 1, burst: 500, want: "none" },
    { what: "outstanding deletions hold deletes", replicas: 0, owned: 5, creations: 0, deletions: 2, burst: 500, want: "none" },
  ];
  for (const c of cases) {
    const a = decideReplicas(rs({ replicas: c.replicas }), c.owned, { creations: c.creations, deletions: c.deletions ?? 0 }, c.burst);
    const got = a.type === "create" ? `create ${a.count}` : a.type === "delete" ? `delete ${a.count}` : "none";
    assert.equal(got, c.want, c.what);
  }
  // The invariant over any state: owned + outstanding + created never exceeds spec.replicas (when
  // it did not already), and outstanding + created never exceeds the burst.
  for (let replicas = 0; replicas <= 12; replicas += 3) {
    for (let owned = 0; owned <= 12; owned++) {
      for (let creations = 0; creations <= 6; creations++) {
        const a = decideReplicas(rs({ replicas }), owned, { creations, deletions: 0 }, 5);
        if (a.type !== "create") continue;
        assert.ok(a.count > 0 && owned + creations + a.count <= replicas, `replicas ${replicas} owned ${owned} outstanding ${creations}: create ${a.count}`);
        assert.ok(creations + a.count <= 5, `burst: outstanding ${creations} + ${a.count}`);
      }
    }
  }
});

test("replicaset decide - scale down deletes the least valuable pods first", () => {
  const ready = pod("ready", { node: "n1", phase: "Running", readySince: T0 - 60_000, created: T0 - 120_000 });
  const readyNew = pod("ready-new", { node: "n2", phase: "Running", readySince: T0 - 1_000, created: T0 - 110_000 });
  const running = pod("running-not-ready", { node: "n3", phase: "Running", created: T0 - 100_000 });
  const pending = pod("pending", { node: "n4", created: T0 - 90_000 });
  const unscheduled = pod("unscheduled", { created: T0 - 200_000 });
  const all = [ready, readyNew, running, pending, unscheduled];
  assert.deepEqual(names(podsToDelete(all, all, 1)), ["unscheduled"]);
  assert.deepEqual(names(podsToDelete(all, all, 2)), ["pending", "unscheduled"]);
  assert.deepEqual(names(podsToDelete(all, all, 3)), ["pending", "running-not-ready", "unscheduled"]);
  assert.deepEqual(names(podsToDelete(all, all, 4)), ["pending", "ready-new", "running-not-ready", "unscheduled"]);
  assert.deepEqual(names(podsToDelete(all, all, 9)), names(all));
  const a = decideReplicas(rs({ replicas: 3 }), all.length);
  assert.deepEqual(a, { type: "delete", count: 2 });
  assert.deepEqual(names(podsToDelete(all, all, a.count)), ["pending", "unscheduled"]);
});

test("replicaset decide - podFromTemplate: generateName, template labels and annotations, controller reference", () => {
  const r = rs();
  const p = podFromTemplate(r);
  assert.equal(p.kind, "Pod");
  assert.deepEqual(p.metadata, {
    generateName: "web-",
    namespace: "ns",
    labels: { app: "web", tier: "fe" },
    annotations: { note: "x" },
    ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: "uid-web", controller: true, blockOwnerDeletion: true }],
  });
  assert.deepEqual(p.spec, { containers: [{ name: "c", image: "nginx" }] });
  // The template is copied, not shared.
  (p.spec as { containers: Array<{ image: string }> }).containers[0]!.image = "changed";
  assert.equal((r.spec!.template!.spec as { containers: Array<{ image: string }> }).containers[0]!.image, "nginx");
  assert.equal(podNamePrefix("a".repeat(250)), "a".repeat(250));
});

test("replicaset decide - countPod: how a controlled pod counts for claims and status", () => {
  const mine = ref("uid-web");
  const cases: Array<{ what: string; rs: ReplicaSetLike; pod: PodLike; want: string }> = [
    { what: "matching, not ready", rs: rs(), pod: pod("p", { owner: [mine] }), want: "owned fullyLabeled" },
    { what: "matching and ready", rs: rs(), pod: pod("p", { owner: [mine], readySince: T0 }), want: "owned fullyLabeled ready" },
    { what: "missing a template label", rs: rs(), pod: pod("p", { owner: [mine], labels: { app: "web" } }), want: "owned" },
    { what: "relabeled: release", rs: rs(), pod: pod("p", { owner: [mine], labels: { app: "other" } }), want: "release" },
    { what: "relabeled under an empty selector: nothing", rs: rs({ selector: {} }), pod: pod("p", { owner: [mine], labels: { app: "other" } }), want: "none" },
    { what: "terminating: nothing", rs: rs(), pod: pod("p", { owner: [mine], deleting: true, readySince: T0 }), want: "none" },
    { what: "failed: nothing", rs: rs(), pod: pod("p", { owner: [mine], phase: "Failed" }), want: "none" },
    { what: "another namespace: nothing", rs: rs(), pod: pod("p", { owner: [mine], ns: "other" }), want: "none" },
  ];
  for (const c of cases) {
    const got = countPod(ownerView(c.rs), c.pod);
    const words = got ? (["owned", "release", "fullyLabeled", "ready"] as const).filter((k) => got[k]).join(" ") : "none";
    assert.equal(words, c.want, c.what);
  }
  assert.equal(countPod(ownerView(rs({ minReady: 10 })), pod("p", { owner: [mine], readySince: T0 }))!.readySince, T0);
  assert.equal(countPod(ownerView(rs()), pod("p", { owner: [mine], readySince: T0 }))!.readySince, undefined, "not needed without minReadySeconds");
});

test("replicaset decide - countOwned and calculateStatus: fully labeled, ready, available", () => {
  const mine = ref("uid-web");
  const owned = [
    pod("a", { owner: [mine], readySince: T0 - 20_000 }),
    pod("b", { owner: [mine], readySince: T0 - 2_000 }),
    pod("c", { owner: [mine], labels: { app: "web" } }), // misses tier: not fully labeled
    pod("d", { owner: [ref("uid-other")], readySince: T0 - 20_000 }), // another controller's
    pod("e", { owner: [mine], deleting: true }), // not active
  ];
  const counts = countOwned(rs({ minReady: 10 }), owned, T0);
  assert.deepEqual(counts, { replicas: 3, fullyLabeled: 2, ready: 2, available: 1 });
  assert.deepEqual(calculateStatus(rs({ minReady: 10, generation: 7 }), counts, undefined, T0), { replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1, observedGeneration: 7 });
  assert.equal(countOwned(rs(), owned, T0).available, 2, "minReadySeconds 0: ready is available");
});

test("replicaset decide - calculateStatus sets ReplicaFailure on an error, keeps the first one, removes it after success", () => {
  const none = { replicas: 0, fullyLabeled: 0, ready: 0, available: 0 };
  const failed = calculateStatus(rs(), none, { verb: "create", message: "quota exceeded" }, T0);
  assert.deepEqual(failed.conditions, [{ type: "ReplicaFailure", status: "True", lastTransitionTime: rfc3339(T0), reason: "FailedCreate", message: "quota exceeded" }]);
  const again = calculateStatus(rs({ status: failed }), none, { verb: "delete", message: "other" }, T0 + 5000);
  assert.deepEqual(again.conditions, failed.conditions);
  const ok = calculateStatus(rs({ status: { ...failed, conditions: [{ type: "Other", status: "True" }, ...failed.conditions!] } }), none, undefined, T0);
  assert.deepEqual(ok.conditions, [{ type: "Other", status: "True" }]);
  assert.equal(calculateStatus(rs({ status: failed }), none, undefined, T0).conditions, undefined);
  assert.equal(calculateStatus(rs(), none, { verb: "delete", message: "x" }, T0).conditions![0]!.reason, "FailedDelete");
});

test("replicaset decide - statusEqual treats absent counts as zero and compares conditions", () => {
  assert.ok(statusEqual({ replicas: 0 }, { replicas: 0, readyReplicas: 0, availableReplicas: 0, fullyLabeledReplicas: 0, observedGeneration: 0 }));
  assert.ok(statusEqual(undefined, { replicas: 0 }));
  assert.ok(!statusEqual({ replicas: 1 }, { replicas: 2 }));
  assert.ok(!statusEqual({ replicas: 1, observedGeneration: 1 }, { replicas: 1, observedGeneration: 2 }));
  assert.ok(!statusEqual({ replicas: 1 }, { replicas: 1, conditions: [{ type: "ReplicaFailure", status: "True" }] }));
  assert.ok(statusEqual({ conditions: [{ type: "A", status: "True", lastTransitionTime: "x" }] }, { conditions: [{ type: "A", status: "True", lastTransitionTime: "y" }] }));
});

test("replicaset decide - statusWriteDelayMs: moving counts at most once per interval; generation, conditions and a settled ReplicaSet at once", () => {
  const counts = (n: number, g = 1) => ({ replicas: n, fullyLabeledReplicas: n, readyReplicas: n, availableReplicas: n, observedGeneration: g });
  const cur = rs({ replicas: 10, status: counts(3) });
  const cases: Array<{ what: string; rs: ReplicaSetLike; next: ReturnType<typeof counts> & { conditions?: Array<{ type: string; status: string }> }; last?: number; want: number }> = [
    { what: "never written by this term: now", rs: cur, next: counts(4), want: 0 },
    { what: "written 300 ms ago: wait the rest of the interval", rs: cur, next: counts(4), last: T0 - 300, want: 700 },
    { what: "written an interval ago: now", rs: cur, next: counts(4), last: T0 - 1000, want: 0 },
    { what: "settled at spec.replicas: now", rs: cur, next: counts(10), last: T0 - 1, want: 0 },
    { what: "new observedGeneration: now", rs: cur, next: counts(4, 2), last: T0 - 1, want: 0 },
    { what: "a condition appears: now", rs: cur, next: { ...counts(4), conditions: [{ type: "ReplicaFailure", status: "True" }] }, last: T0 - 1, want: 0 },
  ];
  for (const c of cases) assert.equal(statusWriteDelayMs(c.rs, c.next, c.last, T0, 1000), c.want, c.what);
});

test("replicaset decide - replicaSetsSelecting and siblingsOf", () => {
  const web = rs({ name: "web" });
  const db = rs({ name: "db", selector: { app: "db" } });
  const none = rs({ name: "none", selector: null });
  const other = { ...rs({ name: "other" }), metadata: { ...rs({ name: "other" }).metadata, namespace: "elsewhere" } };
  assert.deepEqual(
    replicaSetsSelecting(pod("p"), [web, db, none, other]).map((r) => r.metadata.name),
    ["web"],
  );
  assert.equal(replicaSetSelector(none), undefined);
  const a = rs({ name: "a", owner: "dep-1" });
  const b = rs({ name: "b", owner: "dep-1" });
  const c = rs({ name: "c", owner: "dep-2" });
  assert.deepEqual(
    siblingsOf(a, [a, b, c, web]).map((r) => r.metadata.name),
    ["a", "b"],
  );
  assert.deepEqual(
    siblingsOf(web, [a, b, c, web]).map((r) => r.metadata.name),
    ["web"],
  );
});
