/**
 * ReplicaSetController: keeps `spec.replicas` pods for every ReplicaSet (Kubernetes'
 * ReplicaSet controller; the rules are in decide.ts).
 *
 * Level-based: pod and ReplicaSet events only maintain indexes, record what was observed
 * ({@link ControllerExpectations}) and enqueue `namespace/name` of the ReplicaSet(s)
 * concerned. `reconcile(key)` re-reads the caches, claims pods (adopt / release), creates or
 * deletes pods toward spec.replicas (decideReplicas), then writes the status when it changed.
 * The work queue owns retries.
 *
 * The invariant the expectations protect: a sync never acts on a cache that does not yet show
 * its own earlier writes, so a slow informer can never make it create twice. Creates sent and
 * not yet observed count as pods the ReplicaSet has, so a sync may top up while they are in
 * flight (at most burstReplicas outstanding); outstanding deletes hold every new create and
 * delete (Kubernetes' rule). A create or delete whose outcome is unknown (bus timeout) keeps
 * its expectation until the informer sees it or the expectation times out; a delete's unknown
 * outcome is checked with a GET.
 *
 * Creates (decision): a sync hands its creates to the ReplicaSet's {@link CreateRun} and does not
 * wait for them (Kubernetes' sync waits for its whole burst, so creation stalls once per burst
 * for the slowest reply). The run ramps up as Kubernetes' slowStartBatch does (1, 2, 4, … in
 * flight, up to burstReplicas) and keeps its window while creates succeed, so one scale-up
 * ramps once; its first failure drops the creates not yet sent and resets the ramp, and the
 * next sync reports the error (ReplicaFailure, a warning) and retries with backoff. A run ends
 * when a sync finds nothing to create and nothing outstanding.
 */
import { deepFreeze } from "../../apimachinery/index.js";
import { backoffDelay, isStatus, WorkQueue, type BackoffConfig, type Cached, type Informer, type KubeObject } from "../../client/index.js";
import { BusClosedError, BusTimeoutError, RemoteError } from "../../kernel/index.js";
import { lookupResourceByKind } from "../../schema/index.js";
import { objectKey } from "../../store/object-keys.js";
import { errorMessage, syncErrorLogger, type Controller, type ControllerContext } from "../controller.js";
import {
  calculateStatus,
  controllerRefFor,
  decideClaims,
  decideReplicas,
  DEFAULT_BURST_REPLICAS,
  DEFAULT_STATUS_INTERVAL_MS,
  desiredReplicas,
  podFromTemplate,
  podsToDelete,
  replicaSetKey,
  replicaSetsSelecting,
  siblingsOf,
  statusEqual,
  statusWriteDelayMs,
  type ManageError,
  type ReplicaSetLike,
  type ReplicaSetStatus,
} from "./decide.js";
import { ControllerExpectations, DEFAULT_EXPECTATIONS_TIMEOUT_MS } from "./expectations.js";
import { PodIndex, type KeyedPod } from "./pod-index.js";
import { controllerOf, type OwnerReference } from "../owner-refs.js";
import { isPodActive, isPodTerminating, type PodLike } from "./pods.js";
import { CreateRun, SLOW_START_INITIAL_BATCH_SIZE } from "./create-run.js";

/** Options of {@link ReplicaSetController}. */
export interface ReplicaSetControllerOptions {
  /** Concurrent reconciles (default 5, Kubernetes' ConcurrentReplicaSetSyncs). */
  workers?: number;
  /** Most creates or deletes per sync (default 500). */
  burstReplicas?: number;
  /** Expiry of unobserved creates/deletes (default 5 min). */
  expectationsTimeoutMs?: number;
  /** Retry backoff of the work queue and of creates after a failure (default 50 ms doubling to 10 s). */
  backoff?: BackoffConfig;
  /** Creates in flight when a run starts (default 1, Kubernetes' first slow-start batch). */
  initialBatchSize?: number;
  /** Shortest time between two status writes of a ReplicaSet whose counts are moving (default 1000 ms; see statusWriteDelayMs). */
  statusIntervalMs?: number;
}

/** InvalidReplicaSetConfigError: an option from the environment is not a positive integer. */
export class InvalidReplicaSetConfigError extends Error {
  override name = "InvalidReplicaSetConfigError";
}

