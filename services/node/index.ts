/**
 * node: the node host — N simulated kubelets (node actors) in one process, sharing one pod
 * informer, one status writer, one timer heap and one lease renewal tick, each with its own `sim` runtime
 * (DESIGN.md §7). Configuration from the environment: see `config.ts` (`K8S_NODES`, default 3).
 *
 * @example
 * ```sh
 * K8S_NODES=100 k8s-dev run node
 * ```
 */
import "reflect-metadata";
import { KubeClient } from "../client/index.js";
import { TOKENS, runActorProcess, type Actor, type Logger } from "../kernel/index.js";
import { nodeConfigFromEnv, type NodeHostConfig } from "./config.js";
import { NodeActor } from "./node-actor.js";
import { leaseTickerFor } from "./lease-ticker.js";
import { PodHub } from "./pod-hub.js";
import { SimRuntime, TimerHeap, seededRandom } from "./runtimes/sim/index.js";
import { StatusWriter } from "./status-writer.js";
import type { Bus } from "../kernel/index.js";

export { NodeActor, isCreatingStatus, type NodeActorOptions, type NodeStats } from "./node-actor.js";
export { nodeConfigFromEnv, NodeConfigError, MAX_NODE_INDEX, type NodeHostConfig, type TaintSpec } from "./config.js";
export { PodHub, PodHubStoppedError } from "./pod-hub.js";
export { StatusWriter, prune, sameStatus, type StatusWriterOptions } from "./status-writer.js";
export { PodIPAllocator, PodIPExhaustedError } from "./ip-allocator.js";
export { LeaseTicker, leaseTickerFor } from "./lease-ticker.js";
export { decidePod, podPhase, containerHistory, restartDelay, kubeTime, goDuration, DEFAULT_RESTART_BACKOFF, type PodAction, type PodSyncInput, type NodeFacts, type RestartBackoff } from "./pod-sync.js";
export { nodeObject, nodeStatus, nodeLabels, nodeName, nodeHostIP, nodePodCIDR, leaseObject, reregisteredNode, KUBELET_VERSION, NODE_LEASE_NAMESPACE } from "./node-object.js";
export type { Runtime, RuntimeEvent, ContainerInstance, ContainerInstanceState, ContainerConfig, PodSandbox } from "./runtime.js";
export * as sim from "./runtimes/sim/index.js";

/** The sim timers of a host fire on multiples of this (ms): runtime events close together are handled, and their status writes leave, together. */
const SIM_TIMER_SLACK_MS = 20;

/** A built node host: its actors and the shared parts (for tests and benchmarks in-process). */
export interface NodeHost {
  nodes: NodeActor[];
  hub: PodHub;
  writer: StatusWriter;
  timers: TimerHeap;
  /** Stop the shared parts (after the actors stopped). */
  close(): void;
}

/** buildNodeHost: `cfg.nodes` node actors on one bus, sharing informer, writer, timer heap and lease tick. */
export function buildNodeHost(cfg: NodeHostConfig, bus: Bus, log: Logger, client = new KubeClient(bus)): NodeHost {
  const hub: PodHub = new PodHub(client, log.child("pods"), undefined, (key, rev) => writer.written(key, rev));
  const writer: StatusWriter = new StatusWriter(client, (key) => hub.get(key), log.child("status"));
  const timers = new TimerHeap(Date.now, undefined, SIM_TIMER_SLACK_MS);
  const random = cfg.seed !== undefined ? seededRandom(cfg.seed) : Math.random;
  const leases = leaseTickerFor(cfg.leaseRenewMs);
  const nodes: NodeActor[] = [];
  for (let i = 0; i < cfg.nodes; i++) {
    const runtime = new SimRuntime({ profile: cfg.sim, timers, random });
    nodes.push(new NodeActor({ config: cfg, index: cfg.first + i, bus, client, hub, writer, runtime, leases, logger: log }));
  }
  return {
    nodes,
    hub,
    writer,
    timers,
    close() {
      writer.close();
      timers.clear();
    },
  };
}

/** main: run the node host in this process until SIGTERM. */
export async function main(): Promise<void> {
  await runActorProcess("node", (root, ctx) => {
    const cfg = nodeConfigFromEnv(process.env);
    const host = buildNodeHost(cfg, ctx.bus, root.resolve(TOKENS.Logger));
    ctx.onShutdown(() => host.close());
    ctx.log.info("node host", { nodes: cfg.nodes, first: cfg.first, prefix: cfg.prefix, runtime: cfg.runtime });
    return host.nodes as Actor[];
  });
}
