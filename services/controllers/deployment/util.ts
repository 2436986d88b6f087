/**
 * util: the Deployment rules Kubernetes keeps in `deployment/util/deployment_util.go`, as pure
 * functions: revisions, replica annotations, maxSurge/maxUnavailable fenceposts, new and old
 * ReplicaSets, proportional scaling fractions and the Progressing/Available conditions.
 *
 * Functions named `set…` change the object they are given (a working copy) and return whether
 * anything changed, as their Go originals do; everything else is side-effect free.
 */
import { scaledValueFromIntOrPercent } from "../../apimachinery/index.js";
import { equalIgnoreHash } from "./hash.js";
import {
  CONDITION,
  DEPRECATED_ROLLBACK_TO_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  LAST_APPLIED_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  MAX_INT32,
  REASON,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  type Deployment,
  type DeploymentCondition,
  type DeploymentStatus,
  type ReplicaSet,
  type ReplicaSetCondition,
} from "./types.js";

/** The longest revision-history annotation kept (Kubernetes' controller flag default, in characters). */
export const DEFAULT_REVISION_HISTORY_CHARS = 2000;

// ---- small readers -----------------------------------------------------------------

/** specReplicas: a ReplicaSet's `spec.replicas` (absent = 0: the zero value after a JSON round trip). */
export function specReplicas(rs: ReplicaSet): number {
  return rs.spec?.replicas ?? 0;
}

/** desiredReplicas: a Deployment's `spec.replicas` (absent = 1, the API default). */
export function desiredReplicas(d: Deployment): number {
  return d.spec.replicas ?? 1;
}

/** formatTime: unix ms as a Kubernetes metav1.Time (RFC3339, whole seconds, UTC). */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
}

/** parseTime: a metav1.Time as unix ms (NaN when absent or malformed). */
export function parseTime(s: string | undefined): number {
  return s ? Date.parse(s) : NaN;
}

/** Go's strconv.ParseInt(s, 10, 64) for the values revisions hold; undefined when it fails. */
function parseInt64(s: string | undefined): number | undefined {
  if (s === undefined || !/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** revisionOf: the ReplicaSet's revision annotation as a number (undefined when absent or malformed). */
export function revisionOf(rs: ReplicaSet): number | undefined {
  return parseInt64(rs.metadata.annotations?.[REVISION_ANNOTATION]);
}

/** maxRevision: the highest revision among `rss` (0 when none has one; Kubernetes' MaxRevision). */
export function maxRevision(rss: readonly ReplicaSet[]): number {
  let max = 0;
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (v !== undefined && v > max) max = v;
  }
  return max;
}

// ---- strategy parameters -----------------------------------------------------------

/** isRollingUpdate: the strategy is RollingUpdate (the default when absent). */
export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec.strategy?.type || "RollingUpdate") === "RollingUpdate";
}

/**
 * resolveFenceposts: maxSurge (rounded up) and maxUnavailable (rounded down) as numbers of
 * pods for `desired` replicas (Kubernetes' ResolveFenceposts). Both resolving to 0 — possible
 * only through rounding, validation forbids it — gives maxUnavailable 1 so a rollout cannot
 * get stuck. Absent values count as 0.
 */
export function resolveFenceposts(maxSurge: number | string | null | undefined, maxUnavailable: number | string | null | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValueFromIntOrPercent(maxSurge ?? 0, desired, true);
  let unavailable = scaledValueFromIntOrPercent(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/** rollingParams: the RollingUpdate parameters with the API defaults (25%/25%) for absent ones. */
function rollingParams(d: Deployment): { maxSurge: number | string; maxUnavailable: number | string } {
  const ru = d.spec.strategy?.rollingUpdate ?? {};
  return { maxSurge: ru.maxSurge ?? "25%", maxUnavailable: ru.maxUnavailable ?? "25%" };
}

/** maxSurge: how many pods above `spec.replicas` a rollout may run (0 for Recreate). */
export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const p = rollingParams(d);
  return resolveFenceposts(p.maxSurge, p.maxUnavailable, desiredReplicas(d)).surge;
}

/** maxUnavailable: how many of `spec.replicas` may be unavailable (0 for Recreate or 0 replicas; at most spec.replicas). */
export function maxUnavailable(d: Deployment): number {
  const replicas = desiredReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const p = rollingParams(d);
  return Math.min(resolveFenceposts(p.maxSurge, p.maxUnavailable, replicas).unavailable, replicas);
}

/** hasProgressDeadline: `progressDeadlineSeconds` is set and not MaxInt32. */
export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec.progressDeadlineSeconds;
  return typeof s === "number" && s !== MAX_INT32;
}

