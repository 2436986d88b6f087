/**
 * PodIndex: the pods of the informer cache by controller uid, and the orphans (no controller
 * reference) by namespace — all a ReplicaSet sync needs to claim pods without scanning every
 * pod of a namespace.
 */
import { controllerRefOf, type PodLike } from "./pods.js";

export class PodIndex {
  private readonly byController = new Map<string, Set<string>>();
  private readonly orphansByNamespace = new Map<string, Set<string>>();
  /** key → where it is indexed ("c:<uid>" or "o:<namespace>"). */
  private readonly slot = new Map<string, string>();

  /** upsert: index (or re-index) the pod stored at `key`. */
  upsert(key: string, pod: PodLike): void {
    const ref = controllerRefOf(pod);
    const slot = ref ? `c:${ref.uid}` : `o:${pod.metadata.namespace ?? ""}`;
    if (this.slot.get(key) === slot) return;
    this.remove(key);
    this.slot.set(key, slot);
    if (ref) add(this.byController, ref.uid, key);
    else add(this.orphansByNamespace, pod.metadata.namespace ?? "", key);
  }

  /** remove: forget `key`. */
  remove(key: string): void {
    const slot = this.slot.get(key);
    if (!slot) return;
    this.slot.delete(key);
    const rest = slot.slice(2);
    if (slot.startsWith("c:")) del(this.byController, rest, key);
    else del(this.orphansByNamespace, rest, key);
  }

  /** controlledBy: keys of the pods whose controller reference names `uid`. */
  controlledBy(uid: string): string[] {
    return [...(this.byController.get(uid) ?? [])];
  }

  /** orphans: keys of the pods of `namespace` with no controller reference. */
  orphans(namespace: string): string[] {
    return [...(this.orphansByNamespace.get(namespace) ?? [])];
  }

  get size(): number {
    return this.slot.size;
  }
}

function add(m: Map<string, Set<string>>, k: string, v: string): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}

function del(m: Map<string, Set<string>>, k: string, v: string): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(v);
  if (s.size === 0) m.delete(k);
}
