/**
 * leader-config: the controller-manager's leader election settings from the environment (pure).
 *
 * `K8S_LEADER_LEASE_MS`, `K8S_LEADER_RENEW_MS`, `K8S_LEADER_RETRY_MS` override
 * FAST_LEADER_ELECTION's lease duration, renew deadline and retry period. As in client-go,
 * retry < renew deadline < lease duration, or a leader could lose the lease while it still
 * believes it leads.
 */
import { FAST_LEADER_ELECTION } from "../client/index.js";

/** Leader election timings (ms). */
export interface LeaderTimings {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

/** InvalidLeaderElectionConfigError: a timing that is not a positive integer, or out of order. */
export class InvalidLeaderElectionConfigError extends Error {
  override name = "InvalidLeaderElectionConfigError";
}

const VARS = { leaseDurationMs: "K8S_LEADER_LEASE_MS", renewDeadlineMs: "K8S_LEADER_RENEW_MS", retryPeriodMs: "K8S_LEADER_RETRY_MS" } as const;

/** leaderTimingsFromEnv: the timings from `env`, FAST_LEADER_ELECTION for what is unset. */
export function leaderTimingsFromEnv(env: Readonly<Record<string, string | undefined>>): LeaderTimings {
  const out: LeaderTimings = { ...FAST_LEADER_ELECTION };
  for (const [field, name] of Object.entries(VARS) as Array<[keyof LeaderTimings, string]>) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const v = Number(raw);
    if (!Number.isInteger(v) || v <= 0) throw new InvalidLeaderElectionConfigError(`${name}: must be a positive integer (ms), got "${raw}"`);
    out[field] = v;
  }
  if (!(out.retryPeriodMs < out.renewDeadlineMs && out.renewDeadlineMs < out.leaseDurationMs)) {
    throw new InvalidLeaderElectionConfigError(
      `leader election needs retry < renew deadline < lease duration, got retry ${out.retryPeriodMs} ms, renew ${out.renewDeadlineMs} ms, lease ${out.leaseDurationMs} ms`,
    );
  }
  return out;
}
