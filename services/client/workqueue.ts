/**
 * WorkQueue: the controllers' key queue (client-go's rate-limited work queue, same contract).
 *
 * - A key waiting in the queue is held once however often it is added (dedupe).
 * - A key being processed is never handed to a second worker; if it is added meanwhile, it
 *   is queued again when the first worker calls `done(key)`.
 * - `addRateLimited(key)` re-adds after a per-key exponential backoff; `forget(key)` resets it.
 * Time comes from an injected clock and timer so tests can drive it.
 */

export interface BackoffConfig {
  /** First retry delay (ms). */
  baseMs: number;
  /** Cap on the delay (ms). */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffConfig = { baseMs: 5, maxMs: 60_000 };

/** Delay before retry number `failures` (1-based): base·2^(failures-1), capped. Pure. */
export function backoffDelay(failures: number, cfg: BackoffConfig = DEFAULT_BACKOFF): number {
  if (failures <= 0) return 0;
  const d = cfg.baseMs * 2 ** Math.min(failures - 1, 40);
  return Math.min(d, cfg.maxMs);
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class WorkQueue<K = string> {
  private readonly queue: K[] = [];
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly failures = new Map<K, number>();
  private readonly delayed = new Map<K, unknown>();
  private readonly deadlines = new Map<K, number>();
  private readonly waiters: Array<(k: K | undefined) => void> = [];
  private shuttingDown = false;

  constructor(
    private readonly backoff: BackoffConfig = DEFAULT_BACKOFF,
    private readonly timers: Timers = realTimers,
  ) {}

  /** Number of keys waiting (not counting keys in process or delayed). */
  get length(): number {
    return this.queue.length;
  }

  /** Keys waiting, in process, or delayed: 0 means the queue is idle. */
  get pending(): number {
    return this.queue.length + this.processing.size + this.delayed.size;
  }

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // re-queued by done()
    const w = this.waiters.shift();
    if (w) {
      this.dirty.delete(key);
      this.processing.add(key);
      w(key);
      return;
    }
    this.queue.push(key);
  }

  /** Add after `ms`; of several pending delays for one key, the earliest deadline wins. */
  addAfter(key: K, ms: number, now: number = Date.now()): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.cancelDelay(key);
      return this.add(key);
    }
    const due = now + ms;
    const pending = this.deadlines.get(key);
    if (pending !== undefined && pending <= due) return;
    this.cancelDelay(key);
    const h = this.timers.setTimeout(() => {
      this.delayed.delete(key);
      this.deadlines.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, h);
    this.deadlines.set(key, due);
  }

  private cancelDelay(key: K): void {
    const h = this.delayed.get(key);
    if (h === undefined) return;
    this.timers.clearTimeout(h);
    this.delayed.delete(key);
    this.deadlines.delete(key);
  }

  /** Re-add after this key's next backoff delay. */
  addRateLimited(key: K): void {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    this.addAfter(key, backoffDelay(n, this.backoff));
  }

  /** Failures counted for a key since its last forget(). */
  retries(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  /** Reset the key's backoff (after a successful reconcile). */
  forget(key: K): void {
    this.failures.delete(key);
  }

  /** Next key to process; waits while the queue is empty; undefined after shutdown. */
  get(): Promise<K | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((res) => this.waiters.push(res));
  }

  /** Mark a key processed; if it was added meanwhile it goes back in the queue. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  /** Stop handing out keys: waiting get() calls resolve undefined; timers are cleared. */
  shutdown(): void {
    this.shuttingDown = true;
    for (const h of this.delayed.values()) this.timers.clearTimeout(h);
    this.delayed.clear();
    this.deadlines.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /**
   * Run `workers` loops calling `handler(key)`: success forgets the key's backoff, a thrown
   * error re-adds it rate-limited, `{ requeueAfterMs }` re-adds it after that delay.
   * Resolves when the queue is shut down and the loops have finished.
   */
  async run(workers: number, handler: (key: K) => Promise<void | { requeueAfterMs?: number }>, onError?: (key: K, err: unknown) => void): Promise<void> {
    const loop = async () => {
      for (;;) {
        const key = await this.get();
        if (key === undefined) return;
        try {
          const r = await handler(key);
          this.forget(key);
          if (r && r.requeueAfterMs !== undefined) this.addAfter(key, r.requeueAfterMs);
        } catch (err) {
          onError?.(key, err);
          this.addRateLimited(key);
        } finally {
          this.done(key);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, workers) }, loop));
  }
}
