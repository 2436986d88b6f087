import { test } from "node:test";
import assert from "node:assert/strict";
import { decideDeployment, newReplicaSetFor, statusEqual, type DeploymentAction, type DeploymentDecision } from "./decide.js";
import { computeHash } from "./hash.js";
import type { Deployment, PodView, ReplicaSet } from "./types.js";
import { formatTime, newCondition } from "./util.js";

const NOW = Date.parse("2024-05-01T10:00:00Z");

const tmpl = (image: string, annotations?: Record<string, string>) => ({
  metadata: { labels: { app: "web" }, ...(annotations ? { annotations } : {}) },
  spec: { containers: [{ name: "c", image }] },
});

function dep(spec: Partial<Deployment["spec"]> = {}, meta: Partial<Deployment["metadata"]> = {}, status: Deployment["status"] = {}): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "ns", uid: "d1", generation: 1, resourceVersion: "50", ...meta },
    spec: {
      replicas: 10,
      selector: { matchLabels: { app: "web" } },
      template: tmpl("v1"),
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      ...spec,
    },
    status,
  };
}

/** rsOf: a stored ReplicaSet of `d`'s template (or `image`), with a revision, size and availability. */
function rsOf(d: Deployment, o: { image?: string; revision: number; replicas: number; available?: number; created?: number; statusReplicas?: number; desired?: number; max?: number }): ReplicaSet {
  const source = o.image ? { ...d, spec: { ...d.spec, template: tmpl(o.image) } } : d;
  const rs = newReplicaSetFor(source);
  rs.metadata.uid = `uid-${rs.metadata.name}`;
  rs.metadata.resourceVersion = "10";
  rs.metadata.generation = 1;
  rs.metadata.creationTimestamp = formatTime(o.created ?? NOW - 60_000);
  rs.metadata.annotations = {
    "deployment.kubernetes.io/revision": String(o.revision),
    "deployment.kubernetes.io/desired-replicas": String(o.desired ?? d.spec.replicas),
    "deployment.kubernetes.io/max-replicas": String(o.max ?? (d.spec.replicas ?? 1) + Math.ceil(((d.spec.replicas ?? 1) * 25) / 100)),
  };
  rs.spec.replicas = o.replicas;
  const available = o.available ?? o.replicas;
  rs.status = { replicas: o.statusReplicas ?? o.replicas, readyReplicas: available, availableReplicas: available, observedGeneration: 1 };
  return rs;
}

const ofType = <T extends DeploymentAction["type"]>(d: DeploymentDecision, type: T) => d.actions.filter((a): a is Extract<DeploymentAction, { type: T }> => a.type === type);
const sizes = (d: DeploymentDecision) => Object.fromEntries([...ofType(d, "createReplicaSet"), ...ofType(d, "updateReplicaSet")].map((a) => [a.replicaSet.metadata.name, a.replicaSet.spec.replicas]));
const statusOf = (d: DeploymentDecision) => ofType(d, "updateStatus")[0]?.status;
const cond = (d: DeploymentDecision, type: string) => statusOf(d)?.conditions?.find((c) => c.type === type);

test("deployment - first sync creates revision 1 with the hash label, owner reference and full size", () => {
  const d = dep();
  const out = decideDeployment({ deployment: d, replicaSets: [], now: NOW });
  const [create] = ofType(out, "createReplicaSet");
  assert.ok(create);
  const rs = create.replicaSet;
  const hash = computeHash(d.spec.template);
  assert.equal(rs.metadata.name, `web-${hash}`);
  assert.equal(rs.metadata.labels!["pod-template-hash"], hash);
  assert.equal(rs.spec.selector!.matchLabels!["pod-template-hash"], hash);
  assert.equal(rs.spec.selector!.matchLabels!.app, "web");
  assert.equal(rs.spec.template!.metadata!.labels!["pod-template-hash"], hash);
  assert.deepEqual(rs.metadata.ownerReferences, [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: "d1", controller: true, blockOwnerDeletion: true }]);
  assert.equal(rs.spec.replicas, 10);
  assert.equal(rs.metadata.annotations!["deployment.kubernetes.io/revision"], "1");
  assert.equal(rs.metadata.annotations!["deployment.kubernetes.io/desired-replicas"], "10");
  assert.equal(rs.metadata.annotations!["deployment.kubernetes.io/max-replicas"], "13");
  assert.equal(rs.metadata.creationTimestamp, undefined, "the API sets creationTimestamp");
  assert.deepEqual(ofType(out, "setDeploymentRevision"), [{ type: "setDeploymentRevision", revision: "1" }]);
  const st = statusOf(out)!;
  assert.equal(st.observedGeneration, 1);
  assert.equal(cond(out, "Progressing")?.reason, "NewReplicaSetCreated");
  assert.equal(cond(out, "Progressing")?.message, `Created new replica set "web-${hash}"`);
  assert.equal(cond(out, "Available")?.reason, "MinimumReplicasUnavailable");
  assert.deepEqual(
    out.actions.map((a) => a.type),
    ["createReplicaSet", "event", "setDeploymentRevision", "updateStatus"],
  );
});