/**
 * replicaSetOptionsFromEnv: options from `K8S_RS_WORKERS`, `K8S_RS_BURST` and
 * `K8S_RS_EXPECTATIONS_TIMEOUT_MS` (each a positive integer; unset = default).
 */
export function replicaSetOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): ReplicaSetControllerOptions {
  const num = (name: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v === "") return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidReplicaSetConfigError(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
    return n;
  };
  const out: ReplicaSetControllerOptions = {};
  const workers = num("K8S_RS_WORKERS");
  const burst = num("K8S_RS_BURST");
  const timeout = num("K8S_RS_EXPECTATIONS_TIMEOUT_MS");
  if (workers !== undefined) out.workers = workers;
  if (burst !== undefined) out.burstReplicas = burst;
  if (timeout !== undefined) out.expectationsTimeoutMs = timeout;
  return out;
}

/** AdoptionRefusedError: a fresh read shows the ReplicaSet gone, replaced or being deleted; the sync is retried once the cache agrees. */
export class AdoptionRefusedError extends Error {
  override name = "AdoptionRefusedError";
}

const RS_RESOURCE = lookupResourceByKind("ReplicaSet")!.storeResource;

/** Retry backoff of syncs and of failing creates (50 ms doubling to 10 s). */
const DEFAULT_RS_BACKOFF: BackoffConfig = { baseMs: 50, maxMs: 10_000 };

/** isUnknownOutcome: the request may or may not have been carried out (no answer, or a timeout answer). */
export function isUnknownOutcome(err: unknown): boolean {
  return err instanceof BusTimeoutError || err instanceof BusClosedError || (err instanceof RemoteError && err.code === 504);
}

function sameRef(a: OwnerReference | undefined, b: OwnerReference | undefined): boolean {
  return a?.uid === b?.uid;
}

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  if (a === b) return true; // pod views share unchanged metadata parts
  const x = Object.entries(a ?? {});
  const y = b ?? {};
  return x.length === Object.keys(y).length && x.every(([k, v]) => y[k] === v);
}

/** The store key of a pod, as the informer names it. */
function podKeyOf(c: Cached<KubeObject>): string {
  return c.key;
}

/** Per-term state: rebuilt on every start. */
interface Term {
  ctx: ControllerContext;
  queue: WorkQueue<string>;
  expectations: ControllerExpectations;
  pods: Informer<KubeObject>;
  replicaSets: Informer<KubeObject>;
  podIndex: PodIndex;
  /** namespace → store keys of its ReplicaSets. */
  rsByNamespace: Map<string, Set<string>>;
  /** ReplicaSet key → when this term last wrote its status (see statusWriteDelayMs). */
  statusWrittenAt: Map<string, number>;
  /** ReplicaSet key → its creates in the background (see the module doc). */
  createRuns: Map<string, CreateRun>;
  /** ReplicaSet key → the first failure of its create run since its last successful create. */
  createFailures: Map<string, { err: unknown; reported: boolean }>;
  running: Promise<void>;
}

export class ReplicaSetController implements Controller {
  readonly name = "replicaset-controller";
  private term: Term | undefined;
  private readonly templatePods = new WeakMap<ReplicaSetLike, KubeObject>();
  /** Counters for health and tests. */
  readonly stats = { reconciles: 0, creates: 0, deletes: 0, adoptions: 0, releases: 0, statusUpdates: 0, createErrors: 0, deleteErrors: 0 };

  constructor(private readonly opts: ReplicaSetControllerOptions = {}) {}

  /** Keys waiting, in process or delayed (0 = idle; for tests). */
  get pending(): number {
    return this.term?.queue.pending ?? 0;
  }

  /** The expectations of this term (for tests). */
  get expectations(): ControllerExpectations | undefined {
    return this.term?.expectations;
  }

  status(): string {
    return this.term ? `queue ${this.term.queue.pending}, creates ${this.stats.creates}, deletes ${this.stats.deletes}` : "stopped";
  }

