/**
 * DeploymentController: runs Deployments through ReplicaSets (the rules are in decide.ts; the
 * ReplicaSet controller makes the pods).
 *
 * Level-based: Deployment events enqueue the Deployment's key; ReplicaSet events enqueue the
 * Deployment that controls the ReplicaSet (for an orphan: every Deployment whose selector
 * matches it); a pod deleted (or finished) enqueues the Deployment above its ReplicaSet when
 * that Deployment uses Recreate. `reconcile(key)` reads the caches, adopts and releases
 * ReplicaSets, calls {@link decideDeployment} and applies its actions in order; the first
 * failure ends the pass and the work queue retries the key.
 *
 * Read-your-writes: every object this controller writes is remembered with its new
 * resourceVersion until the informer has caught up with it, and used instead of the cached
 * copy, so a sync right after a write never decides from a view without that write (which could
 * scale a new ReplicaSet past maxSurge on a stale size of an old one). Every ReplicaSet and
 * status write is a compare-and-swap on resourceVersion, so a view that is stale anyway ends in
 * 409 and a retry, never in a wrong write.
 */
import { isStatus, WorkQueue, type BackoffConfig, type Cached, type Informer, type KubeObject } from "../../client/index.js";
import { RemoteError } from "../../kernel/index.js";
import { lookupResourceByKind } from "../../schema/index.js";
import { objectKey, parseObjectKey } from "../../store/object-keys.js";
import { syncErrorLogger, type Controller, type ControllerContext } from "../controller.js";
import { controllerOf } from "../owner-refs.js";
import { adoptPatch, claimReplicaSets, releasePatch } from "./claim.js";
import { decideDeployment, deploymentSelectorMatches, type DeploymentAction } from "./decide.js";
import { equalIgnoreHash } from "./hash.js";
import { CONDITION, REASON, type Deployment, type PodView, type ReplicaSet } from "./types.js";
import { hasProgressDeadline, isRollingUpdate, newCondition, setCondition } from "./util.js";

/** Options of {@link DeploymentController}. */
export interface DeploymentControllerOptions {
  /** Concurrent reconciles (default 4). */
  workers?: number;
  /** Retry backoff of the work queue (default 50 ms doubling to 5 s). */
  backoff?: BackoffConfig;
  /** Record Events about Deployments (default true). */
  events?: boolean;
}

/** deploymentOptionsFromEnv: options from `K8S_DEPLOYMENT_WORKERS` (default 4 workers). */
export function deploymentOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): DeploymentControllerOptions {
  const workers = Number(env.K8S_DEPLOYMENT_WORKERS ?? 4);
  return { workers: Number.isInteger(workers) && workers > 0 ? workers : 4 };
}

const DEPLOYMENTS = lookupResourceByKind("Deployment")!.storeResource;
const REPLICASETS = lookupResourceByKind("ReplicaSet")!.storeResource;

/** deploymentKey: the work-queue key of a Deployment (its store key). */
export function deploymentKey(namespace: string, name: string): string {
  return objectKey(DEPLOYMENTS, namespace, name);
}

function replicaSetKey(namespace: string, name: string): string {
  return objectKey(REPLICASETS, namespace, name);
}

/** OwnWrites: objects this controller wrote, until the informer shows that revision or a later one. */
class OwnWrites {
  private readonly objects = new Map<string, KubeObject>();

  remember(key: string, obj: KubeObject): void {
    this.objects.set(key, obj);
  }

  forget(key: string): void {
    this.objects.delete(key);
  }

  /** seen: the informer holds `key` at `modRevision`: what was written here up to it is no longer needed. */
  seen(key: string, modRevision: number): void {
    const mine = this.objects.get(key);
    if (mine && modRevision >= Number(mine.metadata.resourceVersion)) this.objects.delete(key);
  }

