import { test } from "node:test";
import assert from "node:assert/strict";
import type { Deployment, DeploymentStatus, ReplicaSet } from "./types.js";
import {
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  formatTime,
  isSaturated,
  maxSurge,
  maxUnavailable,
  newCondition,
  newRSNewReplicas,
  replicaSetFraction,
  replicaSetProportion,
  resolveFenceposts,
  setCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from "./util.js";

const NOW = Date.parse("2024-05-01T10:00:00Z");

function dep(spec: Partial<Deployment["spec"]> = {}, extra: Partial<Deployment> = {}): Deployment {
  return {
    metadata: { name: "web", namespace: "ns", uid: "d1", generation: 1, ...(extra.metadata ?? {}) },
    spec: {
      replicas: 10,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "v1" }] } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      progressDeadlineSeconds: 600,
      ...spec,
    },
    status: extra.status ?? {},
  };
}

function rs(name: string, replicas: number, opts: { available?: number; image?: string; created?: number; annotations?: Record<string, string>; statusReplicas?: number } = {}): ReplicaSet {
  return {
    metadata: { name, namespace: "ns", uid: `uid-${name}`, creationTimestamp: formatTime(opts.created ?? NOW), annotations: opts.annotations ?? {} },
    spec: { replicas, template: { metadata: { labels: { app: "web", "pod-template-hash": name } }, spec: { containers: [{ name: "c", image: opts.image ?? "v1" }] } } },
    status: { replicas: opts.statusReplicas ?? replicas, availableReplicas: opts.available ?? replicas, readyReplicas: opts.available ?? replicas },
  };
}

test("resolveFenceposts - numbers and percentages, surge rounds up, unavailable down, never both 0", () => {
  const cases: Array<[number | string | undefined, number | string | undefined, number, number, number]> = [
    ["25%", "25%", 20, 5, 5],
    ["25%", "25%", 10, 3, 2],
    ["25%", "25%", 1, 1, 0],
    [0, 0, 10, 0, 1],
    ["0%", "1%", 10, 0, 1], // 1% of 10 rounds down to 0: forced to 1
    [3, 1, 10, 3, 1],
    ["50%", "50%", 3, 2, 1],
    [undefined, undefined, 5, 0, 1],
    ["100%", "0%", 4, 4, 0],
  ];
  for (const [s, u, desired, wantSurge, wantUnavailable] of cases) {
    assert.deepEqual(resolveFenceposts(s, u, desired), { surge: wantSurge, unavailable: wantUnavailable }, `${s}/${u} of ${desired}`);
  }
});

test("maxSurge/maxUnavailable - Recreate has none; maxUnavailable at most replicas; 0 replicas no unavailability", () => {
  assert.equal(maxSurge(dep({ strategy: { type: "Recreate" } })), 0);
  assert.equal(maxUnavailable(dep({ strategy: { type: "Recreate" } })), 0);
  assert.equal(maxUnavailable(dep({ replicas: 3, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 5 } } })), 3);
  assert.equal(maxUnavailable(dep({ replicas: 0 })), 0);
  assert.equal(maxSurge(dep({ replicas: 20 })), 5);
  assert.equal(maxUnavailable(dep({ replicas: 20 })), 5);
  assert.equal(maxSurge(dep({ strategy: { type: "RollingUpdate" } })), 3, "absent parameters take the API defaults 25%/25%");
});

test("newRSNewReplicas - table", () => {
  const cases: Array<{ name: string; d: Deployment; all: ReplicaSet[]; newIndex: number; want: number }> = [
    { name: "first ReplicaSet: all at once up to replicas", d: dep(), all: [rs("n", 0)], newIndex: 0, want: 10 },
    { name: "rollout start: surge only", d: dep(), all: [rs("o", 10), rs("n", 0)], newIndex: 1, want: 3 },
    { name: "at max total: unchanged", d: dep(), all: [rs("o", 10), rs("n", 3)], newIndex: 1, want: 3 },
    { name: "room after scale down", d: dep(), all: [rs("o", 5), rs("n", 3)], newIndex: 1, want: 8 },
    { name: "never above replicas", d: dep(), all: [rs("o", 0), rs("n", 8)], newIndex: 1, want: 10 },
    { name: "pods still existing count (status.replicas above spec)", d: dep(), all: [rs("o", 5, { statusReplicas: 10 }), rs("n", 3)], newIndex: 1, want: 3 },
    { name: "Recreate: replicas", d: dep({ strategy: { type: "Recreate" } }), all: [rs("o", 10), rs("n", 0)], newIndex: 1, want: 10 },
    { name: "absolute surge 1", d: dep({ strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }), all: [rs("o", 10), rs("n", 0)], newIndex: 1, want: 1 },
  ];
  for (const c of cases) assert.equal(newRSNewReplicas(c.d, c.all, c.all[c.newIndex]!), c.want, c.name);
});

