/**
 * claim: which ReplicaSets of its namespace a Deployment controls, adopts and releases
 * (Kubernetes' `ClaimReplicaSets` through the ControllerRefManager), pure.
 *
 * - Controlled by this Deployment (controller reference with its uid): kept while the selector
 *   matches its labels; released when it no longer does (not while the Deployment is being
 *   deleted).
 * - Controlled by anything else: never touched.
 * - An orphan (no controller reference) that matches is adopted, unless the Deployment or the
 *   ReplicaSet is being deleted.
 */
import { controllerRefTo, deploymentSelectorMatches } from "./decide.js";
import { controllerOf } from "../owner-refs.js";
import type { Deployment, ReplicaSet } from "./types.js";

/** The outcome of {@link claimReplicaSets}. */
export interface ClaimResult {
  /** Already controlled by the Deployment and still selected. */
  owned: ReplicaSet[];
  /** Orphans to adopt (then controlled). */
  adopt: ReplicaSet[];
  /** Controlled but no longer selected: their controller reference is to be removed. */
  release: ReplicaSet[];
}


/** claimReplicaSets: sorts the namespace's ReplicaSets into owned, to adopt and to release. */
export function claimReplicaSets(d: Deployment, replicaSets: readonly ReplicaSet[]): ClaimResult {
  const result: ClaimResult = { owned: [], adopt: [], release: [] };
  const deleting = !!d.metadata.deletionTimestamp;
  for (const rs of replicaSets) {
    const ref = controllerOf(rs.metadata);
    const matches = deploymentSelectorMatches(d, rs.metadata.labels);
    if (ref) {
      if (ref.uid !== d.metadata.uid) continue;
      if (matches) result.owned.push(rs);
      else if (!deleting) result.release.push(rs);
      continue;
    }
    if (deleting || !matches || rs.metadata.deletionTimestamp) continue;
    result.adopt.push(rs);
  }
  return result;
}

/** adoptPatch: the strategic merge patch that makes `d` the controller of a ReplicaSet (uid as a precondition). */
export function adoptPatch(d: Deployment, rs: ReplicaSet): unknown {
  return { metadata: { ownerReferences: [controllerRefTo(d)], uid: rs.metadata.uid } };
}

/** releasePatch: the strategic merge patch that removes `d`'s controller reference from a ReplicaSet. */
export function releasePatch(d: Deployment, rs: ReplicaSet): unknown {
  return { metadata: { ownerReferences: [{ $patch: "delete", uid: d.metadata.uid }], uid: rs.metadata.uid } };
}
