/**
 * scheduler: the kube-scheduler actor (DESIGN.md §6). Run any number of replicas, all active:
 * they race only at pods/binding, which charges the node's capacity atomically.
 *
 * Environment: the kernel's NATS_URL and K8S_ACTOR_ID; `K8S_SCHEDULER_BIND_CONCURRENCY`
 * (default 64), `K8S_SCHEDULER_PEER_PROBE_MS` (default 2000; 0 = no sharding),
 * `K8S_SCHEDULER_TAKEOVER_MS` (default 5000), `K8S_SCHEDULER_BACKOFF_MS` (initial, default 50),
 * `K8S_SCHEDULER_EVENTS` (default "true").
 *
 * @example
 * ```sh
 * k8s-dev run scheduler
 * ```
 */
import "reflect-metadata";
import { KubeClient } from "../client/index.js";
import { TOKENS, runActorProcess } from "../kernel/index.js";
import { Scheduler, type SchedulerOptions } from "./scheduler.js";

export { Scheduler, DEFAULT_SCHEDULER_NAME, type SchedulerOptions } from "./scheduler.js";
export { SchedulingQueue, DEFAULT_QUEUE_TIMINGS, type QueueTimings, type QueuePlace } from "./queue.js";
export { EventRecorder, buildEvent, type EventRecorderOptions } from "./events.js";
export { shardOwner, fnv1a32, mix32, eventNameFor } from "./shard.js";
export { feasibleNodesToFind, leastAllocatedScore, preferredAffinityWeight, intolerablePreferNoSchedule, scoreNodes, selectHost } from "./score.js";
export * from "./filters.js";
export * from "./resources.js";

function numberEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** schedulerOptionsFromEnv: the tunables of {@link SchedulerOptions} from the environment. */
export function schedulerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<SchedulerOptions> {
  const out: Partial<SchedulerOptions> = {};
  const bind = numberEnv(env, "K8S_SCHEDULER_BIND_CONCURRENCY");
  if (bind !== undefined && bind >= 1) out.bindConcurrency = bind;
  const probe = numberEnv(env, "K8S_SCHEDULER_PEER_PROBE_MS");
  if (probe !== undefined) out.peerProbeMs = probe;
  const takeover = numberEnv(env, "K8S_SCHEDULER_TAKEOVER_MS");
  if (takeover !== undefined) out.takeoverMs = takeover;
  const backoff = numberEnv(env, "K8S_SCHEDULER_BACKOFF_MS");
  if (backoff !== undefined && backoff >= 1) out.queue = { initialBackoffMs: backoff };
  if (env.K8S_SCHEDULER_EVENTS !== undefined) out.events = env.K8S_SCHEDULER_EVENTS !== "false" && env.K8S_SCHEDULER_EVENTS !== "0";
  return out;
}

/** main: run one scheduler replica in this process until SIGTERM. */
export async function main(): Promise<void> {
  await runActorProcess("scheduler", (root, ctx) => [
    new Scheduler({
      ...schedulerOptionsFromEnv(process.env),
      id: ctx.config.actorId,
      bus: ctx.bus,
      client: new KubeClient(ctx.bus),
      logger: root.resolve(TOKENS.Logger),
      clock: root.resolve(TOKENS.Clock),
    }),
  ]);
}
