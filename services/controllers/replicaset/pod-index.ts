/**
 * PodIndex: the informer's pods grouped as a ReplicaSet sync needs them, kept up to date from
 * pod events (a relist arrives as adds, updates and deletes too), so that a sync costs what
 * changed, not how many pods its ReplicaSet has:
 * - by controller uid ({@link ControlledPods}): the pods, and — once the ReplicaSet's
 *   {@link OwnerView} is set — each pod's {@link PodCount} with their sums and the pods to release;
 * - the orphans (no controller reference) by namespace.
 * No I/O; time is passed in.
 */
import { addCount, countPod, isAvailable, ownerView, ownerViewSignature, type OwnedCounts, type OwnerView, type PodCount, type ReplicaSetLike } from "./decide.js";
import { controllerOf } from "../owner-refs.js";
import type { PodLike } from "./pods.js";

/** A pod with its informer key. */
export interface KeyedPod {
  key: string;
  pod: PodLike;
}

interface Counted extends PodCount {
  /** Counted in `available` (set once it is available at some `now`; while ready it stays so). */
  available: boolean;
}

function sameCount(a: PodCount | undefined, b: PodCount | undefined): boolean {
  if (!a || !b) return a === b;
  return a.owned === b.owned && a.release === b.release && a.fullyLabeled === b.fullyLabeled && a.ready === b.ready && a.readySince === b.readySince;
}

/** ControlledPods: the pods whose controller reference names one uid, and how they count for that ReplicaSet. */
export class ControlledPods {
  /** key → pod. */
  readonly pods = new Map<string, PodLike>();
  private owner: ReplicaSetLike | undefined;
  private view: OwnerView | undefined;
  private signature = "";
  private readonly counted = new Map<string, Counted>();
  private readonly totals: OwnedCounts = { replicas: 0, fullyLabeled: 0, ready: 0, available: 0 };
  /** Ready owned pods not yet available (minReadySeconds > 0). */
  private readonly pending = new Map<string, Counted>();
  /** Keys of the pods to release. */
  private readonly releasable = new Set<string>();

  /** setOwner: count the pods for `rs` (recounts every pod only when its {@link OwnerView} changed). */
  setOwner(rs: ReplicaSetLike): void {
    if (rs === this.owner) return; // cached objects are never changed in place
    this.owner = rs;
    const signature = ownerViewSignature(rs);
    if (this.view && signature === this.signature) return;
    this.view = ownerView(rs);
    this.signature = signature;
    this.counted.clear();
    this.pending.clear();
    this.releasable.clear();
    this.totals.replicas = this.totals.fullyLabeled = this.totals.ready = this.totals.available = 0;
    for (const [key, pod] of this.pods) {
      const c = countPod(this.view, pod) as Counted | undefined;
      if (c) this.count(key, c);
    }
  }

  /**
   * counts: the status counts at `now` (call {@link setOwner} first), with `extra` pods (just
   * adopted) counted too unless the index already counts them as owned.
   */
  counts(now: number, extra: readonly KeyedPod[] = []): OwnedCounts {
    const view = this.view;
    if (!view) throw new Error("ControlledPods.counts before setOwner");
    for (const [key, c] of this.pending) {
      if (!isAvailable(c, view.minReadySeconds, now)) continue;
      this.pending.delete(key);
      c.available = true;
      this.totals.available++;
    }
    const out = { ...this.totals };
    for (const { key, pod } of extra) if (!this.owns(key)) addCount(out, countPod(view, pod), view.minReadySeconds, now);
    return out;
  }

  /** msUntilNextAvailable: how long until the next ready pod becomes available (undefined: none pending). */
  msUntilNextAvailable(now: number): number | undefined {
    const minReadyMs = (this.view?.minReadySeconds ?? 0) * 1000;
    let next: number | undefined;
    for (const c of this.pending.values()) {
      const left = c.readySince! + minReadyMs - now;
      if (left > 0 && (next === undefined || left < next)) next = left;
    }
    return next;
  }

  /** owns: whether the pod at `key` counts as owned. */
  owns(key: string): boolean {
    return this.counted.get(key)?.owned ?? false;
  }

  /** owned: the owned pods (those counted in `replicas`), plus those of `extra` that count as owned and are not yet. */
  owned(extra: readonly KeyedPod[] = []): KeyedPod[] {
    const out: KeyedPod[] = [];
    for (const [key, c] of this.counted) if (c.owned) out.push({ key, pod: this.pods.get(key)! });
    for (const e of extra) if (!this.owns(e.key) && this.view && countPod(this.view, e.pod)?.owned) out.push(e);
    return out;
  }