  async start(ctx: ControllerContext): Promise<void> {
    if (this.term) await this.stop();
    const term: Term = {
      ctx,
      queue: new WorkQueue<string>(this.opts.backoff ?? DEFAULT_RS_BACKOFF),
      expectations: new ControllerExpectations(ctx.clock, this.opts.expectationsTimeoutMs ?? DEFAULT_EXPECTATIONS_TIMEOUT_MS),
      pods: ctx.informers.informer("Pod"),
      replicaSets: ctx.informers.informer("ReplicaSet"),
      podIndex: new PodIndex(),
      rsByNamespace: new Map(),
      statusWrittenAt: new Map(),
      createRuns: new Map(),
      createFailures: new Map(),
      running: Promise.resolve(),
    };
    this.term = term;
    term.pods.addHandlers({
      onAdd: (c) => this.onPodAdd(term, c),
      onUpdate: (old, c) => this.onPodUpdate(term, old, c),
      onDelete: (c) => this.onPodDelete(term, c),
    });
    term.replicaSets.addHandlers({
      onAdd: (c) => this.onReplicaSetAdd(term, c),
      onUpdate: (old, c) => this.onReplicaSetUpdate(term, old, c),
      onDelete: (c) => this.onReplicaSetDelete(term, c),
    });
    await ctx.informers.waitForSync(["Pod", "ReplicaSet"]);
    if (this.term !== term) return; // stopped while syncing
    // The informers may have been started by another controller: index whatever is cached.
    for (const c of term.replicaSets.list()) this.onReplicaSetAdd(term, c);
    for (const c of term.pods.list()) term.podIndex.upsert(c.key, c.object as PodLike);
    term.running = term.queue.run(
      this.opts.workers ?? 5,
      (key) => this.reconcile(term, key),
      syncErrorLogger(ctx.log, "replicaset sync failed"),
    );
    ctx.log.info("replicaset controller running", { replicaSets: term.replicaSets.size, pods: term.podIndex.size });
  }

  async stop(): Promise<void> {
    const term = this.term;
    if (!term) return;
    this.term = undefined;
    for (const run of term.createRuns.values()) run.stop();
    term.queue.shutdown();
    await term.running;
    // Creates still in flight land before a new term lists the pods (it would not expect them).
    await Promise.all([...term.createRuns.values()].map((run) => run.idle()));
  }

  // ---- events: only index, observe and enqueue keys ----

  private cachedReplicaSet(term: Term, namespace: string, name: string): ReplicaSetLike | undefined {
    return term.replicaSets.get(objectKey(RS_RESOURCE, namespace, name))?.object as ReplicaSetLike | undefined;
  }

  /** resolveControllerRef: the key of the cached ReplicaSet a controller reference names (same uid), if any. */
  private resolveControllerRef(term: Term, namespace: string, ref: OwnerReference | undefined): string | undefined {
    if (!ref || ref.kind !== "ReplicaSet" || !ref.apiVersion.startsWith("apps/")) return undefined;
    const rs = this.cachedReplicaSet(term, namespace, ref.name);
    return rs && rs.metadata.uid === ref.uid ? `${namespace}/${ref.name}` : undefined;
  }

  private replicaSetsIn(term: Term, namespace: string): ReplicaSetLike[] {
    const out: ReplicaSetLike[] = [];
    for (const k of term.rsByNamespace.get(namespace) ?? []) {
      const c = term.replicaSets.get(k);
      if (c) out.push(c.object as ReplicaSetLike);
    }
    return out;
  }

  private enqueueSelecting(term: Term, pod: PodLike): void {
    for (const rs of replicaSetsSelecting(pod, this.replicaSetsIn(term, pod.metadata.namespace ?? ""))) term.queue.add(replicaSetKey(rs));
  }

  /** A pod of a ReplicaSet is going or gone: its deletion is observed (once per pod key). */
  private podDeleted(term: Term, key: string, pod: PodLike): void {
    const rsKey = this.resolveControllerRef(term, pod.metadata.namespace ?? "", controllerOf(pod.metadata));
    if (!rsKey) return;
    term.expectations.deletionObserved(rsKey, key);
    term.queue.add(rsKey);
  }

  private onPodAdd(term: Term, c: Cached<KubeObject>): void {
    const pod = c.object as PodLike;
    term.podIndex.upsert(c.key, pod);
    if (isPodTerminating(pod)) {
      // Seen for the first time already being deleted (e.g. after a relist).
      this.podDeleted(term, podKeyOf(c), pod);
      return;
    }
    const ref = controllerOf(pod.metadata);
    if (ref) {
      const rsKey = this.resolveControllerRef(term, pod.metadata.namespace ?? "", ref);
      if (!rsKey) return;
      term.expectations.creationObserved(rsKey);
      term.queue.add(rsKey);
      return;
    }
    this.enqueueSelecting(term, pod);
  }

