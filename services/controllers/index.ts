/**
 * controllers: the controller-manager actor (DESIGN.md §6) and its controllers. Run two or
 * more replicas: one leads (Lease `kube-system/kube-controller-manager`) and runs every
 * controller; the others stand by. A controller is one entry in {@link defaultControllers}.
 *
 * Environment: the kernel's NATS_URL and K8S_ACTOR_ID; `K8S_LEADER_LEASE_MS`,
 * `K8S_LEADER_RENEW_MS`, `K8S_LEADER_RETRY_MS` (default FAST_LEADER_ELECTION);
 * `K8S_GC_WORKERS` (default 4).
 *
 * @example
 * ```sh
 * k8s-dev run controller-manager
 * ```
 */
import "reflect-metadata";
import { KubeClient } from "../client/index.js";
import { TOKENS, runActorProcess } from "../kernel/index.js";
import type { Controller } from "./controller.js";
import { DeploymentController, deploymentOptionsFromEnv } from "./deployment/index.js";
import { GarbageCollector } from "./garbage-collector/index.js";
import { leaderTimingsFromEnv } from "./leader-config.js";
import { ControllerManager } from "./manager.js";
import { NodeLifecycleController, nodeLifecycleConfigFromEnv } from "./node-lifecycle/index.js";
import { ReplicaSetController, replicaSetOptionsFromEnv } from "./replicaset/index.js";

export { ControllerManager, CONTROLLER_MANAGER_LEASE, type ControllerManagerOptions } from "./manager.js";
export { SharedInformers, SharedInformersStoppedError, type Controller, type ControllerContext } from "./controller.js";
export { podViewDecoders } from "./pod-view.js";
export { leaderTimingsFromEnv, InvalidLeaderElectionConfigError, type LeaderTimings } from "./leader-config.js";
export { GarbageCollector, type GarbageCollectorOptions } from "./garbage-collector/index.js";

/** defaultControllers: every controller the manager runs, in start order. */
export function defaultControllers(env: Readonly<Record<string, string | undefined>> = process.env): Controller[] {
  const workers = Number(env.K8S_GC_WORKERS ?? 4);
  return [
    new GarbageCollector({ workers: Number.isInteger(workers) && workers > 0 ? workers : 4 }),
    new DeploymentController(deploymentOptionsFromEnv(env)),
    new ReplicaSetController(replicaSetOptionsFromEnv(env)),
    new NodeLifecycleController(nodeLifecycleConfigFromEnv(env)),
  ];
}

/** main: run one controller-manager replica in this process until SIGTERM. */
export async function main(): Promise<void> {
  await runActorProcess("controller-manager", (root, ctx) => {
    const timings = leaderTimingsFromEnv(process.env);
    const manager = new ControllerManager({
      id: ctx.config.actorId,
      bus: ctx.bus,
      client: new KubeClient(ctx.bus),
      controllers: defaultControllers(),
      timings,
      logger: root.resolve(TOKENS.Logger),
      clock: root.resolve(TOKENS.Clock),
    });
    return [manager];
  });
}
