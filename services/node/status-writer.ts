/**
 * StatusWriter: the node host's pod status manager. Status updates are coalesced per pod
 * (the latest wins; one write in flight per pod) and bounded across the process (at most
 * `concurrency` writes in flight). Each write is a compare-and-swap on the resourceVersion of
 * the newest pod the writer knows (the informer's, or the one its own last write stored);
 * on 409 it re-reads the pod (cache when it moved on, else a GET) and tries again; a 404 drops
 * the write (the pod is gone).
 *
 * A status may be held (`set(key, status, holdMs)`): written after `holdMs` unless a newer,
 * unheld status replaces it first, so a pod that becomes Running quickly gets one write instead
 * of ContainerCreating then Running, while one that takes long still shows ContainerCreating.
 *
 * {@link StatusWriter.latest} answers the status the node last asked for while the informer
 * has not caught up with it, so a sync never reverts to a stale cached status.
 */
import { isStatus, type Cached, type KubeClient, type KubeObject } from "../client/index.js";
import type { Logger } from "../kernel/index.js";

/** What the writer knows of one pod (a class: one shape for every entry, kept per pod). */
class Entry {
  /** Status waiting to be written. */
  pending: any = undefined;
  inflight = false;
  /** The pod the last write stored (its status is the status written), and its revision. */
  sent: KubeObject | undefined = undefined;
  sentRevision = 0;
  /** Resolved when nothing is pending or in flight (see {@link StatusWriter.flush}). */
  waiters: Array<() => void> | undefined = undefined;
  /** Called when the write in flight ends (see {@link StatusWriter.whenWritten}). */
  afterWrite: Array<() => void> | undefined = undefined;
  retryTimer: NodeJS.Timeout | undefined = undefined;
  /** Set while a held status waits (see {@link StatusWriter.set}). */
  holdTimer: NodeJS.Timeout | undefined = undefined;

  /** Resolves the flush waiters. */
  settle(): void {
    const waiters = this.waiters;
    this.waiters = undefined;
    if (waiters) for (const w of waiters) w();
  }
}

/** prune: drop what protobuf drops (null, "", false, 0, empty objects and lists), for comparing. */
export function prune(v: any): any {
  if (Array.isArray(v)) return v.length === 0 ? undefined : v.map((x) => prune(x) ?? null);
  if (v && typeof v === "object") {
    const out: Record<string, any> = {};
    for (const k of Object.keys(v).sort()) {
      const p = prune(v[k]);
      if (p !== undefined) out[k] = p;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  if (v === null || v === undefined || v === "" || v === false || v === 0) return undefined;
  return v;
}

/** Whether {@link prune} drops `v` entirely. */
function prunesAway(v: any): boolean {
  if (v === null || v === undefined || v === "" || v === false || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === "object") {
    for (const k in v) if (!prunesAway(v[k])) return false;
    return true;
  }
  return false;
}

/** prunedEqual: `JSON.stringify(prune(a)) === JSON.stringify(prune(b))`, without building either. */
function prunedEqual(a: any, b: any): boolean {
  if (a === b) return true;
  const ea = prunesAway(a);
  const eb = prunesAway(b);
  if (ea || eb) return ea && eb;
  const aa = Array.isArray(a);
  if (aa !== Array.isArray(b)) return false;
  if (aa) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!prunedEqual(a[i], b[i])) return false;
    return true;
  }
  if (typeof a === "object" && typeof b === "object") {
    for (const k in a) if (!prunedEqual(a[k], b[k])) return false;
    for (const k in b) if (!(k in a) && !prunesAway(b[k])) return false;
    return true;
  }
  return false; // different primitives (a === b was checked)
}

/** sameStatus: equal after {@link prune} (key order ignored). */
export function sameStatus(a: any, b: any): boolean {
  return prunedEqual(a, b);
}

/**
 * statusUpdateBody: what a pods/status update needs: the pod's identity, its resourceVersion
 * (the compare-and-swap) and managedFields (a status write replaces them), and the status. The
 * API server takes everything else from the stored pod, so the spec is not sent.
 */