  private onPodUpdate(term: Term, old: Cached<KubeObject>, c: Cached<KubeObject>): void {
    const pod = c.object as PodLike;
    const before = old.object as PodLike;
    const counted = term.podIndex.upsert(c.key, pod);
    if (old.modRevision === c.modRevision) return;
    const labelsChanged = !sameLabels(before.metadata.labels, pod.metadata.labels);
    if (isPodTerminating(pod)) {
      this.podDeleted(term, podKeyOf(c), pod);
      if (labelsChanged) this.podDeleted(term, podKeyOf(c), before);
      return;
    }
    const ns = pod.metadata.namespace ?? "";
    const ref = controllerOf(pod.metadata);
    const oldRef = controllerOf(before.metadata);
    const refChanged = !sameRef(ref, oldRef);
    if (refChanged && oldRef) {
      const oldKey = this.resolveControllerRef(term, ns, oldRef);
      if (oldKey) term.queue.add(oldKey);
    }
    if (ref) {
      // A change its ReplicaSet does not count (binding, phase, most status) needs no sync.
      const rsKey = counted || refChanged ? this.resolveControllerRef(term, ns, ref) : undefined;
      if (rsKey) term.queue.add(rsKey);
      return;
    }
    if (labelsChanged || refChanged) this.enqueueSelecting(term, pod);
  }

  private onPodDelete(term: Term, c: Cached<KubeObject>): void {
    term.podIndex.remove(c.key);
    this.podDeleted(term, podKeyOf(c), c.object as PodLike);
  }

  private onReplicaSetAdd(term: Term, c: Cached<KubeObject>): void {
    const rs = c.object as ReplicaSetLike;
    const ns = rs.metadata.namespace ?? "";
    let keys = term.rsByNamespace.get(ns);
    if (!keys) term.rsByNamespace.set(ns, (keys = new Set()));
    keys.add(c.key);
    term.queue.add(replicaSetKey(rs));
  }

  private onReplicaSetUpdate(term: Term, old: Cached<KubeObject>, c: Cached<KubeObject>): void {
    const rs = c.object as ReplicaSetLike;
    // Deleted and recreated under the same name: the old one's expectations are void.
    if ((old.object as ReplicaSetLike).metadata.uid !== rs.metadata.uid) this.forgetCreates(term, replicaSetKey(rs));
    // Status-only updates are synced too (as Kubernetes): a status written from a lagging pod cache
    // must be looked at again once the cache has caught up.
    term.queue.add(replicaSetKey(rs));
  }

  private onReplicaSetDelete(term: Term, c: Cached<KubeObject>): void {
    const rs = c.object as ReplicaSetLike;
    const ns = rs.metadata.namespace ?? "";
    const keys = term.rsByNamespace.get(ns);
    keys?.delete(c.key);
    if (keys?.size === 0) term.rsByNamespace.delete(ns);
    term.podIndex.forget(rs.metadata.uid ?? "");
    term.statusWrittenAt.delete(replicaSetKey(rs));
    this.forgetCreates(term, replicaSetKey(rs));
    term.queue.add(replicaSetKey(rs));
  }

  // ---- reconcile ----

