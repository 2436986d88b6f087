// PodIndex keeps, from pod events alone, what countOwned and decideClaims compute from scratch:
// random event sequences (adds, relabels, readiness, owner changes, deletes, a ReplicaSet
// changing its selector and minReadySeconds) are checked against the pure functions after
// every step.
import { test } from "node:test";
import assert from "node:assert/strict";
import { countOwned, decideClaims, type ReplicaSetLike } from "./decide.js";
import { PodIndex } from "./pod-index.js";
import type { PodLike } from "./pods.js";

const T0 = Date.parse("2024-01-01T00:00:00Z");

function rs(selector: Record<string, string>, minReadySeconds: number): ReplicaSetLike {
  return {
    metadata: { name: "web", namespace: "ns", uid: "uid-web" },
    spec: { replicas: 3, minReadySeconds, selector: { matchLabels: selector }, template: { metadata: { labels: { app: "web", tier: "fe" } } } },
  };
}

/** A small deterministic generator (tests must be repeatable). */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

function randomPod(r: () => number, name: string, now: number): PodLike {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const owner = pick(["uid-web", "uid-web", "uid-other", undefined]);
  const ready = r() < 0.5;
  return {
    metadata: {
      name,
      namespace: pick(["ns", "ns", "ns", "elsewhere"]),
      labels: pick<Record<string, string>>([{ app: "web", tier: "fe" }, { app: "web" }, { app: "db" }, { app: "web", tier: "fe", v: "2" }]),
      ...(owner ? { ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "x", uid: owner, controller: true }] } : {}),
      ...(r() < 0.1 ? { deletionTimestamp: new Date(now).toISOString() } : {}),
    },
    status: {
      phase: pick(["Pending", "Running", "Running", "Succeeded"]),
      conditions: ready ? [{ type: "Ready", status: "True", lastTransitionTime: new Date(now - Math.floor(r() * 20) * 1000).toISOString() }] : [],
    },
  };
}

test("replicaset pod index - incremental counts, owned and release lists equal the pure functions after every event", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const r = rng(seed);
    const index = new PodIndex();
    const pods = new Map<string, PodLike>();
    let owner = rs({ app: "web" }, 0);
    let now = T0;
    for (let step = 0; step < 300; step++) {
      now += Math.floor(r() * 3000);
      const key = `/pods/ns/p${Math.floor(r() * 15)}`;
      const roll = r();
      if (roll < 0.15) {
        pods.delete(key);
        index.remove(key);
      } else if (roll < 0.2) {
        owner = rs(r() < 0.5 ? { app: "web" } : { tier: "fe" }, r() < 0.5 ? 0 : 10);
      } else {
        const pod = randomPod(r, key, now);
        pods.set(key, pod);
        index.upsert(key, pod);
      }
      const group = index.controlled("uid-web");
      group.setOwner(owner);
      const all = [...pods.values()];
      const what = `seed ${seed} step ${step}`;
      assert.deepEqual(group.counts(now), countOwned(owner, all, now), what);
      const claims = decideClaims(owner, all);
      const sorted = (ps: readonly PodLike[]) => ps.map((p) => p.metadata.name).sort();
      assert.deepEqual(sorted(group.owned().map((k) => k.pod)), sorted(claims.owned), what);
      assert.deepEqual(sorted(group.toRelease().map((k) => k.pod)), sorted(claims.release), what);
      const orphans = all.filter((p) => !p.metadata.ownerReferences && p.metadata.namespace === "ns");
      assert.deepEqual(sorted(index.orphans("ns").map((k) => k.pod)), sorted(orphans), what);
      assert.equal(index.size, pods.size, what);
    }
  }
});

test("replicaset pod index - msUntilNextAvailable and counting adopted pods once", () => {
  const index = new PodIndex();
  const owner = rs({ app: "web" }, 10);
  const ready = (name: string, since: number, ownerUid?: string): PodLike => ({
    metadata: { name, namespace: "ns", labels: { app: "web", tier: "fe" }, ...(ownerUid ? { ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: ownerUid, controller: true }] } : {}) },
    status: { phase: "Running", conditions: [{ type: "Ready", status: "True", lastTransitionTime: new Date(since).toISOString() }] },
  });
  index.upsert("/pods/ns/a", ready("a", T0 - 4_000, "uid-web"));
  index.upsert("/pods/ns/b", ready("b", T0 - 7_000, "uid-web"));
  const group = index.controlled("uid-web");
  group.setOwner(owner);
  assert.equal(group.counts(T0).available, 0);
  assert.equal(group.msUntilNextAvailable(T0), 3_000);
  assert.equal(group.counts(T0 + 3_000).available, 1);
  assert.equal(group.msUntilNextAvailable(T0 + 3_000), 3_000);
  // A pod just adopted counts once whether or not its event has arrived.
  const adopted = { key: "/pods/ns/c", pod: ready("c", T0 - 60_000, "uid-web") };
  assert.equal(group.counts(T0 + 3_000, [adopted]).replicas, 3);
  index.upsert(adopted.key, adopted.pod);
  assert.equal(group.counts(T0 + 3_000, [adopted]).replicas, 3);
  assert.equal(group.owned([adopted]).length, 3);
  // What a sync needs to hear about: a change in how a pod counts, not any change.
  const bound = ready("a", T0 - 4_000, "uid-web");
  bound.spec = { nodeName: "n1" };
  assert.equal(index.upsert("/pods/ns/a", bound), false, "binding a ready pod changes no count");
  const notReady = { ...bound, status: { phase: "Running", conditions: [] } };
  assert.equal(index.upsert("/pods/ns/a", notReady), true, "losing readiness does");
  assert.equal(index.upsert("/pods/ns/new", ready("new", T0, "uid-web")), true, "a new pod does");
  assert.equal(index.upsert("/pods/ns/orphan", ready("orphan", T0)), true, "an orphan always does (it may be adopted)");
});
