/**
 * config: the node host's settings from the environment, validated at once (every problem
 * listed with its fix).
 *
 * | Variable | Default | Meaning |
 * |---|---|---|
 * | `K8S_NODES` | 3 | node actors in this process |
 * | `K8S_NODE_PREFIX` | `node` | names are `<prefix>-<i>` |
 * | `K8S_NODE_FIRST` | 1 | index of the first node (a second host takes the next range) |
 * | `K8S_NODE_CPU` / `K8S_NODE_MEMORY` / `K8S_NODE_PODS` | 8 / 32Gi / 110 | capacity = allocatable |
 * | `K8S_NODE_LABELS` | | extra labels `k=v,k2=v2` |
 * | `K8S_NODE_TAINTS` | | taints `key=value:Effect,key:Effect` |
 * | `K8S_NODE_LEASE_RENEW_MS` | 10000 | Lease renew period (Lease duration 40 s) |
 * | `K8S_NODE_LEASE_DURATION_S` | 40 | Lease leaseDurationSeconds |
 * | `K8S_NODE_STATUS_REPORT_MS` | 300000 | Node status heartbeat even without change |
 * | `K8S_NODE_STATUS_HOLD_MS` | 500 | a pod's first "containers creating" status waits this long, so a pod that runs by then gets one write (0: write at once) |
 * | `K8S_NODE_BACKOFF_BASE_MS` / `K8S_NODE_BACKOFF_MAX_MS` | 10000 / 300000 | CrashLoopBackOff |
 * | `K8S_NODE_RUNTIME` | `sim` | the runtime (only `sim` so far) |
 * | `K8S_SIM_STARTUP_MS`, `K8S_SIM_READY_MS`, `K8S_SIM_STOP_MS`, `K8S_SIM_INIT_RUN_MS`, `K8S_SIM_CRASH_AFTER_MS` | see DEFAULT_SIM_PROFILE | sim stage delays |
 * | `K8S_SIM_JITTER` | 0.5 | jitter as a fraction of each delay |
 * | `K8S_SIM_CRASH_RATE` / `K8S_SIM_PULL_FAIL_RATE` | 0 / 0 | injected failure rates in [0, 1] |
 * | `K8S_SIM_SEED` | random | seed of the sim's random numbers |
 */
import { parseQuantity } from "../apimachinery/index.js";
import { DEFAULT_RESTART_BACKOFF, type RestartBackoff } from "./pod-sync.js";
import { DEFAULT_SIM_PROFILE, type DelaySpec, type SimProfile } from "./runtimes/sim/index.js";

/** NodeConfigError: invalid settings; `problems` lists each with its fix. */
export class NodeConfigError extends Error {
  override name = "NodeConfigError";
  constructor(readonly problems: string[]) {
    super(`invalid node host configuration:\n  - ${problems.join("\n  - ")}`);
  }
}

