/**
 * GarbageCollector: deletes objects whose owners are gone, and carries out foreground and
 * orphan deletion of owners (the rules are in decide.ts).
 *
 * Level-based: informer events of every watched kind feed an {@link OwnerIndex} and enqueue
 * store keys; `reconcile(key)` re-reads the caches, resolves each owner's state (the cache
 * when it holds the owner, else a GET: only a 404 or another uid makes an owner absent),
 * calls the pure decide functions and applies their actions through the API. A delete
 * carries the cached resourceVersion as a precondition, so a stale view (an ownerReference
 * already removed by an orphaning owner, an adoption) ends in 409 and a retry, never in a
 * wrong delete. The work queue owns retries.
 */
import { isStatus, WorkQueue, type BackoffConfig, type Cached, type Informer, type KubeObject } from "../../client/index.js";
import { RESOURCES, lookupResourceByKind, lookupStoreResource } from "../../schema/index.js";
import { syncErrorLogger, type Controller, type ControllerContext } from "../controller.js";
import {
  decideDependent,
  decideOwner,
  isBeingDeleted,
  needsAttention,
  ownerStateOf,
  type Dependent,
  type GcAction,
  type GcObject,
  type OwnerReference,
  type OwnerState,
} from "./decide.js";
import { resourceOf } from "../../store/keys.js";
import { OwnerIndex } from "./owner-index.js";

/** Options of {@link GarbageCollector}. */
export interface GarbageCollectorOptions {
  /** Concurrent reconciles (default 4). */
  workers?: number;
  /** Kinds watched as owners and dependents (default: every stored kind). */
  kinds?: readonly string[];
  /** Retry backoff of the work queue (default 50 ms doubling to 5 s). */
  backoff?: BackoffConfig;
  /** How many owner uids known to be gone are remembered (saves GETs; default 10,000). */
  absentOwnerCacheSize?: number;
}

/** storedKinds: every kind the API stores (all can own and be owned). */
export function storedKinds(): string[] {
  return RESOURCES.filter((r) => r.stored).map((r) => r.kind);
}

/** A bounded set: the oldest entries go first. */
class BoundedSet {
  private readonly items = new Set<string>();
  constructor(private readonly max: number) {}
  has(v: string): boolean {
    return this.items.has(v);
  }
  add(v: string): void {
    if (this.items.has(v)) return;
    this.items.add(v);
    if (this.items.size > this.max) this.items.delete(this.items.values().next().value!);
  }
}

