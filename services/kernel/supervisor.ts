/**
 * supervisor: keeps actors running. An actor whose start() rejects or that calls fail() is
 * started again after `nextBackoff(attempt)`; `attempt` counts consecutive crashes and goes
 * back to 0 once the actor has run for `resetAfterMs` before crashing. It never gives up
 * (like a CrashLoopBackOff), until stopAll/drainAll.
 *
 * @example
 * ```ts
 * const sup = new Supervisor({ logger: log });
 * await sup.supervise(actor);
 * process.on("SIGTERM", () => sup.drainAll());
 * ```
 */
import type { Actor } from "./actor.js";
import { nextBackoff, type BackoffConfig } from "./backoff.js";
import { systemClock, type Clock } from "./clock.js";
import { logger, type Logger } from "./log.js";

export { nextBackoff, type BackoffConfig } from "./backoff.js";

/** Default restart backoff: 200 ms doubling to 30 s, ±20% jitter, reset after 60 s of stable running. */
export const DEFAULT_RESTART_BACKOFF: BackoffConfig = { baseMs: 200, maxMs: 30_000, factor: 2, jitter: 0.2, resetAfterMs: 60_000 };

/** What the supervisor did, in order (for tests, logs and metrics). */
export type SupervisorEvent =
  | { type: "started"; actorId: string; restarts: number }
  | { type: "crashed"; actorId: string; error: unknown; ranMs: number }
  | { type: "restart-scheduled"; actorId: string; attempt: number; delayMs: number };

/** Options of {@link Supervisor}. */
export interface SupervisorOptions {
  backoff?: BackoffConfig;
  logger?: Logger;
  clock?: Clock;
  /** Random source for jitter (default Math.random). */
  random?: () => number;
}

interface Entry {
  actor: Actor;
  attempt: number;
  runningSince: number | undefined;
  timer: NodeJS.Timeout | undefined;
  unlisten: () => void;
}

/** Supervisor: see the module doc. */
export class Supervisor {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(e: SupervisorEvent) => void>();
  private readonly backoff: BackoffConfig;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly random: () => number;
  private stopping = false;

  constructor(opts: SupervisorOptions = {}) {
    this.backoff = opts.backoff ?? DEFAULT_RESTART_BACKOFF;
    this.log = opts.logger ?? logger("supervisor");
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
  }

  /** onEvent registers a listener; returns an unregister function. */
  onEvent(cb: (e: SupervisorEvent) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** The supervised actors. */
  actors(): Actor[] {
    return [...this.entries.values()].map((e) => e.actor);
  }

  /**
   * supervise starts `actor` and keeps it running. Resolves once the first start attempt has
   * settled (a failed first start is retried in the background, it does not reject).
   */
  async supervise(actor: Actor): Promise<void> {
    if (this.entries.has(actor.id)) throw new Error(`actor ${actor.id} is already supervised`);
    const entry: Entry = { actor, attempt: 0, runningSince: undefined, timer: undefined, unlisten: () => {} };
    entry.unlisten = actor.onFailure((err) => this.crashed(entry, err));
    this.entries.set(actor.id, entry);
    await this.run(entry);
  }

  /** stopAll stops restarting and stops every actor at once. */
  async stopAll(): Promise<void> {
    await this.shutdown((a) => a.stop());
  }

  /** drainAll stops restarting and drains every actor (handlers in flight finish). */
  async drainAll(): Promise<void> {
    await this.shutdown((a) => a.drain());
  }

  private async shutdown(how: (a: Actor) => Promise<void>): Promise<void> {
    this.stopping = true;
    const entries = [...this.entries.values()];
    for (const e of entries) {
      if (e.timer) clearTimeout(e.timer);
      e.timer = undefined;
      e.unlisten();
    }
    await Promise.all(
      entries.map((e) =>
        how(e.actor).catch((err) => this.log.error("actor did not stop cleanly", { actorId: e.actor.id, err })),
      ),
    );
  }

  private async run(entry: Entry): Promise<void> {
    if (this.stopping) return;
    try {
      await entry.actor.start();
    } catch (err) {
      this.crashed(entry, err);
      return;
    }
    if (entry.actor.state !== "running") return; // failed (fail() during onStart) or stopped meanwhile
    entry.runningSince = this.clock.now();
    this.emit({ type: "started", actorId: entry.actor.id, restarts: entry.actor.restarts });
  }

  private crashed(entry: Entry, err: unknown): void {
    if (this.stopping || entry.timer) return;
    const ranMs = entry.runningSince === undefined ? 0 : this.clock.now() - entry.runningSince;
    entry.runningSince = undefined;
    this.emit({ type: "crashed", actorId: entry.actor.id, error: err, ranMs });
    if (this.backoff.resetAfterMs !== undefined && ranMs >= this.backoff.resetAfterMs) entry.attempt = 0;
    const delayMs = nextBackoff(entry.attempt, this.backoff, this.random());
    this.emit({ type: "restart-scheduled", actorId: entry.actor.id, attempt: entry.attempt, delayMs });
    this.log.warn("actor crashed, restarting", { actorId: entry.actor.id, attempt: entry.attempt, delayMs, err });
    entry.attempt++;
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (this.stopping) return;
      entry.actor.recordRestart();
      void this.run(entry);
    }, delayMs);
  }

  private emit(e: SupervisorEvent): void {
    for (const cb of this.listeners) {
      try {
        cb(e);
      } catch (err) {
        this.log.error("supervisor listener failed", { err });
      }
    }
  }
}
