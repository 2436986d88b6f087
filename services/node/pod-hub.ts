/**
 * PodHub: the one pod informer of a node host process, indexed by `spec.nodeName`, shared by
 * all its node actors. A node registers a callback for its name and gets the informer key of
 * every pod that is, or stopped being, bound to it. The informer starts with the first node
 * and stops with the last.
 *
 * The echo of a write this host made (a pod status) is not decoded again: `written(key,
 * modRevision)` answers the object the API returned for that write, which is the stored pod at
 * that revision. A pod bound to no node is cached as a stub (see {@link podView}): no node
 * reads it, and most pods pass through that state once, right after their creation.
 */
import { decodeItem, Informer, type Cached, type KubeClient, type KubeObject } from "../client/index.js";
import { peekStoredPod } from "../schema/index.js";

/**
 * podView: the pod in stored bytes as JSON at `modRevision`, or for a pod bound to no node a
 * stub with only its identity (apiVersion, kind, metadata name/namespace/uid/resourceVersion).
 */
export function podView(value: Uint8Array, modRevision: number): KubeObject {
  const peek = peekStoredPod(value);
  if (peek && !peek.nodeName) return { apiVersion: "v1", kind: "Pod", metadata: { name: peek.name, namespace: peek.namespace, uid: peek.uid, resourceVersion: String(modRevision) }, spec: {} };
  return decodeItem(value, modRevision);
}
import type { Logger } from "../kernel/index.js";

/** PodHubStoppedError: acquire() was interrupted because the hub stopped. */
export class PodHubStoppedError extends Error {
  override name = "PodHubStoppedError";
}

export class PodHub {
  private informer: Informer<KubeObject> | undefined;
  private synced: Promise<void> | undefined;
  private refs = 0;
  private readonly byNode = new Map<string, Set<string>>();
  private readonly nodeOfKey = new Map<string, string>();
  private readonly listeners = new Map<string, (key: string) => void>();

  constructor(
    private readonly client: KubeClient,
    private readonly log: Logger,
    private readonly resyncCheckMs = 10_000,
    private readonly written: (key: string, modRevision: number) => KubeObject | undefined = () => undefined,
  ) {}

  /** acquire: start the informer (first caller) and resolve once it synced. Pair with release(). */
  acquire(): Promise<void> {
    this.refs++;
    if (!this.synced) {
      const source = this.client.api.listWatch({ group: "", resource: "pods" }, "pods");
      const decode = (value: Uint8Array, meta: { key: string; modRevision: number }) => this.written(meta.key, meta.modRevision) ?? podView(value, meta.modRevision);
      const inf = new Informer<KubeObject>(source, decode, { resyncCheckMs: this.resyncCheckMs, onError: (err, context) => this.log.warn(context, { err }) });
      inf.addHandlers({
        onAdd: (o) => this.index(o.key, o.object),
        onUpdate: (_old, o) => this.index(o.key, o.object),
        onDelete: (o) => this.index(o.key, undefined),
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
    this.nodeOfKey.clear();
  }

  /** register: `onPod(key)` for each change of a pod bound (or formerly bound) to `node`; returns unregister. */
  register(node: string, onPod: (key: string) => void): () => void {
    this.listeners.set(node, onPod);
    return () => {
      if (this.listeners.get(node) === onPod) this.listeners.delete(node);
    };
  }

  /** keysOf: informer keys of the pods bound to `node`. */
  keysOf(node: string): string[] {
    return [...(this.byNode.get(node) ?? [])];
  }

  /** get: the cached pod. */
  get(key: string): Cached<KubeObject> | undefined {
    return this.informer?.get(key);
  }

  /** Pods in the cache (all nodes). */
  get size(): number {
    return this.informer?.size ?? 0;
  }

  private index(key: string, pod: KubeObject | undefined): void {
    const node: string | undefined = pod?.spec?.nodeName || undefined;
    const old = this.nodeOfKey.get(key);
    if (old !== node) {
      if (old) {
        const set = this.byNode.get(old);
        set?.delete(key);
        if (set && set.size === 0) this.byNode.delete(old);
        this.nodeOfKey.delete(key);
      }
      if (node) {
        let set = this.byNode.get(node);
        if (!set) this.byNode.set(node, (set = new Set()));
        set.add(key);
        this.nodeOfKey.set(key, node);
      }
    }
    if (old && old !== node) this.notify(old, key);
    if (node) this.notify(node, key);
  }

  private notify(node: string, key: string): void {
    const l = this.listeners.get(node);
    if (!l) return;
    try {
      l(key);
    } catch (err) {
      this.log.error("pod listener threw", { node, key, err });
    }
  }
}
