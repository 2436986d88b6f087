/**
 * Relay: publishes the store's change log to the bus, in revision order.
 *
 * Contract (DESIGN.md §5): exactly one relay is active at a time, elected by a lease in the
 * store (`tryAcquireLease`); standbys retry. The active relay reads the log from its cursor
 * (the last revision it saved as published), publishes what each read of the log returned at
 * once, as ChangeEventBatch messages on `k8s.changes.<resource>.<namespace>` (see
 * {@link batchesOf}: per resource in revision order), and saves the cursor now and then while
 * it holds the lease (not after losing it, nor when the bus cannot be flushed). A relay that is
 * killed leaves the cursor behind the bus at most by one save period: its successor
 * re-publishes from there, and subscribers drop duplicates by revision. If the log was
 * compacted past the cursor, the relay jumps to the oldest available revision; subscribers see
 * the gap and relist.
 */
import { inject, injectable } from "tsyringe";
import { Actor, KINDS, TOKENS, subjects, type Bus, type KernelConfig } from "../kernel/index.js";
import { busEventFromStore } from "../client/index.js";
import { CompactedError, type RedisStore } from "../store/index.js";
import { encodeChangeEventBatch } from "./encode.js";
import { batchesOf, decideCursorSave, type CursorPolicy, DEFAULT_CURSOR_POLICY } from "./decide.js";

/** Relay settings (env: RELAY_LEASE_MS). */
export interface RelayOptions {
  /** Lease time-to-live; a standby takes over at most this long after the active relay dies. */
  leaseMs: number;
  cursor: CursorPolicy;
}

export const LEASE_NAME = "relay";
export const CURSOR_NAME = "relay";

export function relayOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): RelayOptions {
  const leaseMs = Number(env.RELAY_LEASE_MS ?? 3000);
  return { leaseMs: Number.isFinite(leaseMs) && leaseMs >= 200 ? leaseMs : 3000, cursor: DEFAULT_CURSOR_POLICY };
}

@injectable()
export class Relay extends Actor {
  private leading = false;
  private abort: AbortController | undefined;
  /** Ends the current publishing pass (set while one runs); losing the lease aborts it. */
  private pass: AbortController | undefined;
  private published = 0;
  private messages = 0;
  private loop: Promise<void> | undefined;

  constructor(
    @inject(TOKENS.Bus) bus: Bus,
    @inject(TOKENS.Store) private readonly store: RedisStore,
    @inject(TOKENS.Config) config: KernelConfig,
    @inject(TOKENS.RelayOptions) private readonly opts: RelayOptions,
  ) {
    super({ kind: "relay", id: config.actorId, bus });
  }

  /** True while this relay holds the lease and publishes. */
  get isLeader(): boolean {
    return this.leading;
  }

  protected override healthDetail(): string {
    return this.leading ? `leader, published ${this.published} events in ${this.messages} messages` : "standby";
  }

  protected async onStart(): Promise<void> {
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.every(Math.max(50, Math.floor(this.opts.leaseMs / 3)), () => this.tick());
    void this.tick();
    this.loop = this.publishLoop(signal);
  }

  protected override async onStop(): Promise<void> {
    this.abort?.abort();
    await this.loop?.catch(() => undefined);
    if (this.leading) await this.store.releaseLease(LEASE_NAME, this.id).catch(() => undefined);
    this.leading = false;
  }

  /** Acquire or renew the lease; losing it stops publishing at once. */
  private async tick(): Promise<void> {
    try {
      const ok = await this.store.tryAcquireLease(LEASE_NAME, this.id, this.opts.leaseMs);
      if (ok && !this.leading) this.log.info("relay became leader");
      if (!ok && this.leading) this.log.warn("relay lost its lease; standing by");
      this.leading = ok;
    } catch (err) {
      // Cannot renew: stop publishing before the lease may have expired elsewhere.
      if (this.leading) this.log.warn("relay cannot renew its lease; standing by", { err });
      this.leading = false;
    }
    if (!this.leading) this.pass?.abort();
  }

  private async publishLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (!this.leading) {
        await sleep(50, signal);
        continue;
      }
      try {
        await this.publishWhileLeading(signal);
      } catch (err) {
        if (signal.aborted) return;
        this.log.error("relay publish loop failed; retrying", { err });
        await sleep(200, signal);
      }
    }
  }

  private async publishWhileLeading(signal: AbortSignal): Promise<void> {
    let from = await this.store.getCursor(CURSOR_NAME);
    const inner = (this.pass = new AbortController());
    const stopInner = () => inner.abort();
    signal.addEventListener("abort", stopInner, { once: true });
    if (!this.leading) inner.abort(); // lost between the loop's check and now
    let unsaved = 0;
    let firstUnsavedAt = 0;
    let last = from;
    // A save is due maxDelayMs after the first unsaved event at the latest (one timer, armed then).
    let saveTimer: NodeJS.Timeout | undefined;
    let passDone = false;
    const armSaver = () => {
      if (!passDone) saveTimer ??= setTimeout(() => void save().catch((err) => this.log.warn("cursor save failed", { err })), this.opts.cursor.maxDelayMs);
    };
    // The cursor moves only past what this relay published as the leader: once the lease is
    // lost, the next leader re-publishes from the last saved cursor.
    const save = async () => {
      clearTimeout(saveTimer);
      saveTimer = undefined;
      if (unsaved === 0 || !this.leading) return;
      const count = unsaved;
      unsaved = 0; // events published while this save is in flight count towards the next one
      try {
        await this.store.setCursor(CURSOR_NAME, last);
      } catch (err) {
        unsaved += count;
        armSaver();
        throw err;
      }
    };
    try {
      for (;;) {
        try {
          // Each read is published as soon as it returns (no waiting to fill a batch): under
          // load a read holds what was committed while the previous one was being published.
          for await (const run of this.store.watchRuns("/", from, { signal: inner.signal })) {
            if (!this.leading) break;
            for (const b of batchesOf(run.map(busEventFromStore))) {
              this.bus.publish(subjects.changes(b.resource, b.namespace), KINDS.ChangeEventBatch, encodeChangeEventBatch(b.events));
              this.messages++;
            }
            this.published += run.length;
            last = run[run.length - 1]!.revision;
            if (unsaved === 0) {
              firstUnsavedAt = Date.now();
              armSaver();
            }
            unsaved += run.length;
            if (decideCursorSave(unsaved, firstUnsavedAt, Date.now(), this.opts.cursor)) await save();
          }
          return;
        } catch (err) {
          if (!(err instanceof CompactedError)) throw err;
          this.log.warn("relay cursor below the compacted log; skipping to the oldest revision", { cursor: from, compactRevision: err.compactRevision });
          from = err.compactRevision;
          last = from;
          unsaved = 1;
          firstUnsavedAt = Date.now();
          armSaver();
        }
      }
    } finally {
      if (this.pass === inner) this.pass = undefined;
      signal.removeEventListener("abort", stopInner);
      passDone = true;
      clearTimeout(saveTimer); // no timer save while flushing
      // Unflushed publishes may be lost with the connection: the cursor stays before them.
      const flushed = await this.bus.flush().then(
        () => true,
        (err) => {
          this.log.warn("relay cannot flush the bus; cursor not saved", { err });
          return false;
        },
      );
      if (flushed) await save().catch(() => undefined);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((res) => {
    if (signal?.aborted) return res();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      res();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
