/**
 * watch: the API server's watch cache and fan-out.
 *
 * One informer per resource type (started on the first watch of that type) follows the
 * store's change log directly (one shared read per process, StoreLogTail, as kube-apiserver's
 * watch cache reads etcd), gap-filled from the log, and keeps the current objects as
 * stored bytes. Each change is decoded, and each of its events encoded, once for all watchers.
 * A watch from resourceVersion R first replays the log after R (410 Expired when compacted),
 * then streams live events; events are deduplicated by revision, so the splice between the
 * two is exact. A watch without R (or R = "0") starts with an ADDED event per existing object.
 *
 * Selectors apply to the old and the new object, as in Kubernetes: an object that starts
 * matching arrives as ADDED, one that stops matching as DELETED (with its previous state).
 */
import { fieldsOf, matchesFields, parseFieldSelector, parseLabelSelector } from "../apimachinery/index.js";
import { Informer } from "../client/index.js";
import type { Logger } from "../kernel/index.js";
import type { ResourceInfo } from "../schema/index.js";
import { listPrefix } from "../store/object-keys.js";
import { CompactedError, type RedisStore } from "../store/index.js";
import { decodeObject, type KubeObject } from "./codec.js";
import { errors, type Status } from "./errors.js";
import { StoreLogTail } from "./store-source.js";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

/** One event of a watch stream. The events of one change are shared by all its watchers. */
export class WatchEvent {
  private line: Buffer | undefined;

  constructor(
    readonly type: WatchEventType,
    readonly object: KubeObject | Status,
  ) {}

  /** The event as one JSON line, encoded once for every watcher that writes it. */
  json(): Buffer {
    return (this.line ??= Buffer.from(JSON.stringify({ type: this.type, object: this.object }) + "\n"));
  }
}

export interface WatchRequest {
  namespace: string;
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks?: boolean;
  /** Stream ends after this many seconds. */
  timeoutSeconds?: number;
}

export interface WatchOptions {
  bookmarkIntervalMs?: number;
  /** Default stream lifetime when the client sets no timeoutSeconds (Kubernetes: 30-60 min). */
  defaultTimeoutSeconds?: number;
}

type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

/**
 * What the watch cache keeps of each object: its stored bytes and revision. Objects are
 * decoded when an event is sent, not kept decoded: a decoded copy of every object would make
 * the heap, and with it every garbage collection pause, grow with the cluster.
 */
interface Entry {
  value: Uint8Array;
  revision: number;
}

/** An entry that owns its bytes (a view would keep the whole message or reply it came in alive). */
function entryOf(value: Uint8Array, revision: number): Entry {
  return { value: new Uint8Array(value), revision };
}

/**
 * One change of one object, for all its watchers: the new state (for DELETED the last one,
 * at the deletion's revision) and the previous state, each decoded at most once and only when
 * some watcher needs it (the previous state only matters to selectors).
 */
class Change {
  private decoded: KubeObject | undefined;
  private decodedOld: KubeObject | undefined;
  private readonly events: Partial<Record<ChangeType, WatchEvent>> = {};

  constructor(
    readonly type: ChangeType,
    private readonly value: Uint8Array,
    private readonly old: Entry | undefined,
    readonly revision: number,
  ) {}

  get hasOld(): boolean {
    return this.old !== undefined;
  }

  object(): KubeObject {
    return (this.decoded ??= decodeObject(this.value, this.revision));
  }

  oldObject(): KubeObject | undefined {
    if (!this.old) return undefined;
    if (this.type === "DELETED") return this.object();
    return (this.decodedOld ??= decodeObject(this.old.value, this.old.revision));
  }

  /**
   * The event of `type` for this change (the same instance for every watcher). An object that
   * stops matching a selector leaves as it last matched, at this change's revision (Kubernetes).
   */
  event(type: ChangeType): WatchEvent {
    const left = type === "DELETED" && this.type !== "DELETED";
    return (this.events[type] ??= new WatchEvent(type, left ? decodeObject(this.old!.value, this.revision) : this.object()));
  }
}