function statusUpdateBody(pod: KubeObject, status: any): KubeObject {
  const m = pod.metadata;
  const metadata: Record<string, unknown> = { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion };
  if (m.managedFields) metadata.managedFields = m.managedFields;
  return { apiVersion: pod.apiVersion ?? "v1", kind: pod.kind ?? "Pod", metadata, status };
}

/**
 * statusWritten: the pod a status write of `status` onto `pod` stored at `modRevision`: the API
 * server keeps the stored pod (the one at the resourceVersion the write swapped) and replaces its
 * status and managedFields with the request's. Equal to decoding the reply up to what protobuf
 * drops (empty values), which every reader here tolerates.
 */
function statusWritten(pod: KubeObject, status: any, modRevision: number): KubeObject {
  return { ...pod, metadata: { ...pod.metadata, resourceVersion: String(modRevision) }, status };
}

export interface StatusWriterOptions {
  /** Writes in flight across the process (default 256). */
  concurrency?: number;
  /** Conflict retries per write before it is retried later (default 5). */
  conflictRetries?: number;
  /** Delay before retrying after another error (ms, default 500). */
  retryMs?: number;
}

export class StatusWriter {
  private readonly entries = new Map<string, Entry>();
  private running = 0;
  private readonly ready: string[] = [];
  private readonly concurrency: number;
  private closed = false;
  /** Writes done / 409s retried / failures (for health detail and benchmarks). */
  readonly stats = { writes: 0, conflicts: 0, errors: 0 };

  constructor(
    private readonly client: KubeClient,
    private readonly cached: (key: string) => Cached<KubeObject> | undefined,
    private readonly log: Logger,
    private readonly opts: StatusWriterOptions = {},
  ) {
    this.concurrency = opts.concurrency ?? 256;
  }

  /**
   * set: write `status` for the pod at informer key `key` (coalesced with earlier sets). With
   * `holdMs` > 0 and nothing else pending for the pod, the write waits that long first (a later
   * set without hold writes at once and replaces it); otherwise it joins the queue now.
   */
  set(key: string, status: any, holdMs = 0): void {
    if (this.closed) return;
    let e = this.entries.get(key);
    if (!e) this.entries.set(key, (e = new Entry()));
    const idle = !e.pending && !e.inflight && !e.retryTimer;
    e.pending = status;
    if (holdMs > 0) {
      if (idle && !e.holdTimer) {
        const entry = e;
        e.holdTimer = setTimeout(() => {
          entry.holdTimer = undefined;
          if (entry.pending && !entry.inflight && !entry.retryTimer && this.entries.get(key) === entry) this.enqueue(key);
        }, holdMs);
        e.holdTimer.unref();
      }
      return;
    }
    if (e.holdTimer) {
      clearTimeout(e.holdTimer);
      e.holdTimer = undefined;
    }
    if (!e.inflight && !e.retryTimer) this.enqueue(key);
  }