/** A taint as the Node spec holds it. */
export interface TaintSpec {
  key: string;
  value?: string;
  effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** NodeHostConfig: see the module doc. */
export interface NodeHostConfig {
  nodes: number;
  prefix: string;
  first: number;
  cpu: string;
  memory: string;
  pods: number;
  labels: Record<string, string>;
  taints: TaintSpec[];
  leaseRenewMs: number;
  leaseDurationSeconds: number;
  statusReportMs: number;
  /** A just-started pod's "containers creating" status is held this long (see StatusWriter.set). */
  statusHoldMs: number;
  backoff: RestartBackoff;
  runtime: "sim";
  sim: SimProfile;
  seed: number | undefined;
}

/** The largest node index: pod CIDRs are 10.244.0.0/24 … 10.255.255.0/24. */
export const MAX_NODE_INDEX = 12 * 256 - 1;

/** nodeConfigFromEnv: read and validate; throws NodeConfigError listing every problem. */
export function nodeConfigFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): NodeHostConfig {
  const problems: string[] = [];
  const int = (key: string, dflt: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = env[key]?.trim();
    if (!raw) return dflt;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${key}=${JSON.stringify(raw)} must be an integer in [${min}, ${max}]`);
      return dflt;
    }
    return n;
  };
  const frac = (key: string, dflt: number): number => {
    const raw = env[key]?.trim();
    if (!raw) return dflt;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0 || n > 1) {
      problems.push(`${key}=${JSON.stringify(raw)} must be a number in [0, 1]`);
      return dflt;
    }
    return n;
  };
  const quantity = (key: string, dflt: string): string => {
    const raw = env[key]?.trim();
    if (!raw) return dflt;
    try {
      parseQuantity(raw);
      return raw;
    } catch {
      problems.push(`${key}=${JSON.stringify(raw)} is not a quantity: use e.g. 8, 500m, 32Gi`);
      return dflt;
    }
  };

  const nodes = int("K8S_NODES", 3, 0, MAX_NODE_INDEX);
  const first = int("K8S_NODE_FIRST", 1, 1, MAX_NODE_INDEX);
  if (first + nodes - 1 > MAX_NODE_INDEX) problems.push(`K8S_NODE_FIRST + K8S_NODES - 1 must be at most ${MAX_NODE_INDEX} (one pod /24 per node)`);
  const prefix = env.K8S_NODE_PREFIX?.trim() || "node";
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(prefix) || prefix.length > 240) problems.push(`K8S_NODE_PREFIX=${JSON.stringify(prefix)} must be a DNS subdomain (lower case letters, digits, '-', '.')`);

  const labels: Record<string, string> = {};
  for (const part of (env.K8S_NODE_LABELS ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    if (eq <= 0) problems.push(`K8S_NODE_LABELS entry ${JSON.stringify(part)} must be key=value`);
    else labels[part.slice(0, eq)] = part.slice(eq + 1);
  }
  const taints: TaintSpec[] = [];
  for (const part of (env.K8S_NODE_TAINTS ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(part);
    if (!m) problems.push(`K8S_NODE_TAINTS entry ${JSON.stringify(part)} must be key[=value]:NoSchedule|PreferNoSchedule|NoExecute`);
    else taints.push({ key: m[1]!, ...(m[2] ? { value: m[2] } : {}), effect: m[3] as TaintSpec["effect"] });
  }

  const runtime = env.K8S_NODE_RUNTIME?.trim() || "sim";
  if (runtime !== "sim") problems.push(`K8S_NODE_RUNTIME=${JSON.stringify(runtime)} is not a runtime: only "sim" exists so far`);

  const jitter = frac("K8S_SIM_JITTER", 0.5);
  const delay = (key: string, d: DelaySpec): DelaySpec => {
    const ms = int(key, d.ms, 0);
    return { ms, jitterMs: env[key]?.trim() || env.K8S_SIM_JITTER?.trim() ? Math.round(ms * jitter) : d.jitterMs };
  };
  const sim: SimProfile = {
    startup: delay("K8S_SIM_STARTUP_MS", DEFAULT_SIM_PROFILE.startup),
    ready: delay("K8S_SIM_READY_MS", DEFAULT_SIM_PROFILE.ready),
    stop: delay("K8S_SIM_STOP_MS", DEFAULT_SIM_PROFILE.stop),
    initRun: delay("K8S_SIM_INIT_RUN_MS", DEFAULT_SIM_PROFILE.initRun),
    crashAfter: delay("K8S_SIM_CRASH_AFTER_MS", DEFAULT_SIM_PROFILE.crashAfter),
    crashRate: frac("K8S_SIM_CRASH_RATE", 0),
    pullFailRate: frac("K8S_SIM_PULL_FAIL_RATE", 0),
  };
  const seedRaw = env.K8S_SIM_SEED?.trim();
  const seed = seedRaw ? int("K8S_SIM_SEED", 0, 0, 2 ** 32 - 1) : undefined;

  const baseMs = int("K8S_NODE_BACKOFF_BASE_MS", DEFAULT_RESTART_BACKOFF.baseMs, 1);
  const maxMs = int("K8S_NODE_BACKOFF_MAX_MS", Math.max(DEFAULT_RESTART_BACKOFF.maxMs, baseMs), 1);
  if (maxMs < baseMs) problems.push("K8S_NODE_BACKOFF_MAX_MS must be at least K8S_NODE_BACKOFF_BASE_MS");

  const cfg: NodeHostConfig = {
    nodes,
    prefix,
    first,
    cpu: quantity("K8S_NODE_CPU", "8"),
    memory: quantity("K8S_NODE_MEMORY", "32Gi"),
    pods: int("K8S_NODE_PODS", 110, 0, 250),
    labels,
    taints,
    leaseRenewMs: int("K8S_NODE_LEASE_RENEW_MS", 10_000, 10),
    leaseDurationSeconds: int("K8S_NODE_LEASE_DURATION_S", 40, 1),
    statusReportMs: int("K8S_NODE_STATUS_REPORT_MS", 300_000, 100),
    statusHoldMs: int("K8S_NODE_STATUS_HOLD_MS", 500, 0, 60_000),
    backoff: { baseMs, maxMs },
    runtime: "sim",
    sim,
    seed,
  };
  if (problems.length > 0) throw new NodeConfigError(problems);
  return cfg;
}