function gcView(kind: string, obj: KubeObject): GcObject {
  return { kind, metadata: obj.metadata as GcObject["metadata"] };
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function sameOwnerUids(a: readonly OwnerReference[] | undefined, b: readonly OwnerReference[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x === y || (x.length === y.length && x.every((r, i) => r.uid === y[i]!.uid));
}

/** The deletion state changed (deletionTimestamp or finalizers). */
function deletionStateChanged(a: GcObject, b: GcObject): boolean {
  return a.metadata.deletionTimestamp !== b.metadata.deletionTimestamp || !sameList(a.metadata.finalizers, b.metadata.finalizers);
}

/** Per-term state: rebuilt on every start. */
interface Term {
  ctx: ControllerContext;
  queue: WorkQueue<string>;
  index: OwnerIndex;
  absent: BoundedSet;
  /** Owner lookups in flight by uid: dependents of one owner share one GET. */
  lookups: Map<string, Promise<OwnerState>>;
  /** storeResource → [kind, informer]. */
  informers: Map<string, { kind: string; informer: Informer<KubeObject> }>;
  running: Promise<void>;
}

export class GarbageCollector implements Controller {
  readonly name = "garbage-collector";
  private term: Term | undefined;
  /** Counters for health and tests. */
  readonly stats = { reconciles: 0, deletes: 0, ownerReferencePatches: 0, finalizersRemoved: 0, ownerLookups: 0 };

  constructor(private readonly opts: GarbageCollectorOptions = {}) {}

  /** Keys waiting, in process or delayed (0 = idle; for tests). */
  get pending(): number {
    return this.term?.queue.pending ?? 0;
  }

  status(): string {
    return this.term ? `queue ${this.term.queue.pending}, objects ${this.term.index.size}, deletes ${this.stats.deletes}` : "stopped";
  }

  async start(ctx: ControllerContext): Promise<void> {
    if (this.term) await this.stop();
    const kinds = this.opts.kinds ?? storedKinds();
    const term: Term = {
      ctx,
      queue: new WorkQueue<string>(this.opts.backoff ?? { baseMs: 50, maxMs: 5000 }),
      index: new OwnerIndex(),
      absent: new BoundedSet(this.opts.absentOwnerCacheSize ?? 10_000),
      lookups: new Map(),
      informers: new Map(),
      running: Promise.resolve(),
    };
    this.term = term;
    for (const kind of kinds) {
      const info = lookupResourceByKind(kind);
      if (!info?.stored) continue;
      const informer = ctx.informers.informer(kind);
      term.informers.set(info.storeResource, { kind, informer });
      informer.addHandlers({
        onAdd: (c) => this.onAdd(term, kind, c),
        onUpdate: (old, c) => this.onUpdate(term, kind, old, c),
        onDelete: (c) => this.onDelete(term, kind, c),
      });
    }
    await ctx.informers.waitForSync([...term.informers.values()].map((i) => i.kind));
    if (this.term !== term) return; // stopped while syncing
    // Informers may have been started by another controller: index whatever is cached.
    for (const { kind, informer } of term.informers.values()) for (const c of informer.list()) this.onAdd(term, kind, c);
    term.running = term.queue.run(
      this.opts.workers ?? 4,
      (key) => this.reconcile(term, key),
      syncErrorLogger(ctx.log, "garbage collection failed"),
    );
    ctx.log.info("garbage collector running", { kinds: term.informers.size, objects: term.index.size });
  }

  async stop(): Promise<void> {
    const term = this.term;
    if (!term) return;
    this.term = undefined;
    term.queue.shutdown();
    await term.running;
  }

  // ---- events: only index and enqueue keys ----

  private onAdd(term: Term, kind: string, c: Cached<KubeObject>): void {
    const obj = gcView(kind, c.object);
    term.index.upsert(c.key, obj);
    // A new dependent whose owners are all cached and solid has nothing to collect: should an
    // owner go later, its delete event enqueues its dependents.
    if (needsAttention(obj) && (isBeingDeleted(obj) || !this.ownersCachedSolid(term, obj))) term.queue.add(c.key);
  }

  private ownersCachedSolid(term: Term, obj: GcObject): boolean {
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const key = term.index.keyOf(ref.uid);
      const owner = key ? this.lookup(term, key) : undefined;
      if (!owner || owner.metadata.uid !== ref.uid || ownerStateOf(owner) !== "solid") return false;
    }
    return true;
  }

  private onUpdate(term: Term, kind: string, old: Cached<KubeObject>, c: Cached<KubeObject>): void {
    // Most updates (status, spec) change nothing the collector indexes or decides on.
    const a = old.object.metadata as GcObject["metadata"];
    const b = c.object.metadata as GcObject["metadata"];
    if (a.uid === b.uid && sameOwnerUids(a.ownerReferences, b.ownerReferences) && a.deletionTimestamp === b.deletionTimestamp && sameList(a.finalizers, b.finalizers)) return;
    const before = gcView(kind, old.object);
    const obj = gcView(kind, c.object);
    const change = term.index.upsert(c.key, obj);
    const ownersChanged = change.addedOwners.length > 0 || change.removedOwners.length > 0;
    if (needsAttention(obj) && (ownersChanged || deletionStateChanged(before, obj) || before.metadata.uid !== obj.metadata.uid)) term.queue.add(c.key);
    // An owner being deleted may have been waiting for this reference to go.
    this.enqueueOwnersBeingDeleted(term, change.removedOwners);
  }

  private onDelete(term: Term, kind: string, c: Cached<KubeObject>): void {
    const obj = gcView(kind, c.object);
    const owners = term.index.remove(c.key);
    // Its dependents may now be dangling; its owners may have been waiting for it.
    if (obj.metadata.uid) for (const dep of term.index.dependentsOf(obj.metadata.uid)) term.queue.add(dep);
    this.enqueueOwnersBeingDeleted(term, owners);
  }

  private enqueueOwnersBeingDeleted(term: Term, ownerUids: readonly string[]): void {
    for (const uid of ownerUids) {
      const key = term.index.keyOf(uid);
      const owner = key ? this.lookup(term, key) : undefined;
      if (key && owner && isBeingDeleted(owner)) term.queue.add(key);
    }
  }

  // ---- reconcile ----

  private lookup(term: Term, key: string): GcObject | undefined {
    const entry = term.informers.get(resourceOf(key));
    const c = entry?.informer.get(key);
    return c ? gcView(entry!.kind, c.object) : undefined;
  }

  /** reconcile: one pass over the object at `key` (as owner being deleted, or as dependent). */
  private async reconcile(term: Term, key: string): Promise<void> {
    this.stats.reconciles++;
    const obj = this.lookup(term, key);
    if (!obj) return;
    if (isBeingDeleted(obj)) {
      const dependents: Dependent[] = [];
      for (const depKey of term.index.dependentsOf(obj.metadata.uid)) {
        const dep = this.lookup(term, depKey);
        if (dep) dependents.push({ key: depKey, object: dep });
      }
      await this.applyAll(term, decideOwner(obj, dependents));
      return;
    }
    if ((obj.metadata.ownerReferences ?? []).length === 0) return;
    const states = new Map<string, OwnerState>();
    for (const ref of obj.metadata.ownerReferences ?? []) {
      if (!states.has(ref.uid)) states.set(ref.uid, await this.ownerState(term, obj, ref));
    }
    await this.applyAll(term, decideDependent(obj, states, term.index.hasDependents(obj.metadata.uid)));
  }

  /** ownerState: from the cache when it holds the owner; otherwise the API decides (404 or another uid = absent). */
  private async ownerState(term: Term, dependent: GcObject, ref: OwnerReference): Promise<OwnerState> {
    if (term.absent.has(ref.uid)) return "absent";
    const key = term.index.keyOf(ref.uid);
    const cached = key ? this.lookup(term, key) : undefined;
    if (cached && cached.metadata.uid === ref.uid) return ownerStateOf(cached);
    const info = lookupResourceByKind(ref.kind);
    if (!info?.stored) {
      term.ctx.log.debug("owner of an unknown kind; left alone", { kind: ref.kind, name: ref.name });
      return "solid";
    }
    const ns = dependent.metadata.namespace ?? "";
    if (info.namespaced && !ns) {
      // A cluster-scoped object cannot have a namespaced owner: Kubernetes treats it as absent.
      return "absent";
    }
    let lookup = term.lookups.get(ref.uid);
    if (!lookup) {
      lookup = this.lookupOwner(term, ref, info.namespaced ? ns : "").finally(() => term.lookups.delete(ref.uid));
      term.lookups.set(ref.uid, lookup);
    }
    return lookup;
  }

  /** lookupOwner: GET the owner; 404 or another uid means absent (remembered). */
  private async lookupOwner(term: Term, ref: OwnerReference, ns: string): Promise<OwnerState> {
    this.stats.ownerLookups++;
    try {
      const live = await term.ctx.client.get(ref.kind, ns, ref.name);
      if (live.metadata.uid !== ref.uid) {
        term.absent.add(ref.uid);
        return "absent";
      }
      return ownerStateOf(gcView(ref.kind, live));
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
      term.absent.add(ref.uid);
      return "absent";
    }
  }

  private async applyAll(term: Term, actions: readonly GcAction[]): Promise<void> {
    for (const a of actions) await this.apply(term, a);
  }

  private async apply(term: Term, a: GcAction): Promise<void> {
    const { client, log } = term.ctx;
    try {
      switch (a.type) {
        case "enqueue":
          for (const k of a.keys) term.queue.add(k);
          return;
        case "delete":
          log.info("deleting", { kind: a.target.kind, namespace: a.target.namespace, name: a.target.name, propagationPolicy: a.propagationPolicy });
          await client.delete(a.target.kind, a.target.namespace, a.target.name, { propagationPolicy: a.propagationPolicy, ...(a.resourceVersion ? { resourceVersion: a.resourceVersion } : {}) });
          this.stats.deletes++;
          return;
        case "removeOwnerReferences":
          await client.patch(a.target.kind, a.target.namespace, a.target.name, "strategic", {
            metadata: { ownerReferences: a.ownerUids.map((uid) => ({ $patch: "delete", uid })) },
          });
          this.stats.ownerReferencePatches++;
          return;
        case "removeFinalizer": {
          const live = await client.get(a.target.kind, a.target.namespace, a.target.name);
          if (live.metadata.uid !== a.target.uid) return;
          const finalizers: string[] = live.metadata.finalizers ?? [];
          if (!finalizers.includes(a.finalizer)) return;
          await client.update({ ...live, kind: a.target.kind, metadata: { ...live.metadata, finalizers: finalizers.filter((f) => f !== a.finalizer) } });
          this.stats.finalizersRemoved++;
          return;
        }
      }
    } catch (err) {
      if (isStatus(err, 404)) return; // already gone: nothing left to do for this action
      throw err;
    }
  }
}
