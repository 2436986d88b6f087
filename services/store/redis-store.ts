/**
 * RedisStore: etcd's contract (global revision, compare-and-swap, multi-key transactions,
 * watch from a revision, compaction) served by one Redis.
 *
 * Layout (all keys under one prefix, default "k8s"; see keys.ts):
 * - `<p>:rev` global revision, one per write op (a batch adds its write count with one INCRBY);
 * - `<p>:mod` / `<p>:crt` hashes key → modRevision / createRevision of each live object
 *   (absent = no object). The value is read from the log entry `<mod>-1`; compaction copies it
 *   into the hash `<p>:val` first (scripts.ts);
 * - `<p>:index` sorted set of live keys (score 0) for prefix lists via ZRANGEBYLEX;
 * - `<p>:log` the change log: a stream with one entry `<revision>-1` per write, fields type,
 *   key, value (for DELETED the last value), createRevision, prevRevision. XADD with an explicit
 *   id that is not above the last one fails, so the log can never go backwards;
 * - `<p>:resrev` hash resource (first key segment) → revision of its last event, which gives
 *   each event its prevRevision;
 * - `<p>:compact` compact revision: log entries at or below it have been trimmed.
 *
 * Contracts:
 * - Every write and its event are ONE Lua script (scripts.ts), so no committed change exists
 *   without its event. Never WATCH/MULTI: it silently loses updates on a shared connection.
 * - Single-key writes are one-op transactions. Transactions issued while a batch is in flight
 *   are grouped into one script call (group commit, write-batch.ts): each is checked and
 *   applied on its own, revisions follow queue order.
 * - The log has no holes above the compact revision. `events` checks the compact revision and
 *   reads the stream in one script; `watch` checks it with its first read (one MULTI) and then
 *   reads the stream directly, treating a first entry other than last + 1 as compaction. So
 *   continuing from the last scanned revision never skips an event. Watch uses its own
 *   connection (`store-watch`) and, after a dropped connection, resumes from the last revision
 *   it delivered.
 * - A write whose connection drops before the reply has an unknown outcome: it fails with
 *   StoreUnavailableError and is never re-sent automatically (`maxRetriesPerRequest: 0`), since
 *   a re-sent create or update would report a false conflict.
 * - Durability is Redis's: infra/redis.conf runs AOF with `appendfsync always`, so Redis fsyncs
 *   the script's effects before it replies; an acknowledged write survives kill -9. The writes
 *   of one batch share one fsync.
 */
import { Redis, type RedisOptions } from "ioredis";
import { keyLayout, resourceOf, type KeyLayout } from "./keys.js";
import { BATCH_LUA, COMPACT_LUA, EVENTS_LUA, GET_LUA, GET_MANY_LUA, LEASE_ACQUIRE_LUA, LEASE_RELEASE_LUA, LIST_LUA } from "./scripts.js";
import { WriteBatcher, type BatchLimits } from "./write-batch.js";
import { decodeEntries, type DecodedRun } from "./log-entry.js";
import { header, parseReply, replyEnd, RespConnection, RespError } from "./resp.js";
import type { ChainableCommander } from "ioredis";
import {
  CompactedError,
  InvalidRequestError,
  StoreError,
  StoreUnavailableError,
  type ChangeEvent,
  type ChangeType,
  type ListOptions,
  type ListResult,
  type StoredObject,
  type TxnOp,
  type WatchOptions,
} from "./types.js";

type Arg = string | number | Buffer;
type Reply = unknown[];

/** The scripted commands defined on every connection (via the `scripts` option). */
interface ScriptedRedis extends Redis {
  storeBatchBuffer(...args: Arg[]): Promise<Reply>;
  storeGetBuffer(...args: Arg[]): Promise<Reply | null>;
  storeGetManyBuffer(...args: Arg[]): Promise<Reply>;
  storeListBuffer(...args: Arg[]): Promise<Reply>;
  storeEventsBuffer(...args: Arg[]): Promise<Reply>;
  storeCompact(...args: Arg[]): Promise<number>;
  storeLeaseAcquire(...args: Arg[]): Promise<number>;
  storeLeaseRelease(...args: Arg[]): Promise<number>;
}

