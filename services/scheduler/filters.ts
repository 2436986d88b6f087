/**
 * filters: whether a pod may run on a node, as Kubernetes' default filter plugins decide it
 * (pure, no I/O). Each filter returns the reasons a node is rejected ("" or [] when it passes);
 * {@link filterNode} runs them in Kubernetes' order and stops at the first that rejects, so a
 * node counts once in the FailedScheduling message (except for several insufficient resources).
 */
import { toleratesTaint, type Taint, type Toleration } from "../apimachinery/index.js";
export type { Taint, Toleration };
import { insufficientResources, nodeAllocatable, nonZeroRequests, podRequests, type ResourceAmounts } from "./resources.js";

type Obj = Record<string, any>;

/** The reasons Kubernetes prints in FailedScheduling messages. */
export const REASONS = {
  notReady: "node(s) were not ready",
  unschedulable: "node(s) were unschedulable",
  nodeName: "node(s) didn't match the requested node name",
  affinity: "node(s) didn't match Pod's node affinity/selector",
  taint: (t: Taint) => `node(s) had untolerated taint {${t.key}: ${t.value ?? ""}}`,
} as const;


export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

/** PodInfo: a pending pod with what the filters and scores need, computed once. */
export interface PodInfo {
  pod: Obj;
  /** Summed requests (read-only: shared by the pods of one template). */
  requests: ResourceAmounts;
  nonZero: { cpu: number; memory: number };
  /** `spec.tolerations` (empty when none). */
  tolerations: readonly Toleration[];
  /** Whether the pod has a nodeSelector or a required node affinity (else NodeAffinity passes every node). */
  hasNodeAffinity: boolean;
  /** The pod tolerates the unschedulable taint. */
  toleratesUnschedulable: boolean;
  /** No nodeName and no node affinity (required or preferred): on a plain node only resources decide (see PlainNodeIndex). */
  plain: boolean;
}

/** NodeInfo: a node with the requests of the pods counted on it (bound or assumed). */
export interface NodeInfo {
  name: string;
  node: Obj;
  allocatable: ResourceAmounts;
  /** Summed requests (and `pods` count) of the pods counted on the node. */
  requested: ResourceAmounts;
  /** Summed non-zero cpu/memory requests (scoring). */
  nonZeroRequested: { cpu: number; memory: number };
  /** The node's Ready condition is True (computed once per node update). */
  ready: boolean;
  /** `spec.taints` (empty when none). */
  taints: readonly Taint[];
  /** Ready, schedulable and without taints: only resources can reject a plain pod here. */
  plain: boolean;
}

/** PodSpecInfo: the parts of {@link PodInfo} that a pod's spec alone decides. */
export type PodSpecInfo = Omit<PodInfo, "pod">;

/** What a pod's spec alone decides, by frozen (shared, see pod-view.ts) spec: computed once per template. */
const specInfos = new WeakMap<object, PodSpecInfo>();

/**
 * podSpecInfo: what `pod`'s spec decides for filtering (read-only). For a frozen spec it is
 * computed once and shared (frozen too) by every pod with that spec object.
 */
export function podSpecInfo(pod: Obj): PodSpecInfo {
  const spec = pod?.spec ?? {};
  const frozen = Object.isFrozen(spec);
  let info = frozen ? specInfos.get(spec) : undefined;
  if (!info) {
    info = specInfoOf(pod, spec);
    if (frozen) {
      Object.freeze(info.requests);
      Object.freeze(info.nonZero);
      specInfos.set(spec, Object.freeze(info));
    }
  }
  return info;
}

/** podInfoOf: a pod prepared for filtering (see {@link podSpecInfo}). */
export function podInfoOf(pod: Obj): PodInfo {
  return { pod, ...podSpecInfo(pod) };
}