/** hasRevisionHistoryLimit: `revisionHistoryLimit` is set and not MaxInt32. */
export function hasRevisionHistoryLimit(d: Deployment): boolean {
  const l = d.spec.revisionHistoryLimit;
  return typeof l === "number" && l !== MAX_INT32;
}

// ---- annotations -------------------------------------------------------------------

const ANNOTATIONS_NOT_COPIED = new Set([
  LAST_APPLIED_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  DEPRECATED_ROLLBACK_TO_ANNOTATION,
]);

/** skipCopyAnnotation: annotations a Deployment never passes to its ReplicaSets. */
export function skipCopyAnnotation(key: string): boolean {
  return ANNOTATIONS_NOT_COPIED.has(key);
}

/**
 * setDeploymentAnnotationsOnReplicaSet: copies the Deployment's annotations (change-cause and
 * the user's own; not revisions, replica counts or kubectl's last-applied) onto `rs`.
 */
export function setDeploymentAnnotationsOnReplicaSet(d: Deployment, rs: ReplicaSet): boolean {
  let changed = false;
  const target = (rs.metadata.annotations ??= {});
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (skipCopyAnnotation(k) || target[k] === v) continue;
    target[k] = v;
    changed = true;
  }
  return changed;
}

/** setReplicasAnnotations: the desired-replicas and max-replicas annotations of `rs`. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  if (a[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    a[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (a[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    a[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

/** desiredReplicasAnnotation: the desired-replicas annotation of `rs` (undefined when absent/malformed). */
export function desiredReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return parseInt64(rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION]);
}

/** maxReplicasAnnotation: the max-replicas annotation of `rs` (undefined when absent/malformed). */
export function maxReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return parseInt64(rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION]);
}

/**
 * setNewReplicaSetAnnotations: the annotations of the new ReplicaSet (Kubernetes'
 * SetNewReplicaSetAnnotations):
 * - the Deployment's own annotations are copied (see {@link setDeploymentAnnotationsOnReplicaSet});
 * - the revision becomes `newRevision` when that is higher than its current one; a ReplicaSet
 *   that already had a revision (a rollback to it) keeps the old number in
 *   `revision-history` (comma separated, oldest dropped beyond `historyLimitChars`);
 * - a ReplicaSet about to be created (`exists` false) gets the replica annotations.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: string, exists: boolean, historyLimitChars = DEFAULT_REVISION_HISTORY_CHARS): boolean {
  let changed = setDeploymentAnnotationsOnReplicaSet(d, rs);
  const a = (rs.metadata.annotations ??= {});
  const oldRevision = a[REVISION_ANNOTATION];
  const hadRevision = oldRevision !== undefined;
  let oldRevisionInt = 0;
  if (oldRevision !== undefined && oldRevision !== "") {
    const parsed = parseInt64(oldRevision);
    if (parsed === undefined) return changed;
    oldRevisionInt = parsed;
  }
  const newRevisionInt = parseInt64(newRevision);
  if (newRevisionInt === undefined) return changed;
  if (oldRevisionInt < newRevisionInt) {
    a[REVISION_ANNOTATION] = newRevision;
    changed = true;
    if (hadRevision) {
      const history = a[REVISION_HISTORY_ANNOTATION] ?? "";
      let old = history.split(",");
      if (old[0]!.length === 0) a[REVISION_HISTORY_ANNOTATION] = oldRevision!;
      else {
        let total = history.length + oldRevision!.length + 1;
        let start = 0;
        while (total > historyLimitChars && start < old.length) {
          total -= old[start]!.length + 1;
          start++;
        }
        if (total <= historyLimitChars) {
          old = [...old.slice(start), oldRevision!];
          a[REVISION_HISTORY_ANNOTATION] = old.join(",");
        }
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, desiredReplicas(d), desiredReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}

/** setDeploymentRevision: the Deployment's revision annotation (copied from its new ReplicaSet). */
export function setDeploymentRevision(d: Deployment, revision: string): boolean {
  const a = (d.metadata.annotations ??= {});
  if (a[REVISION_ANNOTATION] === revision) return false;
  a[REVISION_ANNOTATION] = revision;
  return true;
}

