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
 *   more delete the least valuable ones ({@link compareForDeletion}); both capped at
 *   `burstReplicas` (500), creates counting those still unobserved ({@link decideReplicas}).
 *   A ReplicaSet being deleted is not managed.
 * - Status: counts over the owned active pods; the ReplicaFailure condition is set on a
 *   create/delete error (first error kept) and removed by a sync without one (the controller
 *   keeps a failing create run's error until a create succeeds or none is needed).
 * What a pod contributes to claims and status is {@link countPod}; the controller keeps its
 * sums up to date from pod events (pod-index.ts), so a sync does not walk every pod.
 */
import { selectorFromLabelSelector, type LabelSelector, type Selector } from "../../apimachinery/index.js";
import {
  compareForDeletion,
  isPodActive,
  isPodReady,
  podReadySince,
  rankByRelatedPodsOnSameNode,
  type PodLike,
} from "./pods.js";
import { controllerOf, type OwnerReference } from "../owner-refs.js";
import type { Outstanding } from "./expectations.js";

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

/**
 * OwnerView: what of a ReplicaSet decides how its pods count (claims and status). Pods are
 * counted again only when it changes (see {@link ownerViewSignature}).
 */
export interface OwnerView {
  uid: string;
  namespace: string;
  /** undefined: invalid or empty selector (claims nothing). */
  selector: Selector | undefined;
  templateLabels: Readonly<Record<string, string>>;
  minReadySeconds: number;
}

/** ownerView: the {@link OwnerView} of a ReplicaSet. */
export function ownerView(rs: ReplicaSetLike): OwnerView {
  return {
    uid: rs.metadata.uid ?? "",
    namespace: rs.metadata.namespace ?? "",
    selector: replicaSetSelector(rs),
    templateLabels: rs.spec?.template?.metadata?.labels ?? {},
    minReadySeconds: rs.spec?.minReadySeconds ?? 0,
  };
}

/** ownerViewSignature: equal for two ReplicaSets whose pods count the same. */
export function ownerViewSignature(rs: ReplicaSetLike): string {
  return JSON.stringify([rs.metadata.uid ?? "", rs.metadata.namespace ?? "", rs.spec?.selector ?? null, rs.spec?.template?.metadata?.labels ?? {}, rs.spec?.minReadySeconds ?? 0]);
}

/** How one pod controlled by a ReplicaSet counts. */
export interface PodCount {
  /** Active and selected: it counts toward replicas. */
  owned: boolean;
  /** Active, no longer selected by a valid selector: to be released (unless the ReplicaSet is being deleted). */
  release: boolean;
  /** Owned and carries every template label. */
  fullyLabeled: boolean;
  /** Owned and Ready. */
  ready: boolean;
  /** Owned and ready since (ms; undefined when not ready, unknown, or minReadySeconds is 0). */
  readySince: number | undefined;
}

/**
 * countPod: how a pod whose controller reference names the ReplicaSet (`view.uid`) counts
 * for claims and status; undefined when it does not count at all (not active, another
 * namespace, or not selected by an invalid selector).
 */
export function countPod(view: OwnerView, pod: PodLike): PodCount | undefined {
  if ((pod.metadata.namespace ?? "") !== view.namespace || !isPodActive(pod)) return undefined;
  const labels = pod.metadata.labels ?? {};
  if (!(view.selector?.matches(labels) ?? false)) return view.selector ? { owned: false, release: true, fullyLabeled: false, ready: false, readySince: undefined } : undefined;
  const ready = isPodReady(pod);
  let fullyLabeled = true;
  for (const k in view.templateLabels) if (labels[k] !== view.templateLabels[k]) fullyLabeled = false;
  // The ready time only matters with minReadySeconds (parsing it is the costly part).
  return { owned: true, release: false, fullyLabeled, ready, readySince: ready && view.minReadySeconds > 0 ? podReadySince(pod) : undefined };
}

/** isAvailable: an owned pod's count says available at `now` (ready for minReadySeconds; Kubernetes' IsPodAvailable). */
export function isAvailable(c: PodCount, minReadySeconds: number, now: number): boolean {
  if (!c.ready) return false;
  if (minReadySeconds <= 0) return true;
  return c.readySince !== undefined && c.readySince + minReadySeconds * 1000 <= now;
}

/** The status counts of a ReplicaSet's owned pods. */
export interface OwnedCounts {
  replicas: number;
  fullyLabeled: number;
  ready: number;
  available: number;
}

/** countOwned: the {@link OwnedCounts} of `pods` (those controlled by the ReplicaSet) at `now`. */
export function countOwned(rs: ReplicaSetLike, pods: readonly PodLike[], now: number): OwnedCounts {
  const view = ownerView(rs);
  const out: OwnedCounts = { replicas: 0, fullyLabeled: 0, ready: 0, available: 0 };
  for (const pod of pods) if (controllerOf(pod.metadata)?.uid === view.uid) addCount(out, countPod(view, pod), view.minReadySeconds, now);
  return out;
}

/** addCount: add an owned pod's count to `out` (nothing for a pod that is not owned). */
export function addCount(out: OwnedCounts, c: PodCount | undefined, minReadySeconds: number, now: number): void {
  if (!c?.owned) return;
  out.replicas++;
  if (c.fullyLabeled) out.fullyLabeled++;
  if (c.ready) out.ready++;
  if (isAvailable(c, minReadySeconds, now)) out.available++;
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
  const view = ownerView(rs);
  const deleting = !!rs.metadata.deletionTimestamp;
  for (const pod of pods) {
    const ref = controllerOf(pod.metadata);
    if (ref) {
      if (ref.uid !== view.uid) continue;
      const c = countPod(view, pod);
      if (c?.owned) out.owned.push(pod);
      else if (c?.release && !deleting) out.release.push(pod);
      continue;
    }
    if (deleting || (pod.metadata.namespace ?? "") !== view.namespace || !isPodActive(pod)) continue;
    if (view.selector?.matches(pod.metadata.labels ?? {})) out.adopt.push(pod);
  }
  return out;
}

/** What one sync does about the replica count. */
export type ReplicaAction =
  | { type: "none" }
  /** Create `count` pods from the template. */
  | { type: "create"; count: number }
  /** Delete the `count` least valuable pods ({@link podsToDelete}). */
  | { type: "delete"; count: number };

/**
 * decideReplicas: create or delete to reach `spec.replicas` from `owned` active pods in the
 * cache and the creates and deletes the cache does not show yet (`outstanding`, see
 * expectations.ts); nothing while the ReplicaSet is being deleted.
 * - Outstanding deletions: nothing (Kubernetes: no new work until they are observed).
 * - Creates: `owned + outstanding.creations` is what the ReplicaSet has or will have; the
 *   difference to spec.replicas is created, at most so many that no more than `burstReplicas`
 *   creations are outstanding at once.
 * - Deletes: only with no creation outstanding (a surplus is deleted once the cache shows
 *   every pod), at most `burstReplicas`.
 */
export function decideReplicas(rs: ReplicaSetLike, owned: number, outstanding: Outstanding = { creations: 0, deletions: 0 }, burstReplicas = DEFAULT_BURST_REPLICAS): ReplicaAction {
  if (rs.metadata.deletionTimestamp || outstanding.deletions > 0) return { type: "none" };
  const burst = Math.max(1, burstReplicas);
  const desired = desiredReplicas(rs);
  const missing = desired - owned - outstanding.creations;
  if (missing > 0) {
    const count = Math.min(missing, burst - outstanding.creations);
    return count > 0 ? { type: "create", count } : { type: "none" };
  }
  if (outstanding.creations > 0) return { type: "none" };
  if (owned > desired) return { type: "delete", count: Math.min(owned - desired, burst) };
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

/** podFromTemplate: a new pod of `rs` (generateName, template labels/annotations/finalizers, controller reference); a fresh object each call. */
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

/** rfc3339: a time as Kubernetes writes it (seconds precision). */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/**
 * calculateStatus: the status from the owned pods' counts (Kubernetes' `calculateStatus`):
 * replicas, fullyLabeledReplicas (all template labels present), readyReplicas,
 * availableReplicas (ready for minReadySeconds), observedGeneration and the ReplicaFailure
 * condition.
 */
export function calculateStatus(rs: ReplicaSetLike, counts: OwnedCounts, manageError: ManageError | undefined, now: number): ReplicaSetStatus {
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
    replicas: counts.replicas,
    fullyLabeledReplicas: counts.fullyLabeled,
    readyReplicas: counts.ready,
    availableReplicas: counts.available,
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

/** The shortest time between two status writes of one ReplicaSet whose counts are still moving. */
export const DEFAULT_STATUS_INTERVAL_MS = 1000;

/**
 * statusWriteDelayMs: how long to hold back writing `next` over the cached status (0: write
 * now). Counts that move while pods come and go are written at most once per `intervalMs`
 * after the previous write (`lastWriteAt`), so a scale-up of thousands of pods costs a few
 * writes, not one per pod; a new observedGeneration, changed conditions, and a settled
 * ReplicaSet (every count at spec.replicas) are written at once.
 */
export function statusWriteDelayMs(rs: ReplicaSetLike, next: ReplicaSetStatus, lastWriteAt: number | undefined, now: number, intervalMs: number): number {
  const cur = rs.status;
  if ((cur?.observedGeneration ?? 0) !== (next.observedGeneration ?? 0) || !sameConditions(cur?.conditions, next.conditions)) return 0;
  const want = desiredReplicas(rs);
  const settled = [next.replicas, next.fullyLabeledReplicas, next.readyReplicas, next.availableReplicas].every((n) => (n ?? 0) === want);
  if (settled || lastWriteAt === undefined) return 0;
  return Math.max(0, lastWriteAt + intervalMs - now);
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
  const owner = controllerOf(rs.metadata);
  if (!owner) return [rs];
  const ns = rs.metadata.namespace ?? "";
  return replicaSets.filter((o) => (o.metadata.namespace ?? "") === ns && controllerOf(o.metadata)?.uid === owner.uid);
}