test("deployment - a new template creates revision 2 within maxSurge and scales the old one within maxUnavailable", () => {
  const v1 = dep();
  const old = rsOf(v1, { revision: 1, replicas: 10 });
  const d = dep({ template: tmpl("v2") }, { generation: 2, annotations: { "kubernetes.io/change-cause": "kubectl set image" } });
  const out = decideDeployment({ deployment: d, replicaSets: [old], now: NOW });
  const [create] = ofType(out, "createReplicaSet");
  assert.equal(create!.replicaSet.metadata.annotations!["deployment.kubernetes.io/revision"], "2");
  assert.equal(create!.replicaSet.metadata.annotations!["kubernetes.io/change-cause"], "kubectl set image");
  // 10 replicas, 25%: surge 3 → new 3; min available 8, new unavailable 3 → old may lose 2.
  assert.deepEqual(sizes(out), { [create!.replicaSet.metadata.name]: 3, [old.metadata.name]: 8 });
  assert.deepEqual(ofType(out, "setDeploymentRevision"), [{ type: "setDeploymentRevision", revision: "2" }]);
  assert.equal(statusOf(out)?.observedGeneration, 2);
});

test("deployment - rolling update steps: new grows while old shrinks, then completes and reports NewReplicaSetAvailable", () => {
  const d = dep({ template: tmpl("v2") }, { generation: 2 });
  const old = rsOf(d, { image: "v1", revision: 1, replicas: 8, available: 8 });
  const cur = rsOf(d, { revision: 2, replicas: 3, available: 3 });
  const step = decideDeployment({ deployment: d, replicaSets: [old, cur], now: NOW });
  assert.deepEqual(sizes(step), { [cur.metadata.name]: 5 }, "room for 2 more under 13");
  const later = decideDeployment({ deployment: d, replicaSets: [rsOf(d, { image: "v1", revision: 1, replicas: 8 }), rsOf(d, { revision: 2, replicas: 5, available: 5 })], now: NOW });
  assert.deepEqual(sizes(later), { [old.metadata.name]: 3 }, "available 13 > 8: old scaled down by 5");
  const status = { observedGeneration: 2, replicas: 10, updatedReplicas: 10, availableReplicas: 10, readyReplicas: 10, conditions: [newCondition("Progressing", "True", "ReplicaSetUpdated", `ReplicaSet "${cur.metadata.name}" is progressing.`, NOW - 5000)] };
  const done = decideDeployment({ deployment: dep({ template: tmpl("v2") }, { generation: 2 }, status), replicaSets: [rsOf(d, { image: "v1", revision: 1, replicas: 0 }), rsOf(d, { revision: 2, replicas: 10 })], now: NOW });
  assert.equal(cond(done, "Progressing")?.reason, "NewReplicaSetAvailable");
  assert.equal(cond(done, "Progressing")?.message, `ReplicaSet "${cur.metadata.name}" has successfully progressed.`);
  assert.equal(cond(done, "Progressing")?.lastTransitionTime, formatTime(NOW - 5000), "status stays True: transition time kept");
  assert.equal(cond(done, "Available")?.status, "True");
});

test("deployment - unhealthy old replicas are scaled down first, without touching availability", () => {
  const d = dep({ template: tmpl("v2") }, { generation: 2 });
  const old = rsOf(d, { image: "v1", revision: 1, replicas: 10, available: 6 });
  const cur = rsOf(d, { revision: 2, replicas: 3, available: 0 });
  const out = decideDeployment({ deployment: d, replicaSets: [old, cur], now: NOW });
  // all 13, min available 8, new unavailable 3 → 2 may go; 4 unhealthy: cleanup takes 2; then available 6 ≤ 8: nothing more.
  assert.deepEqual(sizes(out), { [old.metadata.name]: 8 });
});