  /** view: the newer of the cached object and the one written here. */
  view(key: string, cached: Cached<KubeObject> | undefined): KubeObject | undefined {
    const mine = this.objects.get(key);
    if (!mine) return cached?.object;
    if (cached && cached.modRevision >= Number(mine.metadata.resourceVersion)) {
      this.objects.delete(key);
      return cached.object;
    }
    return mine;
  }

  /** keys written here under `prefix` (objects created here that the cache may not hold yet). */
  keysUnder(prefix: string): string[] {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix));
  }
}

/** A small best-effort Event writer: a few in flight, the rest dropped. */
class DeploymentEvents {
  private inFlight = 0;
  private seq = 0;
  constructor(
    private readonly ctx: ControllerContext,
    private readonly enabled: boolean,
  ) {}

  record(d: KubeObject, type: "Normal" | "Warning", reason: string, message: string): void {
    if (!this.enabled || this.inFlight >= 8) return;
    const now = this.ctx.clock.now();
    const ts = new Date(now).toISOString().replace(/\.\d+Z$/, "Z");
    const name = `${d.metadata.name}.${(now * 1000 + (this.seq++ % 1000)).toString(16)}`;
    this.inFlight++;
    this.ctx.client
      .create({
        apiVersion: "v1",
        kind: "Event",
        metadata: { name, namespace: d.metadata.namespace },
        involvedObject: { apiVersion: "apps/v1", kind: "Deployment", namespace: d.metadata.namespace, name: d.metadata.name, uid: d.metadata.uid, resourceVersion: d.metadata.resourceVersion },
        reason,
        message,
        type,
        source: { component: "deployment-controller" },
        firstTimestamp: ts,
        lastTimestamp: ts,
        count: 1,
        reportingComponent: "deployment-controller",
      })
      .catch((err) => this.ctx.log.debug("event not recorded", { reason, err: String(err) }))
      .finally(() => this.inFlight--);
  }
}

/** Per-term state: rebuilt on every start. */
interface Term {
  ctx: ControllerContext;
  queue: WorkQueue<string>;
  deployments: Informer<KubeObject>;
  replicaSets: Informer<KubeObject>;
  pods: Informer<KubeObject>;
  writes: OwnWrites;
  /** Pod keys by the uid of their controller (ReplicaSets). */
  podsByOwner: Map<string, Set<string>>;
  events: DeploymentEvents;
  running: Promise<void>;
}

function asDeployment(o: KubeObject): Deployment {
  return o as unknown as Deployment;
}

function asReplicaSet(o: KubeObject): ReplicaSet {
  return o as unknown as ReplicaSet;
}

/** AdoptionRefusedError: the Deployment changed (deleted, recreated) before orphans could be adopted. */
export class AdoptionRefusedError extends Error {
  override name = "AdoptionRefusedError";
}

/** ReplicaSetCollisionError: a ReplicaSet with the new one's name exists for another template; the collision count was raised. */
export class ReplicaSetCollisionError extends Error {
  override name = "ReplicaSetCollisionError";
}

export class DeploymentController implements Controller {
  readonly name = "deployment";
  private term: Term | undefined;
  /** Counters for health and tests. */
  readonly stats = { syncs: 0, replicaSetsCreated: 0, replicaSetUpdates: 0, replicaSetsDeleted: 0, statusUpdates: 0, adoptions: 0, releases: 0, collisions: 0 };

  constructor(private readonly opts: DeploymentControllerOptions = {}) {}

  /** Keys waiting, in process or delayed (0 = idle; for tests). */
  get pending(): number {
    return this.term?.queue.pending ?? 0;
  }

  status(): string {
    return this.term ? `queue ${this.term.queue.pending}, syncs ${this.stats.syncs}` : "stopped";
  }

