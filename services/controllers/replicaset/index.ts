/**
 * replicaset: the ReplicaSet controller (Kubernetes' pkg/controller/replicaset semantics:
 * claims with adoption and release, expectations, slow-start creates in the background, ranked scale-down,
 * status counts). The only public entry of this folder.
 *
 * @example
 * ```ts
 * const manager = new ControllerManager({ ..., controllers: [new ReplicaSetController({ workers: 5 })] });
 * ```
 */
export {
  ReplicaSetController,
  replicaSetOptionsFromEnv,
  isUnknownOutcome,
  InvalidReplicaSetConfigError,
  AdoptionRefusedError,
  type ReplicaSetControllerOptions,
} from "./replicaset-controller.js";
export {
  decideClaims,
  decideReplicas,
  podsToDelete,
  podFromTemplate,
  podNamePrefix,
  calculateStatus,
  isAvailable,
  statusEqual,
  statusWriteDelayMs,
  DEFAULT_STATUS_INTERVAL_MS,
  replicaSetsSelecting,
  replicaSetSelector,
  siblingsOf,
  controllerRefFor,
  desiredReplicas,
  replicaSetKey,
  rfc3339,
  DEFAULT_BURST_REPLICAS,
  REPLICA_FAILURE,
  type Claims,
  type ManageError,
  type ReplicaAction,
  type OwnedCounts,
  type OwnerView,
  type PodCount,
  type ReplicaSetLike,
  type ReplicaSetStatus,
  type ReplicaSetCondition,
} from "./decide.js";
export { ControllerExpectations, DEFAULT_EXPECTATIONS_TIMEOUT_MS, type ExpectationState } from "./expectations.js";
export {
  compareForDeletion,
  rankByRelatedPodsOnSameNode,
  isPodActive,
  isPodReady,
  isPodAvailable,
  isPodTerminating,
  podReadySince,
  msUntilAvailable,
  maxRestartCount,
  podDeletionCost,
  POD_DELETION_COST_ANNOTATION,
  type PodLike,
  type PodCondition,
  type OwnerReference,
  type RankedPod,
} from "./pods.js";
export { PodIndex, ControlledPods, type KeyedPod } from "./pod-index.js";