// ---- ReplicaSet sets ---------------------------------------------------------------

/** filterActive: ReplicaSets with `spec.replicas > 0`. */
export function filterActive(rss: readonly ReplicaSet[]): ReplicaSet[] {
  return rss.filter((rs) => specReplicas(rs) > 0);
}

/** sumSpecReplicas: Σ spec.replicas. */
export function sumSpecReplicas(rss: readonly (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs ? specReplicas(rs) : 0), 0);
}

/** sumStatusReplicas: Σ status.replicas (pods that exist). */
export function sumStatusReplicas(rss: readonly (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
}

/** sumReadyReplicas: Σ status.readyReplicas. */
export function sumReadyReplicas(rss: readonly (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
}

/** sumAvailableReplicas: Σ status.availableReplicas. */
export function sumAvailableReplicas(rss: readonly (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);
}

function createdAt(rs: ReplicaSet): number {
  const t = parseTime(rs.metadata.creationTimestamp);
  return Number.isNaN(t) ? Number.MAX_SAFE_INTEGER : t;
}

/** byCreation: oldest first, then by name (Kubernetes' ReplicaSetsByCreationTimestamp). */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const d = createdAt(a) - createdAt(b);
  if (d !== 0) return d;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

/** bySizeOlder: largest first; ties oldest first (ReplicaSetsBySizeOlder, for scaling down). */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(b) - specReplicas(a) || byCreation(a, b);
}

/** bySizeNewer: largest first; ties newest first (ReplicaSetsBySizeNewer, for scaling up). */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(b) - specReplicas(a) || byCreation(b, a);
}

/** byRevision: lowest revision first; ties by creation (ReplicaSetsByRevision). */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const d = (revisionOf(a) ?? 0) - (revisionOf(b) ?? 0);
  return d !== 0 ? d : byCreation(a, b);
}

/**
 * findNewReplicaSet: the ReplicaSet whose template equals the Deployment's apart from the
 * hash label; the oldest when several do (Kubernetes' FindNewReplicaSet).
 */
export function findNewReplicaSet(d: Deployment, rss: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
}

/** findOldReplicaSets: every ReplicaSet but the new one (`all`), and those of them with replicas (`active`). */
export function findOldReplicaSets(d: Deployment, rss: readonly ReplicaSet[]): { active: ReplicaSet[]; all: ReplicaSet[] } {
  const newRS = findNewReplicaSet(d, rss);
  const all = rss.filter((rs) => rs !== newRS);
  return { active: filterActive(all), all };
}

/**
 * findActiveOrLatest: the one ReplicaSet with replicas, or the newest when none has any
 * (undefined when several have replicas: a rollout is in progress; Kubernetes' FindActiveOrLatest).
 */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = filterActive(newRS ? [...newestFirst, newRS] : newestFirst);
  if (active.length === 0) return newRS ?? newestFirst[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/**
 * isSaturated: the new ReplicaSet runs exactly `spec.replicas`, all available, and was last
 * scaled for that size (Kubernetes' IsSaturated).
 */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = desiredReplicasAnnotation(rs);
  if (desired === undefined) return false;
  const want = desiredReplicas(d);
  return specReplicas(rs) === want && desired === want && (rs.status?.availableReplicas ?? 0) === want;
}

/**
 * newRSNewReplicas: the size the new ReplicaSet may grow to now (Kubernetes' NewRSNewReplicas).
 * RollingUpdate: up to `spec.replicas + maxSurge` pods in total, never above `spec.replicas`.
 * Recreate: `spec.replicas`.
 *
 * One deliberate difference: the total counts, per ReplicaSet, the larger of `spec.replicas`
 * and `status.replicas`, so pods of an old ReplicaSet that was scaled down but whose pods still
 * exist keep the new one from growing — the surge bound then holds for pods that exist, not
 * only for the ReplicaSets' specs.
 */