  async start(ctx: ControllerContext): Promise<void> {
    if (this.term) await this.stop();
    const term: Term = {
      ctx,
      queue: new WorkQueue<string>(this.opts.backoff ?? { baseMs: 50, maxMs: 5000 }),
      deployments: ctx.informers.informer("Deployment"),
      replicaSets: ctx.informers.informer("ReplicaSet"),
      pods: ctx.informers.informer("Pod"),
      writes: new OwnWrites(),
      podsByOwner: new Map(),
      events: new DeploymentEvents(ctx, this.opts.events ?? true),
      running: Promise.resolve(),
    };
    this.term = term;
    term.deployments.addHandlers({
      onAdd: (c) => term.queue.add(c.key),
      onUpdate: (_old, c) => {
        term.writes.seen(c.key, c.modRevision);
        term.queue.add(c.key);
      },
      onDelete: (c) => {
        term.writes.forget(c.key);
        term.queue.add(c.key);
      },
    });
    term.replicaSets.addHandlers({
      onAdd: (c) => this.onReplicaSetAdd(term, c),
      onUpdate: (old, c) => {
        term.writes.seen(c.key, c.modRevision);
        this.onReplicaSetUpdate(term, old, c);
      },
      onDelete: (c) => {
        term.writes.forget(c.key);
        this.enqueueController(term, asReplicaSet(c.object));
      },
    });
    term.pods.addHandlers({
      onAdd: (c) => this.indexPod(term, c, undefined),
      onUpdate: (old, c) => {
        this.indexPod(term, c, old);
        const was = old.object.status?.phase;
        const is = c.object.status?.phase;
        if (was !== is && (is === "Succeeded" || is === "Failed")) this.enqueueRecreateForPod(term, c.object);
      },
      onDelete: (c) => {
        this.unindexPod(term, c);
        this.enqueueRecreateForPod(term, c.object);
      },
    });
    await ctx.informers.waitForSync(["Deployment", "ReplicaSet", "Pod"]);
    if (this.term !== term) return;
    for (const c of term.pods.list()) this.indexPod(term, c, undefined);
    for (const c of term.deployments.list()) term.queue.add(c.key);
    term.running = term.queue.run(
      this.opts.workers ?? 4,
      (key) => this.reconcile(term, key),
      syncErrorLogger(ctx.log, "deployment sync failed"),
    );
    ctx.log.info("deployment controller running", { deployments: term.deployments.size });
  }

  async stop(): Promise<void> {
    const term = this.term;
    if (!term) return;
    this.term = undefined;
    term.queue.shutdown();
    await term.running;
  }

  // ---- events: only enqueue keys ----

  private deploymentsMatching(term: Term, rs: ReplicaSet): string[] {
    const ns = rs.metadata.namespace ?? "";
    const prefix = `/${DEPLOYMENTS}/${ns}/`;
    return term.deployments
      .list()
      .filter((c) => c.key.startsWith(prefix) && deploymentSelectorMatches(asDeployment(c.object), rs.metadata.labels))
      .map((c) => c.key);
  }

  /** The key of the Deployment a controller reference points to, when the cache holds it with that uid. */
  private resolveDeployment(term: Term, namespace: string, ref: { kind: string; name: string; uid: string } | undefined): string | undefined {
    if (!ref || ref.kind !== "Deployment") return undefined;
    const key = deploymentKey(namespace, ref.name);
    const d = term.deployments.get(key);
    return d && d.object.metadata.uid === ref.uid ? key : undefined;
  }

  private enqueueController(term: Term, rs: ReplicaSet): void {
    const key = this.resolveDeployment(term, rs.metadata.namespace ?? "", controllerOf(rs.metadata));
    if (key) term.queue.add(key);
  }

  private onReplicaSetAdd(term: Term, c: Cached<KubeObject>): void {
    const rs = asReplicaSet(c.object);
    if (controllerOf(rs.metadata)) return this.enqueueController(term, rs);
    for (const key of this.deploymentsMatching(term, rs)) term.queue.add(key);
  }

