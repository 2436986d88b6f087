import { test } from "node:test";
import assert from "node:assert/strict";
import { nodeInfoOf, podInfoOf, type NodeInfo } from "./filters.js";
import { feasibleNodesToFind, intolerablePreferNoSchedule, leastAllocatedScore, preferredAffinityWeight, scoreNodes, selectHost } from "./score.js";
import { fnv1a32, mix32, shardOwner, eventNameFor } from "./shard.js";

function node(name: string, used: { cpu: number; memory: number }, extra: Record<string, any> = {}): NodeInfo {
  const n = nodeInfoOf({ metadata: { name, labels: extra.labels ?? {} }, spec: { taints: extra.taints ?? [] }, status: { allocatable: { cpu: "1", memory: "1000", pods: "10" } } });
  n.nonZeroRequested = used;
  return n;
}

const pod = (spec: Record<string, unknown> = {}) => podInfoOf({ metadata: { name: "p" }, spec: { containers: [{ name: "c", resources: { requests: { cpu: "100m", memory: "100" } } }], ...spec } });

test("score - leastAllocatedScore: the free share of cpu and memory after placing the pod", () => {
  const cases: Array<[{ cpu: number; memory: number }, number]> = [
    [{ cpu: 0, memory: 0 }, 90],
    [{ cpu: 400, memory: 400 }, 50],
    [{ cpu: 900, memory: 0 }, 45],
    [{ cpu: 950, memory: 950 }, 0], // over: 0, never negative
  ];
  for (const [used, want] of cases) assert.equal(leastAllocatedScore(pod(), node("n", used)), want, JSON.stringify(used));
});

test("score - scoreNodes spreads load: the emptier node scores higher", () => {
  const nodes = [node("busy", { cpu: 800, memory: 800 }), node("idle", { cpu: 0, memory: 0 }), node("half", { cpu: 500, memory: 500 })];
  const s = scoreNodes(pod(), nodes);
  assert.ok(s[1]! > s[2]! && s[2]! > s[0]!, `scores ${s}`);
});

test("score - preferred node affinity and PreferNoSchedule taints move the choice", () => {
  const pref = pod({ affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] } }] } } });
  const a = node("a", { cpu: 500, memory: 500 }, { labels: { zone: "a" } });
  const b = node("b", { cpu: 0, memory: 0 }, { labels: { zone: "b" } });
  assert.equal(preferredAffinityWeight(pref, a), 10);
  assert.equal(preferredAffinityWeight(pref, b), 0);
  const s = scoreNodes(pref, [a, b]);
  assert.ok(s[0]! > s[1]!, `preferred zone wins over emptiness: ${s}`);

  const soft = node("soft", { cpu: 0, memory: 0 }, { taints: [{ key: "x", effect: "PreferNoSchedule" }] });
  const plain = node("plain", { cpu: 300, memory: 300 });
  assert.equal(intolerablePreferNoSchedule(pod(), soft), 1);
  assert.equal(intolerablePreferNoSchedule(pod({ tolerations: [{ key: "x", operator: "Exists" }] }), soft), 0);
  const t = scoreNodes(pod(), [soft, plain]);
  assert.ok(t[1]! > t[0]!, `untainted wins: ${t}`);
});

test("score - selectHost: the best, ties at random, -1 when empty", () => {
  assert.equal(selectHost([]), -1);
  assert.equal(selectHost([1, 5, 3]), 1);
  const seen = new Set<number>();
  let r = 0;
  const rnd = () => ((r = (r * 9301 + 49297) % 233280), r / 233280);
  for (let i = 0; i < 200; i++) seen.add(selectHost([7, 2, 7, 7], rnd));
  assert.deepEqual([...seen].sort(), [0, 2, 3]);
  assert.equal(selectHost([7, 7], () => 0.99), 0, "random ≥ 1/2 keeps the first");
  assert.equal(selectHost([7, 7], () => 0.1), 1);
});

test("score - feasibleNodesToFind: Kubernetes' adaptive percentage", () => {
  const cases: Array<[number, number]> = [
    [0, 0],
    [50, 50],
    [99, 99],
    [100, 100],
    [150, 100],
    [1000, 420],
    [5000, 500],
    [6000, 300],
  ];
  for (const [n, want] of cases) assert.equal(feasibleNodesToFind(n), want, `${n} nodes`);
});

test("shard - rendezvous owner: one owner, stable, only a leaver's pods move", () => {
  const peers = ["s-1", "s-2", "s-3", "s-4"];
  const owners = new Map<string, string>();
  const counts = new Map<string, number>();
  for (let i = 0; i < 2000; i++) {
    const o = shardOwner(`uid-${i}`, peers)!;
    owners.set(`uid-${i}`, o);
    counts.set(o, (counts.get(o) ?? 0) + 1);
    assert.equal(shardOwner(`uid-${i}`, [...peers].reverse()), o, "order of peers does not matter");
  }
  for (const p of peers) assert.ok((counts.get(p) ?? 0) > 350, `share of ${p}: ${counts.get(p)}`);
  const without = peers.filter((p) => p !== "s-3");
  for (const [uid, o] of owners) if (o !== "s-3") assert.equal(shardOwner(uid, without), o);
  assert.equal(shardOwner("x", []), undefined);
  // Every replica must agree: the owner is the highest mix32(fnv1a32("<replica>/<uid>")).
  for (let i = 0; i < 200; i++) {
    const uid = `u-${i}-\u00e9`;
    const byDefinition = [...peers].sort((a, b) => mix32(fnv1a32(`${b}/${uid}`)) - mix32(fnv1a32(`${a}/${uid}`)) || (a < b ? -1 : 1))[0];
    assert.equal(shardOwner(uid, peers), byDefinition);
  }
  assert.equal(fnv1a32(""), 0x811c9dc5);
  assert.equal(fnv1a32("a"), 0xe40c292c);
});

test("shard - eventNameFor: deterministic, distinct per key, a valid name length", () => {
  assert.equal(eventNameFor("web", "u/Scheduled/m"), eventNameFor("web", "u/Scheduled/m"));
  assert.notEqual(eventNameFor("web", "u/Scheduled/m"), eventNameFor("web", "u/FailedScheduling/m"));
  assert.match(eventNameFor("web", "k"), /^web\.[0-9a-f]{16}$/);
  assert.ok(eventNameFor("x".repeat(253), "k").length <= 253);
});
