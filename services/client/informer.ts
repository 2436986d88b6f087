/**
 * Informer: a local cache of one resource type that converges to the store.
 *
 * Contract (DESIGN.md §5):
 * - Subscribe to live change events first, then list at revision R; events at or below R are
 *   already in the list and dropped. Live events arrive in batches (one per relay message, in
 *   revision order); every event of a batch is checked on its own, as below.
 * - `last` is the revision up to which the cache is complete. A live event whose
 *   `prevRevision` is above `last` proves a gap: the informer replays the store's log after
 *   `last` (the API's `events` verb), and relists when the log was compacted past it.
 * - Duplicates are dropped by revision, and every apply is guarded per key (an event older
 *   than the cached object is ignored), so replays and overlapping pages are idempotent.
 * - After a bus reconnect, and every `resyncCheckMs`, it replays from `last` as well: this
 *   catches a lost final event that no later event would reveal.
 * Handlers run one event at a time, in revision order.
 */
import { CompactedError } from "../store/types.js";

/** A change as the informer consumes it (the bus ChangeEvent, decoded). */
export interface InformerEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  revision: number;
  prevRevision: number;
  key: string;
  value: Uint8Array;
  createRevision: number;
}

/** One listed object. */
export interface ListedItem {
  key: string;
  value: Uint8Array;
  modRevision: number;
  createRevision: number;
}

/** Where an informer lists, replays and receives live events (BusListWatch over the API). */
export interface ListWatchSource {
  list(): Promise<{ items: ListedItem[]; revision: number }>;
  /**
   * Events after `fromRevision`, in order, and `revision`: how far the log was read (no other
   * event of this resource lies in between, so the informer is complete up to there).
   * Throws CompactedError when `fromRevision` is below the log's window.
   */
  replay(fromRevision: number): Promise<{ events: InformerEvent[]; revision: number }>;
  /** Live events, a batch at a time in revision order; returns an unsubscribe function. */
  subscribe(onEvents: (events: readonly InformerEvent[]) => void): () => void;
  /** Called after the bus reconnects; returns an unsubscribe function. */
  onReconnect?(cb: () => void): () => void;
}

/** A cached object: its decoded value plus the store's revisions. */
export interface Cached<T> {
  key: string;
  object: T;
  modRevision: number;
  createRevision: number;
}

export interface InformerHandlers<T> {
  onAdd?(obj: Cached<T>): void;
  onUpdate?(oldObj: Cached<T>, newObj: Cached<T>): void;
  onDelete?(obj: Cached<T>): void;
  /**
   * Every applied change event, in revision order, with the previous cached object (for a
   * DELETED event `obj` is the last state). Not called for the differences a relist finds:
   * see onRelist. This is what the API server's watch fans out.
   */
  onEvent?(type: "ADDED" | "MODIFIED" | "DELETED", obj: Cached<T>, old: Cached<T> | undefined, revision: number): void;
  /** The cache was rebuilt from a list after the log lost continuity (not called for the first list). */
  onRelist?(revision: number): void;
}

export interface InformerOptions {
  /** Replay-from-last check period (ms); 0 disables. Default 10 s. */
  resyncCheckMs?: number;
  /** Only keep keys with this prefix (e.g. one namespace); events elsewhere still advance `last`. */
  keyPrefix?: string;
  /** Logs a typed error (decode failures, source errors); the informer keeps running. */
  onError?: (err: unknown, context: string) => void;
}

/** InformerStoppedError: start() was interrupted by stop(). */
export class InformerStoppedError extends Error {
  override name = "InformerStoppedError";
}

const RETRY_MIN_MS = 50;
const RETRY_MAX_MS = 2000;

/** Counters: how often the informer had to repair its view (for tests, logs and metrics). */
export interface InformerStats {
  relists: number;
  replays: number;
  gaps: number;
  duplicates: number;
}

