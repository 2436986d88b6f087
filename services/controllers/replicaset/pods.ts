/**
 * pods: what a workload controller reads from a pod (Kubernetes' `podutil` and the
 * `ActivePods` ordering of `controller_utils.go`), as pure functions on Kubernetes JSON.
 */

import type { OwnerReference } from "../owner-refs.js";
export type { OwnerReference } from "../owner-refs.js";

/** A pod condition as Kubernetes JSON. */
export interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** The pod fields the workload controllers read. */
export interface PodLike {
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    ownerReferences?: OwnerReference[];
    resourceVersion?: string;
  };
  spec?: { nodeName?: string; [k: string]: unknown };
  status?: {
    phase?: string;
    conditions?: PodCondition[];
    containerStatuses?: Array<{ restartCount?: number; [k: string]: unknown }>;
    [k: string]: unknown;
  };
}

/** The annotation that orders pods for scale-down (lower cost goes first). */
export const POD_DELETION_COST_ANNOTATION = "controller.kubernetes.io/pod-deletion-cost";


/** isPodTerminating: the pod has a deletionTimestamp. */
export function isPodTerminating(pod: PodLike): boolean {
  return !!pod.metadata.deletionTimestamp;
}

/**
 * isPodActive: counts toward a controller's replicas (Kubernetes' `IsPodActive`): not
 * Succeeded, not Failed, and not being deleted.
 */
export function isPodActive(pod: PodLike): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !isPodTerminating(pod);
}

function readyCondition(pod: PodLike): PodCondition | undefined {
  return (pod.status?.conditions ?? []).find((c) => c.type === "Ready");
}

/** isPodReady: the pod's Ready condition is True. */
export function isPodReady(pod: PodLike): boolean {
  return readyCondition(pod)?.status === "True";
}

function parseTime(t: string | undefined): number | undefined {
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** podReadySince: when a ready pod became ready (its Ready condition's lastTransitionTime, ms); undefined if not ready or unknown. */
export function podReadySince(pod: PodLike): number | undefined {
  const c = readyCondition(pod);
  return c?.status === "True" ? parseTime(c.lastTransitionTime) : undefined;
}

/**
 * isPodAvailable: ready for at least `minReadySeconds` at `now` (Kubernetes'
 * `IsPodAvailable`). With minReadySeconds 0 every ready pod is available; a ready pod with no
 * transition time is not available before then.
 */
export function isPodAvailable(pod: PodLike, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = podReadySince(pod);
  return since !== undefined && since + minReadySeconds * 1000 <= now;
}

/**
 * msUntilAvailable: how long until a ready but not yet available pod becomes available
 * (undefined when it is not ready, or already available).
 */
export function msUntilAvailable(pod: PodLike, minReadySeconds: number, now: number): number | undefined {
  if (!isPodReady(pod) || minReadySeconds <= 0) return undefined;
  const since = podReadySince(pod);
  if (since === undefined) return undefined;
  const left = since + minReadySeconds * 1000 - now;
  return left > 0 ? left : undefined;
}

/** maxRestartCount: the highest restartCount among the pod's containers. */
export function maxRestartCount(pod: PodLike): number {
  let max = 0;
  for (const s of pod.status?.containerStatuses ?? []) max = Math.max(max, s.restartCount ?? 0);
  return max;
}

/** podDeletionCost: the pod-deletion-cost annotation (an int32; absent or invalid = 0). */
export function podDeletionCost(pod: PodLike): number {
  const v = pod.metadata.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (v === undefined || !/^[+-]?\d+$/.test(v.trim())) return 0;
  const n = Number(v.trim());
  return n >= -(2 ** 31) && n < 2 ** 31 ? n : 0;
}

const PHASE_ORDINAL: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

/** A pod with its rank: how many related pods share its node (more = deleted earlier). */
export interface RankedPod<P extends PodLike = PodLike> {
  pod: P;
  rank: number;
}

/**
 * compareForDeletion: the order in which a scale-down deletes pods (Kubernetes'
 * `ActivePodsWithRanks.Less`); negative when `a` goes before `b`:
 * 1. unscheduled before scheduled; 2. Pending < Unknown < Running; 3. not ready before ready;
 * 4. lower pod-deletion-cost first; 5. higher rank (more related pods on the same node) first;
 * 6. both ready: ready for less time first; 7. higher restart count first;
 * 8. newer creation first (no creation time first); then by name, for a stable order.
 * Times are compared exactly (Kubernetes buckets them logarithmically and breaks ties at random).
 */
export function compareForDeletion(a: RankedPod, b: RankedPod): number {
  const pa = a.pod;
  const pb = b.pod;
  const aAssigned = !!pa.spec?.nodeName;
  const bAssigned = !!pb.spec?.nodeName;
  if (aAssigned !== bAssigned) return aAssigned ? 1 : -1;
  const phaseA = PHASE_ORDINAL[pa.status?.phase ?? "Pending"] ?? 0;
  const phaseB = PHASE_ORDINAL[pb.status?.phase ?? "Pending"] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  const readyA = isPodReady(pa);
  const readyB = isPodReady(pb);
  if (readyA !== readyB) return readyA ? 1 : -1;
  const costA = podDeletionCost(pa);
  const costB = podDeletionCost(pb);
  if (costA !== costB) return costA - costB;
  if (a.rank !== b.rank) return b.rank - a.rank;
  if (readyA && readyB) {
    const sa = podReadySince(pa);
    const sb = podReadySince(pb);
    if (sa !== sb) return laterOrMissingFirst(sa, sb);
  }
  const ra = maxRestartCount(pa);
  const rb = maxRestartCount(pb);
  if (ra !== rb) return rb - ra;
  const ca = parseTime(pa.metadata.creationTimestamp);
  const cb = parseTime(pb.metadata.creationTimestamp);
  if (ca !== cb) return laterOrMissingFirst(ca, cb);
  return pa.metadata.name < pb.metadata.name ? -1 : pa.metadata.name > pb.metadata.name ? 1 : 0;
}

/** Missing time first, then the later time first. */
function laterOrMissingFirst(a: number | undefined, b: number | undefined): number {
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return b - a;
}

/**
 * rankByRelatedPodsOnSameNode: each pod ranked by how many of `related` (active pods of this
 * controller and its siblings, the pods themselves included) run on its node.
 */
export function rankByRelatedPodsOnSameNode<P extends PodLike>(pods: readonly P[], related: readonly PodLike[]): RankedPod<P>[] {
  const perNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p)) continue;
    const node = p.spec?.nodeName ?? "";
    perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  return pods.map((pod) => ({ pod, rank: perNode.get(pod.spec?.nodeName ?? "") ?? 0 }));
}