  private onReplicaSetUpdate(term: Term, old: Cached<KubeObject>, c: Cached<KubeObject>): void {
    if (old.modRevision === c.modRevision) return;
    const before = asReplicaSet(old.object);
    const rs = asReplicaSet(c.object);
    const oldRef = controllerOf(before.metadata);
    const ref = controllerOf(rs.metadata);
    const refChanged = oldRef?.uid !== ref?.uid;
    if (refChanged && oldRef) this.enqueueController(term, before);
    if (ref) return this.enqueueController(term, rs);
    const labelsChanged = JSON.stringify(before.metadata.labels ?? {}) !== JSON.stringify(rs.metadata.labels ?? {});
    if (labelsChanged || refChanged) for (const key of this.deploymentsMatching(term, rs)) term.queue.add(key);
  }

  private indexPod(term: Term, c: Cached<KubeObject>, old: Cached<KubeObject> | undefined): void {
    const before = old ? controllerOf(old.object.metadata)?.uid : undefined;
    const now = controllerOf(c.object.metadata)?.uid;
    if (old && before === now) return; // most updates: indexed already
    if (before && before !== now) term.podsByOwner.get(before)?.delete(c.key);
    if (now) {
      let set = term.podsByOwner.get(now);
      if (!set) term.podsByOwner.set(now, (set = new Set()));
      set.add(c.key);
    }
  }

  private unindexPod(term: Term, c: Cached<KubeObject>): void {
    const owner = controllerOf(c.object.metadata)?.uid;
    if (!owner) return;
    const set = term.podsByOwner.get(owner);
    set?.delete(c.key);
    if (set && set.size === 0) term.podsByOwner.delete(owner);
  }

  private enqueueRecreateForPod(term: Term, pod: KubeObject): void {
    const ref = controllerOf(pod.metadata);
    if (!ref || ref.kind !== "ReplicaSet") return;
    const ns = pod.metadata.namespace ?? "";
    const rs = term.replicaSets.get(replicaSetKey(ns, ref.name));
    if (!rs || rs.object.metadata.uid !== ref.uid) return;
    const key = this.resolveDeployment(term, ns, controllerOf(rs.object.metadata));
    const d = key ? term.deployments.get(key) : undefined;
    if (key && d && !isRollingUpdate(asDeployment(d.object))) term.queue.add(key);
  }

  // ---- reconcile ----

  private replicaSetsIn(term: Term, namespace: string): KubeObject[] {
    const prefix = `/${REPLICASETS}/${namespace}/`;
    const keys = new Set<string>();
    for (const c of term.replicaSets.list()) if (c.key.startsWith(prefix)) keys.add(c.key);
    for (const k of term.writes.keysUnder(prefix)) keys.add(k);
    const out: KubeObject[] = [];
    for (const k of keys) {
      const o = term.writes.view(k, term.replicaSets.get(k));
      if (o) out.push({ ...o, kind: "ReplicaSet" });
    }
    return out;
  }

  private podsOf(term: Term, d: Deployment, rss: readonly ReplicaSet[]): Map<string, PodView[]> {
    const out = new Map<string, PodView[]>();
    for (const rs of rss) {
      const uid = rs.metadata.uid;
      if (!uid) continue;
      const pods: PodView[] = [];
      for (const key of term.podsByOwner.get(uid) ?? []) {
        const p = term.pods.get(key)?.object;
        if (p && deploymentSelectorMatches(d, p.metadata.labels)) pods.push({ name: p.metadata.name, phase: p.status?.phase });
      }
      if (pods.length > 0) out.set(uid, pods);
    }
    return out;
  }

