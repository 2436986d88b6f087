/**
 * backoff: the pure exponential backoff used by the supervisor and the bus reconnect loop.
 */

/** BackoffConfig: delay = min(maxMs, baseMs * factor^attempt), spread by ±jitter. */
export interface BackoffConfig {
  /** Delay before the first retry (attempt 0). */
  baseMs: number;
  /** Upper bound of any delay. */
  maxMs: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** Fraction of the delay to spread randomly, 0..1 (default 0: deterministic). */
  jitter?: number;
  /** Supervisor: an actor that ran this long before crashing starts again from attempt 0. */
  resetAfterMs?: number;
}

/**
 * nextBackoff returns the delay in ms before retry number `attempt` (0-based).
 * `random` in [0,1) picks the jitter offset (0.5 = none), so the function stays pure.
 */
export function nextBackoff(attempt: number, cfg: BackoffConfig, random = 0.5): number {
  const factor = cfg.factor ?? 2;
  const a = Math.max(0, Math.floor(attempt));
  // Exponent capped so huge attempt counts cannot overflow to Infinity/NaN.
  const raw = cfg.baseMs * Math.pow(factor, Math.min(a, 64));
  const capped = Math.min(cfg.maxMs, Number.isFinite(raw) ? raw : cfg.maxMs);
  const jitter = Math.min(1, Math.max(0, cfg.jitter ?? 0));
  const spread = capped * jitter * (random * 2 - 1);
  return Math.max(0, Math.min(cfg.maxMs, Math.round(capped + spread)));
}
