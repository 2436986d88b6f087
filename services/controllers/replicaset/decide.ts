/**
 * decide: the ReplicaSet controller's decisions as pure functions (no I/O; time is passed in).
 *
 * Kubernetes' ReplicaSet controller (pkg/controller/replicaset), same rules:
 * - Only active pods count (not Succeeded/Failed, not being deleted).
 * - Claiming (`ClaimPods`): a pod whose controller is this ReplicaSet (by uid) is kept while
 *   the selector matches it and released when it stops matching (not while the ReplicaSet is
 *   being deleted); an orphan (no controller reference) that matches is adopted, unless the
 *   ReplicaSet is being deleted. Pods controlled by another owner are never touched.
 * - Managing: with fewer owned active pods than `spec.replicas` create the difference, with
 *   more delete the least valuable ones ({@link compareForDeletion}); both capped per sync at
 *   `burstReplicas` (500). A ReplicaSet being deleted is not managed.
 * - Status: counts over the owned active pods; the ReplicaFailure condition is set on a
 *   create/delete error (first error kept) and removed once a sync succeeds.
 */
import { selectorFromLabelSelector, type LabelSelector, type Selector } from "../../apimachinery/index.js";
import {
  compareForDeletion,
  controllerRefOf,
  isPodActive,
  isPodAvailable,
  isPodReady,
  msUntilAvailable,
  rankByRelatedPodsOnSameNode,
  type OwnerReference,
  type PodLike,
} from "./pods.js";

/** Kubernetes' BurstReplicas: the most creates or deletes issued in one sync. */
export const DEFAULT_BURST_REPLICAS = 500;
/** The condition type a failed create/delete sets. */
export const REPLICA_FAILURE = "ReplicaFailure";

/** A ReplicaSet condition as Kubernetes JSON. */
export interface ReplicaSetCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** ReplicaSet status as Kubernetes JSON (zero counts may be absent). */
export interface ReplicaSetStatus {
  replicas?: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
}

/** The ReplicaSet fields the controller reads. */
export interface ReplicaSetLike {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    resourceVersion?: string;
    deletionTimestamp?: string;
    ownerReferences?: OwnerReference[];
    labels?: Record<string, string>;
  };
  spec?: {
    replicas?: number;
    minReadySeconds?: number;
    selector?: LabelSelector | null;
    template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[] }; spec?: Record<string, unknown> };
  };
  status?: ReplicaSetStatus;
}

/** replicaSetKey: the work-queue key of a ReplicaSet (`namespace/name`). */
export function replicaSetKey(rs: { metadata: { namespace?: string; name: string } }): string {
  return `${rs.metadata.namespace ?? ""}/${rs.metadata.name}`;
}

/** desiredReplicas: `spec.replicas` (1 when absent, as the API defaults it). */
export function desiredReplicas(rs: ReplicaSetLike): number {
  const n = rs.spec?.replicas;
  return typeof n === "number" && n >= 0 ? n : 1;
}

/** controllerRefFor: the ownerReference a pod of `rs` carries. */
export function controllerRefFor(rs: ReplicaSetLike): OwnerReference {
  return { apiVersion: "apps/v1", kind: "ReplicaSet", name: rs.metadata.name, uid: rs.metadata.uid ?? "", controller: true, blockOwnerDeletion: true };
}

/**
 * replicaSetSelector: the ReplicaSet's selector, or undefined when it is invalid or empty
 * (such a ReplicaSet claims nothing, as Kubernetes).
 */
export function replicaSetSelector(rs: ReplicaSetLike): Selector | undefined {
  try {
    const s = selectorFromLabelSelector(rs.spec?.selector);
    return s.empty || s.isNothing ? undefined : s;
  } catch {
    return undefined;
  }
}

/** The outcome of claiming the pods of a namespace for one ReplicaSet. */
export interface Claims<P extends PodLike = PodLike> {
  /** Pods this ReplicaSet controls and still selects. */
  owned: P[];
  /** Orphans to adopt (they count once adopted). */
  adopt: P[];
  /** Pods this ReplicaSet controls that no longer match: remove its ownerReference. */
  release: P[];
}