test("deployment - stale counts never loosen the bounds (pods still existing, availability above spec)", () => {
  const d = dep({ template: tmpl("v2") }, { generation: 2 });
  // Old was scaled 10 → 8 but its status still shows 10 pods, all available.
  const old = rsOf(d, { image: "v1", revision: 1, replicas: 8, statusReplicas: 10, available: 10 });
  const cur = rsOf(d, { revision: 2, replicas: 3, available: 3 });
  const out = decideDeployment({ deployment: d, replicaSets: [old, cur], now: NOW });
  // Kubernetes would grow new to 5 (spec total 11) and count 13 available; here 10+3 pods exist (no growth)
  // and old counts 8 available: 11 − 8 = 3 may go.
  assert.deepEqual(sizes(out), { [old.metadata.name]: 5 });
});

test("deployment - rollback: the old template's ReplicaSet becomes the new one with the next revision", () => {
  const v1 = dep();
  const d = dep({}, { generation: 3, annotations: { "deployment.kubernetes.io/revision": "2" } }); // template back at v1 (kubectl rollout undo)
  const first = rsOf(v1, { revision: 1, replicas: 0, created: NOW - 120_000 });
  const second = rsOf(v1, { image: "v2", revision: 2, replicas: 10 });
  const out = decideDeployment({ deployment: d, replicaSets: [first, second], now: NOW });
  assert.equal(ofType(out, "createReplicaSet").length, 0);
  const updated = ofType(out, "updateReplicaSet").find((a) => a.replicaSet.metadata.name === first.metadata.name)!.replicaSet;
  assert.equal(updated.metadata.annotations!["deployment.kubernetes.io/revision"], "3");
  assert.equal(updated.metadata.annotations!["deployment.kubernetes.io/revision-history"], "1");
  assert.equal(updated.spec.replicas, 3);
  assert.deepEqual(ofType(out, "setDeploymentRevision"), [{ type: "setDeploymentRevision", revision: "3" }]);
  assert.equal(cond(out, "Progressing")?.status, "True");
  const noCondition = decideDeployment({ deployment: { ...d, status: { replicas: 10, updatedReplicas: 0, readyReplicas: 10, availableReplicas: 10 } }, replicaSets: [first, second], now: NOW });
  assert.equal(cond(noCondition, "Progressing")?.reason, "FoundNewReplicaSet", "no Progressing condition yet: the found ReplicaSet is recorded");
});

test("deployment - Recreate: old to 0, wait for their pods, then the new ReplicaSet at full size", () => {
  const v1 = dep({ strategy: { type: "Recreate" } });
  const d = dep({ strategy: { type: "Recreate" }, template: tmpl("v2") }, { generation: 2 });
  const old = rsOf(v1, { revision: 1, replicas: 10 });
  const first = decideDeployment({ deployment: d, replicaSets: [old], now: NOW });
  assert.deepEqual(sizes(first), { [old.metadata.name]: 0 });
  assert.equal(ofType(first, "createReplicaSet").length, 0);

  const scaled = { ...old, spec: { ...old.spec, replicas: 0 }, status: { replicas: 0, availableReplicas: 0 } };
  const pods = new Map<string, PodView[]>([[old.metadata.uid!, [{ name: "p1", phase: "Running" }, { name: "p2", phase: "Succeeded" }]]]);
  const waiting = decideDeployment({ deployment: d, replicaSets: [scaled], podsByReplicaSet: pods, now: NOW });
  assert.equal(ofType(waiting, "createReplicaSet").length, 0, "a running old pod blocks the new ReplicaSet");

  const finished = new Map<string, PodView[]>([[old.metadata.uid!, [{ name: "p2", phase: "Succeeded" }, { name: "p3", phase: "Failed" }]]]);
  const go = decideDeployment({ deployment: d, replicaSets: [scaled], podsByReplicaSet: finished, now: NOW });
  const [create] = ofType(go, "createReplicaSet");
  assert.equal(create?.replicaSet.spec.replicas, 10);
  assert.equal(create?.replicaSet.metadata.annotations!["deployment.kubernetes.io/max-replicas"], "10", "no surge with Recreate");
});