export function newRSNewReplicas(d: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet): number {
  if (!isRollingUpdate(d)) return desiredReplicas(d);
  const replicas = desiredReplicas(d);
  const surge = scaledValueFromIntOrPercent(rollingParams(d).maxSurge, replicas, true);
  const current = allRSs.reduce((n, rs) => n + Math.max(specReplicas(rs), rs.status?.replicas ?? 0), 0);
  const maxTotal = replicas + surge;
  if (current >= maxTotal) return specReplicas(newRS);
  const scaleUp = Math.min(maxTotal - current, replicas - specReplicas(newRS));
  return specReplicas(newRS) + scaleUp;
}

/** Go's math.Round: halves away from zero. */
function roundHalfAwayFromZero(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/**
 * replicaSetFraction: how many replicas `rs` gains (or loses) when the Deployment moves to its
 * current size, in proportion to the size it had (max-replicas annotation, else status.replicas).
 */
export function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  const replicas = desiredReplicas(d);
  if (replicas === 0) return -specReplicas(rs);
  const deploymentReplicas = replicas + maxSurge(d);
  const annotated = maxReplicasAnnotation(rs) ?? d.status?.replicas ?? 0;
  if (annotated === 0) return 0;
  const newSize = (specReplicas(rs) * deploymentReplicas) / annotated;
  return roundHalfAwayFromZero(newSize) - specReplicas(rs);
}

/**
 * replicaSetProportion: the share of `toAdd` (negative: to remove) that `rs` takes, given
 * `added` already handed out (Kubernetes' GetReplicaSetProportion).
 */
export function replicaSetProportion(rs: ReplicaSet | undefined, d: Deployment, toAdd: number, added: number): number {
  if (!rs || specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

// ---- conditions and progress -------------------------------------------------------

/** newCondition: a Deployment condition stamped with `now` for both times. */
export function newCondition(type: string, status: DeploymentCondition["status"], reason: string, message: string, now: number): DeploymentCondition {
  const t = formatTime(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/** getCondition: the condition of `type`, if any. */
export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * setCondition: puts `cond` in `status` (Kubernetes' SetDeploymentCondition): nothing happens
 * when one of that type already has the same status and reason; a condition whose status did
 * not change keeps its lastTransitionTime. The condition goes last.
 */
export function setCondition(status: DeploymentStatus, cond: DeploymentCondition): void {
  const current = getCondition(status, cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason) return;
  const next = { ...cond };
  if (current && current.status === cond.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), next];
}

/** removeCondition: drops the condition of `type`. */
export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
}

/** replicaSetToDeploymentCondition: a ReplicaSet's ReplicaFailure condition as the Deployment reports it. */
export function replicaSetToDeploymentCondition(c: ReplicaSetCondition): DeploymentCondition {
  return {
    type: c.type,
    status: c.status as DeploymentCondition["status"],
    lastUpdateTime: c.lastTransitionTime,
    lastTransitionTime: c.lastTransitionTime,
    reason: c.reason,
    message: c.message,
  };
}

/**
 * deploymentComplete: every replica is updated and available, none old, and the status
 * describes the current generation (Kubernetes' DeploymentComplete).
 */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const want = desiredReplicas(d);
  return (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/**
 * deploymentProgressing: `s` shows progress over the Deployment's current status: more updated,
 * ready or available replicas, or fewer old ones (Kubernetes' DeploymentProgressing).
 */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

/**
 * deploymentTimedOut: the Progressing condition was last updated more than
 * progressDeadlineSeconds before `now` (never after a completed rollout; Kubernetes' DeploymentTimedOut).
 */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(s, CONDITION.progressing);
  if (!cond) return false;
  if (cond.reason === REASON.newReplicaSetAvailable) return false;
  if (cond.reason === REASON.progressDeadlineExceeded) return true;
  const from = parseTime(cond.lastUpdateTime);
  if (Number.isNaN(from)) return false;
  return from + (d.spec.progressDeadlineSeconds as number) * 1000 < now;
}
