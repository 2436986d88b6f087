/**
 * deletion: Kubernetes' delete semantics as pure decisions (time passed in).
 *
 * - propagationPolicy Foreground adds the `foregroundDeletion` finalizer, Orphan adds `orphan`,
 *   Background removes both (the garbage collector acts on them).
 * - An object with finalizers is not removed: it gets `deletionTimestamp` and stays until an
 *   update clears its finalizers. A Namespace also waits for its `spec.finalizers`.
 * - A Pod bound to a node is deleted gracefully: `deletionTimestamp = now + grace` and
 *   `deletionGracePeriodSeconds = grace`; the node's kubelet removes it with grace 0 once its
 *   containers stopped. Unbound or finished pods go at once.
 */
import type { KubeObject } from "../codec.js";

export const FOREGROUND_FINALIZER = "foregroundDeletion";
export const ORPHAN_FINALIZER = "orphan";

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: "Foreground" | "Background" | "Orphan";
  /** Deprecated boolean form of Orphan. */
  orphanDependents?: boolean;
}

export type DeleteDecision = { action: "remove" } | { action: "update"; object: KubeObject };

const PROPAGATION = new Set(["Foreground", "Background", "Orphan"]);

/** validDeleteOptions: a message when the options are invalid (400), else undefined. */
export function invalidDeleteOptions(o: DeleteOptions): string | undefined {
  if (o.propagationPolicy !== undefined && !PROPAGATION.has(o.propagationPolicy)) {
    return `propagationPolicy: Unsupported value: "${o.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`;
  }
  if (o.gracePeriodSeconds !== undefined && (!Number.isInteger(o.gracePeriodSeconds) || o.gracePeriodSeconds < 0)) {
    return `gracePeriodSeconds: Invalid value: ${o.gracePeriodSeconds}: must be a non-negative integer`;
  }
  if (o.orphanDependents !== undefined && o.propagationPolicy !== undefined) return "orphanDependents and propagationPolicy cannot be both set";
  return undefined;
}

function finalizersAfterPolicy(finalizers: string[], o: DeleteOptions): string[] {
  const policy = o.propagationPolicy ?? (o.orphanDependents ? "Orphan" : o.orphanDependents === false ? "Background" : undefined);
  if (policy === undefined) return finalizers;
  const rest = finalizers.filter((f) => f !== FOREGROUND_FINALIZER && f !== ORPHAN_FINALIZER);
  if (policy === "Foreground") return [...rest, FOREGROUND_FINALIZER];
  if (policy === "Orphan") return [...rest, ORPHAN_FINALIZER];
  return rest;
}

/** hasPendingFinalizers: metadata finalizers, or a Namespace's spec.finalizers. */
export function hasPendingFinalizers(kind: string, obj: KubeObject): boolean {
  if ((obj.metadata.finalizers ?? []).length > 0) return true;
  return kind === "Namespace" && (obj.spec?.finalizers ?? []).length > 0;
}

/**
 * shouldRemoveAfterUpdate: an object being deleted whose last finalizer is gone (and whose
 * grace period is over) leaves the store on that update.
 */
export function shouldRemoveAfterUpdate(kind: string, obj: KubeObject): boolean {
  return !!obj.metadata.deletionTimestamp && !hasPendingFinalizers(kind, obj) && (obj.metadata.deletionGracePeriodSeconds ?? 0) === 0;
}

/** decideDelete: what a DELETE does to `obj`. Never mutates `obj`. */
export function decideDelete(kind: string, obj: KubeObject, o: DeleteOptions, now: Date): DeleteDecision {
  const out: KubeObject = structuredClone(obj);
  const meta = out.metadata;
  const finalizers = finalizersAfterPolicy(meta.finalizers ?? [], o);
  if (finalizers.length > 0) meta.finalizers = finalizers;
  else delete meta.finalizers;

  let grace = 0;
  if (kind === "Pod") {
    const phase = out.status?.phase;
    const bound = !!out.spec?.nodeName;
    grace = o.gracePeriodSeconds ?? out.spec?.terminationGracePeriodSeconds ?? 30;
    if (!bound || phase === "Succeeded" || phase === "Failed") grace = 0;
    // A second delete may shorten a grace period, never lengthen it.
    if (meta.deletionGracePeriodSeconds !== undefined) grace = Math.min(grace, meta.deletionGracePeriodSeconds);
  }
  if (!hasPendingFinalizers(kind, out) && grace === 0) return { action: "remove" };

  const stamp = new Date(now.getTime() + grace * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  if (!meta.deletionTimestamp || grace < (meta.deletionGracePeriodSeconds ?? Infinity)) meta.deletionTimestamp = stamp;
  meta.deletionGracePeriodSeconds = grace;
  if (kind === "Namespace") out.status = { ...(out.status ?? {}), phase: "Terminating" };
  return { action: "update", object: out };
}
