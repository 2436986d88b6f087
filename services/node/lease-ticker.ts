/**
 * LeaseTicker: one timer of a node host that renews every due node Lease at once, so the
 * renewals of its many nodes are issued in one tick and leave as one API batch (the ApiClient
 * coalesces the calls of a tick) instead of one bus message per node.
 *
 * Each registered renewal keeps its own period: it runs on the first tick at or after its
 * previous run's start + `periodMs` (so at most one tick late), and never overlaps itself (a
 * run still in flight is skipped, as {@link Actor.every} does). The node host ticks every 4%
 * of the renew period: the kubelet's lease controller jitters its period by that factor.
 */
import { systemClock, type Clock } from "../kernel/index.js";

/** The kubelet's renew-interval jitter factor, which bounds how late a tick may renew. */
const LEASE_TICK_FRACTION = 0.04;

/** leaseTickerFor: a ticker for renewals every `renewMs` (ticks every {@link LEASE_TICK_FRACTION} of it) on `clock`. */
export function leaseTickerFor(renewMs: number, clock: Clock = systemClock): LeaseTicker {
  return new LeaseTicker(Math.max(1, Math.round(renewMs * LEASE_TICK_FRACTION)), clock);
}

interface Renewal {
  periodMs: number;
  dueAt: number;
  running: boolean;
  run: () => Promise<void>;
}

export class LeaseTicker {
  private readonly renewals = new Set<Renewal>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly tickMs: number,
    private readonly clock: Clock = systemClock,
  ) {}

  /** add: run `renew` every `periodMs` from now on (first run one period from now); returns remove. `renew` must not throw. */
  add(periodMs: number, renew: () => Promise<void>): () => void {
    const r: Renewal = { periodMs, dueAt: this.clock.now() + periodMs, running: false, run: renew };
    this.renewals.add(r);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.tickMs);
      this.timer.unref();
    }
    return () => {
      this.renewals.delete(r);
      if (this.renewals.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  /** Renewals registered. */
  get size(): number {
    return this.renewals.size;
  }

  /** tick: starts every due renewal that is not running (called by the timer; tests may call it). */
  tick(): void {
    const now = this.clock.now();
    for (const r of this.renewals) {
      if (r.running || r.dueAt > now) continue;
      r.running = true;
      r.dueAt = now + r.periodMs;
      void r.run().finally(() => {
        r.running = false;
      });
    }
  }
}