  /** latest: the newest status asked for, unless the cache already holds a newer pod. */
  latest(key: string, cachedRevision: number): any | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.pending) return e.pending;
    if (e.sent && e.sentRevision >= cachedRevision) return e.sent.status;
    return undefined;
  }

  /**
   * isOwnWrite: the pod at `modRevision` is exactly what this writer's last write stored and
   * nothing is pending or in flight (so a sync of it would decide nothing new).
   */
  isOwnWrite(key: string, modRevision: number): boolean {
    const e = this.entries.get(key);
    if (!e || e.pending || e.inflight || !e.sent) return false;
    return e.sentRevision === modRevision;
  }

  /** written: the pod stored by this writer's last write of `key`, when that write is at `modRevision`. */
  written(key: string, modRevision: number): KubeObject | undefined {
    const e = this.entries.get(key);
    return e?.sent && e.sentRevision === modRevision ? e.sent : undefined;
  }

  /** The newest pod object known for `key` (the cache's or the one the last write stored). */
  newest(key: string): KubeObject | undefined {
    const c = this.cached(key);
    const e = this.entries.get(key);
    if (!c) return e?.sent;
    if (e?.sent && e.sentRevision > c.modRevision) return e.sent;
    return c.object;
  }

  /**
   * whenWritten: when a write of `key` is in flight, calls `fn` once it ended (whatever the
   * outcome) and returns true; returns false (and never calls `fn`) when none is in flight.
   */
  whenWritten(key: string, fn: () => void): boolean {
    const e = this.entries.get(key);
    if (!e?.inflight) return false;
    (e.afterWrite ??= []).push(fn);
    return true;
  }

  /** flush: resolves when nothing is pending or in flight for `key`. */
  flush(key: string): Promise<void> {
    const e = this.entries.get(key);
    if (!e || (!e.pending && !e.inflight)) return Promise.resolve();
    return new Promise((res) => (e.waiters ??= []).push(res));
  }

  /** forget: drop what is known of `key` (the pod left this node). */
  forget(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    if (e.retryTimer) clearTimeout(e.retryTimer);
    if (e.holdTimer) clearTimeout(e.holdTimer);
    e.retryTimer = e.holdTimer = undefined;
    e.pending = undefined;
    if (!e.inflight) {
      this.entries.delete(key);
      e.settle();
    }
  }

  /** Pods with a write pending or in flight. */
  get backlog(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.pending || e.inflight) n++;
    return n;
  }

  close(): void {
    this.closed = true;
    for (const key of [...this.entries.keys()]) this.forget(key);
  }

  private enqueue(key: string): void {
    this.ready.push(key);
    this.pump();
  }

  private pump(): void {
    while (this.running < this.concurrency && this.ready.length > 0) {
      const key = this.ready.shift()!;
      const e = this.entries.get(key);
      if (!e || e.inflight || !e.pending) continue;
      this.running++;
      e.inflight = true;
      void this.write(key, e).finally(() => {
        this.running--;
        e.inflight = false;
        const after = e.afterWrite;
        e.afterWrite = undefined;
        if (after) for (const fn of after) fn();
        if (e.pending && !e.retryTimer && !this.closed) this.enqueue(key);
        else if (!e.pending) {
          e.settle();
          if (!e.sent && !e.retryTimer) this.entries.delete(key);
        }
        this.pump();
      });
    }
  }

  private async write(key: string, e: Entry): Promise<void> {
    const status = e.pending;
    e.pending = undefined;
    let pod = this.newest(key);
    const uid = pod?.metadata.uid;
    const retries = this.opts.conflictRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      if (!pod) return; // gone from the cache: nothing to write to
      if (!pod.spec?.nodeName || pod.metadata.uid !== uid) return; // unbound, or replaced by a new pod of that name: not this status's pod
      try {
        const modRevision = await this.client.updateUndecoded(statusUpdateBody(pod, status), "status");
        this.stats.writes++;
        e.sent = statusWritten(pod, status, modRevision);
        e.sentRevision = modRevision;
        return;
      } catch (err) {
        if (isStatus(err, 404)) {
          e.sent = undefined;
          return;
        }
        if (isStatus(err, 409) && attempt < retries) {
          this.stats.conflicts++;
          const c = this.cached(key);
          if (c && c.modRevision > Number(pod.metadata.resourceVersion)) pod = c.object;
          else {
            try {
              pod = await this.client.get("Pod", pod.metadata.namespace, pod.metadata.name);
            } catch (getErr) {
              if (isStatus(getErr, 404)) return;
              throw getErr;
            }
          }
          if (e.pending) return; // a newer status arrived meanwhile: it is written next
          continue;
        }
        this.stats.errors++;
        this.log.warn("pod status write failed; retrying", { key, err });
        e.pending ??= status;
        e.retryTimer = setTimeout(() => {
          e.retryTimer = undefined;
          if (e.pending && !e.inflight) this.enqueue(key);
        }, this.opts.retryMs ?? 500);
        e.retryTimer.unref();
        return;
      }
    }
  }
}