  /** reconcile: one sync of the ReplicaSet `namespace/name`. */
  private async reconcile(term: Term, key: string): Promise<void | { requeueAfterMs?: number }> {
    this.stats.reconciles++;
    const slash = key.indexOf("/");
    const ns = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const rs = this.cachedReplicaSet(term, ns, name);
    if (!rs) {
      this.forgetCreates(term, key);
      return;
    }
    const uid = rs.metadata.uid ?? "";
    // The index counts the pods this ReplicaSet controls as their events arrive; it is looked up
    // again after every await (a group that lost all its pods meanwhile is a new one).
    const controlled = () => {
      const group = term.podIndex.controlled(uid);
      group.setOwner(rs);
      return group;
    };
    // Only orphans and pods that stopped matching can change hands.
    const candidates = [...term.podIndex.orphans(ns), ...controlled().toRelease()].map((c) => c.pod);
    const claims = candidates.length > 0 ? decideClaims(rs, candidates) : { release: [], adopt: [] };
    for (const pod of claims.release) await this.release(term, rs, pod);
    const adopted: KeyedPod[] = [];
    if (claims.adopt.length > 0) {
      // Kubernetes' RecheckDeletionTimestamp: never adopt for an owner that is already going.
      if (!(await this.canAdopt(term, rs))) throw new AdoptionRefusedError(`${key} (uid ${uid}) is gone or being deleted; not adopting ${claims.adopt.length} pod(s)`);
      for (const pod of claims.adopt) {
        const out = await this.adopt(term, rs, pod);
        if (out) adopted.push({ key: objectKey("pods", ns, out.metadata.name), pod: out });
      }
    }

    const group = controlled();
    const counts = group.counts(term.ctx.clock.now(), adopted);
    let manageError: (ManageError & { cause: unknown }) | undefined;
    // Read before deciding as well: work that expires while this sync runs (after the decision
    // counted it) must still get the sync that acts on its expiry.
    const expiryBefore = term.expectations.msUntilExpiry(key);
    if (rs.metadata.deletionTimestamp) this.dropQueuedCreates(term, key, Infinity);
    else manageError = await this.manageReplicas(term, key, rs, counts.replicas, () => group.owned(adopted));
    // A failing create run shows in the status (ReplicaFailure) until a create succeeds; the
    // first sync to see the failure also fails (a warning, and the queue's retry).
    const failure = term.createFailures.get(key);
    let newFailure = false;
    if (!manageError && failure) {
      manageError = { verb: "create", message: errorMessage(failure.err), cause: failure.err };
      newFailure = !failure.reported;
      if (newFailure) term.ctx.log.warn("failed to create pods", { replicaSet: key, err: manageError.message });
      failure.reported = true;
    }

    const now = term.ctx.clock.now();
    const status = calculateStatus(rs, counts, manageError, now);
    let statusDelay = 0;
    if (!statusEqual(rs.status, status)) {
      statusDelay = statusWriteDelayMs(rs, status, term.statusWrittenAt.get(key), now, this.opts.statusIntervalMs ?? DEFAULT_STATUS_INTERVAL_MS);
      if (statusDelay === 0) {
        await this.writeStatus(term, rs, status);
        term.statusWrittenAt.set(key, now);
      }
    }
    if (manageError && (manageError.cause !== failure?.err || newFailure)) throw manageError.cause;

    // Wake up to write a held-back status, when a ready pod becomes available, and when outstanding expectations expire (a lost event must not stall the ReplicaSet).
    // …and when creates may be retried after a failure.
    const waits = [statusDelay, controlled().msUntilNextAvailable(now), term.expectations.msUntilExpiry(key) || expiryBefore, term.createRuns.get(key)?.retryInMs()].filter((v): v is number => v !== undefined && v > 0);
    return waits.length > 0 ? { requeueAfterMs: Math.min(...waits) } : undefined;
  }

  /** canAdopt: a fresh read says the ReplicaSet is still the one cached and is not being deleted (Kubernetes' RecheckDeletionTimestamp). */
  private async canAdopt(term: Term, rs: ReplicaSetLike): Promise<boolean> {
    try {
      const fresh = await term.ctx.client.get("ReplicaSet", rs.metadata.namespace ?? "", rs.metadata.name);
      return fresh.metadata.uid === rs.metadata.uid && !fresh.metadata.deletionTimestamp;
    } catch (err) {
      if (isStatus(err, 404)) return false;
      throw err;
    }
  }