interface Watcher {
  /** "" for all namespaces. */
  namespace: string;
  namespacePrefix: string;
  /** The label and field selectors; undefined when there are none. */
  matches: ((obj: KubeObject) => boolean) | undefined;
  lastSent: number;
  /** Live changes that arrived while the backlog was being sent. */
  pending: Change[] | undefined;
  send(e: WatchEvent): void;
  close(): void;
}

/**
 * The event type a watcher sees for a change of `type`, given whether the object matched its
 * selectors before (`before`) and matches now (`now`); undefined: nothing. Pure.
 */
export function project(type: ChangeType, before: boolean, now: boolean): ChangeType | undefined {
  if (type === "DELETED") return before ? "DELETED" : undefined;
  if (now && before) return "MODIFIED";
  if (now) return "ADDED";
  if (before) return "DELETED";
  return undefined;
}

/** The event `w` sees for `c`, if any. */
function eventFor(w: Watcher, c: Change): WatchEvent | undefined {
  const m = w.matches;
  const before = c.hasOld && (!m || m(c.oldObject()!));
  const now = c.type !== "DELETED" && (!m || m(c.object()));
  const type = project(c.type, before, now);
  return type && c.event(type);
}

/** One resource type's cache and watchers. */
class ResourceWatch {
  private readonly informer: Informer<Entry>;
  private readonly watchers = new Set<Watcher>();
  private readonly ready: Promise<void>;

  constructor(
    readonly info: ResourceInfo,
    private readonly store: RedisStore,
    tail: StoreLogTail,
    log: Logger,
  ) {
    const source = tail.source(info.storeResource);
    this.informer = new Informer<Entry>(source, (v, item) => entryOf(v, item.modRevision), {
      resyncCheckMs: 5000,
      onError: (err, context) => log.warn(context, { err, resource: info.storeResource }),
    });
    this.informer.addHandlers({
      onEvent: (type, c, old, revision) => this.fanOut(c.key, new Change(type, c.object.value, old?.object, revision)),
      onRelist: () => {
        // Continuity lost: end every stream; clients re-watch from their last revision.
        for (const w of [...this.watchers]) w.close();
      },
    });
    this.ready = this.informer.start();
  }

  private fanOut(key: string, c: Change): void {
    for (const w of this.watchers) {
      if (!key.startsWith(w.namespacePrefix)) continue;
      if (w.pending) w.pending.push(c);
      else deliver(w, c);
    }
  }

  /** Registers a watcher and sends its backlog; throws 410 when R is compacted. */
  async add(w: Watcher, fromRevision: number | undefined): Promise<void> {
    await this.ready;
    w.pending = [];
    this.watchers.add(w);
    try {
      if (fromRevision === undefined) {
        // Initial state, then everything after the cache's revision.
        w.lastSent = this.informer.revision;
        for (const c of this.informer.list()) {
          if (!c.key.startsWith(w.namespacePrefix)) continue;
          const e = eventFor(w, new Change("ADDED", c.object.value, undefined, c.object.revision));
          if (e) w.send(e);
        }
      } else {
        w.lastSent = fromRevision;
        const events = await this.store.events(listPrefix(this.info.storeResource, w.namespace), fromRevision);
        // Selectors need each object's previous state; the replay knows it only from the
        // first event it sees of that object on (before that, the object counts as unchanged).
        const prev = new Map<string, Entry>();
        for (const e of events) {
          if (e.revision <= w.lastSent) continue;
          const entry = { value: e.value, revision: e.revision };
          const old = e.type === "ADDED" ? undefined : (prev.get(e.key) ?? entry);
          deliver(w, new Change(e.type, e.value, old, e.revision));
          if (e.type === "DELETED") prev.delete(e.key);
          else prev.set(e.key, entry);
        }
      }
      const pending = w.pending;
      w.pending = undefined;
      for (const c of pending) deliver(w, c);
    } catch (err) {
      this.watchers.delete(w);
      throw err;
    }
  }

  remove(w: Watcher): void {
    this.watchers.delete(w);
  }

  get revision(): number {
    return this.informer.revision;
  }

  stop(): void {
    this.informer.stop();
    for (const w of [...this.watchers]) w.close();
  }
}

