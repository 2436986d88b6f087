/**
 * decide: one sync of one Deployment as a pure function (no I/O; time is passed in), following
 * Kubernetes' deployment controller (`sync.go`, `rolling.go`, `recreate.go`, `progress.go`):
 *
 * - deleted (deletionTimestamp): status only;
 * - paused: scaling still applies (proportionally mid-rollout), no rollout progress, old
 *   ReplicaSets beyond revisionHistoryLimit are cleaned; Progressing becomes
 *   Unknown/DeploymentPaused (DeploymentResumed on resume) so a pause never times out;
 * - a scaling event (some active ReplicaSet's desired-replicas annotation differs from
 *   `spec.replicas`): proportional scaling only;
 * - otherwise the strategy: RollingUpdate (new ReplicaSet up to replicas+maxSurge in total;
 *   old ones down while available pods stay at replicas−maxUnavailable or more, unhealthy old
 *   replicas first) or Recreate (old to 0, wait until their pods are gone, then new up).
 *
 * The Kubernetes code writes as it goes and stops at certain points ("scaled up: only update
 * the status"); here every write becomes an action on working copies, so later steps see the
 * earlier ones exactly as they would see the API's answers, and the caller applies the
 * actions in order, stopping at the first failure (the key is then retried from scratch).
 *
 * Two deliberate differences, both only ever more careful: available replicas of a
 * ReplicaSet count at most its `spec.replicas` (a status written before a scale-down is not
 * trusted to stay), and the surge bound counts pods that still exist (`status.replicas`).
 */
import { selectorFromLabelSelector } from "../../apimachinery/index.js";
import { canonicalJson, computeHash } from "./hash.js";
import {
  CONDITION,
  POD_TEMPLATE_HASH_LABEL,
  REASON,
  REVISION_ANNOTATION,
  type Deployment,
  type DeploymentCondition,
  type DeploymentStatus,
  type OwnerReference,
  type PodView,
  type ReplicaSet,
} from "./types.js";
import {
  byCreation,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  desiredReplicas,
  desiredReplicasAnnotation,
  filterActive,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  formatTime,
  getCondition,
  hasProgressDeadline,
  hasRevisionHistoryLimit,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newCondition,
  newRSNewReplicas,
  parseTime,
  removeCondition,
  replicaSetProportion,
  replicaSetToDeploymentCondition,
  setCondition,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specReplicas,
  sumAvailableReplicas,
  sumReadyReplicas,
  sumSpecReplicas,
  sumStatusReplicas,
  DEFAULT_REVISION_HISTORY_CHARS,
} from "./util.js";

/** One write the controller makes, in order. */
export type DeploymentAction =
  /** POST the ReplicaSet (AlreadyExists: see the controller's collision handling). */
  | { type: "createReplicaSet"; replicaSet: ReplicaSet }
  /** PUT the whole ReplicaSet (compare-and-swap on its resourceVersion). */
  | { type: "updateReplicaSet"; replicaSet: ReplicaSet }
  /** DELETE an old ReplicaSet beyond revisionHistoryLimit (with a resourceVersion precondition). */
  | { type: "deleteReplicaSet"; name: string; uid: string; resourceVersion?: string }
  /** Set the Deployment's revision annotation (the new ReplicaSet's revision). */
  | { type: "setDeploymentRevision"; revision: string }
  /** PUT the Deployment's status. */
  | { type: "updateStatus"; status: DeploymentStatus }
  /** Record an Event about the Deployment (best effort). */
  | { type: "event"; eventType: "Normal" | "Warning"; reason: string; message: string };

/** What {@link decideDeployment} works from. */
export interface DeploymentSyncInput {
  deployment: Deployment;
  /** The ReplicaSets this Deployment controls (after adoption and release). */
  replicaSets: readonly ReplicaSet[];
  /** Pods of those ReplicaSets by ReplicaSet uid (Recreate waits for them to be gone). */
  podsByReplicaSet?: ReadonlyMap<string, readonly PodView[]>;
  /** Unix ms. */
  now: number;
  /** Longest revision-history annotation (default 2000 characters). */
  revisionHistoryChars?: number;
}

/** The writes of one sync, and when to look again if nothing else happens. */
export interface DeploymentDecision {
  actions: DeploymentAction[];
  /** Re-sync after this delay (a progress deadline to check). */
  requeueAfterMs?: number;
}

