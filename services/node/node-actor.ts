/**
 * NodeActor: one simulated kubelet. It registers its Node (create, or bring an existing one
 * back to its config), renews its Lease in `kube-node-lease`, reports the Node's status, and
 * runs the pods bound to it: each pod is a key in the node's work queue; a sync re-reads the
 * pod (shared informer), the runtime's view and the status last written, asks
 * {@link decidePod} what to do, and applies it. Runtime events and pod events only enqueue.
 * Nothing that matters lives only here: after a restart the node re-registers and adopts its
 * pods from the informer and their statuses.
 */
import { isStatus, WorkQueue, type KubeClient, type KubeObject } from "../client/index.js";
import { Actor, type Bus, type Clock, type Logger } from "../kernel/index.js";
import type { NodeHostConfig } from "./config.js";
import { PodIPAllocator } from "./ip-allocator.js";
import { leaseTickerFor, type LeaseTicker } from "./lease-ticker.js";
import { leaseObject, NODE_LEASE_NAMESPACE, nodeHostIP, nodeName, nodeObject, nodePodCIDR, nodeStatus, reregisteredNode } from "./node-object.js";
import type { PodHub } from "./pod-hub.js";
import { decidePod } from "./pod-sync.js";
import type { PodSandbox, Runtime } from "./runtime.js";
import { sameStatus, type StatusWriter } from "./status-writer.js";

/** What a NodeActor is built from (the host shares client, hub and writer). */
export interface NodeActorOptions {
  config: NodeHostConfig;
  /** The node's index: name `<prefix>-<index>`, its IPs. */
  index: number;
  bus: Bus;
  client: KubeClient;
  hub: PodHub;
  writer: StatusWriter;
  runtime: Runtime;
  logger?: Logger;
  clock?: Clock;
  /** Sync workers per node (default 2). */
  workers?: number;
  /** Orphaned runtime pods are swept this often (ms, default 30 s). */
  sweepMs?: number;
  /** Renews the Lease on the host's shared tick (default: a ticker of this node alone). */
  leases?: LeaseTicker;
}

/** Counters of one node (health detail, tests). */
export interface NodeStats {
  syncs: number;
  starts: number;
  deletes: number;
  leaseRenewals: number;
}

/**
 * isCreatingStatus: a Pending status whose every container is still waiting to be created
 * (ContainerCreating / PodInitializing, nothing ran before): the status of a pod just started,
 * which a quick start soon replaces with Running (so its write may be held).
 */
export function isCreatingStatus(status: any): boolean {
  if (status?.phase !== "Pending") return false;
  const inits: any[] = status.initContainerStatuses ?? [];
  const apps: any[] = status.containerStatuses ?? [];
  return inits.length + apps.length > 0 && inits.every(isCreating) && apps.every(isCreating);
}

/** A container status waiting to be created, that never ran before. */
function isCreating(c: any): boolean {
  const reason = c?.state?.waiting?.reason;
  return (reason === "ContainerCreating" || reason === "PodInitializing") && !(c.restartCount > 0) && !c.lastState?.terminated;
}

export class NodeActor extends Actor {
  /** The Node's name. */
  readonly nodeName: string;
  readonly stats: NodeStats = { syncs: 0, starts: 0, deletes: 0, leaseRenewals: 0 };
  private readonly cfg: NodeHostConfig;
  private readonly hostIP: string;
  private readonly ips: PodIPAllocator;
  private readonly uidByKey = new Map<string, string>();
  private readonly keyByUid = new Map<string, string>();
  private queue: WorkQueue<string> | undefined;
  private node: KubeObject | undefined;
  private lease: KubeObject | undefined;
  private acquired = false;

  constructor(private readonly opts: NodeActorOptions) {
    const name = nodeName(opts.config.prefix, opts.index);
    super({ kind: "node", id: name, bus: opts.bus, ...(opts.logger ? { logger: opts.logger } : {}), ...(opts.clock ? { clock: opts.clock } : {}) });
    this.nodeName = name;
    this.cfg = opts.config;
    this.hostIP = nodeHostIP(opts.index);
    this.ips = new PodIPAllocator(nodePodCIDR(opts.index));
    opts.runtime.onEvent((e) => {
      const key = this.keyByUid.get(e.podUid);
      if (key) this.queue?.add(key);
    });
  }

  /** Pods this node runs (runtime view). */
  get podCount(): number {
    return this.opts.runtime.pods().length;
  }