test("deployment - paused: no new ReplicaSet for a new template, scaling still applies, Progressing Unknown", () => {
  const v1 = dep();
  const old = rsOf(v1, { revision: 1, replicas: 10 });
  const d = dep({ paused: true, template: tmpl("v2"), replicas: 12 }, { generation: 3 });
  const out = decideDeployment({ deployment: d, replicaSets: [old], now: NOW });
  assert.equal(ofType(out, "createReplicaSet").length, 0);
  assert.deepEqual(sizes(out), { [old.metadata.name]: 12 });
  assert.equal(cond(out, "Progressing")?.status, "Unknown");
  assert.equal(cond(out, "Progressing")?.reason, "DeploymentPaused");
  assert.equal(statusOf(out)?.observedGeneration, 3);

  const resumed = dep({ template: tmpl("v2") }, { generation: 4 }, { conditions: [newCondition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", NOW - 1000)] });
  const after = decideDeployment({ deployment: resumed, replicaSets: [old], now: NOW });
  assert.equal(ofType(after, "createReplicaSet").length, 1, "resumed: the rollout starts");
  assert.equal(cond(after, "Progressing")?.status, "True");
});

test("deployment - resumed without a rollout reports DeploymentResumed", () => {
  const d = dep({}, {}, { observedGeneration: 1, conditions: [newCondition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", NOW - 1000)] });
  const out = decideDeployment({ deployment: d, replicaSets: [rsOf(d, { revision: 1, replicas: 10, available: 5 })], now: NOW });
  // Resumed, then the rollout status: progress seen (more updated than recorded) → ReplicaSetUpdated replaces it.
  assert.equal(cond(out, "Progressing")?.reason, "ReplicaSetUpdated");
  const noProgress = decideDeployment({ deployment: { ...d, status: { ...d.status, replicas: 10, updatedReplicas: 10, readyReplicas: 5, availableReplicas: 5 } }, replicaSets: [rsOf(d, { revision: 1, replicas: 10, available: 5 })], now: NOW });
  assert.equal(cond(noProgress, "Progressing")?.reason, "DeploymentResumed");
  assert.equal(cond(noProgress, "Progressing")?.status, "Unknown");
});

test("deployment - scaling mid-rollout is proportional, the leftover to the largest ReplicaSet", () => {
  const d = dep({ template: tmpl("v2"), replicas: 20 }, { generation: 3 });
  const old = rsOf(d, { image: "v1", revision: 1, replicas: 8, desired: 10, max: 13 });
  const cur = rsOf(d, { revision: 2, replicas: 5, available: 2, desired: 10, max: 13 });
  const up = decideDeployment({ deployment: d, replicaSets: [old, cur], now: NOW });
  // allowed 25, 13 now: +12; old round(8·25/13)=15 (+7), new round(5·25/13)=10 (+5)
  assert.deepEqual(sizes(up), { [old.metadata.name]: 15, [cur.metadata.name]: 10 });
  for (const a of ofType(up, "updateReplicaSet")) {
    assert.equal(a.replicaSet.metadata.annotations!["deployment.kubernetes.io/desired-replicas"], "20");
    assert.equal(a.replicaSet.metadata.annotations!["deployment.kubernetes.io/max-replicas"], "25");
  }
  const down = decideDeployment({ deployment: dep({ template: tmpl("v2"), replicas: 5 }, { generation: 3 }), replicaSets: [rsOf(d, { image: "v1", revision: 1, replicas: 15, desired: 20, max: 25 }), rsOf(d, { revision: 2, replicas: 10, desired: 20, max: 25 })], now: NOW });
  // allowed 5+2=7, 25 now: −18; old round(15·7/25)=4 (−11), new round(10·7/25)=3 (−7)
  const downSizes = Object.values(sizes(down)).sort();
  assert.deepEqual(downSizes, [3, 4]);
  const o5 = rsOf(d, { image: "v1", revision: 1, replicas: 5, desired: 10, max: 13, created: NOW - 120_000 });
  const n5 = rsOf(d, { revision: 2, replicas: 5, desired: 10, max: 13, created: NOW - 60_000 });
  const leftover = decideDeployment({ deployment: dep({ template: tmpl("v2"), replicas: 11 }, { generation: 3 }), replicaSets: [o5, n5], now: NOW });
  // allowed 11+3=14, 10 now: +4; each round(5·14/13=5.38)=5: +0; the leftover 4 goes to the first (largest, newer on ties)
  assert.deepEqual(sizes(leftover), { [o5.metadata.name]: 5, [n5.metadata.name]: 9 });
});

test("deployment - a plain scale moves the only active ReplicaSet", () => {
  const d = dep({ replicas: 4 }, { generation: 2 });
  const only = rsOf(dep(), { revision: 1, replicas: 10 });
  const out = decideDeployment({ deployment: d, replicaSets: [only], now: NOW });
  assert.deepEqual(sizes(out), { [only.metadata.name]: 4 });
  assert.equal(ofType(out, "createReplicaSet").length, 0);
});

test("deployment - revisionHistoryLimit deletes the oldest idle old ReplicaSets only", () => {
  const d = dep({ revisionHistoryLimit: 2 }, {}, { observedGeneration: 1, replicas: 10, updatedReplicas: 10, readyReplicas: 10, availableReplicas: 10 });
  const cur = rsOf(d, { revision: 6, replicas: 10 });
  const olds = [1, 2, 3, 4, 5].map((r) => rsOf(d, { image: `v0.${r}`, revision: r, replicas: 0 }));
  olds[1]!.status = { replicas: 1 }; // revision 2 still has a pod: kept
  const out = decideDeployment({ deployment: d, replicaSets: [cur, ...olds], now: NOW });
  assert.deepEqual(ofType(out, "deleteReplicaSet").map((a) => a.name), [olds[0]!.metadata.name, olds[2]!.metadata.name]);
  const none = decideDeployment({ deployment: { ...d, spec: { ...d.spec, revisionHistoryLimit: 10 } }, replicaSets: [cur, ...olds], now: NOW });
  assert.equal(ofType(none, "deleteReplicaSet").length, 0);
});

test("deployment - progress deadline: requeue before it, ProgressDeadlineExceeded after it", () => {
  const d = (ago: number) =>
    dep({ template: tmpl("v2"), progressDeadlineSeconds: 60, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 3, maxUnavailable: 0 } } }, { generation: 2 }, {
      observedGeneration: 2, replicas: 13, updatedReplicas: 3, readyReplicas: 10, availableReplicas: 10, unavailableReplicas: 3,
      conditions: [newCondition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", NOW - ago), newCondition("Progressing", "True", "ReplicaSetUpdated", "x", NOW - ago)],
    });
  const stuck = (dd: Deployment) => [rsOf(dd, { image: "v1", revision: 1, replicas: 10 }), rsOf(dd, { revision: 2, replicas: 3, available: 0 })];
  const early = decideDeployment({ deployment: d(20_000), replicaSets: stuck(d(20_000)), now: NOW });
  assert.equal(statusOf(early), undefined, "nothing changed");
  assert.ok(early.requeueAfterMs! > 39_000 && early.requeueAfterMs! <= 41_000, `requeue ${early.requeueAfterMs}`);
  const late = decideDeployment({ deployment: d(61_000), replicaSets: stuck(d(61_000)), now: NOW });
  assert.equal(cond(late, "Progressing")?.status, "False");
  assert.equal(cond(late, "Progressing")?.reason, "ProgressDeadlineExceeded");
  assert.match(cond(late, "Progressing")!.message!, /has timed out progressing\.$/);
});

test("deployment - ReplicaSet failures surface as ReplicaFailure; no deadline: no Progressing", () => {
  const d = dep({ progressDeadlineSeconds: 2147483647 });
  const rs = rsOf(d, { revision: 1, replicas: 10, available: 3 });
  rs.status!.conditions = [{ type: "ReplicaFailure", status: "True", reason: "FailedCreate", message: "quota", lastTransitionTime: formatTime(NOW) }];
  const out = decideDeployment({ deployment: d, replicaSets: [rs], now: NOW });
  assert.equal(cond(out, "ReplicaFailure")?.reason, "FailedCreate");
  assert.equal(cond(out, "Progressing"), undefined);
});

test("deployment - minReadySeconds is carried to an existing new ReplicaSet", () => {
  const d = dep({ minReadySeconds: 5 });
  const rs = rsOf(dep(), { revision: 1, replicas: 10 });
  const out = decideDeployment({ deployment: d, replicaSets: [rs], now: NOW });
  assert.equal(ofType(out, "updateReplicaSet")[0]?.replicaSet.spec.minReadySeconds, 5);
});

test("deployment - a selector of everything only records observedGeneration", () => {
  const out = decideDeployment({ deployment: dep({ selector: {} }, { generation: 4 }), replicaSets: [], now: NOW });
  assert.deepEqual(out.actions.map((a) => a.type), ["event", "updateStatus"]);
  assert.equal(statusOf(out)?.observedGeneration, 4);
});

test("deployment - being deleted: status only", () => {
  const d = dep({ template: tmpl("v2") }, { deletionTimestamp: formatTime(NOW) });
  const out = decideDeployment({ deployment: d, replicaSets: [rsOf(d, { image: "v1", revision: 1, replicas: 10 })], now: NOW });
  assert.deepEqual(out.actions.map((a) => a.type), ["updateStatus"]);
});

test("deployment - a settled Deployment writes nothing", () => {
  const d = dep();
  const rs = rsOf(d, { revision: 1, replicas: 10 });
  const first = decideDeployment({ deployment: { ...d, metadata: { ...d.metadata, annotations: { "deployment.kubernetes.io/revision": "1" } } }, replicaSets: [rs], now: NOW });
  const status = statusOf(first)!;
  const again = decideDeployment({ deployment: { ...d, metadata: { ...d.metadata, annotations: { "deployment.kubernetes.io/revision": "1" } }, status }, replicaSets: [rs], now: NOW + 5000 });
  assert.deepEqual(again.actions, []);
  assert.ok(statusEqual({ replicas: 0, conditions: [] }, {}));
  assert.ok(!statusEqual({ replicas: 1 }, {}));
});

/** Deterministic PRNG. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

test("deployment - simulated rollout of 20 (25%/25%) with lagging ReplicaSet controllers: pods ≤ 25, available ≥ 15, completes", () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    const random = rng(seed);
    const v1 = dep({ replicas: 20 });
    const first = rsOf(v1, { revision: 1, replicas: 20 });
    // Simulated world: each ReplicaSet's pods (ready or not); statuses written when its controller syncs.
    const pods = new Map<string, boolean[]>([[first.metadata.name, Array(20).fill(true)]]);
    let rss: ReplicaSet[] = [first];
    let d = dep({ replicas: 20, template: tmpl("v2") }, { generation: 2 });
    let uid = 0;
    let done = false;
    for (let tick = 0; tick < 400 && !done; tick++) {
      // The deployment controller: one sync, writes applied.
      if (random() < 0.7) {
        const out = decideDeployment({ deployment: d, replicaSets: rss, now: NOW + tick * 1000 });
        for (const a of out.actions) {
          if (a.type === "createReplicaSet") {
            const rs = structuredClone(a.replicaSet);
            rs.metadata.uid = `u${++uid}`;
            rs.metadata.creationTimestamp = formatTime(NOW + tick * 1000);
            rs.status = {};
            rss.push(rs);
            pods.set(rs.metadata.name, []);
          } else if (a.type === "updateReplicaSet") {
            rss = rss.map((r) => (r.metadata.name === a.replicaSet.metadata.name ? { ...structuredClone(a.replicaSet), status: r.status } : r));
          } else if (a.type === "updateStatus") d = { ...d, status: a.status };
        }
      }
      // ReplicaSet controllers: some sync (pods to spec: unready deleted first; status written).
      for (const rs of rss) {
        if (random() < 0.5) continue;
        const list = pods.get(rs.metadata.name)!;
        const want = rs.spec.replicas ?? 0;
        while (list.length > want) {
          const i = list.indexOf(false);
          list.splice(i >= 0 ? i : list.length - 1, 1);
        }
        while (list.length < want) list.push(false);
        const ready = list.filter(Boolean).length;
        rs.status = { replicas: list.length, readyReplicas: ready, availableReplicas: ready, observedGeneration: 1 };
      }
      // Kubelets: some pods become ready.
      for (const list of pods.values()) for (let i = 0; i < list.length; i++) if (!list[i] && random() < 0.3) list[i] = true;
      const all = [...pods.values()];
      const total = all.reduce((n, l) => n + l.length, 0);
      const available = all.reduce((n, l) => n + l.filter(Boolean).length, 0);
      assert.ok(total <= 25, `seed ${seed} tick ${tick}: ${total} pods`);
      assert.ok(available >= 15, `seed ${seed} tick ${tick}: ${available} available`);
      const fresh = rss.find((r) => r.metadata.name !== first.metadata.name);
      done = !!fresh && pods.get(fresh.metadata.name)!.filter(Boolean).length === 20 && pods.get(first.metadata.name)!.length === 0;
    }
    assert.ok(done, `seed ${seed}: rollout did not complete`);
  }
});
