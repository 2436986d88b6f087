/**
 * stages: the sim runtime's container lifecycle as data, in the spirit of kwok's Stages.
 *
 * A container instance is planned once when it starts ({@link planContainer}: delays drawn
 * with jitter, failures decided from the profile and the pod's annotations). From then on the
 * {@link SIM_STAGES} table says which stage comes next and when; {@link nextStage} and
 * {@link applyStage} are pure (time passed in), so the whole lifecycle is table-testable.
 *
 * Pod annotations (all optional, apply to the pod's app containers; init containers only take
 * `startup-ms`):
 * - `sim.k8s-dev/fail`: `crash` (exit with code 1, or `exit-code`, after `exit-after-ms` or the
 *   profile's crash delay), `image-pull` (the pull fails: ErrImagePull), `none` (no failure
 *   injected by the profile's rates).
 * - `sim.k8s-dev/startup-ms`, `sim.k8s-dev/ready-ms`, `sim.k8s-dev/stop-ms`: stage delays.
 * - `sim.k8s-dev/exit-after-ms` + `sim.k8s-dev/exit-code` (default 0): the container exits by
 *   itself after running that long.
 */
import type { ContainerConfig, ContainerInstance } from "../../runtime.js";

/** A delay with uniform jitter: `ms ± jitterMs`, never below 0. */
export interface DelaySpec {
  ms: number;
  jitterMs: number;
}

/** SimProfile: the node-wide defaults of the sim lifecycle and its failure rates. */
export interface SimProfile {
  /** Image pull + create + start (waiting ContainerCreating → running). */
  startup: DelaySpec;
  /** Running → ready when the container has no readinessProbe. */
  ready: DelaySpec;
  /** How long a container takes to exit after being asked to stop (SIGTERM honoured). */
  stop: DelaySpec;
  /** How long an init container runs before exiting 0. */
  initRun: DelaySpec;
  /** Fraction [0, 1] of app container starts that crash. */
  crashRate: number;
  /** How long a crashing container runs before it exits 1. */
  crashAfter: DelaySpec;
  /** Fraction [0, 1] of container starts whose image pull fails. */
  pullFailRate: number;
}

/** DEFAULT_SIM_PROFILE: fast, no failures. */
export const DEFAULT_SIM_PROFILE: SimProfile = {
  startup: { ms: 100, jitterMs: 50 },
  ready: { ms: 0, jitterMs: 0 },
  stop: { ms: 100, jitterMs: 50 },
  initRun: { ms: 50, jitterMs: 25 },
  crashRate: 0,
  crashAfter: { ms: 1000, jitterMs: 200 },
  pullFailRate: 0,
};

/** Annotation keys the sim runtime reads. */
export const SIM_ANNOTATIONS = {
  fail: "sim.k8s-dev/fail",
  startupMs: "sim.k8s-dev/startup-ms",
  readyMs: "sim.k8s-dev/ready-ms",
  stopMs: "sim.k8s-dev/stop-ms",
  exitAfterMs: "sim.k8s-dev/exit-after-ms",
  exitCode: "sim.k8s-dev/exit-code",
} as const;

/** ContainerPlan: the concrete delays of one instance (drawn once, at start). */
export interface ContainerPlan {
  startupMs: number;
  /** From start to ready (Infinity: never, as for init containers). */
  readyMs: number;
  /** From start to a self-exit; undefined = runs until stopped. */
  exitAfterMs?: number;
  exitCode: number;
  /** From a stop request to the exit. */
  stopMs: number;
  pullFails: boolean;
}

/** draw: `ms ± jitterMs` with `random()` in [0, 1). */
export function draw(d: DelaySpec, random: () => number): number {
  if (d.jitterMs <= 0) return Math.max(0, Math.round(d.ms));
  return Math.max(0, Math.round(d.ms + (random() * 2 - 1) * d.jitterMs));
}

function annotationMs(annotations: Readonly<Record<string, string>>, key: string): number | undefined {
  const raw = annotations[key];
  if (raw === undefined || raw.trim() === "") return undefined;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? Math.round(n) : undefined;
}

function annotationInt(annotations: Readonly<Record<string, string>>, key: string): number | undefined {
  const raw = annotations[key];
  if (raw === undefined || raw.trim() === "") return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 && n <= 255 ? n : undefined;
}

/** planContainer: the plan of one instance from the profile, the pod's annotations and `random`. */
export function planContainer(profile: SimProfile, annotations: Readonly<Record<string, string>>, container: ContainerConfig, random: () => number): ContainerPlan {
  const fail = annotations[SIM_ANNOTATIONS.fail]?.trim();
  const startupMs = annotationMs(annotations, SIM_ANNOTATIONS.startupMs) ?? draw(profile.startup, random);
  const stopMs = annotationMs(annotations, SIM_ANNOTATIONS.stopMs) ?? draw(profile.stop, random);
  const pullFails = fail === "image-pull" || (fail !== "none" && profile.pullFailRate > 0 && random() < profile.pullFailRate);
  if (container.init) {
    return { startupMs, readyMs: Number.POSITIVE_INFINITY, exitAfterMs: draw(profile.initRun, random), exitCode: 0, stopMs, pullFails };
  }
  const readyMs = container.readinessDelayMs ?? annotationMs(annotations, SIM_ANNOTATIONS.readyMs) ?? draw(profile.ready, random);
  const exitAfter = annotationMs(annotations, SIM_ANNOTATIONS.exitAfterMs);
  const exitCode = annotationInt(annotations, SIM_ANNOTATIONS.exitCode);
  const crash = fail === "crash" || (fail !== "none" && profile.crashRate > 0 && random() < profile.crashRate);
  if (crash) {
    return { startupMs, readyMs, exitAfterMs: exitAfter ?? draw(profile.crashAfter, random), exitCode: exitCode || 1, stopMs, pullFails };
  }
  if (exitAfter !== undefined) return { startupMs, readyMs, exitAfterMs: exitAfter, exitCode: exitCode ?? 0, stopMs, pullFails };
  return { startupMs, readyMs, exitCode: 0, stopMs, pullFails };
}