function deliver(w: Watcher, c: Change): void {
  if (c.revision <= w.lastSent) return;
  w.lastSent = c.revision;
  const e = eventFor(w, c);
  if (e) w.send(e);
}

/** WatchHub: every resource's watch cache, created on first use. */
export class WatchHub {
  private readonly resources = new Map<string, ResourceWatch>();
  /** Live changes for every watch cache of this process, read straight from the store's log. */
  private readonly tail: StoreLogTail;

  constructor(
    private readonly store: RedisStore,
    private readonly log: Logger,
    private readonly opts: WatchOptions = {},
  ) {
    this.tail = new StoreLogTail(store, log);
  }

  private resource(info: ResourceInfo): ResourceWatch {
    let r = this.resources.get(info.storeResource);
    if (!r) {
      r = new ResourceWatch(info, this.store, this.tail, this.log);
      this.resources.set(info.storeResource, r);
    }
    return r;
  }

  /**
   * Streams events to `send` until the client goes away (`signal`), the timeout passes or the
   * cache loses continuity. Selector and resourceVersion errors throw before anything is sent;
   * `established` is called once the watcher is registered with a synced cache (as Kubernetes
   * sends the response headers only then), after its initial events if it has any.
   */
  async watch(info: ResourceInfo, req: WatchRequest, send: (e: WatchEvent) => void, signal: AbortSignal, established: () => void = () => undefined): Promise<void> {
    const labels = req.labelSelector ? parseLabelSelector(req.labelSelector) : undefined;
    const fields = req.fieldSelector ? parseFieldSelector(req.fieldSelector, info.kind) : undefined;
    let from: number | undefined;
    if (req.resourceVersion !== undefined && req.resourceVersion !== "" && req.resourceVersion !== "0") {
      if (!/^\d+$/.test(req.resourceVersion)) throw errors.badRequest(`invalid resourceVersion "${req.resourceVersion}"`);
      from = Number(req.resourceVersion);
    }
    const r = this.resource(info);
    let closed = false;
    let done!: () => void;
    const finished = new Promise<void>((res) => (done = res));
    const namespace = info.namespaced ? req.namespace : "";
    const w: Watcher = {
      namespace,
      namespacePrefix: info.namespaced && req.namespace ? listPrefix(info.storeResource, req.namespace) : "",
      matches: labels || fields ? (obj) => (!labels || labels.matches(obj.metadata.labels ?? {})) && (!fields || matchesFields(fields, fieldsOf(info.kind, obj))) : undefined,
      lastSent: 0,
      pending: undefined,
      send: (e) => {
        if (!closed) send(e);
      },
      close: () => {
        if (closed) return;
        closed = true;
        done();
      },
    };
    const timeoutS = req.timeoutSeconds && req.timeoutSeconds > 0 ? req.timeoutSeconds : (this.opts.defaultTimeoutSeconds ?? 1800 + Math.floor(Math.random() * 1800));
    const timer = setTimeout(() => w.close(), timeoutS * 1000);
    const onAbort = () => w.close();
    signal.addEventListener("abort", onAbort, { once: true });
    const bookmarks = req.allowWatchBookmarks
      ? setInterval(() => w.send(new WatchEvent("BOOKMARK", { kind: info.kind, apiVersion: info.apiVersion, metadata: { resourceVersion: String(Math.max(w.lastSent, r.revision)) } })), this.opts.bookmarkIntervalMs ?? 60_000)
      : undefined;
    try {
      try {
        await r.add(w, from);
      } catch (err) {
        if (err instanceof CompactedError) {
          // Kubernetes answers 200 and then an ERROR event with the 410 Status.
          send(new WatchEvent("ERROR", errors.gone(`too old resource version: ${from} (${err.compactRevision + 1})`).status));
          return;
        }
        throw err;
      }
      if (signal.aborted) w.close();
      else established();
      await finished;
    } finally {
      clearTimeout(timer);
      if (bookmarks) clearInterval(bookmarks);
      signal.removeEventListener("abort", onAbort);
      r.remove(w);
    }
  }

  stop(): void {
    for (const r of this.resources.values()) r.stop();
    this.resources.clear();
    this.tail.stop();
  }
}