  /** toRelease: the pods that no longer match the selector. */
  toRelease(): KeyedPod[] {
    return [...this.releasable].map((key) => ({ key, pod: this.pods.get(key)! }));
  }

  /** put: add or replace the pod at `key`; false when it was there and counts exactly as before. */
  put(key: string, pod: PodLike): boolean {
    const had = this.pods.has(key);
    this.pods.set(key, pod);
    if (!this.view) return true;
    const c = countPod(this.view, pod) as Counted | undefined;
    // Most changes (binding, most status writes) count as before: the entry stays as it is.
    if (had && sameCount(this.counted.get(key), c)) return false;
    this.uncount(key);
    if (c) this.count(key, c);
    return true;
  }

  delete(key: string): void {
    this.uncount(key);
    this.pods.delete(key);
  }

  /** count: add the pod at `key`, which counts as `c` (countPod with the current view). */
  private count(key: string, c: Counted): void {
    c.available = false;
    this.counted.set(key, c);
    if (c.release) this.releasable.add(key);
    if (!c.owned) return;
    this.totals.replicas++;
    if (c.fullyLabeled) this.totals.fullyLabeled++;
    if (!c.ready) return;
    this.totals.ready++;
    if (this.view!.minReadySeconds <= 0) {
      c.available = true;
      this.totals.available++;
    } else if (c.readySince !== undefined) this.pending.set(key, c);
  }

  private uncount(key: string): void {
    const c = this.counted.get(key);
    if (!c) return;
    this.counted.delete(key);
    this.pending.delete(key);
    this.releasable.delete(key);
    if (!c.owned) return;
    this.totals.replicas--;
    if (c.fullyLabeled) this.totals.fullyLabeled--;
    if (c.ready) this.totals.ready--;
    if (c.available) this.totals.available--;
  }
}

export class PodIndex {
  private readonly byController = new Map<string, ControlledPods>();
  private readonly orphansByNamespace = new Map<string, Map<string, PodLike>>();
  /** key → where it is indexed: the controller uid, or the namespace of an orphan. */
  private readonly slot = new Map<string, { uid: string } | { namespace: string }>();

  /**
   * upsert: index (or re-index) the pod stored at `key`. False when only a pod that stays with
   * its controller changed, and in nothing its ReplicaSet counts: no sync needed for it.
   */
  upsert(key: string, pod: PodLike): boolean {
    const uid = controllerOf(pod.metadata)?.uid;
    const namespace = pod.metadata.namespace ?? "";
    const at = this.slot.get(key);
    if (at && (uid !== undefined ? "uid" in at && at.uid === uid : "namespace" in at && at.namespace === namespace)) {
      if (uid !== undefined) return this.byController.get(uid)!.put(key, pod);
      this.orphansByNamespace.get(namespace)!.set(key, pod);
      return true;
    }
    this.remove(key);
    if (uid !== undefined) {
      this.slot.set(key, { uid });
      this.controlled(uid).put(key, pod);
    } else {
      this.slot.set(key, { namespace });
      let m = this.orphansByNamespace.get(namespace);
      if (!m) this.orphansByNamespace.set(namespace, (m = new Map()));
      m.set(key, pod);
    }
    return true;
  }

  /** remove: forget `key`. */
  remove(key: string): void {
    const at = this.slot.get(key);
    if (!at) return;
    this.slot.delete(key);
    if ("uid" in at) {
      const g = this.byController.get(at.uid)!;
      g.delete(key);
      // An empty group goes (its view is set again by the next sync: nothing to recount).
      if (g.pods.size === 0) this.byController.delete(at.uid);
    } else {
      const m = this.orphansByNamespace.get(at.namespace)!;
      m.delete(key);
      if (m.size === 0) this.orphansByNamespace.delete(at.namespace);
    }
  }

  /** controlled: the pods controlled by `uid` (an empty group if none). */
  controlled(uid: string): ControlledPods {
    let g = this.byController.get(uid);
    if (!g) this.byController.set(uid, (g = new ControlledPods()));
    return g;
  }

  /** controlledBy: the pods whose controller reference names `uid`. */
  controlledBy(uid: string): KeyedPod[] {
    return [...(this.byController.get(uid)?.pods ?? [])].map(([key, pod]) => ({ key, pod }));
  }

  /** orphans: the pods of `namespace` with no controller reference. */
  orphans(namespace: string): KeyedPod[] {
    return [...(this.orphansByNamespace.get(namespace) ?? [])].map(([key, pod]) => ({ key, pod }));
  }

  /** forget: drop the group of a ReplicaSet that is gone when it holds no pod. */
  forget(uid: string): void {
    if (this.byController.get(uid)?.pods.size === 0) this.byController.delete(uid);
  }

  get size(): number {
    return this.slot.size;
  }
}
