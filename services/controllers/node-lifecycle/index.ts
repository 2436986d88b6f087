/**
 * node-lifecycle: the node lifecycle controller (Kubernetes' nodelifecycle + taint-based
 * eviction + podgc's force deletion of pods no kubelet will finish). The only public entry of
 * this folder. Timings from the environment: see config.ts.
 *
 * @example
 * ```ts
 * const controller = new NodeLifecycleController(nodeLifecycleConfigFromEnv(process.env));
 * const manager = new ControllerManager({ ..., controllers: [controller] });
 * ```
 */
export { NodeLifecycleController, type NodeLifecycleOptions } from "./node-lifecycle.js";
export { nodeLifecycleConfigFromEnv, DEFAULT_NODE_LIFECYCLE_CONFIG, InvalidNodeLifecycleConfigError, type NodeLifecycleConfig } from "./config.js";
export {
  decideNode,
  decideOrphanedPods,
  nodeHealth,
  markConditionsUnknown,
  desiredTaints,
  taintsEqual,
  isManagedTaint,
  withDefaultTolerations,
  evictionTime,
  podNotReadyConditions,
  readyStatus,
  parseTime,
  formatTime,
  taintId,
  podRef,
  MONITORED_CONDITIONS,
  NODE_LEASE_NAMESPACE,
  TAINT_NOT_READY,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  TAINT_MEMORY_PRESSURE,
  TAINT_DISK_PRESSURE,
  TAINT_PID_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
  NO_EXECUTE,
  NO_SCHEDULE,
  type NodeCondition,
  type Taint,
  type Toleration,
  type PodCondition,
  type LifecycleNode,
  type LifecyclePod,
  type NodeLease,
  type NodeHealth,
  type NodeDecision,
  type NodeInput,
  type PodAction,
  type PodRef,
} from "./decide.js";
