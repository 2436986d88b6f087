/**
 * respawn: when the supervisor restarts an actor process that died. Pure (time passed in).
 *
 * A process that ran for at least `stableMs` before dying is restarted after `baseMs`, and its
 * failure streak starts over; one that keeps dying quickly waits base·2^(streak-1), capped.
 */

export interface RespawnPolicy {
  /** Delay before the first restart (ms). */
  readonly baseMs: number;
  /** Cap on the delay (ms). */
  readonly maxMs: number;
  /** Uptime after which a death no longer counts as a crash loop (ms). */
  readonly stableMs: number;
}

export const DEFAULT_RESPAWN: RespawnPolicy = { baseMs: 200, maxMs: 10_000, stableMs: 30_000 };

/** RespawnDecision: how long to wait, and the failure streak to remember. */
export interface RespawnDecision {
  readonly delayMs: number;
  readonly streak: number;
}

/** decideRespawn: the delay before restarting a process that ran `uptimeMs` after `streak` quick deaths. */
export function decideRespawn(streak: number, uptimeMs: number, policy: RespawnPolicy = DEFAULT_RESPAWN): RespawnDecision {
  const next = uptimeMs >= policy.stableMs ? 1 : streak + 1;
  const delayMs = Math.min(policy.baseMs * 2 ** Math.min(next - 1, 30), policy.maxMs);
  return { delayMs, streak: next };
}
