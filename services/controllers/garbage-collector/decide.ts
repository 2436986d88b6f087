/**
 * decide: the garbage collector's decisions as pure functions (no I/O, no clock).
 *
 * Kubernetes' garbage collector (pkg/controller/garbagecollector), same rules:
 * - A dependent's owners (its ownerReferences, matched by uid) are classified as
 *   `solid` (exists, not being deleted in the foreground), `waiting` (exists, being deleted in
 *   the foreground: deletionTimestamp + `foregroundDeletion`) or `absent` (the API answered 404
 *   or an object with another uid). Only the API may say `absent`: a stale cache must never
 *   get a live object's dependents deleted.
 * - With a solid owner left, the dependent stays; references to absent or waiting owners are
 *   removed from it. With none left it is deleted: in the foreground when an owner waits for
 *   it and it has dependents of its own, otherwise with the policy its own finalizers ask for
 *   (orphan → Orphan, foregroundDeletion → Foreground, else Background).
 * - An owner being deleted with the `orphan` finalizer: its reference is removed from every
 *   dependent, then the finalizer. With `foregroundDeletion`: its dependents are processed
 *   (deleted as above) and the finalizer goes once no dependent with `blockOwnerDeletion`
 *   remains — dependents that are themselves being deleted still count until they are gone.
 * - An object being deleted is not collected again (its own finalizers drive it).
 */

/** FOREGROUND_FINALIZER: an owner waits for its blocking dependents to be gone. */
export const FOREGROUND_FINALIZER = "foregroundDeletion";
/** ORPHAN_FINALIZER: an owner's dependents lose their reference to it before it goes. */
export const ORPHAN_FINALIZER = "orphan";

/** A deletion propagation policy. */
export type PropagationPolicy = "Background" | "Foreground" | "Orphan";

import type { OwnerReference } from "../owner-refs.js";
export type { OwnerReference } from "../owner-refs.js";

/** The metadata the garbage collector reads. */
export interface GcMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
}

/** An object as the garbage collector sees it. */
export interface GcObject {
  kind: string;
  metadata: GcMeta;
}

/** Which object an action targets (kind, namespace, name, and the uid it must still have). */
export interface ObjectRef {
  kind: string;
  namespace: string;
  name: string;
  uid: string;
}

/** One owner's state as seen from a dependent. */
export type OwnerState = "solid" | "waiting" | "absent";

/** GcAction: what the controller does through the API. */
export type GcAction =
  /** Delete `target` (precondition: still at `resourceVersion`). */
  | { type: "delete"; target: ObjectRef; propagationPolicy: PropagationPolicy; resourceVersion?: string }
  /** Remove the ownerReferences with these owner uids from `target`. */
  | { type: "removeOwnerReferences"; target: ObjectRef; ownerUids: string[] }
  /** Remove `finalizer` from `target` (an owner whose dependents are dealt with). */
  | { type: "removeFinalizer"; target: ObjectRef; finalizer: string }
  /** Look at these objects again (store keys): the dependents of an owner being deleted. */
  | { type: "enqueue"; keys: string[] };

/** refOf: the ObjectRef of an object. */
export function refOf(obj: GcObject): ObjectRef {
  return { kind: obj.kind, namespace: obj.metadata.namespace ?? "", name: obj.metadata.name, uid: obj.metadata.uid };
}

/** hasFinalizer: true when the object carries `finalizer`. */
export function hasFinalizer(obj: GcObject, finalizer: string): boolean {
  return (obj.metadata.finalizers ?? []).includes(finalizer);
}

/** isBeingDeleted: the object has a deletionTimestamp. */
export function isBeingDeleted(obj: GcObject): boolean {
  return !!obj.metadata.deletionTimestamp;
}

/** isDeletingDependents: being deleted in the foreground (waits for its dependents). */
export function isDeletingDependents(obj: GcObject): boolean {
  return isBeingDeleted(obj) && hasFinalizer(obj, FOREGROUND_FINALIZER);
}

/** isOrphaningDependents: being deleted with the orphan policy. */
export function isOrphaningDependents(obj: GcObject): boolean {
  return isBeingDeleted(obj) && hasFinalizer(obj, ORPHAN_FINALIZER);
}