const SCRIPTS: RedisOptions["scripts"] = {
  storeBatch: { lua: BATCH_LUA, numberOfKeys: 7 },
  storeGet: { lua: GET_LUA, numberOfKeys: 4, readOnly: true },
  storeGetMany: { lua: GET_MANY_LUA, numberOfKeys: 4, readOnly: true },
  storeList: { lua: LIST_LUA, numberOfKeys: 6, readOnly: true },
  storeEvents: { lua: EVENTS_LUA, numberOfKeys: 3, readOnly: true },
  storeCompact: { lua: COMPACT_LUA, numberOfKeys: 5 },
  storeLeaseAcquire: { lua: LEASE_ACQUIRE_LUA, numberOfKeys: 1 },
  storeLeaseRelease: { lua: LEASE_RELEASE_LUA, numberOfKeys: 1 },
};

const TYPES: Record<string, ChangeType> = { ADDED: "ADDED", MODIFIED: "MODIFIED", DELETED: "DELETED" };
/** Log entries one events/watch read scans at most (bounds the time a script holds Redis). */
const MAX_SCAN = 10_000;
/** Revisions one compaction script trims at most (compact() loops). */
const COMPACT_STEP = 5_000;
/** Log entries one watch read returns at most (matching or not). */
const WATCH_BATCH = 1_000;
/** How long a caught-up watch blocks in XREAD before polling again. */
const WATCH_BLOCK_MS = 5_000;

function num(v: unknown): number {
  if (typeof v === "number") return v;
  if (v === null || v === undefined) return 0;
  return Number(Buffer.isBuffer(v) ? v.toString() : v);
}

