/**
 * PodHub: the one pod informer of a node host process, indexed by `spec.nodeName`, shared by
 * all its node actors. A node registers a callback for its name and gets the informer key (and
 * the cached record) of every pod that is, or stopped being, bound to it. The informer starts
 * with the first node and stops with the last.
 *
 * Pods are decoded when first read, not when their event arrives ({@link PodRecord}): routing
 * needs only the node name, which is peeked from the stored bytes. Most events are never read
 * in full: the echo of a status write this host made is answered by `written(key,
 * modRevision)` (the pod that write stored) once its reply is in, also when the event came
 * first; a pod bound to no node is cached as a stub with its identity only: no node reads it,
 * and most pods pass through that state once, right after their creation.
 */
import { decodeItem, type Cached, type Informer, type DecodeMeta, type KubeClient, type KubeObject } from "../client/index.js";
import { peekStoredPod } from "../schema/index.js";

/** The cached form of a pod bound to no node: its identity only (no node reads it). */
function stub(name: string, namespace: string, uid: string, modRevision: number): KubeObject {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace, uid, resourceVersion: String(modRevision) }, spec: {} };
}

/** The pod a write of this host stored at a revision, if it is that write's (see PodHub's `written`). */
type WrittenLookup = (key: string, modRevision: number) => KubeObject | undefined;

/**
 * PodRecord: one cached pod. `nodeName` and `uid` are known at once; `object` is the pod as JSON, made on
 * first read: the pod this host's own write stored when the revision is that write's, else the
 * decoded bytes (kept, copied, until then). A decode failure throws from `object`.
 */
export class PodRecord implements Cached<KubeObject> {
  private pod: KubeObject | undefined;
  private bytes: Uint8Array | undefined;

  private constructor(
    readonly key: string,
    readonly modRevision: number,
    readonly createRevision: number,
    readonly nodeName: string,
    readonly uid: string,
    private readonly written: WrittenLookup,
  ) {}

  /** of: the record of stored `value` (bytes of the event, not kept: copied when needed). */
  static of(key: string, value: Uint8Array, modRevision: number, createRevision: number, written: WrittenLookup): PodRecord {
    const own = written(key, modRevision);
    if (own) return PodRecord.resolved(key, own, modRevision, createRevision, written);
    const peek = peekStoredPod(value);
    if (!peek) return PodRecord.resolved(key, decodeItem(value, modRevision), modRevision, createRevision, written);
    if (!peek.nodeName) return PodRecord.resolved(key, stub(peek.name, peek.namespace, peek.uid, modRevision), modRevision, createRevision, written);
    const r = new PodRecord(key, modRevision, createRevision, peek.nodeName, peek.uid, written);
    r.bytes = new Uint8Array(value); // a copy: the event's bytes are a view of the whole bus message
    return r;
  }

  private static resolved(key: string, pod: KubeObject, modRevision: number, createRevision: number, written: WrittenLookup): PodRecord {
    const r = new PodRecord(key, modRevision, createRevision, pod.spec?.nodeName || "", pod.metadata.uid ?? "", written);
    r.pod = pod;
    return r;
  }

  get object(): KubeObject {
    if (!this.pod) {
      this.pod = this.written(this.key, this.modRevision) ?? decodeItem(this.bytes!, this.modRevision);
      this.bytes = undefined;
    }
    return this.pod;
  }
}
import type { Logger } from "../kernel/index.js";

/** Called with the informer key and the cached record (undefined: the pod was deleted) of a pod that changed. */
export type PodListener = (key: string, pod: PodRecord | undefined) => void;

/** PodHubStoppedError: acquire() was interrupted because the hub stopped. */
export class PodHubStoppedError extends Error {
  override name = "PodHubStoppedError";
}

export class PodHub {
  private informer: Informer<PodRecord> | undefined;
  private synced: Promise<void> | undefined;
  private refs = 0;
  private readonly byNode = new Map<string, Set<string>>();
  private readonly listeners = new Map<string, PodListener>();

  constructor(
    private readonly client: KubeClient,
    private readonly log: Logger,
    private readonly resyncCheckMs = 10_000,
    private readonly written: WrittenLookup = () => undefined,
  ) {}

  /** acquire: start the informer (first caller) and resolve once it synced. Pair with release(). */
  acquire(): Promise<void> {
    this.refs++;
    if (!this.synced) {
      const decode = (value: Uint8Array, meta: DecodeMeta) => PodRecord.of(meta.key, value, meta.modRevision, meta.createRevision, this.written);
      const inf = this.client.informerOf<PodRecord>("Pod", decode, { resyncCheckMs: this.resyncCheckMs, onError: (err, context) => this.log.warn(context, { err }) });
      inf.addHandlers({
        onAdd: (o) => this.index(o.key, o.object, undefined),
        onUpdate: (old, o) => this.index(o.key, o.object, old.object),
        onDelete: (o) => this.index(o.key, undefined, o.object),
      });
      this.informer = inf;
      this.synced = inf.start();
    }
    return this.synced;
  }

  /** release: the last release stops the informer. */
  release(): void {
    this.refs = Math.max(0, this.refs - 1);
    if (this.refs > 0 || !this.informer) return;
    this.informer.stop();
    this.informer = undefined;
    this.synced = undefined;
    this.byNode.clear();
  }

  /** register: `onPod(key, pod)` for each change of a pod bound (or formerly bound) to `node`; returns unregister. */
  register(node: string, onPod: PodListener): () => void {
    this.listeners.set(node, onPod);
    return () => {
      if (this.listeners.get(node) === onPod) this.listeners.delete(node);
    };
  }

  /** keysOf: informer keys of the pods bound to `node`. */
  keysOf(node: string): string[] {
    return [...(this.byNode.get(node) ?? [])];
  }

  /** get: the cached pod (its `object` is decoded on first read). */
  get(key: string): PodRecord | undefined {
    return this.informer?.get(key)?.object;
  }

  /** Pods in the cache (all nodes). */
  get size(): number {
    return this.informer?.size ?? 0;
  }

  /** index: the pod at `key` is now `pod` (undefined: deleted), was `old` (the record it replaces). */
  private index(key: string, pod: PodRecord | undefined, old: PodRecord | undefined): void {
    const node = pod?.nodeName || undefined;
    const was = old?.nodeName || undefined;
    if (was !== node) {
      if (was) {
        const set = this.byNode.get(was);
        set?.delete(key);
        if (set && set.size === 0) this.byNode.delete(was);
      }
      if (node) {
        let set = this.byNode.get(node);
        if (!set) this.byNode.set(node, (set = new Set()));
        set.add(key);
      }
      if (was) this.notify(was, key, pod);
    }
    if (node) this.notify(node, key, pod);
  }

  private notify(node: string, key: string, pod: PodRecord | undefined): void {
    const l = this.listeners.get(node);
    if (!l) return;
    try {
      l(key, pod);
    } catch (err) {
      this.log.error("pod listener threw", { node, key, err });
    }
  }
}