/** SimContainer: one instance with its plan and a pending stop. */
export interface SimContainer {
  instance: ContainerInstance;
  plan: ContainerPlan;
  /** Set by a stop request: when the container exits and with which code. */
  stop?: { at: number; exitCode: number; reason: string };
}

/** The stages, by name. */
export type StageName = "created-failed" | "started" | "ready" | "exited" | "stopped";

/** One row of the stage table: from which state, when (from the plan), and the next state. */
export interface StageRule {
  name: StageName;
  /** The rule applies to instances in this state whose guard holds. */
  from: ContainerInstance["state"][];
  guard(c: SimContainer): boolean;
  /** Absolute time the stage happens. */
  at(c: SimContainer): number;
  /** The next instance state (pure). */
  next(c: SimContainer, now: number): ContainerInstance;
}

/** SIM_STAGES: the lifecycle as data; when several rules are due the earliest wins (table order on ties). */
export const SIM_STAGES: readonly StageRule[] = [
  {
    name: "stopped",
    from: ["creating", "running"],
    guard: (c) => c.stop !== undefined,
    at: (c) => c.stop!.at,
    next: (c, now) => ({
      ...c.instance,
      state: "exited",
      ready: false,
      ...(c.instance.startedAt === undefined ? { startedAt: now } : {}),
      finishedAt: now,
      exitCode: c.stop!.exitCode,
      reason: c.stop!.reason,
    }),
  },
  {
    name: "created-failed",
    from: ["creating"],
    guard: (c) => c.plan.pullFails,
    at: (c) => c.instance.createdAt + c.plan.startupMs,
    next: (c) => ({ ...c.instance, state: "failed", reason: "ErrImagePull", message: `sim: pulling image "${c.instance.image}" failed (injected)` }),
  },
  {
    name: "started",
    from: ["creating"],
    guard: (c) => !c.plan.pullFails,
    at: (c) => c.instance.createdAt + c.plan.startupMs,
    next: (c, now) => {
      const { reason: _r, message: _m, ...rest } = c.instance;
      return { ...rest, state: "running", startedAt: now, ready: c.plan.readyMs === 0 && c.plan.exitAfterMs !== 0 };
    },
  },
  {
    name: "exited",
    from: ["running"],
    guard: (c) => c.plan.exitAfterMs !== undefined,
    at: (c) => c.instance.startedAt! + c.plan.exitAfterMs!,
    next: (c, now) => ({ ...c.instance, state: "exited", ready: false, finishedAt: now, exitCode: c.plan.exitCode, reason: c.plan.exitCode === 0 ? "Completed" : "Error" }),
  },
  {
    name: "ready",
    from: ["running"],
    guard: (c) => !c.instance.ready,
    at: (c) => c.instance.startedAt! + c.plan.readyMs,
    next: (c) => ({ ...c.instance, ready: true }),
  },
];

/** nextStage: the stage that comes next for `c` and when, or undefined (nothing more happens by itself). */
export function nextStage(c: SimContainer): { rule: StageRule; at: number } | undefined {
  let best: { rule: StageRule; at: number } | undefined;
  for (const rule of SIM_STAGES) {
    if (!rule.from.includes(c.instance.state) || !rule.guard(c)) continue;
    const at = rule.at(c);
    if (!best || at < best.at) best = { rule, at };
  }
  return best;
}

/** applyStage: `c` after `rule` happened at `now` (pure). */
export function applyStage(c: SimContainer, rule: StageRule, now: number): SimContainer {
  const instance = rule.next(c, now);
  const out: SimContainer = { instance, plan: c.plan };
  if (c.stop && instance.state !== "exited") out.stop = c.stop;
  return out;
}

/**
 * requestStop: ask `c` to stop at `now` with `graceMs`. It exits after its stop delay with code
 * 0 (Completed) when that fits in the grace period, else it is killed at the deadline (137,
 * Error). A container still being created is abandoned at once. An earlier stop is kept.
 */
export function requestStop(c: SimContainer, now: number, graceMs: number): SimContainer {
  if (c.instance.state === "exited" || c.instance.state === "failed") return c;
  if (c.instance.state === "creating") {
    const stop = { at: now, exitCode: 137, reason: "ContainerStatusUnknown" };
    return c.stop && c.stop.at <= now ? c : { ...c, stop };
  }
  const honoured = c.plan.stopMs <= graceMs;
  const stop = honoured ? { at: now + c.plan.stopMs, exitCode: 0, reason: "Completed" } : { at: now + Math.max(0, graceMs), exitCode: 137, reason: "Error" };
  if (c.stop && c.stop.at <= stop.at) return c;
  return { ...c, stop };
}

/** advance: apply every stage due at or before `now`, in order; returns the stages applied (pure). */
export function advance(c: SimContainer, now: number): { container: SimContainer; applied: StageName[] } {
  const applied: StageName[] = [];
  let cur = c;
  for (let i = 0; i < 8; i++) {
    const next = nextStage(cur);
    if (!next || next.at > now) break;
    cur = applyStage(cur, next.rule, next.at);
    applied.push(next.rule.name);
  }
  return { container: cur, applied };
}
