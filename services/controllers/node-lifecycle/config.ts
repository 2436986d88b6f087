/**
 * config: the node lifecycle controller's timings from the environment (pure).
 *
 * | variable                          | Kubernetes default                                     | meaning |
 * |-----------------------------------|--------------------------------------------------------|---------|
 * | `K8S_NODE_MONITOR_GRACE_MS`       | 40 s (`--node-monitor-grace-period`)                   | a node whose Lease and Ready heartbeat are older is marked Unknown |
 * | `K8S_NODE_STARTUP_GRACE_MS`       | 60 s (`--node-startup-grace-period`)                   | the same for a node that never posted a Ready condition, from its creation |
 * | `K8S_DEFAULT_TOLERATION_SECONDS`  | 300 (DefaultTolerationSeconds admission)               | tolerationSeconds of the not-ready/unreachable NoExecute tolerations a pod lacks |
 * | `K8S_POD_GC_ORPHAN_QUARANTINE_MS` | 40 s (podgc's quarantine)                              | pods bound to a node that stays missing this long are force-deleted |
 * | `K8S_NODE_LIFECYCLE_WORKERS`      | 8 (node update workers)                                | concurrent reconciles |
 */

/** Timings and sizes of the node lifecycle controller. */
export interface NodeLifecycleConfig {
  /** A node is unhealthy once its last heartbeat (Lease renewTime or Ready lastHeartbeatTime) is older than this (ms). */
  nodeMonitorGraceMs: number;
  /** The grace of a node that never posted a Ready condition, counted from its creation (ms). */
  nodeStartupGraceMs: number;
  /**
   * tolerationSeconds of the `node.kubernetes.io/not-ready` and `unreachable` NoExecute
   * tolerations a pod does not carry (Kubernetes' admission adds them at create; our API
   * server does not yet, so the controller applies them when it decides).
   */
  defaultTolerationSeconds: number;
  /** How long a pod's node must stay missing before the pod is force-deleted (ms). */
  orphanQuarantineMs: number;
  /** Concurrent reconciles. */
  workers: number;
}

/** DEFAULT_NODE_LIFECYCLE_CONFIG: Kubernetes' defaults. */
export const DEFAULT_NODE_LIFECYCLE_CONFIG: Readonly<NodeLifecycleConfig> = Object.freeze({
  nodeMonitorGraceMs: 40_000,
  nodeStartupGraceMs: 60_000,
  defaultTolerationSeconds: 300,
  orphanQuarantineMs: 40_000,
  workers: 8,
});

/** InvalidNodeLifecycleConfigError: an environment value that is not a number in range. */
export class InvalidNodeLifecycleConfigError extends Error {
  override name = "InvalidNodeLifecycleConfigError";
}

const VARS: ReadonlyArray<{ field: keyof NodeLifecycleConfig; name: string; min: number; integer: boolean }> = [
  { field: "nodeMonitorGraceMs", name: "K8S_NODE_MONITOR_GRACE_MS", min: 1, integer: true },
  { field: "nodeStartupGraceMs", name: "K8S_NODE_STARTUP_GRACE_MS", min: 1, integer: true },
  { field: "defaultTolerationSeconds", name: "K8S_DEFAULT_TOLERATION_SECONDS", min: 0, integer: false },
  { field: "orphanQuarantineMs", name: "K8S_POD_GC_ORPHAN_QUARANTINE_MS", min: 0, integer: true },
  { field: "workers", name: "K8S_NODE_LIFECYCLE_WORKERS", min: 1, integer: true },
];

/**
 * nodeLifecycleConfigFromEnv: the config from `env`, Kubernetes' defaults for what is unset.
 * `K8S_DEFAULT_TOLERATION_SECONDS` may be fractional (tests); the rest are integers.
 * @throws InvalidNodeLifecycleConfigError on a value that is not a number in range.
 */
export function nodeLifecycleConfigFromEnv(env: Readonly<Record<string, string | undefined>>): NodeLifecycleConfig {
  const out: NodeLifecycleConfig = { ...DEFAULT_NODE_LIFECYCLE_CONFIG };
  for (const { field, name, min, integer } of VARS) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const v = Number(raw);
    if (!Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
      throw new InvalidNodeLifecycleConfigError(`${name}: must be ${integer ? "an integer" : "a number"} >= ${min}, got "${raw}"`);
    }
    out[field] = v;
  }
  return out;
}
