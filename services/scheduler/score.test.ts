import { test } from "node:test";
import assert from "node:assert/strict";
import { filterNode, nodeInfoOf, podInfoOf, type NodeInfo } from "./filters.js";
import { feasibleNodesToFind, intolerablePreferNoSchedule, leastAllocatedScore, pickPlainNode, preferredAffinityWeight, scoreNodes, selectHost } from "./score.js";
import { fnv1a32, shardOwner, eventNameFor } from "./shard.js";

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
  assert.equal(fnv1a32(""), 0x811c9dc5);
  assert.equal(fnv1a32("a"), 0xe40c292c);
});

test("shard - eventNameFor: deterministic, distinct per key, a valid name length", () => {
  assert.equal(eventNameFor("web", "u/Scheduled/m"), eventNameFor("web", "u/Scheduled/m"));
  assert.notEqual(eventNameFor("web", "u/Scheduled/m"), eventNameFor("web", "u/FailedScheduling/m"));
  assert.match(eventNameFor("web", "k"), /^web\.[0-9a-f]{16}$/);
  assert.ok(eventNameFor("x".repeat(253), "k").length <= 253);
});

test("score - pickPlainNode chooses as filter + scoreNodes + selectHost do over the same window", () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const ready = { conditions: [{ type: "Ready", status: "True" }] };
  const nodes: NodeInfo[] = [];
  for (let i = 0; i < 60; i++) {
    const n = nodeInfoOf({ metadata: { name: `n${i}` }, spec: {}, status: { ...ready, allocatable: { cpu: "1", memory: "1000", pods: "4" } } });
    n.nonZeroRequested = { cpu: Math.floor(rnd() * 10) * 100, memory: Math.floor(rnd() * 10) * 100 };
    n.requested = { cpu: n.nonZeroRequested.cpu, memory: n.nonZeroRequested.memory, pods: Math.floor(rnd() * 5) };
    assert.ok(n.plain);
    nodes.push(n);
  }
  const p = pod();
  assert.ok(p.plain);
  assert.ok(!pod({ nodeSelector: { a: "b" } }).plain && !pod({ nodeName: "n1" }).plain);
  for (const [start, want] of [[0, 60], [13, 20], [59, 5]] as const) {
    const window: NodeInfo[] = [];
    let scanned = 0;
    for (; scanned < nodes.length && window.length < want; scanned++) {
      const n = nodes[(start + scanned) % nodes.length]!;
      if (filterNode(p, n).length === 0) window.push(n);
    }
    const scores = scoreNodes(p, window);
    const best = Math.max(...scores);
    const got = pickPlainNode(p, nodes, start, want, rnd);
    assert.equal(got.scanned, scanned);
    const chosen = window.indexOf(nodes[got.index]!);
    assert.ok(chosen >= 0 && scores[chosen] === best, `start ${start}: a best-scoring feasible node of the window`);
  }
  const full = nodes.map((n) => ({ ...n, requested: { ...n.requested, pods: 4 } }));
  assert.equal(pickPlainNode(p, full, 0, 60).index, -1, "none fits");
});
