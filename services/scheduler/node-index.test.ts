import { test } from "node:test";
import assert from "node:assert/strict";
import { filterNode, nodeInfoOf, podInfoOf, type NodeInfo, type PodInfo } from "./filters.js";
import { PlainNodeIndex, shapeKey } from "./node-index.js";
import { scoreNodes } from "./score.js";

const READY = { conditions: [{ type: "Ready", status: "True" }] };

function mkNode(name: string, allocatable: Record<string, string>, extra: { ready?: boolean; taints?: object[]; unschedulable?: boolean } = {}): NodeInfo {
  const status = { ...(extra.ready === false ? {} : READY), allocatable };
  return nodeInfoOf({ metadata: { name }, spec: { ...(extra.taints ? { taints: extra.taints } : {}), ...(extra.unschedulable ? { unschedulable: true } : {}) }, status });
}

function mkPod(cpu: string, memory: string, spec: Record<string, unknown> = {}): PodInfo {
  return podInfoOf({ metadata: { name: "p" }, spec: { containers: [{ name: "c", resources: { requests: { cpu, memory } } }], ...spec } });
}

/** Charges `pod` on `node` as the scheduler's count does. */
function charge(node: NodeInfo, pod: PodInfo, sign = 1): void {
  for (const [k, v] of Object.entries(pod.requests)) node.requested[k] = (node.requested[k] ?? 0) + sign * v;
  node.nonZeroRequested.cpu += sign * pod.nonZero.cpu;
  node.nonZeroRequested.memory += sign * pod.nonZero.memory;
}