/** decideClaims: which of the namespace's active pods the ReplicaSet keeps, adopts and releases. */
export function decideClaims<P extends PodLike>(rs: ReplicaSetLike, pods: readonly P[]): Claims<P> {
  const out: Claims<P> = { owned: [], adopt: [], release: [] };
  const selector = replicaSetSelector(rs);
  const deleting = !!rs.metadata.deletionTimestamp;
  const ns = rs.metadata.namespace ?? "";
  for (const pod of pods) {
    if ((pod.metadata.namespace ?? "") !== ns || !isPodActive(pod)) continue;
    const matches = selector?.matches(pod.metadata.labels ?? {}) ?? false;
    const ref = controllerRefOf(pod);
    if (ref) {
      if (ref.uid !== rs.metadata.uid) continue;
      if (matches) out.owned.push(pod);
      else if (!deleting && selector) out.release.push(pod);
      continue;
    }
    if (matches && !deleting) out.adopt.push(pod);
  }
  return out;
}

/** What one sync does about the replica count. */
export type ReplicaAction<P extends PodLike = PodLike> =
  | { type: "none" }
  /** Create `count` pods from the template. */
  | { type: "create"; count: number }
  /** Delete these pods (the least valuable first). */
  | { type: "delete"; pods: P[] };

/** Inputs of {@link decideReplicas}. */
export interface ReplicaInputs<P extends PodLike = PodLike> {
  rs: ReplicaSetLike;
  /** Active pods the ReplicaSet controls (after claiming). */
  owned: readonly P[];
  /** Active pods of this ReplicaSet and its siblings (same controller), for the node rank. */
  related?: readonly PodLike[];
  burstReplicas?: number;
}

/** decideReplicas: create or delete to reach `spec.replicas` (nothing while the ReplicaSet is being deleted). */
export function decideReplicas<P extends PodLike>(input: ReplicaInputs<P>): ReplicaAction<P> {
  const { rs, owned } = input;
  if (rs.metadata.deletionTimestamp) return { type: "none" };
  const burst = Math.max(1, input.burstReplicas ?? DEFAULT_BURST_REPLICAS);
  const diff = owned.length - desiredReplicas(rs);
  if (diff < 0) return { type: "create", count: Math.min(-diff, burst) };
  if (diff > 0) return { type: "delete", pods: podsToDelete(owned, input.related ?? owned, Math.min(diff, burst)) };
  return { type: "none" };
}

/** podsToDelete: the `count` least valuable of `pods` (see compareForDeletion). */
export function podsToDelete<P extends PodLike>(pods: readonly P[], related: readonly PodLike[], count: number): P[] {
  if (count >= pods.length) return [...pods];
  return rankByRelatedPodsOnSameNode(pods, related)
    .sort(compareForDeletion)
    .slice(0, count)
    .map((r) => r.pod);
}

/** The name prefix of a ReplicaSet's pods (`<name>-`, or the name when that would be too long). */
export function podNamePrefix(rsName: string): string {
  const prefix = `${rsName}-`;
  return prefix.length <= 253 - 5 ? prefix : rsName;
}

/** podFromTemplate: a new pod of `rs` (generateName, template labels/annotations/finalizers, controller reference). */
export function podFromTemplate(rs: ReplicaSetLike): PodLike & { apiVersion: string; kind: string } {
  const tpl = rs.spec?.template ?? {};
  const meta = tpl.metadata ?? {};
  const metadata: Record<string, unknown> = {
    generateName: podNamePrefix(rs.metadata.name),
    namespace: rs.metadata.namespace ?? "",
    ownerReferences: [controllerRefFor(rs)],
  };
  if (meta.labels && Object.keys(meta.labels).length > 0) metadata.labels = { ...meta.labels };
  if (meta.annotations && Object.keys(meta.annotations).length > 0) metadata.annotations = { ...meta.annotations };
  if (meta.finalizers && meta.finalizers.length > 0) metadata.finalizers = [...meta.finalizers];
  return { apiVersion: "v1", kind: "Pod", metadata: metadata as PodLike["metadata"], spec: structuredClone(tpl.spec ?? {}) };
}

/** A create or delete error of the last sync, for the ReplicaFailure condition. */
export interface ManageError {
  verb: "create" | "delete";
  message: string;
}