function str(v: unknown): string {
  return Buffer.isBuffer(v) ? v.toString() : String(v);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((res) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      res();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** execAll runs a MULTI block and returns its replies, throwing the first error. */
async function execAll(m: ChainableCommander): Promise<unknown[]> {
  const res = await m.exec();
  if (!res) throw new StoreUnavailableError("redis: transaction aborted");
  return res.map(([err, v]) => {
    if (err) throw err;
    return v;
  });
}

/** One read of the log: matching events, the last revision scanned, and the head revision. */
interface LogRead {
  events: ChangeEvent[];
  scanned: number;
  head: number;
}

/**
 * RedisStore is the etcd contract on Redis. Build it with {@link RedisStore.connect}; share one
 * instance per process (it pipelines concurrent calls on one connection).
 *
 * @example
 * const store = await RedisStore.connect("redis://127.0.0.1:6379");
 * const a = await store.create("/pods/default/web", bytes);
 * await store.update(a.key, newBytes, a.modRevision); // ConflictError if someone else wrote
 * for await (const ev of store.watch("/pods/", a.modRevision)) console.log(ev.type, ev.key);
 */
export class RedisStore {
  /** Open watch connections (closed by close()). */
  private readonly watchConns = new Set<RespConnection>();
  private closed = false;

  private rr = 0;
  /** Group commit of every write (write-batch.ts). */
  private readonly writes: WriteBatcher;

  private constructor(
    private readonly url: string,
    private readonly pool: ScriptedRedis[],
    private readonly k: KeyLayout,
    batch: BatchLimits,
  ) {
    this.writes = new WriteBatcher(
      // All batches on one connection: Redis runs them in send order, so revisions follow queue order.
      (packed) => pool[0].storeBatchBuffer(k.revision, k.index, k.log, k.resources, k.modRevisions, k.createRevisions, k.values, packed),
      batch,
    );
  }

  /** The next pooled connection (round robin). */
  private get redis(): ScriptedRedis {
    return this.pool[this.rr++ % this.pool.length];
  }

  /**
   * connect opens the store's connections (`connections`, default 1, used round robin) and
   * resolves once Redis is ready (AOF loaded). Writes are grouped into batches (`batch`
   * limits, see write-batch.ts), one batch in flight at a time, so one connection suffices.
   */
  static async connect(url: string, opts: { prefix?: string; connections?: number; batch?: BatchLimits } = {}): Promise<RedisStore> {
    const pool = Array.from({ length: Math.max(1, opts.connections ?? 1) }, () => RedisStore.open(url));
    try {
      await Promise.all(pool.map((r) => r.connect()));
    } catch (err) {
      for (const r of pool) r.disconnect();
      throw new StoreUnavailableError(`cannot connect to ${url}`, { cause: err });
    }
    return new RedisStore(url, pool, keyLayout(opts.prefix ?? "k8s"), opts.batch ?? {});
  }

  private static open(url: string): ScriptedRedis {
    const redis = new Redis(url, {
      lazyConnect: true,
      scripts: SCRIPTS,
      enableAutoPipelining: true,
      // In-flight and queued commands fail at once when the connection drops (see top).
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: (times) => Math.min(times * 50, 1000),
      connectionName: "store",
    }) as ScriptedRedis;
    redis.on("error", () => undefined); // surfaced per command as StoreUnavailableError
    return redis;
  }

  /** create writes a new key; AlreadyExistsError if it exists. */
  async create(key: string, value: Uint8Array): Promise<StoredObject> {
    return (await this.writes.submit([{ op: "create", key, value }]))[0];
  }

  /** get reads one key, or undefined when it does not exist. */
  async get(key: string): Promise<StoredObject | undefined> {
    const r = await this.call(() => this.redis.storeGetBuffer(this.k.modRevisions, this.k.createRevisions, this.k.values, this.k.log, key));
    if (!r) return undefined;
    return { key, value: r[0] as Buffer, modRevision: num(r[1]), createRevision: num(r[2]) };
  }

  /** getMany reads several keys at one instant, in one round trip: each one's object, or undefined. */
  async getMany(keys: readonly string[]): Promise<Array<StoredObject | undefined>> {
    if (keys.length === 0) return [];
    const r = await this.call(() => this.redis.storeGetManyBuffer(this.k.modRevisions, this.k.createRevisions, this.k.values, this.k.log, ...keys));
    return keys.map((key, i) => (r[3 * i] ? { key, value: r[3 * i] as Buffer, modRevision: num(r[3 * i + 1]), createRevision: num(r[3 * i + 2]) } : undefined));
  }

  /**
   * list returns the objects whose key starts with `prefix`, in key order, consistent at the
   * returned revision (one script). Include the trailing "/" in the prefix (`/pods/` not `/pods`).
   */
  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const limit = Math.max(0, opts.limit ?? 0);
    const reply = await this.call(() =>
      this.redis.storeListBuffer(this.k.revision, this.k.index, this.k.log, this.k.modRevisions, this.k.createRevisions, this.k.values, prefix, opts.startAfter ?? "", limit),
    );
    const items: StoredObject[] = [];
    for (let i = 2; i < reply.length; i += 4) {
      items.push({ key: str(reply[i]), value: reply[i + 1] as Buffer, modRevision: num(reply[i + 2]), createRevision: num(reply[i + 3]) });
    }
    return { items, revision: num(reply[0]), more: num(reply[1]) === 1 };
  }

  /** update replaces a key's value if its modRevision is `expectedModRevision`; ConflictError / NotFoundError. */
  async update(key: string, value: Uint8Array, expectedModRevision: number): Promise<StoredObject> {
    return (await this.writes.submit([{ op: "update", key, value, expectedModRevision }]))[0];
  }

  /**
   * delete removes a key (if at `expectedModRevision`, when given) and returns its last value,
   * with modRevision = the delete's revision. ConflictError / NotFoundError.
   */
  async delete(key: string, expectedModRevision?: number): Promise<StoredObject> {
    return (await this.writes.submit([{ op: "delete", key, expectedModRevision }]))[0];
  }

  /**
   * txn applies all ops atomically or none: every check is made against the state before the
   * transaction, then each write op takes the next revision (consecutive, in op order) and logs
   * one event. Returns one StoredObject per write op, in op order ("check" ops return nothing).
   * A key may be written at most once per transaction (InvalidRequestError).
   */
  async txn(ops: TxnOp[]): Promise<StoredObject[]> {
    if (ops.length === 0) return [];
    if (ops.length > 1) {
      const written = new Set<string>();
      for (const op of ops) {
        if (op.op === "check") continue;
        if (written.has(op.key)) throw new InvalidRequestError(`transaction writes ${op.key} twice`);
        written.add(op.key);
      }
    }
    return this.writes.submit(ops);
  }

  /** currentRevision is the revision of the last write (0 for an empty store). */
  async currentRevision(): Promise<number> {
    return num(await this.call(() => this.redis.get(this.k.revision)));
  }

  /** compactRevision is the highest revision removed from the log (0: none). */
  async compactRevision(): Promise<number> {
    return num(await this.call(() => this.redis.get(this.k.compact)));
  }

  /**
   * events returns the changes with revision > fromRevision under `prefix`, in order, at most
   * `limit` (0 or absent: all up to now). CompactedError if fromRevision < compactRevision().
   */
  async events(prefix: string, fromRevision: number, limit = 0): Promise<ChangeEvent[]> {
    return (await this.scanEvents(prefix, fromRevision, limit)).events;
  }

  /**
   * scanEvents: like {@link events}, plus `scannedTo`, the revision up to which the log was read.
   * No event under `prefix` exists in (fromRevision, scannedTo] beyond those returned, so a
   * reader (an informer) may treat itself as complete up to `scannedTo` even when nothing
   * matched — and need not scan that stretch again.
   */
  async scanEvents(prefix: string, fromRevision: number, limit = 0): Promise<{ events: ChangeEvent[]; scannedTo: number }> {
    // Fast path for a resource with no change after fromRevision (most informers, most of the
    // time): its last revision comes from the same hash the write script updates with each
    // event, read atomically with the head, so no log scan (which blocks Redis) is needed.
    const resource = resourceOf(prefix);
    if (resource) {
      const [compact, head, resourceLast] = (await this.call(() => execAll(this.redis.multi().get(this.k.compact).get(this.k.revision).hget(this.k.resources, resource)))) as [
        string | null,
        string | null,
        string | null,
      ];
      if (fromRevision < Number(compact ?? 0)) throw new CompactedError(fromRevision, Number(compact ?? 0));
      if (Number(resourceLast ?? 0) <= fromRevision) return { events: [], scannedTo: Math.max(fromRevision, Number(head ?? 0)) };
    }
    const out: ChangeEvent[] = [];
    let from = fromRevision;
    for (;;) {
      const want = limit > 0 ? limit - out.length : MAX_SCAN;
      const read = await this.readLog(this.redis, prefix, from, want);
      out.push(...read.events);
      from = read.scanned;
      if (limit > 0 && out.length >= limit) return { events: out, scannedTo: out[out.length - 1]!.revision };
      if (from >= read.head) return { events: out, scannedTo: Math.max(from, fromRevision) };
    }
  }


  /**
   * watch yields every change after `fromRevision` under `prefix`, in revision order, once each,
   * until `signal` aborts or the store closes. It reads on its own connection; if that drops it
   * retries with backoff and resumes after the last delivered revision (calling `onResume`).
   * Throws CompactedError if the revisions it needs have been compacted (at the start, or after
   * falling behind the compaction window). It reads every log entry and filters by prefix in
   * the client: cheapest for the relay's whole-log watch ("/"), wasteful for narrow prefixes on
   * a busy log (use `events` or the relay's subjects there).
   */
  async *watch(prefix: string, fromRevision: number, opts: WatchOptions & { signal?: AbortSignal } = {}): AsyncIterable<ChangeEvent> {
    for await (const run of this.watchRuns(prefix, fromRevision, opts)) {
      for (const ev of run) {
        yield ev;
        if (this.closed || opts.signal?.aborted) return;
      }
    }
  }

  /**
   * watchRuns: {@link watch} one read of the log at a time: each run holds the (non-empty)
   * matching events of one read, in revision order, as soon as the read returns. A reader that
   * handles a run as a whole (the relay publishes it in a few messages) pays per read, not per event.
   */
  async *watchRuns(prefix: string, fromRevision: number, opts: WatchOptions & { signal?: AbortSignal } = {}): AsyncIterable<ChangeEvent[]> {
    const { signal, onResume } = opts;
    if (signal?.aborted || this.closed) return;
    // Its own connection (RespConnection: replies parsed in place), opened again after a failure.
    let conn: RespConnection | undefined;
    const onAbort = () => conn?.close();
    signal?.addEventListener("abort", onAbort, { once: true });
    const stopped = () => this.closed || signal?.aborted === true;
    let last = fromRevision;
    let failures = 0;
    const prefixBytes = Buffer.from(prefix);
    const log = this.k.log;
    try {
      // Reads: after (re)connecting, the compaction check and the first read in one MULTI;
      // then plain XRANGE until caught up; then XREAD BLOCK, whose entries are delivered
      // directly. A read whose first entry is not last + 1 has hit compaction (the log has no
      // holes above the compact revision), so no event is ever skipped.
      let caughtUp = false;
      while (!stopped()) {
        const from = last;
        // Each read's entries are decoded from the reply bytes (decodeEntries) as they arrive.
        const entries = (buf: Buffer, pos: number) => decodeEntries(buf, pos, prefixBytes, from);
        let run: DecodedRun & { count: number };
        try {
          if (!conn) {
            const opened = await this.call(() => RespConnection.open(this.url, "store-watch"));
            if (stopped()) {
              opened.close();
              return;
            }
            conn = opened;
            this.watchConns.add(conn);
            // EXEC's reply: [compact revision, XRANGE entries].
            const exec = (buf: Buffer, pos: number) => {
              const [n, first] = header(buf, pos);
              if (n !== 2) return new RespError(`unexpected EXEC reply of ${n} elements`);
              const [compact, at] = parseReply(buf, first);
              if (compact instanceof RespError) return compact;
              if (buf[at] === 0x2d) return parseReply(buf, at)[0] as RespError;
              return { compact: num(compact), run: entries(buf, at) };
            };
            const [, , , r] = await this.call(() =>
              Promise.all([
                opened.command(["MULTI"]),
                opened.command(["GET", this.k.compact]),
                opened.command(["XRANGE", log, `(${last}-1`, "+", "COUNT", WATCH_BATCH]),
                opened.command(["EXEC"], exec),
              ]),
            );
            if (last < r.compact) throw new CompactedError(last, r.compact);
            run = r.run;
          } else if (caughtUp) {
            // XREAD's reply: nil after BLOCK timed out, else [[stream, entries]].
            const xread = (buf: Buffer, pos: number) => {
              const [streams, at] = header(buf, pos);
              if (streams < 0) return { events: [], scanned: from, gap: false, count: 0 };
              const name = header(buf, at)[1]; // [stream name, entries]
              return entries(buf, replyEnd(buf, name));
            };
            const c = conn;
            run = await this.call(() => c.command(["XREAD", "COUNT", WATCH_BATCH, "BLOCK", WATCH_BLOCK_MS, "STREAMS", log, `${last}-1`], xread));
          } else {
            const c = conn;
            run = await this.call(() => c.command(["XRANGE", log, `(${last}-1`, "+", "COUNT", WATCH_BATCH], entries));
          }
        } catch (err) {
          if (err instanceof StoreError && !(err instanceof StoreUnavailableError)) throw err;
          if (stopped()) return;
          failures++;
          if (conn) {
            this.watchConns.delete(conn);
            conn.close();
            conn = undefined;
          }
          await sleep(Math.min(25 * 2 ** failures, 1000), signal);
          continue;
        }
        if (failures > 0) {
          failures = 0;
          onResume?.(last);
        }
        if (run.gap) throw new CompactedError(last, await this.compactRevision());
        if (run.events.length > 0) {
          yield run.events;
          if (stopped()) return;
        }
        last = run.scanned;
        // A short read reached the end of the log (a blocking read that timed out stays caught up).
        caughtUp = run.count < WATCH_BATCH;
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      if (conn) {
        this.watchConns.delete(conn);
        conn.close();
      }
    }
  }

  /**
   * compact removes log entries at or below `revision` and records it as the compact revision.
   * A revision at or below the current compact revision is a no-op; above the current revision
   * it is an InvalidRequestError.
   */
  async compact(revision: number): Promise<void> {
    const current = await this.currentRevision();
    if (revision > current) throw new InvalidRequestError(`cannot compact to ${revision}: current revision is ${current}`);
    let compacted = await this.compactRevision();
    do {
      const step = Math.min(revision, compacted + COMPACT_STEP);
      compacted = num(await this.call(() => this.redis.storeCompact(this.k.compact, this.k.log, this.k.revision, this.k.modRevisions, this.k.values, step)));
    } while (compacted < revision);
  }

  /**
   * startCompactor compacts every `intervalMs` (default 60 s) so that the last `window`
   * revisions stay in the log. Failures are retried at the next tick. Returns a stop function.
   */
  startCompactor(window: number, intervalMs = 60_000): () => void {
    let running = false;
    const tick = async () => {
      if (running || this.closed) return;
      running = true;
      try {
        const target = (await this.currentRevision()) - window;
        if (target > (await this.compactRevision())) await this.compact(target);
      } catch {
        // Redis unavailable: try again next tick.
      } finally {
        running = false;
      }
    };
    const timer = setInterval(() => void tick(), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * tryAcquireLease takes the named lease for `ttlMs` if it is free or already held by
   * `holder` (a renewal). True when `holder` holds it afterwards. Not revisioned, not logged.
   */
  async tryAcquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    return (await this.call(() => this.redis.storeLeaseAcquire(this.k.leasePrefix + name, holder, Math.max(1, Math.round(ttlMs))))) === 1;
  }

  /** releaseLease frees the named lease if `holder` holds it. */
  async releaseLease(name: string, holder: string): Promise<void> {
    await this.call(() => this.redis.storeLeaseRelease(this.k.leasePrefix + name, holder));
  }

  /** getCursor reads a named revision cursor (0 when never set). Not revisioned, not logged. */
  async getCursor(name: string): Promise<number> {
    return num(await this.call(() => this.redis.hget(this.k.cursors, name)));
  }

  /** setCursor stores a named revision cursor (last writer wins). */
  async setCursor(name: string, revision: number): Promise<void> {
    await this.call(() => this.redis.hset(this.k.cursors, name, revision));
  }

  /** close ends every watch and closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.watchConns) c.close();
    await Promise.all(
      this.pool.map(async (r) => {
        try {
          await r.quit();
        } catch {
          r.disconnect();
        }
      }),
    );
  }

  /** One scripted log read on `conn`: at most `limit` matching events after `from`. */
  private async readLog(conn: ScriptedRedis, prefix: string, from: number, limit: number): Promise<LogRead> {
    const reply = await this.call(() => conn.storeEventsBuffer(this.k.compact, this.k.log, this.k.revision, prefix, from, limit, MAX_SCAN), from);
    const events: ChangeEvent[] = [];
    for (let i = 2; i < reply.length; i += 6) {
      events.push({
        revision: num(reply[i]),
        type: TYPES[str(reply[i + 1])],
        key: str(reply[i + 2]),
        value: reply[i + 3] as Buffer,
        createRevision: num(reply[i + 4]),
        prevRevision: num(reply[i + 5]),
      });
    }
    return { events, head: num(reply[0]), scanned: num(reply[1]) };
  }

  /** call runs one Redis command and maps its failure to the store's named errors. */
  private async call<T>(fn: () => Promise<T>, from?: number): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw mapError(err, from);
    }
  }
}

/** mapError turns a script's error reply into a named error, anything else into StoreUnavailableError. */
export function mapError(err: unknown, from?: number): StoreError {
  if (err instanceof StoreError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const m = /^(COMPACTED|FUTURE) (\d+)/.exec(message);
  if (m?.[1] === "COMPACTED") return new CompactedError(from ?? 0, Number(m[2]));
  if (m?.[1] === "FUTURE") return new InvalidRequestError(`revision is in the future; current revision is ${m[2]}`);
  return new StoreUnavailableError(`redis: ${message}`, { cause: err });
}
