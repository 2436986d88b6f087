/**
 * sim: the simulated runtime (no processes): a lifecycle stage table, one timer heap per
 * process, failure injection by profile and by pod annotation.
 *
 * @example
 * ```ts
 * const timers = new TimerHeap();
 * const runtime = new SimRuntime({ profile: DEFAULT_SIM_PROFILE, timers });
 * runtime.onEvent((e) => queue.add(keyOf(e.podUid)));
 * runtime.startContainer({ uid, namespace, name, annotations: {} }, { name: "app", image: "nginx" }, 0);
 * ```
 */
export { SimRuntime, seededRandom, simImageID, type SimRuntimeOptions } from "./sim-runtime.js";
export { TimerHeap, type TimerHandle } from "./timer-heap.js";
export {
  DEFAULT_SIM_PROFILE,
  SIM_ANNOTATIONS,
  SIM_STAGES,
  advance,
  applyStage,
  draw,
  nextStage,
  planContainer,
  requestStop,
  type ContainerPlan,
  type DelaySpec,
  type SimContainer,
  type SimProfile,
  type StageName,
  type StageRule,
} from "./stages.js";