function templateLabelsMatch(rs: ReplicaSetLike, pod: PodLike): boolean {
  const want = rs.spec?.template?.metadata?.labels ?? {};
  const have = pod.metadata.labels ?? {};
  return Object.entries(want).every(([k, v]) => have[k] === v);
}

/** rfc3339: a time as Kubernetes writes it (seconds precision). */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/**
 * calculateStatus: the status for the owned active pods (Kubernetes' `calculateStatus`):
 * replicas, fullyLabeledReplicas (all template labels present), readyReplicas,
 * availableReplicas (ready for minReadySeconds), observedGeneration and the ReplicaFailure
 * condition.
 */
export function calculateStatus(rs: ReplicaSetLike, owned: readonly PodLike[], manageError: ManageError | undefined, now: number): ReplicaSetStatus {
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of owned) {
    if (templateLabelsMatch(rs, pod)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, now)) available++;
    }
  }
  const conditions = [...(rs.status?.conditions ?? [])];
  const failureAt = conditions.findIndex((c) => c.type === REPLICA_FAILURE);
  if (manageError && failureAt < 0) {
    conditions.push({
      type: REPLICA_FAILURE,
      status: "True",
      lastTransitionTime: rfc3339(now),
      reason: manageError.verb === "create" ? "FailedCreate" : "FailedDelete",
      message: manageError.message,
    });
  } else if (!manageError && failureAt >= 0) conditions.splice(failureAt, 1);
  const status: ReplicaSetStatus = {
    replicas: owned.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata.generation ?? 0,
  };
  if (conditions.length > 0) status.conditions = conditions;
  return status;
}

function sameConditions(a: readonly ReplicaSetCondition[] | undefined, b: readonly ReplicaSetCondition[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((c, i) => c.type === y[i]!.type && c.status === y[i]!.status && (c.reason ?? "") === (y[i]!.reason ?? "") && (c.message ?? "") === (y[i]!.message ?? ""));
}

/** statusEqual: whether two statuses say the same (absent counts are 0). */
export function statusEqual(a: ReplicaSetStatus | undefined, b: ReplicaSetStatus | undefined): boolean {
  const n = (v: number | undefined) => v ?? 0;
  return (
    n(a?.replicas) === n(b?.replicas) &&
    n(a?.fullyLabeledReplicas) === n(b?.fullyLabeledReplicas) &&
    n(a?.readyReplicas) === n(b?.readyReplicas) &&
    n(a?.availableReplicas) === n(b?.availableReplicas) &&
    n(a?.observedGeneration) === n(b?.observedGeneration) &&
    sameConditions(a?.conditions, b?.conditions)
  );
}

/** nextAvailabilityCheckMs: how long until the next owned pod becomes available (undefined: none pending). */
export function nextAvailabilityCheckMs(rs: ReplicaSetLike, owned: readonly PodLike[], now: number): number | undefined {
  const minReady = rs.spec?.minReadySeconds ?? 0;
  if (minReady <= 0) return undefined; // ready is available at once
  let next: number | undefined;
  for (const pod of owned) {
    const left = msUntilAvailable(pod, minReady, now);
    if (left !== undefined && (next === undefined || left < next)) next = left;
  }
  return next;
}

/**
 * replicaSetsSelecting: the ReplicaSets of `pod`'s namespace whose (non-empty, valid)
 * selector matches its labels — who may adopt an orphan.
 */
export function replicaSetsSelecting<R extends ReplicaSetLike>(pod: PodLike, replicaSets: readonly R[]): R[] {
  const ns = pod.metadata.namespace ?? "";
  return replicaSets.filter((rs) => (rs.metadata.namespace ?? "") === ns && (replicaSetSelector(rs)?.matches(pod.metadata.labels ?? {}) ?? false));
}

/** siblingsOf: ReplicaSets with the same controller owner as `rs` (itself included); just `rs` when it has none. */
export function siblingsOf<R extends ReplicaSetLike>(rs: R, replicaSets: readonly R[]): R[] {
  const owner = controllerRefOf(rs);
  if (!owner) return [rs];
  const ns = rs.metadata.namespace ?? "";
  return replicaSets.filter((o) => (o.metadata.namespace ?? "") === ns && controllerRefOf(o)?.uid === owner.uid);
}