/** controllerRefTo: the controller ownerReference a ReplicaSet of `d` carries. */
export function controllerRefTo(d: Deployment): OwnerReference {
  return { apiVersion: "apps/v1", kind: "Deployment", name: d.metadata.name, uid: d.metadata.uid ?? "", controller: true, blockOwnerDeletion: true };
}

/**
 * newReplicaSetFor: the ReplicaSet for the Deployment's current template, before its size and
 * annotations are set: named `<deployment>-<hash>`, the hash label on its labels, selector and
 * template, a controller reference, `minReadySeconds` copied, 0 replicas.
 */
export function newReplicaSetFor(d: Deployment): ReplicaSet {
  const hash = computeHash(d.spec.template, d.status?.collisionCount);
  const template = structuredClone(d.spec.template);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
  const selector = structuredClone(d.spec.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...template.metadata.labels! },
      ownerReferences: [controllerRefTo(d)],
    },
    spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
  };
}

/**
 * statusEqual: whether two Deployment statuses say the same (zero counts and absent ones
 * alike, conditions in order).
 */
export function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  const norm = (s: DeploymentStatus | undefined) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s ?? {})) if (v !== 0) out[k] = v;
    return canonicalJson(out);
  };
  return norm(a) === norm(b);
}

function selectsEverything(d: Deployment): boolean {
  const s = d.spec.selector;
  return !!s && Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
}

/** The working state of one sync. */
class Sync {
  readonly d: Deployment;
  private readonly storedStatus: DeploymentStatus | undefined;
  private readonly rss: ReplicaSet[];
  private readonly actions: DeploymentAction[] = [];
  /** ReplicaSets (by name) with a pending create or update action holding the working copy. */
  private readonly written = new Set<string>();
  private requeueAfterMs: number | undefined;

  constructor(private readonly input: DeploymentSyncInput) {
    this.d = structuredClone(input.deployment);
    this.d.status ??= {};
    this.storedStatus = input.deployment.status;
    this.rss = input.replicaSets.map((rs) => structuredClone(rs));
  }

  private get now(): number {
    return this.input.now;
  }

  private get status(): DeploymentStatus {
    return this.d.status!;
  }

  // ---- the top level (syncDeployment) ----

  run(): DeploymentDecision {
    const d = this.d;
    if (selectsEverything(d)) {
      this.event("Warning", "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.");
      if ((this.status.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) this.status.observedGeneration = d.metadata.generation;
      return this.finish();
    }
    if (d.metadata.deletionTimestamp) {
      const { newRS, oldRSs } = this.allReplicaSetsAndSyncRevision(false);
      this.syncDeploymentStatus(newRS ? [...oldRSs, newRS] : oldRSs, newRS);
      return this.finish();
    }
    this.checkPausedConditions();
    if (d.spec.paused) this.sync();
    else if (this.isScalingEvent()) this.sync();
    else if (isRollingUpdate(d)) this.rolloutRolling();
    else this.rolloutRecreate();
    return this.finish();
  }

  private finish(): DeploymentDecision {
    if (!statusEqual(this.storedStatus, this.status)) this.actions.push({ type: "updateStatus", status: this.status });
    const actions = structuredClone(this.actions);
    for (const a of actions) if (a.type === "createReplicaSet") delete a.replicaSet.metadata.creationTimestamp;
    return this.requeueAfterMs === undefined ? { actions } : { actions, requeueAfterMs: this.requeueAfterMs };
  }

  // ---- writes ----

  private event(eventType: "Normal" | "Warning", reason: string, message: string): void {
    this.actions.push({ type: "event", eventType, reason, message });
  }

  /** touch: `rs` (a working copy) changed: make sure an action carries it. */
  private touch(rs: ReplicaSet): void {
    if (this.written.has(rs.metadata.name)) return;
    this.written.add(rs.metadata.name);
    this.actions.push({ type: "updateReplicaSet", replicaSet: rs });
  }

  private create(rs: ReplicaSet): void {
    rs.metadata.creationTimestamp = formatTime(this.now);
    this.rss.push(rs);
    this.written.add(rs.metadata.name);
    this.actions.push({ type: "createReplicaSet", replicaSet: rs });
  }

  private setRevision(revision: string): void {
    if (setDeploymentRevision(this.d, revision)) this.actions.push({ type: "setDeploymentRevision", revision });
  }

  /** scaleReplicaSet: size and replica annotations; returns whether the size changed. */
  private scaleReplicaSet(rs: ReplicaSet, newScale: number, operation: string): boolean {
    const oldScale = specReplicas(rs);
    const sizeChanged = oldScale !== newScale;
    const want = desiredReplicas(this.d);
    const annotationsChanged = setReplicasAnnotations(rs, want, want + maxSurge(this.d));
    if (!sizeChanged && !annotationsChanged) return false;
    rs.spec.replicas = newScale;
    this.touch(rs);
    if (sizeChanged) this.event("Normal", "ScalingReplicaSet", `Scaled ${operation} replica set ${rs.metadata.name} from ${oldScale} to ${newScale}`);
    return sizeChanged;
  }

  private scaleAndRecord(rs: ReplicaSet, newScale: number): boolean {
    if (specReplicas(rs) === newScale) return false;
    return this.scaleReplicaSet(rs, newScale, specReplicas(rs) < newScale ? "up" : "down");
  }

  // ---- new and old ReplicaSets (getAllReplicaSetsAndSyncRevision) ----

  private allReplicaSetsAndSyncRevision(createIfMissing: boolean): { newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] } {
    const oldRSs = findOldReplicaSets(this.d, this.rss).all;
    const newRS = this.newReplicaSet(oldRSs, createIfMissing);
    return { newRS, oldRSs };
  }