  /** reconcile: one sync of the Deployment at `key`. */
  private async reconcile(term: Term, key: string): Promise<void | { requeueAfterMs: number }> {
    this.stats.syncs++;
    const obj = term.writes.view(key, term.deployments.get(key));
    if (!obj) return;
    const d = asDeployment({ ...obj, kind: "Deployment" });
    const { namespace } = parseObjectKey(key);
    const owned = await this.claim(term, d, this.replicaSetsIn(term, namespace).map(asReplicaSet));
    // Only Recreate looks at pods (it waits for the old ones to be gone).
    const podsByReplicaSet = isRollingUpdate(d) ? undefined : this.podsOf(term, d, owned);
    const decision = decideDeployment({ deployment: d, replicaSets: owned, podsByReplicaSet, now: term.ctx.clock.now() });
    const requeue = await this.apply(term, key, d, decision.actions);
    if (requeue) return { requeueAfterMs: 0 };
    if (decision.requeueAfterMs !== undefined) return { requeueAfterMs: decision.requeueAfterMs };
  }

  /** claim: adopts matching orphans and releases what no longer matches; returns the owned ReplicaSets. */
  private async claim(term: Term, d: Deployment, rss: ReplicaSet[]): Promise<ReplicaSet[]> {
    const { owned, adopt, release } = claimReplicaSets(d, rss);
    const { client } = term.ctx;
    const ns = d.metadata.namespace ?? "";
    if (adopt.length > 0) {
      // Kubernetes' canAdopt: a fresh read proves the Deployment is still this one and alive.
      const live = await client.get("Deployment", ns, d.metadata.name);
      if (live.metadata.uid !== d.metadata.uid || live.metadata.deletionTimestamp) {
        throw new AdoptionRefusedError(`deployment ${ns}/${d.metadata.name} changed; not adopting ${adopt.length} replica sets`);
      }
      for (const rs of adopt) {
        try {
          const updated = await client.patch("ReplicaSet", ns, rs.metadata.name, "strategic", adoptPatch(d, rs));
          term.writes.remember(replicaSetKey(ns, rs.metadata.name), updated);
          owned.push(asReplicaSet(updated));
          this.stats.adoptions++;
        } catch (err) {
          if (!isStatus(err, 404)) throw err;
        }
      }
    }
    for (const rs of release) {
      try {
        const updated = await client.patch("ReplicaSet", ns, rs.metadata.name, "strategic", releasePatch(d, rs));
        term.writes.remember(replicaSetKey(ns, rs.metadata.name), updated);
        this.stats.releases++;
      } catch (err) {
        if (!isStatus(err, 404)) throw err;
      }
    }
    return owned;
  }