  /**
   * adopt: add the controller reference with a strategic merge patch (merged by uid, as
   * Kubernetes' ClaimPods does) pinned to the cached resourceVersion: a pod changed since is
   * claimed again on the next sync. (A patch, not an update: the cached pod is a view without
   * most of its spec; see pod-view.ts.)
   */
  private async adopt(term: Term, rs: ReplicaSetLike, pod: PodLike): Promise<PodLike | undefined> {
    try {
      const out = (await term.ctx.client.patch("Pod", pod.metadata.namespace ?? "", pod.metadata.name, "strategic", {
        metadata: { resourceVersion: pod.metadata.resourceVersion, ownerReferences: [controllerRefFor(rs)] },
      })) as PodLike;
      this.stats.adoptions++;
      term.ctx.log.debug("adopted pod", { replicaSet: replicaSetKey(rs), pod: pod.metadata.name });
      return out;
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  /** release: remove this ReplicaSet's reference from a pod it no longer selects. */
  private async release(term: Term, rs: ReplicaSetLike, pod: PodLike): Promise<void> {
    try {
      await term.ctx.client.patch("Pod", pod.metadata.namespace ?? "", pod.metadata.name, "strategic", {
        metadata: { ownerReferences: [{ $patch: "delete", uid: rs.metadata.uid }] },
      });
      this.stats.releases++;
      term.ctx.log.debug("released pod", { replicaSet: replicaSetKey(rs), pod: pod.metadata.name });
    } catch (err) {
      if (isStatus(err, 404)) return;
      throw err;
    }
  }

  /**
   * manageReplicas: create or delete toward spec.replicas from `owned` pods and the outstanding
   * expectations (read in the same tick as `owned`); returns the first error (the status shows
   * it, the queue retries).
   */
  private async manageReplicas(
    term: Term,
    key: string,
    rs: ReplicaSetLike,
    owned: number,
    ownedPods: () => KeyedPod[],
  ): Promise<(ManageError & { cause: unknown }) | undefined> {
    const { client, log } = term.ctx;
    const burst = this.opts.burstReplicas ?? DEFAULT_BURST_REPLICAS;
    const desired = desiredReplicas(rs);
    let outstanding = term.expectations.outstanding(key);
    // Queued creates past what spec.replicas now wants (scaled down meanwhile) are not sent.
    const surplus = owned + outstanding.creations - desired;
    if (surplus > 0 && this.dropQueuedCreates(term, key, surplus) > 0) outstanding = term.expectations.outstanding(key);
    // Nothing left to create: a failure of earlier creates is no longer the ReplicaSet's state (Kubernetes clears ReplicaFailure on a sync without error).
    if (desired <= owned + outstanding.creations) term.createFailures.delete(key);
    const action = decideReplicas(rs, owned, outstanding, burst);
    if (action.type === "create") {
      const run = this.createRun(term, key);
      if (run.retryInMs() > 0) return undefined; // backing off after a failure; the sync is requeued for then
      term.expectations.expectCreations(key, action.count);
      const pod = this.templatePod(rs);
      run.add(action.count, () => client.createFromTemplate(pod).then(() => undefined));
      return undefined;
    }
    const run = term.createRuns.get(key);
    if (run && run.queued === 0 && run.sending === 0 && outstanding.creations === 0) term.createRuns.delete(key); // the scale-up is over
    if (action.type === "delete") {
      const candidates = ownedPods();
      // The node rank counts the active pods of this ReplicaSet and its siblings.
      const related: PodLike[] = [];
      for (const sibling of siblingsOf(rs, this.replicaSetsIn(term, rs.metadata.namespace ?? ""))) {
        for (const { pod } of term.podIndex.controlledBy(sibling.metadata.uid ?? "")) if (isPodActive(pod)) related.push(pod);
      }
      const keyOf = new Map(candidates.map((c) => [c.pod, c.key]));
      const pods = podsToDelete(
        candidates.map((c) => c.pod),
        related,
        action.count,
      );
      const keys = pods.map((p) => keyOf.get(p)!);
      term.expectations.expectDeletions(key, keys);
      const results = await Promise.allSettled(pods.map((p, i) => this.deletePod(term, key, p, keys[i]!)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) {
        log.warn("failed to delete pods", { replicaSet: key, err: errorMessage(failed.reason) });
        return { verb: "delete", message: errorMessage(failed.reason), cause: failed.reason };
      }
      return undefined;
    }
    return undefined;
  }

  /** createRun: the ReplicaSet's create run, started when there is none. */
  private createRun(term: Term, key: string): CreateRun {
    let run = term.createRuns.get(key);
    if (run) return run;
    // The callbacks act only for the run still current for the key: a ReplicaSet deleted or
    // replaced under the same name must not inherit its predecessor's late answers.
    const current = () => this.term === term && term.createRuns.get(key) === created;
    const created = new CreateRun(
      this.opts.initialBatchSize ?? SLOW_START_INITIAL_BATCH_SIZE,
      this.opts.burstReplicas ?? DEFAULT_BURST_REPLICAS,
      isUnknownOutcome,
      (err, never) => {
        this.stats.createErrors++;
        if (!current()) return;
        // Creates that failed for sure or were dropped will not be observed; unknown ones may be.
        term.expectations.lowerCreations(key, never);
        if (!term.createFailures.has(key)) term.createFailures.set(key, { err, reported: false });
        term.queue.add(key); // the next sync reports it
      },
      (endsFailing) => {
        this.stats.creates++;
        if (endsFailing && current()) term.createFailures.delete(key);
      },
      (failures) => backoffDelay(failures, this.opts.backoff ?? DEFAULT_RS_BACKOFF),
      () => term.ctx.clock.now(),
    );
    term.createRuns.set(key, (run = created));
    return run;
  }

  /** dropQueuedCreates: up to `count` creates of the key's run that were not sent yet are not sent (nor expected); returns how many. */
  private dropQueuedCreates(term: Term, key: string, count: number): number {
    const dropped = term.createRuns.get(key)?.trim(count) ?? 0;
    if (dropped > 0) term.expectations.lowerCreations(key, dropped);
    return dropped;
  }

  /** forgetCreates: the ReplicaSet is gone or replaced: its run sends nothing more and its expectations are void. */
  private forgetCreates(term: Term, key: string): void {
    term.createRuns.get(key)?.stop();
    term.createRuns.delete(key);
    term.createFailures.delete(key);
    term.expectations.delete(key);
  }

  /**
   * templatePod: the pod every create of `rs` sends, built once per cached ReplicaSet object
   * (a new object arrives with every change) and frozen: it is shared by all the creates (and
   * so encoded once).
   */
  private templatePod(rs: ReplicaSetLike): KubeObject {
    let pod = this.templatePods.get(rs);
    if (!pod) {
      pod = deepFreeze(podFromTemplate(rs) as KubeObject);
      this.templatePods.set(rs, pod);
    }
    return pod;
  }

  private async deletePod(term: Term, rsKey: string, pod: PodLike, key: string): Promise<void> {
    const ns = pod.metadata.namespace ?? "";
    try {
      await term.ctx.client.delete("Pod", ns, pod.metadata.name);
      this.stats.deletes++;
    } catch (err) {
      if (isStatus(err, 404)) {
        term.expectations.deletionObserved(rsKey, key); // already gone: no event will come for it
        return;
      }
      this.stats.deleteErrors++;
      if (!isUnknownOutcome(err) || !(await this.deleteHappened(term, pod))) term.expectations.deletionObserved(rsKey, key);
      throw err;
    }
  }

  /** deleteHappened: after an unknown outcome, whether the pod is gone or going (false when that cannot be told). */
  private async deleteHappened(term: Term, pod: PodLike): Promise<boolean> {
    try {
      const live = await term.ctx.client.get("Pod", pod.metadata.namespace ?? "", pod.metadata.name);
      return live.metadata.uid !== pod.metadata.uid || !!live.metadata.deletionTimestamp;
    } catch {
      return true; // gone (404), or cannot tell: keep expecting it (the expectation expires if it never comes)
    }
  }

  /** writeStatus: the status subresource, once more on a fresh read after a conflict. */
  private async writeStatus(term: Term, rs: ReplicaSetLike, status: ReplicaSetStatus): Promise<void> {
    const { client } = term.ctx;
    const put = (obj: KubeObject) => client.updateStatus({ ...obj, kind: "ReplicaSet", apiVersion: "apps/v1", status });
    try {
      await put(rs as KubeObject);
      this.stats.statusUpdates++;
    } catch (err) {
      if (isStatus(err, 404)) return;
      if (!isStatus(err, 409)) throw err;
      let fresh: KubeObject;
      try {
        fresh = await client.get("ReplicaSet", rs.metadata.namespace ?? "", rs.metadata.name);
      } catch (e) {
        if (isStatus(e, 404)) return;
        throw e;
      }
      if (fresh.metadata.uid !== rs.metadata.uid) return;
      await put(fresh);
      this.stats.statusUpdates++;
    }
  }
}