  private newReplicaSet(oldRSs: ReplicaSet[], createIfMissing: boolean): ReplicaSet | undefined {
    const d = this.d;
    const existing = findNewReplicaSet(d, this.rss);
    const newRevision = String(maxRevision(oldRSs) + 1);
    const limit = this.input.revisionHistoryChars ?? DEFAULT_REVISION_HISTORY_CHARS;
    if (existing) {
      const annotationsChanged = setNewReplicaSetAnnotations(d, existing, newRevision, true, limit);
      const minReady = d.spec.minReadySeconds ?? 0;
      const minReadyChanged = (existing.spec.minReadySeconds ?? 0) !== minReady;
      if (minReadyChanged) existing.spec.minReadySeconds = minReady;
      if (annotationsChanged || minReadyChanged) this.touch(existing);
      const revision = existing.metadata.annotations?.[REVISION_ANNOTATION];
      if (revision) this.setRevision(revision);
      if (hasProgressDeadline(d) && !getCondition(this.status, CONDITION.progressing)) {
        setCondition(this.status, newCondition(CONDITION.progressing, "True", REASON.foundNewReplicaSet, `Found new replica set "${existing.metadata.name}"`, this.now));
      }
      return existing;
    }
    if (!createIfMissing) return undefined;
    const rs = newReplicaSetFor(d);
    rs.spec.replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
    setNewReplicaSetAnnotations(d, rs, newRevision, false, limit);
    this.create(rs);
    if (specReplicas(rs) > 0) this.event("Normal", "ScalingReplicaSet", `Scaled up replica set ${rs.metadata.name} from 0 to ${specReplicas(rs)}`);
    this.setRevision(newRevision);
    if (hasProgressDeadline(d)) {
      setCondition(this.status, newCondition(CONDITION.progressing, "True", REASON.newReplicaSetCreated, `Created new replica set "${rs.metadata.name}"`, this.now));
    }
    return rs;
  }

  // ---- pause, scaling, cleanup (sync.go) ----

  private checkPausedConditions(): void {
    const d = this.d;
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(this.status, CONDITION.progressing);
    if (cond?.reason === REASON.progressDeadlineExceeded) return;
    const pausedCondExists = cond?.reason === REASON.deploymentPaused;
    if (d.spec.paused && !pausedCondExists) {
      setCondition(this.status, newCondition(CONDITION.progressing, "Unknown", REASON.deploymentPaused, "Deployment is paused", this.now));
    } else if (!d.spec.paused && pausedCondExists) {
      setCondition(this.status, newCondition(CONDITION.progressing, "Unknown", REASON.deploymentResumed, "Deployment is resumed", this.now));
    }
  }

  private isScalingEvent(): boolean {
    const { newRS, oldRSs } = this.allReplicaSetsAndSyncRevision(false);
    for (const rs of filterActive(newRS ? [...oldRSs, newRS] : oldRSs)) {
      const desired = desiredReplicasAnnotation(rs);
      if (desired !== undefined && desired !== desiredReplicas(this.d)) return true;
    }
    return false;
  }