function specInfoOf(pod: Obj, spec: Obj): PodSpecInfo {
  const tolerations: Toleration[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  const selector = spec.nodeSelector;
  const hasNodeAffinity = (!!selector && Object.keys(selector).length > 0) || !!spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const preferred = spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
  return {
    requests: podRequests(pod),
    nonZero: nonZeroRequests(pod),
    tolerations,
    hasNodeAffinity,
    toleratesUnschedulable: tolerations.some((t) => toleratesTaint(t, UNSCHEDULABLE_TAINT)),
    plain: !spec.nodeName && !hasNodeAffinity && !(Array.isArray(preferred) && preferred.length > 0),
  };
}

/** nodeInfoOf: a node with nothing counted on it yet. */
export function nodeInfoOf(node: Obj): NodeInfo {
  const taints: Taint[] = Array.isArray(node.spec?.taints) ? node.spec.taints : [];
  const ready = isNodeReady(node);
  return { name: node.metadata.name, node, allocatable: nodeAllocatable(node), requested: {}, nonZeroRequested: { cpu: 0, memory: 0 }, ready, taints, plain: ready && node.spec?.unschedulable !== true && taints.length === 0 };
}


/** firstUntoleratedTaint: the first taint with one of `effects` that no toleration tolerates. */
export function firstUntoleratedTaint(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined, effects: readonly string[]): Taint | undefined {
  for (const taint of taints ?? []) {
    if (!effects.includes(taint.effect)) continue;
    if (!(tolerations ?? []).some((t) => toleratesTaint(t, taint))) return taint;
  }
  return undefined;
}

function integerOf(s: string | undefined): bigint | undefined {
  if (s === undefined || !/^[+-]?\d+$/.test(s)) return undefined;
  return BigInt(s);
}

/** matchesRequirement: one node selector requirement against a label (or field) set. Unknown operators never match. */
export function matchesRequirement(req: NodeSelectorRequirement, values: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(values, req.key);
  const v = has ? values[req.key] : undefined;
  const list = req.values ?? [];
  switch (req.operator) {
    case "In":
      return has && list.includes(v!);
    case "NotIn":
      return !has || !list.includes(v!);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    case "Gt":
    case "Lt": {
      if (list.length !== 1) return false;
      const have = integerOf(v);
      const want = integerOf(list[0]);
      if (have === undefined || want === undefined) return false;
      return req.operator === "Gt" ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** matchesNodeSelectorTerm: every expression (on labels) and field requirement (on metadata.name) holds; an empty term matches nothing. */
export function matchesNodeSelectorTerm(term: NodeSelectorTerm, node: Obj): boolean {
  const exprs = term?.matchExpressions ?? [];
  const fields = term?.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels: Record<string, string> = node?.metadata?.labels ?? {};
  if (!exprs.every((r) => matchesRequirement(r, labels))) return false;
  const nodeFields = { "metadata.name": node?.metadata?.name ?? "" };
  return fields.every((r) => matchesRequirement(r, nodeFields));
}

/** matchesNodeSelectorTerms: the terms are ORed (no terms: no match). */
export function matchesNodeSelectorTerms(terms: readonly NodeSelectorTerm[] | undefined, node: Obj): boolean {
  return (terms ?? []).some((t) => matchesNodeSelectorTerm(t, node));
}

/** matchesNodeAffinity: `spec.nodeSelector` (every label equal) and the required node affinity. */
export function matchesNodeAffinity(pod: Obj, node: Obj): boolean {
  const labels: Record<string, string> = node?.metadata?.labels ?? {};
  for (const [k, v] of Object.entries((pod?.spec?.nodeSelector ?? {}) as Record<string, string>)) if (labels[k] !== v) return false;
  const required = pod?.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) return matchesNodeSelectorTerms(required.nodeSelectorTerms, node);
  return true;
}

/** isNodeReady: the node's Ready condition is True. */
export function isNodeReady(node: Obj): boolean {
  const ready = (node?.status?.conditions ?? []).find((c: Obj) => c?.type === "Ready");
  return ready?.status === "True";
}

const UNSCHEDULABLE_TAINT: Taint = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" };
const HARD_EFFECTS = ["NoSchedule", "NoExecute"];

/**
 * filterNode: the reasons `node` is rejected for `pod` (empty: feasible). Order: Ready,
 * NodeUnschedulable (unless the pod tolerates the unschedulable taint), NodeName,
 * TaintToleration (NoSchedule/NoExecute), NodeAffinity (nodeSelector + required affinity),
 * NodeResourcesFit against allocatable minus what is counted on the node.
 */
export function filterNode(pod: PodInfo, node: NodeInfo): string[] {
  const n = node.node;
  const spec = pod.pod.spec ?? {};
  if (!node.ready) return [REASONS.notReady];
  if (n.spec?.unschedulable === true && !pod.toleratesUnschedulable) return [REASONS.unschedulable];
  if (spec.nodeName && spec.nodeName !== node.name) return [REASONS.nodeName];
  if (node.taints.length > 0) {
    const taint = firstUntoleratedTaint(node.taints, pod.tolerations, HARD_EFFECTS);
    if (taint) return [REASONS.taint(taint)];
  }
  if (pod.hasNodeAffinity && !matchesNodeAffinity(pod.pod, n)) return [REASONS.affinity];
  if (fitsResources(pod.requests, node.allocatable, node.requested)) return [];
  return insufficientResources(pod.requests, node.allocatable, node.requested);
}

/** fitsResources: whether `requests` fit next to `requested` within `allocatable` (the fast yes/no of insufficientResources). */
export function fitsResources(requests: ResourceAmounts, allocatable: ResourceAmounts, requested: ResourceAmounts): boolean {
  for (const r in requests) {
    const want = requests[r]!;
    if (want <= 0) continue;
    if (want > (allocatable[r] ?? 0) - (requested[r] ?? 0)) return false;
  }
  return true;
}

/**
 * failedSchedulingMessage: Kubernetes' FitError text, e.g. `0/3 nodes are available: 1
 * Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector.` — "<count> <reason>"
 * sorted as strings.
 */
export function failedSchedulingMessage(numNodes: number, reasonsByNode: ReadonlyMap<string, readonly string[]>): string {
  if (numNodes === 0) return "no nodes available to schedule pods";
  const counts = new Map<string, number>();
  for (const reasons of reasonsByNode.values()) for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort();
  return `0/${numNodes} nodes are available${parts.length ? `: ${parts.join(", ")}.` : "."}`;
}
