/**
 * watch: the API server's watch cache and fan-out.
 *
 * One informer per resource type (started on the first watch of that type) follows the
 * change events on the bus, gap-filled from the store's log, and keeps the current objects.
 * A watch from resourceVersion R first replays the log after R (410 Expired when compacted),
 * then streams live events; events are deduplicated by revision, so the splice between the
 * two is exact. A watch without R (or R = "0") starts with an ADDED event per existing object.
 *
 * Selectors apply to the old and the new object, as in Kubernetes: an object that starts
 * matching arrives as ADDED, one that stops matching as DELETED.
 */
import { fieldsOf, matchesFields, parseFieldSelector, parseLabelSelector } from "../apimachinery/index.js";
import { Informer, type Cached } from "../client/index.js";
import type { Bus, Logger } from "../kernel/index.js";
import type { ResourceInfo } from "../schema/index.js";
import { listPrefix } from "../store/object-keys.js";
import { CompactedError, type RedisStore } from "../store/index.js";
import { decodeObject, type KubeObject } from "./codec.js";
import { errors, type Status } from "./errors.js";
import { storeListWatch } from "./store-source.js";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject | Status;
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

interface Watcher {
  /** "" for all namespaces. */
  namespace: string;
  namespacePrefix: string;
  matches(obj: KubeObject): boolean;
  lastSent: number;
  /** Live events that arrived while the backlog was being sent. */
  pending: Array<{ type: "ADDED" | "MODIFIED" | "DELETED"; obj: KubeObject; old: KubeObject | undefined; revision: number }> | undefined;
  send(e: WatchEvent): void;
  close(): void;
}

function withRevision(obj: KubeObject, revision: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
}

/** The watch event a watcher with `matches` sees for one change (undefined: nothing). Pure. */
export function project(
  type: "ADDED" | "MODIFIED" | "DELETED",
  obj: KubeObject,
  old: KubeObject | undefined,
  revision: number,
  matches: (o: KubeObject) => boolean,
): WatchEvent | undefined {
  if (type === "DELETED") return old && matches(old) ? { type: "DELETED", object: withRevision(old, revision) } : undefined;
  const now = matches(obj);
  const before = old !== undefined && matches(old);
  if (now && before) return { type: "MODIFIED", object: obj };
  if (now) return { type: "ADDED", object: obj };
  if (before) return { type: "DELETED", object: obj };
  return undefined;
}

/** One resource type's cache and watchers. */
class ResourceWatch {
  readonly informer: Informer<KubeObject>;
  private readonly watchers = new Set<Watcher>();
  private readonly ready: Promise<void>;

  constructor(
    readonly info: ResourceInfo,
    private readonly store: RedisStore,
    bus: Bus,
    log: Logger,
  ) {
    const source = storeListWatch(store, bus, info.storeResource, (err) => log.warn("dropped a bad change event", { err, resource: info.storeResource }));
    this.informer = new Informer<KubeObject>(source, (v, item) => decodeObject(v, item.modRevision), {
      resyncCheckMs: 5000,
      onError: (err, context) => log.warn(context, { err, resource: info.storeResource }),
    });
    this.informer.addHandlers({
      onEvent: (type, obj, old, revision) => this.fanOut(type, obj, old, revision),
      onRelist: () => {
        // Continuity lost: end every stream; clients re-watch from their last revision.
        for (const w of [...this.watchers]) w.close();
      },
    });
    this.ready = this.informer.start();
  }

  private fanOut(type: "ADDED" | "MODIFIED" | "DELETED", c: Cached<KubeObject>, old: Cached<KubeObject> | undefined, revision: number): void {
    for (const w of this.watchers) {
      if (!c.key.startsWith(w.namespacePrefix)) continue;
      if (w.pending) {
        w.pending.push({ type, obj: c.object, old: old?.object, revision });
        continue;
      }
      deliver(w, type, c.object, old?.object, revision);
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
          if (c.key.startsWith(w.namespacePrefix) && w.matches(c.object)) w.send({ type: "ADDED", object: c.object });
        }
      } else {
        w.lastSent = fromRevision;
        const events = await this.store.events(listPrefix(this.info.storeResource, w.namespace), fromRevision);
        // Selectors need each object's previous state; the replay knows it only from the
        // first event it sees of that object on (before that, the object counts as unchanged).
        const prev = new Map<string, KubeObject>();
        for (const e of events) {
          if (e.revision <= w.lastSent) continue;
          const obj = decodeObject(e.value, e.revision);
          const old = prev.get(e.key) ?? (e.type === "ADDED" ? undefined : obj);
          const type = e.type;
          deliver(w, type, obj, type === "DELETED" ? obj : e.type === "ADDED" ? undefined : old, e.revision);
          if (type === "DELETED") prev.delete(e.key);
          else prev.set(e.key, obj);
        }
      }
      const pending = w.pending;
      w.pending = undefined;
      for (const p of pending) deliver(w, p.type, p.obj, p.old, p.revision);
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

function deliver(w: Watcher, type: "ADDED" | "MODIFIED" | "DELETED", obj: KubeObject, old: KubeObject | undefined, revision: number): void {
  if (revision <= w.lastSent) return;
  w.lastSent = revision;
  const e = project(type, obj, old, revision, w.matches);
  if (e) w.send(e);
}

/** WatchHub: every resource's watch cache, created on first use. */
export class WatchHub {
  private readonly resources = new Map<string, ResourceWatch>();

  constructor(
    private readonly store: RedisStore,
    private readonly bus: Bus,
    private readonly log: Logger,
    private readonly opts: WatchOptions = {},
  ) {}

  private resource(info: ResourceInfo): ResourceWatch {
    let r = this.resources.get(info.storeResource);
    if (!r) {
      r = new ResourceWatch(info, this.store, this.bus, this.log);
      this.resources.set(info.storeResource, r);
    }
    return r;
  }

  /**
   * Streams events to `send` until the client goes away (`signal`), the timeout passes or the
   * cache loses continuity. Selector and resourceVersion errors throw before anything is sent.
   */
  async watch(info: ResourceInfo, req: WatchRequest, send: (e: WatchEvent) => void, signal: AbortSignal): Promise<void> {
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
      matches: (obj) => (!labels || labels.matches(obj.metadata.labels ?? {})) && (!fields || matchesFields(fields, fieldsOf(info.kind, obj))),
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
      ? setInterval(() => w.send({ type: "BOOKMARK", object: { kind: info.kind, apiVersion: info.apiVersion, metadata: { resourceVersion: String(Math.max(w.lastSent, r.revision)) } } }), this.opts.bookmarkIntervalMs ?? 60_000)
      : undefined;
    try {
      try {
        await r.add(w, from);
      } catch (err) {
        if (err instanceof CompactedError) {
          // Kubernetes answers 200 and then an ERROR event with the 410 Status.
          send({ type: "ERROR", object: errors.gone(`too old resource version: ${from} (${err.compactRevision + 1})`).status });
          return;
        }
        throw err;
      }
      if (signal.aborted) w.close();
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
  }
}