  /** sync: scaling and status only (paused, or a scaling event). */
  private sync(): void {
    const { newRS, oldRSs } = this.allReplicaSetsAndSyncRevision(false);
    this.scale(newRS, oldRSs);
    if (this.d.spec.paused) this.cleanupDeployment(oldRSs);
    this.syncDeploymentStatus(newRS ? [...oldRSs, newRS] : oldRSs, newRS);
  }

  /**
   * scale: brings the ReplicaSets to the Deployment's size. One active ReplicaSet (or none)
   * takes the whole size; a saturated new one means the old go to 0; mid-rollout the change
   * is spread over the active ReplicaSets in proportion to their sizes, the rounding leftover
   * going to the largest (Kubernetes' `scale`).
   */
  private scale(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): void {
    const d = this.d;
    const want = desiredReplicas(d);
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if (specReplicas(activeOrLatest) !== want) this.scaleAndRecord(activeOrLatest, want);
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of filterActive(oldRSs)) this.scaleAndRecord(old, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const all = filterActive(newRS ? [...oldRSs, newRS] : oldRSs);
    const allowed = want > 0 ? want + maxSurge(d) : 0;
    const toAdd = allowed - sumSpecReplicas(all);
    let operation = "";
    if (toAdd > 0) {
      all.sort(bySizeNewer);
      operation = "up";
    } else if (toAdd < 0) {
      all.sort(bySizeOlder);
      operation = "down";
    }
    let added = 0;
    const sizes = new Map<string, number>();
    for (const rs of all) {
      if (toAdd !== 0) {
        const p = replicaSetProportion(rs, d, toAdd, added);
        sizes.set(rs.metadata.name, specReplicas(rs) + p);
        added += p;
      } else sizes.set(rs.metadata.name, specReplicas(rs));
    }
    all.forEach((rs, i) => {
      let size = sizes.get(rs.metadata.name)!;
      if (i === 0 && toAdd !== 0) size = Math.max(0, size + (toAdd - added));
      this.scaleReplicaSet(rs, size, operation);
    });
  }

