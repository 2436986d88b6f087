import { test } from "node:test";
import assert from "node:assert/strict";
import {
  compareForDeletion,
  isPodActive,
  isPodAvailable,
  isPodReady,
  maxRestartCount,
  msUntilAvailable,
  podDeletionCost,
  rankByRelatedPodsOnSameNode,
  type PodLike,
} from "./pods.js";

const T0 = Date.parse("2024-01-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

interface PodOpts {
  node?: string;
  phase?: string;
  readySince?: number | null;
  restarts?: number;
  created?: number;
  cost?: string;
  deleting?: boolean;
}

function pod(name: string, o: PodOpts = {}): PodLike {
  const conditions = o.readySince === undefined ? [] : [{ type: "Ready", status: "True", ...(o.readySince === null ? {} : { lastTransitionTime: iso(o.readySince) }) }];
  return {
    metadata: {
      name,
      namespace: "ns",
      ...(o.created !== undefined ? { creationTimestamp: iso(o.created) } : {}),
      ...(o.cost !== undefined ? { annotations: { "controller.kubernetes.io/pod-deletion-cost": o.cost } } : {}),
      ...(o.deleting ? { deletionTimestamp: iso(T0) } : {}),
    },
    spec: o.node ? { nodeName: o.node } : {},
    status: { phase: o.phase ?? "Pending", conditions, containerStatuses: [{ restartCount: o.restarts ?? 0 }, { restartCount: 0 }] },
  };
}

test("pods - isPodActive: not Succeeded, not Failed, not being deleted", () => {
  const cases: Array<[PodOpts, boolean]> = [
    [{}, true],
    [{ phase: "Running" }, true],
    [{ phase: "Unknown" }, true],
    [{ phase: "Succeeded" }, false],
    [{ phase: "Failed" }, false],
    [{ phase: "Running", deleting: true }, false],
  ];
  for (const [o, want] of cases) assert.equal(isPodActive(pod("p", o)), want, JSON.stringify(o));
});

test("pods - isPodAvailable: ready for minReadySeconds", () => {
  const cases: Array<[PodOpts, number, number, boolean]> = [
    [{}, 0, T0, false], // not ready
    [{ readySince: T0 }, 0, T0, true],
    [{ readySince: T0 }, 10, T0 + 9_999, false],
    [{ readySince: T0 }, 10, T0 + 10_000, true],
    [{ readySince: null }, 0, T0, true], // ready, no transition time, minReadySeconds 0
    [{ readySince: null }, 5, T0 + 60_000, false], // ready since unknown: not available with minReadySeconds
  ];
  for (const [o, minReady, now, want] of cases) assert.equal(isPodAvailable(pod("p", o), minReady, now), want, `${JSON.stringify(o)} min=${minReady} now=${now - T0}`);
  assert.equal(isPodReady(pod("p", { readySince: T0 })), true);
  assert.equal(msUntilAvailable(pod("p", { readySince: T0 }), 10, T0 + 4_000), 6_000);
  assert.equal(msUntilAvailable(pod("p", { readySince: T0 }), 10, T0 + 10_000), undefined);
  assert.equal(msUntilAvailable(pod("p", {}), 10, T0), undefined);
});

test("pods - podDeletionCost parses an int32 annotation, else 0", () => {
  const cases: Array<[string | undefined, number]> = [[undefined, 0], ["5", 5], ["-3", -3], [" 7 ", 7], ["abc", 0], ["1.5", 0], ["2147483648", 0], ["-2147483648", -(2 ** 31)]];
  for (const [v, want] of cases) assert.equal(podDeletionCost(pod("p", v === undefined ? {} : { cost: v })), want, String(v));
});

test("pods - maxRestartCount: the highest over containers", () => {
  assert.equal(maxRestartCount(pod("p", { restarts: 4 })), 4);
  assert.equal(maxRestartCount({ metadata: { name: "p" } }), 0);
});

test("pods - compareForDeletion: each rule puts the less valuable pod first", () => {
  // [description, deleted first, kept]
  const cases: Array<[string, PodLike, PodLike]> = [
    ["unscheduled before scheduled", pod("a", { phase: "Running", readySince: T0, node: "" }), pod("b", { node: "n1" })],
    ["pending before unknown", pod("a", { node: "n", phase: "Pending" }), pod("b", { node: "n", phase: "Unknown" })],
    ["unknown before running", pod("a", { node: "n", phase: "Unknown" }), pod("b", { node: "n", phase: "Running" })],
    ["not ready before ready", pod("a", { node: "n", phase: "Running" }), pod("b", { node: "n", phase: "Running", readySince: T0 })],
    ["lower deletion cost first", pod("a", { node: "n", phase: "Running", readySince: T0 - 1000, cost: "-1" }), pod("b", { node: "n", phase: "Running", readySince: T0 })],
    ["ready for less time first", pod("a", { node: "n", phase: "Running", readySince: T0 }), pod("b", { node: "n", phase: "Running", readySince: T0 - 60_000 })],
    ["ready with no transition time first", pod("a", { node: "n", phase: "Running", readySince: null }), pod("b", { node: "n", phase: "Running", readySince: T0 })],
    ["more restarts first", pod("a", { node: "n", phase: "Running", restarts: 3, created: T0 - 5000 }), pod("b", { node: "n", phase: "Running", restarts: 1, created: T0 })],
    ["newer first", pod("a", { node: "n", created: T0 }), pod("b", { node: "n", created: T0 - 1000 })],
    ["no creation time first", pod("a", { node: "n" }), pod("b", { node: "n", created: T0 })],
    ["name breaks ties", pod("a", { node: "n", created: T0 }), pod("b", { node: "n", created: T0 })],
  ];
  for (const [what, first, second] of cases) {
    assert.ok(compareForDeletion({ pod: first, rank: 0 }, { pod: second, rank: 0 }) < 0, what);
    assert.ok(compareForDeletion({ pod: second, rank: 0 }, { pod: first, rank: 0 }) > 0, `${what} (reversed)`);
  }
});

test("pods - compareForDeletion: a pod doubled up on a node goes before a lone one, after readiness", () => {
  const crowded = pod("a", { node: "n1", phase: "Running", readySince: T0 - 60_000 });
  const alone = pod("b", { node: "n2", phase: "Running", readySince: T0 });
  const ranked = rankByRelatedPodsOnSameNode([crowded, alone], [crowded, alone, pod("c", { node: "n1" }), pod("d", { node: "n1", deleting: true })]);
  assert.deepEqual(
    ranked.map((r) => r.rank),
    [2, 1],
  );
  assert.ok(compareForDeletion(ranked[0]!, ranked[1]!) < 0);
  // Readiness still wins over rank.
  const notReady = { pod: pod("e", { node: "n3", phase: "Running" }), rank: 1 };
  assert.ok(compareForDeletion(notReady, ranked[0]!) < 0);
});