function lcg(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/** The best score of filter + scoreNodes over every node, and the nodes that have it. */
function bestByFullScan(pod: PodInfo, nodes: readonly NodeInfo[]): { score: number; nodes: Set<NodeInfo> } {
  const feasible = nodes.filter((n) => filterNode(pod, n).length === 0);
  const scores = scoreNodes(pod, feasible);
  const score = Math.max(-1, ...scores);
  return { score, nodes: new Set(feasible.filter((_, i) => scores[i] === score)) };
}

test("node index - a pick is a best-scoring feasible node over all nodes, through charges, releases, node changes and several pod shapes", () => {
  const rnd = lcg(11);
  const nodes: NodeInfo[] = [];
  const index = new PlainNodeIndex();
  for (let i = 0; i < 80; i++) {
    const big = i % 3 === 0;
    const n = mkNode(`n${i}`, { cpu: big ? "4" : "2", memory: big ? "8000" : "3000", pods: String(5 + (i % 7)) });
    nodes.push(n);
    index.update(n);
  }
  const shapes = [mkPod("100m", "100"), mkPod("250m", "400"), mkPod("30m", "1000"), podInfoOf({ metadata: { name: "none" }, spec: { containers: [{ name: "c" }] } })];
  const charged: Array<[NodeInfo, PodInfo]> = [];
  for (let step = 0; step < 600; step++) {
    const pod = shapes[step % shapes.length]!;
    const want = bestByFullScan(pod, nodes);
    const got = index.pick(pod, rnd);
    if (want.score < 0) {
      assert.equal(got, undefined, `step ${step}: nothing fits`);
    } else {
      assert.ok(got && want.nodes.has(got), `step ${step}: ${got?.name} is not among the best (score ${want.score})`);
      charge(got, pod);
      index.update(got);
      charged.push([got, pod]);
    }
    if (step % 7 === 3 && charged.length > 0) {
      const [n, p] = charged.splice(Math.floor(rnd() * charged.length), 1)[0]!;
      charge(n, p, -1);
      index.update(n);
    }
    if (step === 200) {
      // A node becomes NotReady (never feasible: the index still decides), then recovers.
      Object.assign(nodes[5]!, mkNode("n5", { cpu: "2", memory: "3000", pods: "10" }, { ready: false }), { requested: nodes[5]!.requested, nonZeroRequested: nodes[5]!.nonZeroRequested });
      index.update(nodes[5]!);
    }
    if (step === 300) {
      Object.assign(nodes[5]!, mkNode("n5", { cpu: "2", memory: "3000", pods: "10" }), { requested: nodes[5]!.requested, nonZeroRequested: nodes[5]!.nonZeroRequested });
      index.update(nodes[5]!);
    }
    if (step === 400) {
      index.remove(nodes[7]!);
      nodes.splice(7, 1);
    }
  }
  assert.equal(index.size, 79);
});

test("node index - spreading: N equal pods onto M equal nodes land evenly, ties uniformly at random", () => {
  const index = new PlainNodeIndex();
  const nodes = Array.from({ length: 10 }, (_, i) => mkNode(`n${i}`, { cpu: "2", memory: "2000", pods: "100" }));
  for (const n of nodes) index.update(n);
  const pod = mkPod("100m", "100"); // 5% of a node each: every pod moves a node's score
  const firstPicks = new Map<string, number>();
  for (let i = 0; i < 200; i++) {
    const n = index.pick(pod)!;
    if (i < 10) firstPicks.set(n.name, (firstPicks.get(n.name) ?? 0) + 1);
    charge(n, pod);
    index.update(n);
  }
  assert.deepEqual(
    nodes.map((n) => n.requested.pods),
    nodes.map(() => 20),
    "200 pods on 10 nodes: 20 each",
  );
  assert.equal(firstPicks.size, 10, "the first 10 pods take 10 different nodes");
  assert.equal(index.pick(pod), undefined, "full: no node fits");

  // Many picks at one score: every tied node is chosen, none much more often than the others.
  const ties = new PlainNodeIndex();
  const tied = Array.from({ length: 8 }, (_, i) => mkNode(`t${i}`, { cpu: "1", memory: "1000", pods: "10" }));
  for (const n of tied) ties.update(n);
  const counts = new Map<string, number>();
  const rnd = lcg(5);
  for (let i = 0; i < 8000; i++) {
    const n = ties.pick(pod, rnd)!.name;
    counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  assert.equal(counts.size, 8);
  for (const [n, c] of counts) assert.ok(c > 800 && c < 1200, `${n} chosen ${c} times of 8000`);
});

test("node index - decides only plain cases: plain pod, no feasible non-plain node; a full cluster is left to the filter pass", () => {
  const index = new PlainNodeIndex();
  const a = mkNode("a", { cpu: "1", memory: "1000", pods: "10" });
  index.update(a);
  const pod = mkPod("100m", "100");
  assert.equal(index.pick(pod), a);
  assert.equal(index.pick(mkPod("100m", "100", { nodeSelector: { zone: "x" } })), undefined, "node selector: not plain");
  assert.equal(index.pick(mkPod("100m", "100", { nodeName: "a" })), undefined, "nodeName: not plain");
  assert.equal(index.pick(mkPod("2", "100")), undefined, "fits nowhere");

  const notReady = mkNode("b", { cpu: "8", memory: "8000", pods: "10" }, { ready: false });
  const tainted = mkNode("c", { cpu: "8", memory: "8000", pods: "10" }, { taints: [{ key: "k", effect: "NoSchedule" }] });
  index.update(notReady);
  index.update(tainted);
  assert.equal(index.pick(pod), a, "non-plain nodes that reject the pod do not matter");
  assert.equal(index.pick(mkPod("100m", "100", { tolerations: [{ key: "k", operator: "Exists" }] })), undefined, "a tolerated tainted node is feasible: full path");
  index.remove(tainted);
  const soft = mkNode("d", { cpu: "8", memory: "8000", pods: "10" }, { taints: [{ key: "k", effect: "PreferNoSchedule" }] });
  index.update(soft);
  assert.equal(index.pick(pod), undefined, "a PreferNoSchedule node is feasible and scores otherwise: full path");
  index.remove(soft);
  Object.assign(notReady, mkNode("b", { cpu: "8", memory: "8000", pods: "10" }), { requested: notReady.requested, nonZeroRequested: notReady.nonZeroRequested });
  index.update(notReady);
  assert.equal(index.pick(pod), notReady, "the emptier node, once Ready");
  assert.equal(index.size, 2);
});

test("node index - shapeKey: pods alike in requests and non-zero requests share a key", () => {
  assert.equal(shapeKey(mkPod("100m", "100")), shapeKey(mkPod("0.1", "100")));
  assert.notEqual(shapeKey(mkPod("100m", "100")), shapeKey(mkPod("100m", "101")));
  const noRequests = podInfoOf({ metadata: { name: "p" }, spec: { containers: [{ name: "c" }] } });
  const defaults = podInfoOf({ metadata: { name: "p" }, spec: { containers: [{ name: "c", resources: { requests: { cpu: "100m", memory: "200Mi" } } }] } });
  assert.notEqual(shapeKey(noRequests), shapeKey(defaults), "same non-zero requests, different requests");
});