  /** cleanupDeployment: deletes the oldest old ReplicaSets beyond revisionHistoryLimit that run nothing. */
  private cleanupDeployment(oldRSs: ReplicaSet[]): void {
    const d = this.d;
    if (!hasRevisionHistoryLimit(d)) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp && rs.metadata.uid);
    const diff = cleanable.length - (d.spec.revisionHistoryLimit as number);
    if (diff <= 0) return;
    cleanable.sort(byRevision);
    for (const rs of cleanable.slice(0, diff)) {
      const idle = (rs.status?.replicas ?? 0) === 0 && specReplicas(rs) === 0;
      const observed = (rs.metadata.generation ?? 0) <= (rs.status?.observedGeneration ?? 0);
      if (!idle || !observed || this.written.has(rs.metadata.name)) continue;
      this.actions.push({ type: "deleteReplicaSet", name: rs.metadata.name, uid: rs.metadata.uid!, resourceVersion: rs.metadata.resourceVersion });
    }
  }

  // ---- status (sync.go calculateStatus, progress.go) ----

  private calculateStatus(all: ReplicaSet[], newRS: ReplicaSet | undefined): DeploymentStatus {
    const d = this.d;
    const available = sumAvailableReplicas(all);
    const status: DeploymentStatus = {
      observedGeneration: d.metadata.generation ?? 0,
      replicas: sumStatusReplicas(all),
      updatedReplicas: sumStatusReplicas([newRS]),
      readyReplicas: sumReadyReplicas(all),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, sumSpecReplicas(all) - available),
    };
    if (this.status.collisionCount !== undefined) status.collisionCount = this.status.collisionCount;
    status.conditions = (this.status.conditions ?? []).map((c) => ({ ...c }));
    const minAvailable = available >= desiredReplicas(d) - maxUnavailable(d);
    setCondition(
      status,
      minAvailable
        ? newCondition(CONDITION.available, "True", REASON.minimumReplicasAvailable, "Deployment has minimum availability.", this.now)
        : newCondition(CONDITION.available, "False", REASON.minimumReplicasUnavailable, "Deployment does not have minimum availability.", this.now),
    );
    return status;
  }

  private syncDeploymentStatus(all: ReplicaSet[], newRS: ReplicaSet | undefined): void {
    const next = this.calculateStatus(all, newRS);
    if (!statusEqual(this.status, next)) this.d.status = next;
  }

  private replicaFailures(all: ReplicaSet[], newRS: ReplicaSet | undefined): DeploymentCondition[] {
    const failures = (rs: ReplicaSet | undefined) => (rs?.status?.conditions ?? []).filter((c) => c.type === CONDITION.replicaFailure).map(replicaSetToDeploymentCondition);
    const own = failures(newRS);
    return own.length > 0 ? own : all.flatMap(failures);
  }

  /** syncRolloutStatus: status with the Progressing condition (complete, progressing or timed out). */
  private syncRolloutStatus(all: ReplicaSet[], newRS: ReplicaSet | undefined): void {
    const d = this.d;
    const next = this.calculateStatus(all, newRS);
    if (!hasProgressDeadline(d)) removeCondition(next, CONDITION.progressing);
    const current = getCondition(this.status, CONDITION.progressing);
    const complete = next.replicas === next.updatedReplicas && current?.reason === REASON.newReplicaSetAvailable;
    if (hasProgressDeadline(d) && !complete) {
      const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
      if (deploymentComplete(d, next)) {
        setCondition(next, newCondition(CONDITION.progressing, "True", REASON.newReplicaSetAvailable, `${subject} has successfully progressed.`, this.now));
      } else if (deploymentProgressing(d, next)) {
        const cond = newCondition(CONDITION.progressing, "True", REASON.replicaSetUpdated, `${subject} is progressing.`, this.now);
        if (current) {
          if (current.status === "True") cond.lastTransitionTime = current.lastTransitionTime;
          removeCondition(next, CONDITION.progressing);
        }
        setCondition(next, cond);
      } else if (deploymentTimedOut(d, next, this.now)) {
        setCondition(next, newCondition(CONDITION.progressing, "False", REASON.progressDeadlineExceeded, `${subject} has timed out progressing.`, this.now));
      }
    }
    const failures = this.replicaFailures(all, newRS);
    if (failures.length > 0) setCondition(next, failures[0]!);
    else removeCondition(next, CONDITION.replicaFailure);
    if (statusEqual(this.status, next)) {
      this.requeueStuckDeployment(next);
      return;
    }
    this.d.status = next;
  }

  /** requeueStuckDeployment: with no visible progress, look again when the deadline would pass. */
  private requeueStuckDeployment(next: DeploymentStatus): void {
    const d = this.d;
    const current = getCondition(this.status, CONDITION.progressing);
    if (!hasProgressDeadline(d) || !current) return;
    if (deploymentComplete(d, next) || current.reason === REASON.progressDeadlineExceeded) return;
    const last = parseTime(current.lastUpdateTime);
    if (Number.isNaN(last)) return;
    const after = last + (d.spec.progressDeadlineSeconds as number) * 1000 - this.now;
    this.requeueAfterMs = Math.max(after, 0) + 1000;
  }

  // ---- RollingUpdate (rolling.go) ----

  private rolloutRolling(): void {
    const { newRS, oldRSs } = this.allReplicaSetsAndSyncRevision(true);
    const all = [...oldRSs, newRS!];
    if (this.reconcileNewReplicaSet(all, newRS!)) return this.syncRolloutStatus(all, newRS);
    if (this.reconcileOldReplicaSets(all, filterActive(oldRSs), newRS!)) return this.syncRolloutStatus(all, newRS);
    if (deploymentComplete(this.d, this.status)) this.cleanupDeployment(oldRSs);
    this.syncRolloutStatus(all, newRS);
  }

  private reconcileNewReplicaSet(all: ReplicaSet[], newRS: ReplicaSet): boolean {
    const want = desiredReplicas(this.d);
    if (specReplicas(newRS) === want) return false;
    if (specReplicas(newRS) > want) return this.scaleAndRecord(newRS, want);
    return this.scaleAndRecord(newRS, newRSNewReplicas(this.d, all, newRS));
  }

  private reconcileOldReplicaSets(all: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): boolean {
    if (sumSpecReplicas(oldRSs) === 0) return false;
    const minAvailable = desiredReplicas(this.d) - maxUnavailable(this.d);
    const newRSUnavailable = specReplicas(newRS) - availableOf(newRS);
    const maxScaledDown = sumSpecReplicas(all) - minAvailable - newRSUnavailable;
    if (maxScaledDown <= 0) return false;
    const cleaned = this.cleanupUnhealthyReplicas(oldRSs, maxScaledDown);
    const scaledDown = this.scaleDownOldReplicaSetsForRollingUpdate(all, oldRSs);
    return cleaned + scaledDown > 0;
  }

  /** cleanupUnhealthyReplicas: old replicas that are not available go first (oldest ReplicaSet first). */
  private cleanupUnhealthyReplicas(oldRSs: ReplicaSet[], maxCleanup: number): number {
    let total = 0;
    for (const rs of [...oldRSs].sort(byCreation)) {
      if (total >= maxCleanup) break;
      const replicas = specReplicas(rs);
      if (replicas === 0 || replicas === availableOf(rs)) continue;
      const n = Math.min(maxCleanup - total, replicas - availableOf(rs));
      this.scaleAndRecord(rs, replicas - n);
      total += n;
    }
    return total;
  }

  /** scaleDownOldReplicaSetsForRollingUpdate: old replicas down while availability stays at the minimum. */
  private scaleDownOldReplicaSetsForRollingUpdate(all: ReplicaSet[], oldRSs: ReplicaSet[]): number {
    const minAvailable = desiredReplicas(this.d) - maxUnavailable(this.d);
    const available = all.reduce((n, rs) => n + availableOf(rs), 0);
    if (available <= minAvailable) return 0;
    const toScaleDown = available - minAvailable;
    let total = 0;
    for (const rs of [...oldRSs].sort(byCreation)) {
      if (total >= toScaleDown) break;
      const replicas = specReplicas(rs);
      if (replicas === 0) continue;
      const n = Math.min(replicas, toScaleDown - total);
      this.scaleAndRecord(rs, replicas - n);
      total += n;
    }
    return total;
  }

  // ---- Recreate (recreate.go) ----

  private rolloutRecreate(): void {
    let { newRS, oldRSs } = this.allReplicaSetsAndSyncRevision(false);
    let all = newRS ? [...oldRSs, newRS] : oldRSs;
    let scaledDown = false;
    for (const rs of filterActive(oldRSs)) if (this.scaleAndRecord(rs, 0)) scaledDown = true;
    if (scaledDown) return this.syncRolloutStatus(all, newRS);
    if (this.oldPodsRunning(newRS, oldRSs)) return this.syncRolloutStatus(all, newRS);
    if (!newRS) {
      ({ newRS, oldRSs } = this.allReplicaSetsAndSyncRevision(true));
      all = [...oldRSs, newRS!];
    }
    this.scaleAndRecord(newRS!, desiredReplicas(this.d));
    if (deploymentComplete(this.d, this.status)) this.cleanupDeployment(oldRSs);
    this.syncRolloutStatus(all, newRS);
  }

  /** oldPodsRunning: old ReplicaSets still report pods, or pods of theirs (not Succeeded/Failed) still exist. */
  private oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
    if (sumStatusReplicas(oldRSs) > 0) return true;
    for (const [uid, pods] of this.input.podsByReplicaSet ?? new Map<string, readonly PodView[]>()) {
      if (newRS && newRS.metadata.uid === uid) continue;
      if (!this.rss.some((rs) => rs.metadata.uid === uid)) continue;
      if (pods.some((p) => p.phase !== "Failed" && p.phase !== "Succeeded")) return true;
    }
    return false;
  }
}

/** availableOf: available replicas of `rs`, counting at most its `spec.replicas` (the surplus is about to go). */
export function availableOf(rs: ReplicaSet): number {
  return Math.min(rs.status?.availableReplicas ?? 0, specReplicas(rs));
}

/**
 * decideDeployment: the writes one sync of `input.deployment` makes, in order, and an optional
 * re-sync delay (see the module comment for the rules).
 */
export function decideDeployment(input: DeploymentSyncInput): DeploymentDecision {
  return new Sync(input).run();
}

/** deploymentSelectorMatches: whether `labels` fall under the Deployment's selector (invalid selectors match nothing). */
export function deploymentSelectorMatches(d: Deployment, labels: Record<string, string> | undefined): boolean {
  try {
    return selectorFromLabelSelector(d.spec.selector).matches(labels ?? {});
  } catch {
    return false;
  }
}