export class Informer<T> {
  /** Repair counters since start. */
  readonly stats: InformerStats = { relists: 0, replays: 0, gaps: 0, duplicates: 0 };
  private readonly cache = new Map<string, Cached<T>>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private readonly pending: InformerEvent[] = [];
  private last = 0;
  private needRelist = true;
  private needCatchUp = false;
  private running = false;
  private stopped = false;
  private synced = false;
  private retryMs = RETRY_MIN_MS;
  private unsubscribers: Array<() => void> = [];
  private resyncTimer: NodeJS.Timeout | undefined;
  private syncWaiters: Array<{ res: () => void; rej: (e: unknown) => void }> = [];
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly source: ListWatchSource,
    private readonly decode: (value: Uint8Array, item: { key: string; modRevision: number; createRevision: number }) => T,
    private readonly opts: InformerOptions = {},
  ) {}

  /** Register handlers; call before start() to see the initial adds. */
  addHandlers(h: InformerHandlers<T>): void {
    this.handlers.push(h);
  }

  /** Subscribes, lists, and resolves once the cache holds the first full list. */
  start(): Promise<void> {
    this.unsubscribers.push(this.source.subscribe((events) => this.onLive(events)));
    if (this.source.onReconnect) this.unsubscribers.push(this.source.onReconnect(() => this.requestCatchUp()));
    const every = this.opts.resyncCheckMs ?? 10_000;
    if (every > 0) {
      this.resyncTimer = setInterval(() => this.requestCatchUp(), every);
      this.resyncTimer.unref();
    }
    const synced = new Promise<void>((res, rej) => this.syncWaiters.push({ res, rej }));
    this.schedule();
    return synced;
  }

  stop(): void {
    this.stopped = true;
    for (const u of this.unsubscribers.splice(0)) u();
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    for (const w of this.syncWaiters.splice(0)) w.rej(new InformerStoppedError("informer stopped before it synced"));
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  /** The revision up to which the cache is complete. */
  get revision(): number {
    return this.last;
  }

  get(key: string): Cached<T> | undefined {
    return this.cache.get(key);
  }

  list(): Cached<T>[] {
    return [...this.cache.values()];
  }

  get size(): number {
    return this.cache.size;
  }

  /** Ask for a replay from `last` now (also used on reconnect and by the periodic check). */
  requestCatchUp(): void {
    if (this.stopped) return;
    this.needCatchUp = true;
    this.schedule();
  }

  /** Resolves when no event is buffered and no list/replay is in flight (for tests and benchmarks). */
  idle(): Promise<void> {
    if (!this.running && this.pending.length === 0 && !this.needCatchUp && !this.needRelist) return Promise.resolve();
    return new Promise((res) => this.idleWaiters.push(res));
  }

  private onLive(events: readonly InformerEvent[]): void {
    if (this.stopped) return;
    for (const e of events) this.pending.push(e);
    this.schedule();
  }

  private schedule(): void {
    if (!this.running && !this.stopped) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.stopped) {
        if (this.needRelist) {
          if (!(await this.attempt(() => this.relist(), "list"))) continue;
          continue;
        }
        if (this.needCatchUp) {
          await this.attempt(() => this.catchUp(), "replay");
          continue;
        }
        const e = this.pending.shift();
        if (!e) break;
        if (e.revision <= this.last) {
          this.stats.duplicates++; // duplicate or already listed
          continue;
        }
        if (e.prevRevision > this.last) {
          this.stats.gaps++;
          // Missed the event at e.prevRevision (and maybe more): replay from the store's log.
          this.pending.unshift(e);
          this.needCatchUp = true;
          continue;
        }
        this.apply(e);
        this.last = e.revision;
      }
    } finally {
      this.running = false;
      if (!this.stopped && this.pending.length === 0 && !this.needCatchUp && !this.needRelist) {
        for (const w of this.idleWaiters.splice(0)) w();
      }
    }
  }

  /** Runs a list or replay; on failure waits with backoff and reports false. */
  private async attempt(fn: () => Promise<void>, what: string): Promise<boolean> {
    try {
      await fn();
      this.retryMs = RETRY_MIN_MS;
      return true;
    } catch (err) {
      if (err instanceof CompactedError || (err as { name?: string })?.name === "CompactedError") {
        this.needRelist = true;
        return false;
      }
      this.opts.onError?.(err, `informer ${what} failed; retrying in ${this.retryMs} ms`);
      await new Promise((r) => setTimeout(r, this.retryMs));
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
      return false;
    }
  }

  private async relist(): Promise<void> {
    const { items, revision } = await this.source.list();
    this.stats.relists++;
    if (this.stopped) return;
    const seen = new Set<string>();
    for (const item of items) {
      if (!this.keep(item.key)) continue;
      seen.add(item.key);
      const old = this.cache.get(item.key);
      if (old && old.modRevision === item.modRevision) continue;
      const obj = this.decodeItem(item.key, item.value, item.modRevision, item.createRevision);
      if (!obj) continue;
      this.cache.set(item.key, obj);
      if (old) this.emit((h) => h.onUpdate?.(old, obj));
      else this.emit((h) => h.onAdd?.(obj));
    }
    for (const [key, old] of [...this.cache]) {
      if (seen.has(key)) continue;
      this.cache.delete(key);
      this.emit((h) => h.onDelete?.(old));
    }
    this.last = revision;
    this.needRelist = false;
    this.needCatchUp = false;
    if (this.synced) this.emit((h) => h.onRelist?.(revision));
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w.res();
    }
  }

  private async catchUp(): Promise<void> {
    const from = this.last;
    const { events, revision } = await this.source.replay(from);
    this.stats.replays++;
    if (this.stopped) return;
    for (const e of events) {
      if (e.revision <= this.last) continue;
      this.apply(e);
      this.last = e.revision;
    }
    // Nothing of this resource lies between the last event and `revision`: the next replay
    // starts there instead of re-reading the same stretch of the log.
    if (revision > this.last) this.last = revision;
    this.needCatchUp = false;
  }

  private keep(key: string): boolean {
    return !this.opts.keyPrefix || key.startsWith(this.opts.keyPrefix);
  }

  private apply(e: InformerEvent): void {
    if (!this.keep(e.key)) return;
    const old = this.cache.get(e.key);
    // Per-key guard: never move an object backwards (replays overlap lists and pages).
    if (old && old.modRevision >= e.revision) return;
    if (e.type === "DELETED") {
      if (!old) return;
      this.cache.delete(e.key);
      this.emit((h) => h.onDelete?.(old));
      this.emit((h) => h.onEvent?.("DELETED", old, old, e.revision));
      return;
    }
    const obj = this.decodeItem(e.key, e.value, e.revision, e.createRevision);
    if (!obj) return;
    this.cache.set(e.key, obj);
    if (old) this.emit((h) => h.onUpdate?.(old, obj));
    else this.emit((h) => h.onAdd?.(obj));
    this.emit((h) => h.onEvent?.(old ? "MODIFIED" : "ADDED", obj, old, e.revision));
  }

  private decodeItem(key: string, value: Uint8Array, modRevision: number, createRevision: number): Cached<T> | undefined {
    try {
      return { key, object: this.decode(value, { key, modRevision, createRevision }), modRevision, createRevision };
    } catch (err) {
      this.opts.onError?.(err, `informer: cannot decode ${key} at revision ${modRevision}; skipped`);
      return undefined;
    }
  }

  private emit(call: (h: InformerHandlers<T>) => void): void {
    for (const h of this.handlers) {
      try {
        call(h);
      } catch (err) {
        this.opts.onError?.(err, "informer handler threw");
      }
    }
  }
}
