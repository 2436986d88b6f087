import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_NODE_LIFECYCLE_CONFIG, InvalidNodeLifecycleConfigError, nodeLifecycleConfigFromEnv } from "./config.js";

test("nodeLifecycleConfigFromEnv - Kubernetes' defaults when unset", () => {
  assert.deepEqual(nodeLifecycleConfigFromEnv({}), { nodeMonitorGraceMs: 40_000, nodeStartupGraceMs: 60_000, defaultTolerationSeconds: 300, orphanQuarantineMs: 40_000, workers: 8 });
  assert.deepEqual(nodeLifecycleConfigFromEnv({ K8S_NODE_MONITOR_GRACE_MS: "  " }), DEFAULT_NODE_LIFECYCLE_CONFIG);
});

test("nodeLifecycleConfigFromEnv - overrides from the environment", () => {
  const cfg = nodeLifecycleConfigFromEnv({
    K8S_NODE_MONITOR_GRACE_MS: "2000",
    K8S_NODE_STARTUP_GRACE_MS: "3000",
    K8S_DEFAULT_TOLERATION_SECONDS: "0.5",
    K8S_POD_GC_ORPHAN_QUARANTINE_MS: "0",
    K8S_NODE_LIFECYCLE_WORKERS: "2",
  });
  assert.deepEqual(cfg, { nodeMonitorGraceMs: 2000, nodeStartupGraceMs: 3000, defaultTolerationSeconds: 0.5, orphanQuarantineMs: 0, workers: 2 });
});

test("nodeLifecycleConfigFromEnv - rejects values out of range", () => {
  const bad: Array<Record<string, string>> = [
    { K8S_NODE_MONITOR_GRACE_MS: "0" },
    { K8S_NODE_MONITOR_GRACE_MS: "1.5" },
    { K8S_NODE_STARTUP_GRACE_MS: "abc" },
    { K8S_DEFAULT_TOLERATION_SECONDS: "-1" },
    { K8S_POD_GC_ORPHAN_QUARANTINE_MS: "-5" },
    { K8S_NODE_LIFECYCLE_WORKERS: "0" },
    { K8S_DEFAULT_TOLERATION_SECONDS: "Infinity" },
  ];
  for (const env of bad) assert.throws(() => nodeLifecycleConfigFromEnv(env), InvalidNodeLifecycleConfigError, JSON.stringify(env));
});