  protected override healthDetail(): string {
    return `pods ${this.podCount}; syncs ${this.stats.syncs}; lease renewals ${this.stats.leaseRenewals}`;
  }

  protected async onStart(): Promise<void> {
    this.acquired = true;
    await this.opts.hub.acquire();
    await this.register();
    await this.renewLease();
    const leases = this.opts.leases ?? leaseTickerFor(this.cfg.leaseRenewMs, this.clock);
    this.onRelease(leases.add(this.cfg.leaseRenewMs, () => this.renewLease().catch((err) => this.log.error("lease renewal failed", { err }))));
    this.every(this.cfg.statusReportMs, () => this.reportStatus());
    this.every(this.opts.sweepMs ?? 30_000, () => this.sweep());
    const queue = new WorkQueue<string>({ baseMs: 50, maxMs: 5_000 });
    this.queue = queue;
    this.onRelease(() => {
      queue.shutdown();
      if (this.queue === queue) this.queue = undefined;
    });
    const { hub, writer } = this.opts;
    // The echo of this node's own status write changes nothing a sync looks at: skip it. A
    // revision seen while a write is in flight may be that write's echo (the event can come
    // before the reply): it is checked again once the write ended.
    this.onRelease(
      hub.register(this.nodeName, (key, pod) => {
        const rev = pod?.modRevision;
        if (rev === undefined) return queue.add(key);
        if (writer.isOwnWrite(key, rev)) return;
        if (!writer.whenWritten(key, () => writer.isOwnWrite(key, rev) || queue.add(key))) queue.add(key);
      }),
    );
    for (const key of this.opts.hub.keysOf(this.nodeName)) queue.add(key);
    void queue.run(this.opts.workers ?? 2, (key) => this.sync(key), (key, err) => this.log.warn("pod sync failed; retrying", { key, err }));
  }

  /** The Lease renewal, the pod listener and the work queue are released with the timers (onRelease); here the hub. */
  protected override async onStop(): Promise<void> {
    if (this.acquired) {
      this.acquired = false;
      this.opts.hub.release();
    }
  }

  // ---- Node and Lease -------------------------------------------------------------------