test("replicaSetFraction and replicaSetProportion - Kubernetes' proportional scaling arithmetic", () => {
  // 10 → 20 replicas (25% surge: 13 → 25 allowed); an RS of 8 that was scaled for 13.
  const d = dep({ replicas: 20 });
  const old = rs("o", 8, { annotations: { "deployment.kubernetes.io/max-replicas": "13" } });
  assert.equal(replicaSetFraction(old, d), 7); // round(8*25/13 = 15.38) − 8
  assert.equal(replicaSetProportion(old, d, 12, 0), 7);
  assert.equal(replicaSetProportion(old, d, 12, 10), 2, "capped by what is left to add");
  assert.equal(replicaSetProportion(old, d, 0, 0), 0);
  assert.equal(replicaSetProportion(rs("z", 0), d, 12, 0), 0, "empty ReplicaSets get nothing");
  // scaling down: 20 → 10 (25 → 13), an RS of 15 scaled for 25
  const big = rs("b", 15, { annotations: { "deployment.kubernetes.io/max-replicas": "25" } });
  assert.equal(replicaSetFraction(big, dep({ replicas: 10 })), -7); // round(15*13/25 = 7.8) − 15
  assert.equal(replicaSetProportion(big, dep({ replicas: 10 }), -12, 0), -7);
  assert.equal(replicaSetProportion(big, dep({ replicas: 10 }), -5, 0), -5, "capped by what is left to remove");
  assert.equal(replicaSetFraction(big, dep({ replicas: 0 })), -15, "to zero: everything goes");
  // no annotation: the Deployment's status.replicas is the old size
  const plain = rs("p", 5);
  assert.equal(replicaSetFraction(plain, dep({ replicas: 20 }, { status: { replicas: 10 } })), 8); // round(5*25/10 = 12.5) = 13 − 5
});

test("setNewReplicaSetAnnotations - revisions, history, change-cause, replica annotations", () => {
  const d = dep({}, { metadata: { name: "web", annotations: { "kubernetes.io/change-cause": "set image", "kubectl.kubernetes.io/last-applied-configuration": "{}", "deployment.kubernetes.io/revision": "7", team: "a" } } });
  const fresh = rs("n", 0);
  assert.equal(setNewReplicaSetAnnotations(d, fresh, "3", false), true);
  assert.deepEqual(fresh.metadata.annotations, {
    "kubernetes.io/change-cause": "set image",
    team: "a",
    "deployment.kubernetes.io/revision": "3",
    "deployment.kubernetes.io/desired-replicas": "10",
    "deployment.kubernetes.io/max-replicas": "13",
  });
  assert.equal(setNewReplicaSetAnnotations(d, fresh, "3", true), false, "nothing changes twice");

  const rolledBack = rs("o", 0, { annotations: { "deployment.kubernetes.io/revision": "1" } });
  setNewReplicaSetAnnotations(dep(), rolledBack, "3", true);
  assert.equal(rolledBack.metadata.annotations!["deployment.kubernetes.io/revision"], "3");
  assert.equal(rolledBack.metadata.annotations!["deployment.kubernetes.io/revision-history"], "1");
  assert.equal(rolledBack.metadata.annotations!["deployment.kubernetes.io/desired-replicas"], undefined, "an existing ReplicaSet gets its replica annotations when scaled");
  setNewReplicaSetAnnotations(dep(), rolledBack, "5", true);
  assert.equal(rolledBack.metadata.annotations!["deployment.kubernetes.io/revision-history"], "1,3");

  const higher = rs("h", 0, { annotations: { "deployment.kubernetes.io/revision": "9" } });
  assert.equal(setNewReplicaSetAnnotations(dep(), higher, "4", true), false, "a revision never goes down");
  assert.equal(higher.metadata.annotations!["deployment.kubernetes.io/revision"], "9");

  const longHistory = rs("l", 0, { annotations: { "deployment.kubernetes.io/revision": "30", "deployment.kubernetes.io/revision-history": "10,20" } });
  setNewReplicaSetAnnotations(dep(), longHistory, "40", true, 6);
  assert.equal(longHistory.metadata.annotations!["deployment.kubernetes.io/revision-history"], "20,30", "oldest dropped beyond the character limit");

  const malformed = rs("m", 0, { annotations: { "deployment.kubernetes.io/revision": "x" } });
  assert.equal(setNewReplicaSetAnnotations(dep(), malformed, "2", true), false);
});

test("setReplicasAnnotations - only when different", () => {
  const r = rs("a", 1);
  assert.equal(setReplicasAnnotations(r, 10, 13), true);
  assert.equal(setReplicasAnnotations(r, 10, 13), false);
  assert.equal(setReplicasAnnotations(r, 20, 25), true);
});