/** ownerStateOf: the state of an owner that exists (`undefined` = absent). */
export function ownerStateOf(owner: GcObject | undefined): OwnerState {
  if (!owner) return "absent";
  return isDeletingDependents(owner) ? "waiting" : "solid";
}

/** needsAttention: whether an object is something the collector acts on (has owners, or is an owner being deleted with a GC finalizer). */
export function needsAttention(obj: GcObject): boolean {
  return (obj.metadata.ownerReferences ?? []).length > 0 || isDeletingDependents(obj) || isOrphaningDependents(obj);
}

/**
 * classifyOwners: the dependent's references split by their owner's state. An owner missing
 * from `states` counts as solid (unknown owners are never presumed gone).
 */
export function classifyOwners(obj: GcObject, states: ReadonlyMap<string, OwnerState>): { solid: OwnerReference[]; waiting: OwnerReference[]; absent: OwnerReference[] } {
  const out = { solid: [] as OwnerReference[], waiting: [] as OwnerReference[], absent: [] as OwnerReference[] };
  for (const ref of obj.metadata.ownerReferences ?? []) out[states.get(ref.uid) ?? "solid"].push(ref);
  return out;
}

/** policyFromFinalizers: the propagation an object's own finalizers ask for. */
export function policyFromFinalizers(obj: GcObject): PropagationPolicy {
  if (hasFinalizer(obj, ORPHAN_FINALIZER)) return "Orphan";
  if (hasFinalizer(obj, FOREGROUND_FINALIZER)) return "Foreground";
  return "Background";
}

/**
 * decideDependent: what to do with an object that has ownerReferences, given each owner's
 * state (by uid) and whether the object has dependents itself.
 */
export function decideDependent(obj: GcObject, states: ReadonlyMap<string, OwnerState>, hasDependents: boolean): GcAction[] {
  const refs = obj.metadata.ownerReferences ?? [];
  if (refs.length === 0 || isBeingDeleted(obj)) return [];
  const { solid, waiting, absent } = classifyOwners(obj, states);
  const target = refOf(obj);
  if (solid.length > 0) {
    const gone = [...absent, ...waiting].map((r) => r.uid);
    return gone.length === 0 ? [] : [{ type: "removeOwnerReferences", target, ownerUids: gone }];
  }
  const propagationPolicy: PropagationPolicy = waiting.length > 0 && hasDependents ? "Foreground" : policyFromFinalizers(obj);
  return [{ type: "delete", target, propagationPolicy, ...(obj.metadata.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {}) }];
}

/** A dependent of an owner: its store key and object. */
export interface Dependent {
  key: string;
  object: GcObject;
}

/** referenceTo: the dependent's ownerReference to `uid`, if any. */
export function referenceTo(dep: GcObject, uid: string): OwnerReference | undefined {
  return (dep.metadata.ownerReferences ?? []).find((r) => r.uid === uid);
}

/**
 * decideOwner: what to do for an owner being deleted with a GC finalizer, given its
 * dependents (objects whose ownerReferences name its uid). Orphan comes first when both
 * finalizers are present.
 */
export function decideOwner(owner: GcObject, dependents: readonly Dependent[]): GcAction[] {
  if (!isBeingDeleted(owner)) return [];
  const uid = owner.metadata.uid;
  const referencing = dependents.filter((d) => referenceTo(d.object, uid));
  const target = refOf(owner);
  if (hasFinalizer(owner, ORPHAN_FINALIZER)) {
    return [
      ...referencing.map((d): GcAction => ({ type: "removeOwnerReferences", target: refOf(d.object), ownerUids: [uid] })),
      { type: "removeFinalizer", target, finalizer: ORPHAN_FINALIZER },
    ];
  }
  if (hasFinalizer(owner, FOREGROUND_FINALIZER)) {
    const blocking = referencing.filter((d) => referenceTo(d.object, uid)?.blockOwnerDeletion === true);
    if (blocking.length === 0) return [{ type: "removeFinalizer", target, finalizer: FOREGROUND_FINALIZER }];
    const pending = referencing.filter((d) => !isBeingDeleted(d.object)).map((d) => d.key);
    return pending.length === 0 ? [] : [{ type: "enqueue", keys: pending }];
  }
  return [];
}
