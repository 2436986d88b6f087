/**
 * SchedulingQueue: the pending pods of one scheduler (Kubernetes' scheduling queue, reduced).
 *
 * A key is in at most one of: `active` (ready, FIFO), `backoff` (ready at a time: after a
 * failed bind), `unschedulable` (no node fit: waits for a cluster change or a timeout), or
 * `parked` (another replica's pod: waits until a time or a membership change). Backoff grows
 * per key: initial·2^(attempts-1), capped; `forget` resets it. Time is passed in.
 * Finding what is due costs nothing while nothing is (see {@link SchedulingQueue.flush}).
 */

/** Queue timings (ms). */
export interface QueueTimings {
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** An unschedulable pod is retried after this long even if nothing changed. */
  unschedulableTimeoutMs: number;
}

export const DEFAULT_QUEUE_TIMINGS: QueueTimings = { initialBackoffMs: 50, maxBackoffMs: 5_000, unschedulableTimeoutMs: 30_000 };

/** Where a key is waiting. */
export type QueuePlace = "active" | "backoff" | "unschedulable" | "parked";

export class SchedulingQueue {
  private readonly active = new Set<string>();
  private readonly backoff = new Map<string, number>();
  private readonly unschedulable = new Map<string, number>();
  private readonly parked = new Map<string, number>();
  private readonly attempts = new Map<string, { count: number; at: number }>();
  /** No timed wait ends before this: a lower bound (keys may have left since), Infinity when none was set since the last scan. */
  private earliestDue = Infinity;

  constructor(
    private readonly timings: QueueTimings = DEFAULT_QUEUE_TIMINGS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Where `key` waits, or undefined when it is not queued (new, in process, or done). */
  placeOf(key: string): QueuePlace | undefined {
    if (this.active.has(key)) return "active";
    if (this.backoff.has(key)) return "backoff";
    if (this.unschedulable.has(key)) return "unschedulable";
    if (this.parked.has(key)) return "parked";
    return undefined;
  }

  /** Counts per place. */
  get sizes(): Record<QueuePlace, number> {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size, parked: this.parked.size };
  }

  /** Keys waiting anywhere. */
  get size(): number {
    return this.active.size + this.backoff.size + this.unschedulable.size + this.parked.size;
  }

  /** A new pending pod: active (parked until `parkUntil` when given) unless it already waits somewhere. */
  add(key: string, parkUntil?: number): void {
    if (this.placeOf(key) !== undefined) return;
    if (parkUntil === undefined) this.active.add(key);
    else this.waitUntil(this.parked, key, parkUntil);
  }

  /** The pod changed: an unschedulable one may fit now, so it leaves that wait (to active or backoff). */
  update(key: string): void {
    const place = this.placeOf(key);
    if (place === undefined) this.active.add(key);
    else if (place === "unschedulable") {
      this.unschedulable.delete(key);
      this.activateOrBackoff(key);
    }
  }

  /** The next ready key (FIFO), removed from the queue; undefined when none is ready. */
  pop(): string | undefined {
    const it = this.active.values().next();
    if (it.done) return undefined;
    this.active.delete(it.value);
    return it.value;
  }

  /** Forget `key` entirely (bound, deleted, or no longer ours). */
  delete(key: string): void {
    this.unqueue(key);
    this.attempts.delete(key);
  }

  /** The pod was bound: reset its backoff. */
  forget(key: string): void {
    this.attempts.delete(key);
  }

  /** Failed attempt (lost bind race, API error): retry after the key's next backoff. */
  requeueBackoff(key: string): void {
    this.unqueue(key);
    const a = this.bumpAttempts(key);
    this.waitUntil(this.backoff, key, a.at + this.backoffMs(a.count));
  }

  /** No node fits: wait for {@link moveAllToActive} or the unschedulable timeout. */
  requeueUnschedulable(key: string): void {
    this.unqueue(key);
    const a = this.bumpAttempts(key);
    this.unschedulable.set(key, a.at);
    this.earliestDue = Math.min(this.earliestDue, a.at + this.timings.unschedulableTimeoutMs);
  }

  /** Another replica's pod: wait until `until` or {@link unparkAll}. */
  park(key: string, until: number): void {
    this.unqueue(key);
    this.waitUntil(this.parked, key, until);
  }

  /** The cluster changed (node added/updated, pod deleted, capacity released): retry unschedulable pods. */
  moveAllToActive(): number {
    const n = this.unschedulable.size;
    for (const key of this.unschedulable.keys()) this.activateOrBackoff(key);
    this.unschedulable.clear();
    return n;
  }

  /** Membership changed: parked pods are looked at again (the caller re-checks ownership). */
  unparkAll(): void {
    for (const key of this.parked.keys()) this.active.add(key);
    this.parked.clear();
  }

  /** Moves what is due (backoff expired, parked time reached, unschedulable timed out) to active. Returns how many moved. */
  flush(): number {
    const now = this.now();
    if (now < this.earliestDue) return 0;
    let moved = 0;
    let next = Infinity;
    for (const [key, at] of this.backoff) {
      if (at > now) next = Math.min(next, at);
      else {
        this.backoff.delete(key);
        this.active.add(key);
        moved++;
      }
    }
    for (const [key, at] of this.parked) {
      if (at > now) next = Math.min(next, at);
      else {
        this.parked.delete(key);
        this.active.add(key);
        moved++;
      }
    }
    for (const [key, since] of this.unschedulable) {
      const at = since + this.timings.unschedulableTimeoutMs;
      if (at > now) next = Math.min(next, at);
      else {
        this.unschedulable.delete(key);
        this.active.add(key);
        moved++;
      }
    }
    this.earliestDue = next;
    return moved;
  }

  /** The earliest time something may become due (possibly earlier than anything waiting: a flush then finds nothing); undefined: nothing waits on time. */
  nextDueAt(): number | undefined {
    if (this.backoff.size + this.parked.size + this.unschedulable.size === 0) this.earliestDue = Infinity;
    return this.earliestDue === Infinity ? undefined : this.earliestDue;
  }

  /** Backoff before attempt `attempts + 1`. */
  backoffMs(attempts: number): number {
    if (attempts <= 0) return 0;
    return Math.min(this.timings.maxBackoffMs, this.timings.initialBackoffMs * 2 ** Math.min(attempts - 1, 30));
  }

  private unqueue(key: string): void {
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    this.parked.delete(key);
  }

  private bumpAttempts(key: string): { count: number; at: number } {
    const a = { count: (this.attempts.get(key)?.count ?? 0) + 1, at: this.now() };
    this.attempts.set(key, a);
    return a;
  }

  private activateOrBackoff(key: string): void {
    const a = this.attempts.get(key);
    const readyAt = a ? a.at + this.backoffMs(a.count) : 0;
    if (readyAt > this.now()) this.waitUntil(this.backoff, key, readyAt);
    else this.active.add(key);
  }

  private waitUntil(place: Map<string, number>, key: string, at: number): void {
    place.set(key, at);
    if (at < this.earliestDue) this.earliestDue = at;
  }
}