test("findNewReplicaSet/findOldReplicaSets - by template ignoring the hash, oldest first on duplicates", () => {
  const d = dep();
  const a = rs("a", 3, { image: "v0", created: NOW - 3000 });
  const b = rs("b", 0, { image: "v1", created: NOW - 2000 });
  const c = rs("c", 5, { image: "v1", created: NOW - 1000 });
  assert.equal(findNewReplicaSet(d, [c, a, b])?.metadata.name, "b");
  const old = findOldReplicaSets(d, [c, a, b]);
  assert.deepEqual(old.all.map((r) => r.metadata.name).sort(), ["a", "c"]);
  assert.deepEqual(old.active.map((r) => r.metadata.name).sort(), ["a", "c"]);
  assert.equal(findNewReplicaSet(dep({ template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "v9" }] } } }), [a, b, c]), undefined);
});

test("findActiveOrLatest - table", () => {
  const newer = rs("new", 0, { created: NOW });
  const older = rs("old", 0, { created: NOW - 5000 });
  assert.equal(findActiveOrLatest(undefined, []), undefined);
  assert.equal(findActiveOrLatest(newer, [older])?.metadata.name, "new", "none active: the new one");
  assert.equal(findActiveOrLatest(undefined, [older, rs("mid", 0, { created: NOW - 1000 })])?.metadata.name, "mid", "none active, no new: the newest old");
  assert.equal(findActiveOrLatest(newer, [rs("o", 4)])?.metadata.name, "o", "one active");
  assert.equal(findActiveOrLatest(rs("n", 2), [rs("o", 4)]), undefined, "two active: a rollout");
});

test("isSaturated - size, annotation and availability all at spec.replicas", () => {
  const full = rs("n", 10, { annotations: { "deployment.kubernetes.io/desired-replicas": "10" } });
  assert.equal(isSaturated(dep(), full), true);
  assert.equal(isSaturated(dep(), rs("n", 10, { available: 9, annotations: { "deployment.kubernetes.io/desired-replicas": "10" } })), false);
  assert.equal(isSaturated(dep(), rs("n", 10)), false, "no annotation");
  assert.equal(isSaturated(dep({ replicas: 12 }), full), false);
  assert.equal(isSaturated(dep(), undefined), false);
});

test("setCondition - same status and reason: untouched; same status: transition time kept", () => {
  const s: DeploymentStatus = {};
  setCondition(s, newCondition("Progressing", "True", "ReplicaSetUpdated", "a", NOW));
  setCondition(s, newCondition("Progressing", "True", "ReplicaSetUpdated", "b", NOW + 5000));
  assert.equal(s.conditions![0]!.message, "a");
  setCondition(s, newCondition("Progressing", "True", "NewReplicaSetAvailable", "done", NOW + 9000));
  assert.equal(s.conditions![0]!.lastTransitionTime, formatTime(NOW));
  assert.equal(s.conditions![0]!.lastUpdateTime, formatTime(NOW + 9000));
  setCondition(s, newCondition("Progressing", "False", "ProgressDeadlineExceeded", "x", NOW + 20000));
  assert.equal(s.conditions![0]!.lastTransitionTime, formatTime(NOW + 20000));
  assert.equal(s.conditions!.length, 1);
});

test("deploymentComplete/Progressing/TimedOut - table", () => {
  const d = dep({}, { metadata: { name: "web", generation: 2 }, status: { replicas: 12, updatedReplicas: 4, readyReplicas: 10, availableReplicas: 10 } });
  assert.equal(deploymentComplete(d, { replicas: 10, updatedReplicas: 10, availableReplicas: 10, observedGeneration: 2 }), true);
  assert.equal(deploymentComplete(d, { replicas: 10, updatedReplicas: 10, availableReplicas: 10, observedGeneration: 1 }), false, "old generation");
  assert.equal(deploymentComplete(d, { replicas: 11, updatedReplicas: 10, availableReplicas: 10, observedGeneration: 2 }), false);
  assert.equal(deploymentProgressing(d, { replicas: 12, updatedReplicas: 5, readyReplicas: 10, availableReplicas: 10 }), true, "more updated");
  assert.equal(deploymentProgressing(d, { replicas: 11, updatedReplicas: 4, readyReplicas: 10, availableReplicas: 10 }), true, "fewer old");
  assert.equal(deploymentProgressing(d, { replicas: 12, updatedReplicas: 4, readyReplicas: 10, availableReplicas: 10 }), false);
  const at = (reason: string, ago: number): DeploymentStatus => ({ conditions: [newCondition("Progressing", "True", reason, "", NOW - ago)] });
  assert.equal(deploymentTimedOut(d, at("ReplicaSetUpdated", 601_000), NOW), true);
  assert.equal(deploymentTimedOut(d, at("ReplicaSetUpdated", 599_000), NOW), false);
  assert.equal(deploymentTimedOut(d, at("NewReplicaSetAvailable", 10_000_000), NOW), false, "a completed rollout never times out");
  assert.equal(deploymentTimedOut(d, at("ProgressDeadlineExceeded", 0), NOW), true);
  assert.equal(deploymentTimedOut(dep({ progressDeadlineSeconds: 2147483647 }), at("ReplicaSetUpdated", 10_000_000), NOW), false, "MaxInt32: no deadline");
  assert.equal(deploymentTimedOut(d, {}, NOW), false);
});