  /** apply: the actions in order; returns true when the key should be synced again at once. */
  private async apply(term: Term, key: string, d: Deployment, actions: readonly DeploymentAction[]): Promise<boolean> {
    const { client } = term.ctx;
    const ns = d.metadata.namespace ?? "";
    let current = d as unknown as KubeObject;
    let ownGenerationBump: { from: number; to: number } | undefined;
    for (const a of actions) {
      switch (a.type) {
        case "event":
          term.events.record(current, a.eventType, a.reason, a.message);
          break;
        case "createReplicaSet": {
          const rsKey = replicaSetKey(ns, a.replicaSet.metadata.name);
          try {
            const created = await client.create(a.replicaSet as unknown as KubeObject);
            term.writes.remember(rsKey, created);
            this.stats.replicaSetsCreated++;
          } catch (err) {
            if (!(err instanceof RemoteError && err.code === 409 && err.reason === "AlreadyExists")) {
              await this.reportCreateFailure(term, current, a.replicaSet.metadata.name, err);
              throw err;
            }
            return this.onNameTaken(term, current, a.replicaSet);
          }
          break;
        }
        case "updateReplicaSet": {
          const rsKey = replicaSetKey(ns, a.replicaSet.metadata.name);
          try {
            const updated = await client.update({ ...(a.replicaSet as unknown as KubeObject), kind: "ReplicaSet" });
            term.writes.remember(rsKey, updated);
            this.stats.replicaSetUpdates++;
          } catch (err) {
            term.writes.forget(rsKey);
            throw err;
          }
          break;
        }
        case "deleteReplicaSet":
          try {
            await client.delete("ReplicaSet", ns, a.name, a.resourceVersion ? { resourceVersion: a.resourceVersion } : {});
            this.stats.replicaSetsDeleted++;
          } catch (err) {
            if (!isStatus(err, 404) && !isStatus(err, 409)) throw err;
          }
          break;
        case "setDeploymentRevision": {
          // The API keeps status writes from touching metadata, so the annotation is a
          // compare-and-swap PUT of the object; it bumps the generation (annotations count,
          // as in Kubernetes), which this pass's status then reports as observed: nothing but
          // this annotation changed in between.
          const annotations = { ...(current.metadata.annotations ?? {}), "deployment.kubernetes.io/revision": a.revision };
          const before = Number(current.metadata.generation ?? 0);
          try {
            current = await client.update({ ...current, kind: "Deployment", metadata: { ...current.metadata, annotations } });
          } catch (err) {
            term.writes.forget(key);
            throw err;
          }
          term.writes.remember(key, current);
          const after = Number(current.metadata.generation ?? 0);
          if (after !== before) ownGenerationBump = { from: before, to: after };
          break;
        }
        case "updateStatus": {
          const status = { ...a.status };
          if (ownGenerationBump && status.observedGeneration === ownGenerationBump.from) status.observedGeneration = ownGenerationBump.to;
          try {
            current = await client.updateStatus({ ...current, kind: "Deployment", status });
          } catch (err) {
            term.writes.forget(key);
            throw err;
          }
          term.writes.remember(key, current);
          this.stats.statusUpdates++;
          break;
        }
      }
    }
    return false;
  }

  /**
   * onNameTaken: the new ReplicaSet's name exists. When it is ours with the same template the
   * cache was just behind: sync again. Otherwise it is a hash collision: raise
   * status.collisionCount so the next hash differs (Kubernetes' behaviour) and retry.
   */
  private async onNameTaken(term: Term, d: KubeObject, wanted: ReplicaSet): Promise<boolean> {
    const ns = d.metadata.namespace ?? "";
    const live = asReplicaSet(await term.ctx.client.get("ReplicaSet", ns, wanted.metadata.name));
    if (controllerOf(live.metadata)?.uid === d.metadata.uid && equalIgnoreHash(live.spec.template, asDeployment(d).spec.template)) {
      term.writes.remember(replicaSetKey(ns, wanted.metadata.name), live as unknown as KubeObject);
      return true;
    }
    const status = { ...(d.status ?? {}), collisionCount: Number(d.status?.collisionCount ?? 0) + 1 };
    const updated = await term.ctx.client.updateStatus({ ...d, kind: "Deployment", status });
    term.writes.remember(deploymentKey(ns, d.metadata.name), updated);
    this.stats.collisions++;
    throw new ReplicaSetCollisionError(`replica set ${ns}/${wanted.metadata.name} exists with another template; collisionCount is now ${status.collisionCount}`);
  }

  /** reportCreateFailure: Progressing=False ReplicaSetCreateError, as Kubernetes records a failed create (best effort). */
  private async reportCreateFailure(term: Term, d: KubeObject, rsName: string, err: unknown): Promise<void> {
    const dep = asDeployment(d);
    if (!hasProgressDeadline(dep)) return;
    const status = structuredClone(dep.status ?? {});
    setCondition(status, newCondition(CONDITION.progressing, "False", REASON.replicaSetCreateError, `Failed to create new replica set "${rsName}": ${String((err as Error)?.message ?? err)}`, term.ctx.clock.now()));
    try {
      const updated = await term.ctx.client.updateStatus({ ...d, kind: "Deployment", status });
      term.writes.remember(deploymentKey(d.metadata.namespace ?? "", d.metadata.name), updated);
    } catch {
      // the retry reports again
    }
  }
}
