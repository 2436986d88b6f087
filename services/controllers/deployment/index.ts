/**
 * deployment: the Deployment controller (Kubernetes' semantics: ReplicaSets per template hash,
 * RollingUpdate and Recreate, revisions and rollback as kubectl does it, proportional scaling,
 * pause/resume, revisionHistoryLimit, progress deadline and the Progressing/Available
 * conditions). The only public entry of this folder.
 *
 * @example
 * ```ts
 * const manager = new ControllerManager({ ..., controllers: [new DeploymentController({ workers: 4 })] });
 * // pure rules, e.g. in a test:
 * const { actions } = decideDeployment({ deployment, replicaSets, now: Date.now() });
 * ```
 */
export { DeploymentController, deploymentOptionsFromEnv, AdoptionRefusedError, ReplicaSetCollisionError, deploymentKey, type DeploymentControllerOptions } from "./deployment-controller.js";
export {
  decideDeployment,
  newReplicaSetFor,
  controllerRefTo,
  statusEqual,
  availableOf,
  deploymentSelectorMatches,
  type DeploymentAction,
  type DeploymentDecision,
  type DeploymentSyncInput,
} from "./decide.js";
export { claimReplicaSets, adoptPatch, releasePatch, type ClaimResult } from "./claim.js";
export { computeHash, equalIgnoreHash, safeEncodeString, fnv1a32, canonicalJson, normalizeJson } from "./hash.js";
export * from "./util.js";
export * from "./types.js";
