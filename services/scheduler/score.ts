/**
 * score: ranking feasible nodes and picking one (pure; randomness passed in).
 *
 * Scores follow Kubernetes' default plugins, each 0..100 and weighted: NodeResourcesFit
 * LeastAllocated (weight 1: spread load by free cpu and memory), NodeAffinity preferred terms
 * (weight 2, normalized to the best node), TaintToleration (weight 3: fewer untolerated
 * PreferNoSchedule taints is better). The highest total wins; ties are broken at random.
 */
import { firstUntoleratedTaint, matchesNodeSelectorTerm, type NodeInfo, type PodInfo, type Taint, type Toleration } from "./filters.js";

const MAX_SCORE = 100;
const WEIGHT_RESOURCES = 1;
const WEIGHT_AFFINITY = 2;
const WEIGHT_TAINTS = 3;

function freeShare(alloc: number, used: number): number {
  if (alloc <= 0 || used > alloc) return 0;
  return ((alloc - used) * MAX_SCORE) / alloc;
}

/** leastAllocatedScore: mean over cpu and memory of the share left free after placing the pod, 0..100. */
export function leastAllocatedScore(pod: PodInfo, node: NodeInfo): number {
  const cpu = freeShare(node.allocatable.cpu ?? 0, node.nonZeroRequested.cpu + pod.nonZero.cpu);
  const mem = freeShare(node.allocatable.memory ?? 0, node.nonZeroRequested.memory + pod.nonZero.memory);
  return Math.floor((cpu + mem) / 2);
}

/** preferredAffinityWeight: summed weights of the pod's preferred node affinity terms the node matches. */
export function preferredAffinityWeight(pod: PodInfo, node: NodeInfo): number {
  let sum = 0;
  for (const p of pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (p?.weight && matchesNodeSelectorTerm(p.preference ?? {}, node.node)) sum += p.weight;
  }
  return sum;
}

/** intolerablePreferNoSchedule: how many PreferNoSchedule taints of the node the pod does not tolerate. */
export function intolerablePreferNoSchedule(pod: PodInfo, node: NodeInfo): number {
  if (node.taints.length === 0) return 0;
  const tolerations: Toleration[] = pod.tolerations.filter((t: Toleration) => !t.effect || t.effect === "PreferNoSchedule");
  let n = 0;
  for (const taint of node.taints as Taint[]) {
    if (taint.effect === "PreferNoSchedule" && firstUntoleratedTaint([taint], tolerations, ["PreferNoSchedule"])) n++;
  }
  return n;
}

/** scoreNodes: the weighted total of every plugin for each feasible node (same order as `nodes`). */
export function scoreNodes(pod: PodInfo, nodes: readonly NodeInfo[]): number[] {
  const preferred = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
  const affinity = preferred && preferred.length > 0 ? nodes.map((n) => preferredAffinityWeight(pod, n)) : nodes.map(() => 0);
  const taints = nodes.map((n) => intolerablePreferNoSchedule(pod, n));
  const maxAffinity = Math.max(0, ...affinity);
  const maxTaints = Math.max(0, ...taints);
  return nodes.map((n, i) => {
    const a = maxAffinity > 0 ? Math.floor((affinity[i]! * MAX_SCORE) / maxAffinity) : 0;
    const t = maxTaints > 0 ? MAX_SCORE - Math.floor((taints[i]! * MAX_SCORE) / maxTaints) : MAX_SCORE;
    return WEIGHT_RESOURCES * leastAllocatedScore(pod, n) + WEIGHT_AFFINITY * a + WEIGHT_TAINTS * t;
  });
}

/** selectHost: the index of a highest score, uniformly at random among ties (reservoir sampling); -1 when empty. */
export function selectHost(scores: readonly number[], random: () => number = Math.random): number {
  let best = -1;
  let ties = 0;
  for (let i = 0; i < scores.length; i++) {
    if (best < 0 || scores[i]! > scores[best]!) {
      best = i;
      ties = 1;
    } else if (scores[i] === scores[best]) {
      ties++;
      if (random() * ties < 1) best = i;
    }
  }
  return best;
}

/**
 * feasibleNodesToFind: how many feasible nodes to look for before scoring (Kubernetes'
 * `numFeasibleNodesToFind` with the adaptive percentage): all of them below 100 nodes,
 * otherwise 50% minus 1% per 125 nodes (at least 5%), and never fewer than 100.
 */
export function feasibleNodesToFind(numNodes: number): number {
  if (numNodes < 100) return numNodes;
  const percentage = Math.max(5, 50 - Math.floor(numNodes / 125));
  return Math.max(100, Math.floor((numNodes * percentage) / 100));
}
