/**
 * OwnerIndex: the garbage collector's view of who owns whom, across every kind (no I/O).
 *
 * Fed with every cached object (store key + metadata): it maps uids to store keys and owner
 * uids to the keys of their dependents. It is the cheap part of Kubernetes' dependency graph:
 * no virtual nodes — an owner missing from the index is looked up through the API instead.
 */
import type { GcObject } from "./decide.js";

/** What {@link OwnerIndex.upsert} changed that the collector must react to. */
export interface IndexChange {
  /** Owner uids the object referenced before and no longer does. */
  removedOwners: string[];
  /** Owner uids the object references now and did not before. */
  addedOwners: string[];
}

export class OwnerIndex {
  private readonly keyByUid = new Map<string, string>();
  private readonly uidByKey = new Map<string, string>();
  private readonly ownersByKey = new Map<string, string[]>();
  private readonly dependentsByOwner = new Map<string, Set<string>>();

  /** Number of objects indexed. */
  get size(): number {
    return this.uidByKey.size;
  }

  /** upsert records the object at `key` (a new uid at the same key replaces the old one). */
  upsert(key: string, obj: GcObject): IndexChange {
    const uid = obj.metadata.uid;
    const oldUid = this.uidByKey.get(key);
    if (oldUid !== undefined && oldUid !== uid && this.keyByUid.get(oldUid) === key) this.keyByUid.delete(oldUid);
    if (uid && (oldUid !== uid || this.keyByUid.get(uid) !== key)) {
      this.uidByKey.set(key, uid);
      this.keyByUid.set(uid, key);
    }
    const before = this.ownersByKey.get(key) ?? [];
    const refs = obj.metadata.ownerReferences;
    // Fast path (most updates): the owners did not change.
    if (refs === undefined || refs.length === 0 ? before.length === 0 : refs.length === 1 && before.length === 1 && refs[0]!.uid === before[0]) return { removedOwners: [], addedOwners: [] };
    const after = refs?.length === 1 ? (refs[0]!.uid ? [refs[0]!.uid] : []) : [...new Set((refs ?? []).map((r) => r.uid).filter(Boolean))];
    const removedOwners = before.filter((u) => !after.includes(u));
    const addedOwners = after.filter((u) => !before.includes(u));
    for (const u of removedOwners) this.unlink(u, key);
    for (const u of addedOwners) {
      let set = this.dependentsByOwner.get(u);
      if (!set) this.dependentsByOwner.set(u, (set = new Set()));
      set.add(key);
    }
    if (after.length > 0) this.ownersByKey.set(key, after);
    else this.ownersByKey.delete(key);
    return { removedOwners, addedOwners };
  }

  /** remove forgets the object at `key`; returns the owner uids it referenced. */
  remove(key: string): string[] {
    const uid = this.uidByKey.get(key);
    if (uid !== undefined && this.keyByUid.get(uid) === key) this.keyByUid.delete(uid);
    this.uidByKey.delete(key);
    const owners = this.ownersByKey.get(key) ?? [];
    for (const u of owners) this.unlink(u, key);
    this.ownersByKey.delete(key);
    return owners;
  }

  /** keyOf: the store key of the object with this uid, if indexed. */
  keyOf(uid: string): string | undefined {
    return this.keyByUid.get(uid);
  }

  /** dependentsOf: the keys of the objects that reference owner `uid`. */
  dependentsOf(uid: string): string[] {
    return [...(this.dependentsByOwner.get(uid) ?? [])];
  }

  /** hasDependents: whether any object references owner `uid`. */
  hasDependents(uid: string): boolean {
    return (this.dependentsByOwner.get(uid)?.size ?? 0) > 0;
  }

  private unlink(owner: string, key: string): void {
    const set = this.dependentsByOwner.get(owner);
    if (!set) return;
    set.delete(key);
    if (set.size === 0) this.dependentsByOwner.delete(owner);
  }
}