  /** register: create the Node, or bring the existing one back to this config and report status. */
  private async register(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        let node: KubeObject;
        try {
          node = await this.opts.client.get("Node", "", this.nodeName);
        } catch (err) {
          if (!isStatus(err, 404)) throw err;
          this.node = await this.opts.client.create(nodeObject(this.cfg, this.opts.index, this.clock.now()) as KubeObject);
          this.log.info("registered node", { node: this.nodeName });
          return;
        }
        const updated = reregisteredNode(node, this.cfg, this.opts.index);
        if (updated) node = await this.opts.client.update(updated);
        this.node = await this.opts.client.updateStatus({ ...node, status: nodeStatus(this.cfg, this.opts.index, this.nodeName, this.clock.now(), node.status) });
        this.log.info("re-registered node", { node: this.nodeName });
        return;
      } catch (err) {
        if ((isStatus(err, 409) || isStatus(err, 404)) && attempt < 5) continue;
        throw err;
      }
    }
  }

  private async reportStatus(): Promise<void> {
    const node = this.node;
    if (!node) return this.register();
    try {
      this.node = await this.opts.client.updateStatus({ ...node, status: nodeStatus(this.cfg, this.opts.index, this.nodeName, this.clock.now(), node.status) });
    } catch (err) {
      if (isStatus(err, 409)) {
        this.node = await this.opts.client.get("Node", "", this.nodeName);
        return this.reportStatus();
      }
      if (isStatus(err, 404)) {
        this.node = undefined;
        return this.register();
      }
      throw err;
    }
  }

  private async renewLease(retry = true): Promise<void> {
    const now = this.clock.now();
    const client = this.opts.client;
    try {
      if (this.lease) {
        // The API server stores a Lease update as sent (identity and generation are the stored
        // ones, which the lease was built from): the renewed lease is what was sent, at the revision written.
        const lease = leaseObject(this.nodeName, this.node?.metadata, this.cfg.leaseDurationSeconds, now, this.lease);
        const modRevision = await client.updateUndecoded(lease);
        this.lease = { ...lease, metadata: { ...lease.metadata, resourceVersion: String(modRevision) } };
      } else {
        let existing: KubeObject | undefined;
        try {
          existing = await client.get("Lease", NODE_LEASE_NAMESPACE, this.nodeName);
        } catch (err) {
          if (!isStatus(err, 404)) throw err;
        }
        const lease = leaseObject(this.nodeName, this.node?.metadata, this.cfg.leaseDurationSeconds, now, existing);
        this.lease = existing ? await client.update(lease) : await client.create(lease);
      }
      this.stats.leaseRenewals++;
    } catch (err) {
      this.lease = undefined; // re-read: someone else wrote it (409) or deleted it (404)
      if ((isStatus(err, 409) || isStatus(err, 404)) && retry) return this.renewLease(false);
      throw err;
    }
  }

  // ---- pods ----------------------------------------------------------------------------

  /** sync: one pod, level-based (see the module doc). */
  private async sync(key: string): Promise<void | { requeueAfterMs?: number }> {
    this.stats.syncs++;
    const { hub, runtime, writer } = this.opts;
    const cached = hub.get(key);
    if (!cached || cached.nodeName !== this.nodeName) return this.forget(key);
    const pod = cached.object;
    const uid: string = cached.uid;
    const knownUid = this.uidByKey.get(key);
    if (knownUid !== uid) {
      if (knownUid) this.forget(key); // same name, new pod
      this.uidByKey.set(key, uid);
      this.keyByUid.set(uid, key);
    }
    const podIP = this.ips.ensure(uid, pod.status?.podIP);
    const node = { hostIP: this.hostIP, podIP, backoff: this.cfg.backoff };
    // The status last asked for (the cache may lag behind it); starting containers does not change it.
    const known = writer.latest(key, cached.modRevision) ?? pod.status;

    let actions = decidePod({ pod, instances: runtime.inspect(uid), status: known, node, now: this.clock.now() });
    let sandbox: PodSandbox | undefined;
    for (let round = 0; round < 16 && actions.some((a) => a.type === "start"); round++) {
      sandbox ??= { uid, namespace: pod.metadata.namespace, name: pod.metadata.name, annotations: pod.metadata.annotations ?? {} };
      for (const a of actions) {
        if (a.type !== "start") continue;
        runtime.startContainer(sandbox, a.container, a.attempt, a.previous);
        this.stats.starts++;
      }
      actions = decidePod({ pod, instances: runtime.inspect(uid), status: known, node, now: this.clock.now() });
    }

    let requeueAfterMs: number | undefined;
    for (const a of actions) {
      switch (a.type) {
        case "stop":
          runtime.stopPod(uid, a.graceMs);
          break;
        case "status":
          if (!sameStatus(a.status, known)) writer.set(key, a.status, isCreatingStatus(a.status) ? this.cfg.statusHoldMs : 0);
          break;
        case "delete":
          await this.finishDeletion(key, uid);
          break;
        case "requeue":
          requeueAfterMs = a.afterMs;
          break;
        case "start":
          break; // more than 16 rounds of starts: the next sync continues
      }
    }
    return requeueAfterMs !== undefined ? { requeueAfterMs } : undefined;
  }

  /** Graceful deletion is over: write the terminal status, delete with grace 0, drop the runtime pod. */
  private async finishDeletion(key: string, uid: string): Promise<void> {
    const { writer, client } = this.opts;
    await writer.flush(key);
    const pod = writer.newest(key);
    if (!pod || pod.metadata.uid !== uid) return;
    try {
      await client.delete("Pod", pod.metadata.namespace, pod.metadata.name, { gracePeriodSeconds: 0, resourceVersion: pod.metadata.resourceVersion });
      this.stats.deletes++;
    } catch (err) {
      if (!isStatus(err, 404)) throw err; // 409: the pod moved; the sync runs again
    }
    this.opts.runtime.removePod(uid);
    this.ips.release(uid);
  }

  /** The pod left this node (deleted, or never ours): drop its runtime state. */
  private forget(key: string): void {
    const uid = this.uidByKey.get(key);
    this.uidByKey.delete(key);
    this.opts.writer.forget(key);
    if (!uid) return;
    this.keyByUid.delete(uid);
    this.opts.runtime.removePod(uid);
    this.ips.release(uid);
  }

  /** Runtime pods with no pod bound to this node any more (missed events) are removed. */
  private sweep(): void {
    for (const uid of this.opts.runtime.pods()) {
      const key = this.keyByUid.get(uid);
      const pod = key ? this.opts.hub.get(key) : undefined;
      if (!pod || pod.uid !== uid || pod.nodeName !== this.nodeName) {
        if (key) this.queue?.add(key);
        else {
          this.opts.runtime.removePod(uid);
          this.ips.release(uid);
        }
      }
    }
  }
}
