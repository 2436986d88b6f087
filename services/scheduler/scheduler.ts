/**
 * Scheduler: the kube-scheduler actor. Every replica is active; they race only at the binding,
 * which checks and charges the node's capacity atomically (see Registry.bind).
 *
 * Per replica: informers on Pods and Nodes; a queue of the pods it is responsible for
 * (unbound, `schedulerName` default-scheduler or empty, not being deleted); a loop that pops
 * a pod, filters and scores nodes from the cache, assumes the pod on the chosen node (charges
 * it locally so the next pods see it) and binds with up to `bindConcurrency` binds in flight.
 * A failed bind releases the charge and retries the pod with backoff on another node; a pod no
 * node fits waits for a cluster change (node added/updated, pod deleted, capacity released)
 * and gets a FailedScheduling event. Pods are sharded across the live replicas (rendezvous
 * hashing over the replicas answering the membership probe, see {@link replicasSubject}) so each is scheduled by one of
 * them; another replica takes a pod over after `takeoverMs`. No state lives only here:
 * after a restart the informers rebuild everything.
 */
import { Informer, KubeClient, type Cached, type KubeObject, isStatus } from "../client/index.js";
import { Actor, KINDS, subjects, type Bus, type Clock, type Logger } from "../kernel/index.js";
import { bus as busProto } from "../schema/bus.js";
import { EventRecorder } from "./events.js";
import { failedSchedulingMessage, filterNode, nodeInfoOf, podInfoOf, podSpecInfo, type NodeInfo, type PodInfo, type PodSpecInfo } from "./filters.js";
import { SchedulingQueue, DEFAULT_QUEUE_TIMINGS, type QueueTimings } from "./queue.js";
import type { ResourceAmounts } from "./resources.js";
import { PlainNodeIndex } from "./node-index.js";
import { feasibleNodesToFind, scoreNodes, selectHost } from "./score.js";
import { SpecCache, schedulerPodView } from "./pod-view.js";
import { shardOwner } from "./shard.js";

/** The scheduler name pods select by default. */
export const DEFAULT_SCHEDULER_NAME = "default-scheduler";

/** Options of {@link Scheduler}. */
export interface SchedulerOptions {
  /** Actor id (also the replica's identity in sharding and reportingInstance). */
  id: string;
  bus: Bus;
  /** Defaults to a KubeClient on `bus`. */
  client?: KubeClient;
  logger?: Logger;
  clock?: Clock;
  /** Pods whose spec.schedulerName is this (or empty) are ours (default "default-scheduler"). */
  schedulerName?: string;
  /**
   * Binds in flight at once (default 256). Kubernetes binds each pod in its own goroutine, with
   * no limit; here a bind waits 50-200 ms for the API server under load, so 64 (the old
   * default) held binding seconds behind pod creation at 1,000+ pods/s.
   */
  bindConcurrency?: number;
  queue?: Partial<QueueTimings>;
  /** How often to look for the other replicas (ms, default 2000; 0: no sharding, schedule every pod). */
  peerProbeMs?: number;
  /** Another replica's pod still unbound after this long (since first seen) is taken over (ms, default 5000). */
  takeoverMs?: number;
  /** Write Scheduled/FailedScheduling events (default true). */
  events?: boolean;
  /** Informers' replay check period (ms, default 10 s). */
  resyncCheckMs?: number;
  random?: () => number;
}

/** A pod counted on a node: bound (seen in the cache) or assumed (bind sent, not yet seen). */
interface Counted {
  node: string;
  requests: ResourceAmounts;
  nonZero: { cpu: number; memory: number };
  assumed: boolean;
}

/**
 * A pending pod: when this replica first saw it, and its shard owner among `peers` (computed
 * once per membership: `peers` is replaced, never changed, when the replicas change).
 */
interface Seen {
  at: number;
  owner: string | undefined;
  peers: readonly string[];
}

/** The `peers` of a Seen whose owner is not computed yet. */
const NO_PEERS: readonly string[] = [];

/** Pods scheduled per drain pass before yielding to the event loop. */
const DRAIN_BATCH = 256;

function addAmounts(into: ResourceAmounts, add: ResourceAmounts, sign: 1 | -1): void {
  for (const k in add) {
    const next = (into[k] ?? 0) + sign * add[k]!;
    if (next > 0) into[k] = next;
    else delete into[k];
  }
}

/**
 * replicasSubject: where the replicas of one scheduler name answer the membership probe (an
 * ActorHealth). Only they subscribe to it, so a probe does not wake every actor of the cluster
 * (a node host runs thousands) as the all-actors health broadcast would.
 */
export function replicasSubject(schedulerName: string): string {
  return subjects.actor(schedulerName, "replicas");
}

/** What decided the nodes' relevance for retrying unschedulable pods. */
function nodeSchedulingView(n: KubeObject): string {
  const ready = (n.status?.conditions ?? []).find((c: KubeObject) => c?.type === "Ready")?.status;
  return JSON.stringify([n.metadata.labels ?? {}, n.spec?.taints ?? [], n.spec?.unschedulable ?? false, n.status?.allocatable ?? n.status?.capacity ?? {}, ready]);
}

/** Binds in flight per scheduler replica unless configured (see SchedulerOptions.bindConcurrency). */
const DEFAULT_BIND_CONCURRENCY = 256;

export class Scheduler extends Actor {
  private readonly client: KubeClient;
  private readonly schedulerName: string;
  private readonly bindConcurrency: number;
  private readonly random: () => number;
  private queue: SchedulingQueue;
  private pods: Informer<KubeObject> | undefined;
  private nodes: Informer<KubeObject> | undefined;
  private recorder: EventRecorder | undefined;
  private readonly nodeInfos = new Map<string, NodeInfo>();
  /** Decoded pod specs shared by the pods of one template (see pod-view.ts). */
  private readonly specs = new SpecCache();
  private nodeList: NodeInfo[] = [];
  /** The nodes of nodeInfos by score for plain pods (the fast path of findNode); updated with every node and charge change. */
  private readonly plainIndex = new PlainNodeIndex();
  private nextStartNode = 0;
  private readonly counted = new Map<string, Counted>();
  private readonly inFlight = new Set<string>();
  private readonly firstSeen = new Map<string, Seen>();
  private peers: string[] = [];
  private drainScheduled = false;
  private dueTimer: NodeJS.Timeout | undefined;
  private dueAt = 0;
  private active = false;
  /** Counters for health, logs and tests. */
  readonly stats = { scheduled: 0, bindConflicts: 0, bindErrors: 0, unschedulable: 0 };

  constructor(private readonly opts: SchedulerOptions) {
    super({ kind: "scheduler", id: opts.id, bus: opts.bus, ...(opts.logger ? { logger: opts.logger } : {}), ...(opts.clock ? { clock: opts.clock } : {}) });
    this.client = opts.client ?? new KubeClient(opts.bus);
    this.schedulerName = opts.schedulerName ?? DEFAULT_SCHEDULER_NAME;
    this.bindConcurrency = Math.max(1, opts.bindConcurrency ?? DEFAULT_BIND_CONCURRENCY);
    this.random = opts.random ?? Math.random;
    this.queue = this.newQueue();
  }

  protected override healthDetail(): string {
    const q = this.queue.sizes;
    return `peers ${this.peers.length}; nodes ${this.nodeInfos.size}; active ${q.active}, backoff ${q.backoff}, unschedulable ${q.unschedulable}, parked ${q.parked}; binding ${this.inFlight.size}; scheduled ${this.stats.scheduled}; pod specs decoded ${this.specs.stats.decodes}, shared ${this.specs.stats.hits}`;
  }

  protected async onStart(): Promise<void> {
    this.resetState();
    const informerOpts = { ...(this.opts.resyncCheckMs !== undefined ? { resyncCheckMs: this.opts.resyncCheckMs } : {}), onError: (err: unknown, context: string) => this.log.warn("informer error", { context, err }) };
    const nodes = this.client.informer("Node", informerOpts);
    const pods = this.client.informerOf<KubeObject>("Pod", (value, meta, previous) => schedulerPodView(value, meta, previous, this.specs), informerOpts);
    this.nodes = nodes;
    this.pods = pods;
    nodes.addHandlers({
      onAdd: (o) => this.onNode(o, undefined),
      onUpdate: (old, o) => this.onNode(o, old),
      onDelete: (o) => this.onNodeDeleted(o),
    });
    pods.addHandlers({
      onAdd: (o) => this.onPod(o),
      onUpdate: (_old, o) => this.onPod(o, true),
      onDelete: (o) => this.onPodDeleted(o),
    });
    if (this.opts.events ?? true) this.recorder = new EventRecorder(this.client, { component: this.schedulerName, instance: this.id, busy: () => this.inFlight.size > 0 || this.queue.sizes.active > 0 }, this.log.child("events"));
    await nodes.start();
    await pods.start();
    const probeMs = this.opts.peerProbeMs ?? 2000;
    if (probeMs > 0) {
      this.subscribe(replicasSubject(this.schedulerName), (m) => void m.respond(KINDS.ActorHealth, busProto.ActorHealth.encode(this.health()).finish()), { expectKind: KINDS.HealthProbe });
      await this.probePeers();
      this.every(probeMs, () => this.probePeers());
    } else {
      this.peers = [this.id];
    }
    this.active = true;
    this.log.info("scheduler started", { nodes: nodes.size, pods: pods.size, peers: this.peers });
    this.kick();
  }

  protected override async onStop(): Promise<void> {
    this.active = false;
    this.pods?.stop();
    this.nodes?.stop();
    this.recorder?.stop();
    if (this.dueTimer) clearTimeout(this.dueTimer);
    this.dueTimer = undefined;
  }

  private newQueue(): SchedulingQueue {
    return new SchedulingQueue({ ...DEFAULT_QUEUE_TIMINGS, ...(this.opts.queue ?? {}) }, () => this.clock.now());
  }

  private resetState(): void {
    this.queue = this.newQueue();
    this.nodeInfos.clear();
    this.nodeList = [];
    this.plainIndex.clear();
    this.counted.clear();
    this.inFlight.clear();
    this.firstSeen.clear();
    this.peers = [];
  }

  // ---- membership ---------------------------------------------------------------------

  private async probePeers(): Promise<void> {
    const replies = await this.bus.requestAll(replicasSubject(this.schedulerName), KINDS.HealthProbe, new Uint8Array(0), { timeoutMs: 300, expectKind: KINDS.ActorHealth });
    const live = replies.map((b) => busProto.ActorHealth.decode(b)).filter((h) => h.state === "running" || h.state === "starting");
    const ids = new Set(live.map((h) => h.id));
    ids.add(this.id);
    const peers = [...ids].sort();
    if (peers.join(",") === this.peers.join(",")) return;
    this.log.info("scheduler replicas changed", { peers });
    this.peers = peers;
    this.queue.unparkAll();
    this.kick();
  }

  // ---- cache --------------------------------------------------------------------------

  private responsibleFor(pod: KubeObject): boolean {
    const name = pod.spec?.schedulerName;
    return (!name || name === this.schedulerName) && !pod.spec?.nodeName && !pod.metadata.deletionTimestamp;
  }

  private onNode(o: Cached<KubeObject>, old: Cached<KubeObject> | undefined): void {
    const name = o.object.metadata.name as string;
    const info = nodeInfoOf(o.object);
    const prev = this.nodeInfos.get(name);
    if (prev) {
      info.requested = prev.requested;
      info.nonZeroRequested = prev.nonZeroRequested;
      Object.assign(prev, info); // keep the object identity in nodeList and plainIndex
      this.plainIndex.update(prev);
    } else {
      for (const c of this.counted.values()) {
        if (c.node !== name) continue;
        addAmounts(info.requested, c.requests, 1);
        info.nonZeroRequested.cpu += c.nonZero.cpu;
        info.nonZeroRequested.memory += c.nonZero.memory;
      }
      this.nodeInfos.set(name, info);
      this.plainIndex.update(info);
    }
    this.nodesChanged();
    if (!old || nodeSchedulingView(old.object) !== nodeSchedulingView(o.object)) this.clusterChanged();
  }

  private onNodeDeleted(o: Cached<KubeObject>): void {
    const info = this.nodeInfos.get(o.object.metadata.name);
    if (info) this.plainIndex.remove(info);
    this.nodeInfos.delete(o.object.metadata.name);
    this.nodesChanged();
  }

  private nodesChanged(): void {
    if (this.nodeList.length !== this.nodeInfos.size) this.nodeList = [...this.nodeInfos.values()];
  }

  private onPod(o: Cached<KubeObject>, updated = false): void {
    const pod = o.object;
    if (pod.spec?.nodeName) {
      const c = this.counted.get(o.key);
      if (c && !c.assumed && c.node === pod.spec.nodeName) return; // seen bound before (a status write): nothing changes here
      this.count(o.key, pod.spec.nodeName, pod, false);
      this.forgetPending(o.key);
      return;
    }
    if (!this.responsibleFor(pod)) {
      this.forgetPending(o.key);
      return;
    }
    if (this.inFlight.has(o.key) || this.counted.has(o.key)) return; // being bound, or bound and not yet seen so
    const parkUntil = this.parkUntil(o.key, pod);
    if (!updated && parkUntil !== undefined) {
      this.queue.add(o.key, parkUntil); // another replica's: only its takeover wakes the loop
      this.armDueTimer();
      return;
    }
    if (updated) this.queue.update(o.key);
    else this.queue.add(o.key);
    this.kick();
  }

  private onPodDeleted(o: Cached<KubeObject>): void {
    this.forgetPending(o.key);
    if (this.uncount(o.key)) this.clusterChanged();
  }

  private forgetPending(key: string): void {
    this.queue.delete(key);
    this.firstSeen.delete(key);
  }

  /** Counts a pod on a node (moving it if it was counted elsewhere). */
  private count(key: string, node: string, pod: KubeObject, assumed: boolean, info?: PodSpecInfo): void {
    const prev = this.counted.get(key);
    if (prev && prev.node === node) {
      if (!assumed) prev.assumed = false;
      return;
    }
    if (prev) this.uncount(key);
    const { requests, nonZero } = info ?? podSpecInfo(pod);
    const c: Counted = { node, requests, nonZero, assumed };
    this.counted.set(key, c);
    const n = this.nodeInfos.get(node);
    if (n) {
      addAmounts(n.requested, c.requests, 1);
      n.nonZeroRequested.cpu += c.nonZero.cpu;
      n.nonZeroRequested.memory += c.nonZero.memory;
      this.plainIndex.update(n);
    }
  }

  /** Removes a pod's charge; true when it had one. */
  private uncount(key: string): boolean {
    const c = this.counted.get(key);
    if (!c) return false;
    this.counted.delete(key);
    const n = this.nodeInfos.get(c.node);
    if (n) {
      addAmounts(n.requested, c.requests, -1);
      n.nonZeroRequested.cpu -= c.nonZero.cpu;
      n.nonZeroRequested.memory -= c.nonZero.memory;
      this.plainIndex.update(n);
    }
    return true;
  }

  private clusterChanged(): void {
    if (this.queue.moveAllToActive() > 0) this.kick();
  }

  // ---- scheduling ---------------------------------------------------------------------

  private kick(): void {
    if (this.drainScheduled || !this.active) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (!this.active) return;
    this.queue.flush();
    let n = 0;
    while (this.inFlight.size < this.bindConcurrency && n < DRAIN_BATCH) {
      const key = this.queue.pop();
      if (key === undefined) break;
      n++;
      try {
        this.scheduleOne(key);
      } catch (err) {
        this.log.error("scheduling a pod failed", { pod: key, err });
        this.queue.requeueBackoff(key);
      }
    }
    if (n === DRAIN_BATCH) this.kick();
    else if (this.inFlight.size === 0) this.recorder?.resume(); // idle: events at full speed
    this.armDueTimer();
  }

  /** Wakes the loop when the next backoff/park/unschedulable wait ends. */
  private armDueTimer(): void {
    const due = this.queue.nextDueAt();
    if (due === undefined || !this.active) return;
    if (this.dueTimer && this.dueAt <= due) return;
    if (this.dueTimer) clearTimeout(this.dueTimer);
    this.dueAt = due;
    this.dueTimer = setTimeout(() => {
      this.dueTimer = undefined;
      this.kick();
    }, Math.max(1, due - this.clock.now()));
    this.dueTimer.unref();
  }

  private scheduleOne(key: string): void {
    const pod = this.pods?.get(key)?.object;
    if (!pod || !this.responsibleFor(pod) || this.counted.has(key) || this.inFlight.has(key)) {
      this.forgetPending(key);
      return;
    }
    const parkUntil = this.parkUntil(key, pod);
    if (parkUntil !== undefined) {
      this.queue.park(key, parkUntil);
      return;
    }
    const info = podInfoOf(pod);
    const chosen = this.findNode(info);
    if (typeof chosen !== "string") {
      this.stats.unschedulable++;
      this.queue.requeueUnschedulable(key);
      this.recorder?.record(pod, "Warning", "FailedScheduling", chosen.message);
      return;
    }
    this.count(key, chosen, pod, true, info);
    this.inFlight.add(key);
    void this.bind(key, pod, chosen);
  }

  /**
   * parkUntil: for a pending pod of another replica's shard, when this one may take it over
   * (`takeoverMs` after it first saw it); undefined when this replica is to schedule it now.
   */
  private parkUntil(key: string, pod: KubeObject): number | undefined {
    const now = this.clock.now();
    let seen = this.firstSeen.get(key);
    if (!seen) this.firstSeen.set(key, (seen = { at: now, owner: undefined, peers: NO_PEERS }));
    if (this.peers.length <= 1) return undefined;
    if (seen.peers !== this.peers) {
      seen.owner = shardOwner(pod.metadata.uid ?? key, this.peers);
      seen.peers = this.peers;
    }
    if (seen.owner === this.id) return undefined;
    const takeoverAt = seen.at + (this.opts.takeoverMs ?? 5000);
    return now < takeoverAt ? takeoverAt : undefined;
  }

  /** The chosen node's name, or the FailedScheduling message. */
  private findNode(pod: PodInfo): string | { message: string } {
    const picked = this.plainIndex.pick(pod, this.random);
    if (picked) return picked.name;
    // Not a plain case, or no node fits (the general pass names the reasons).
    const nodes = this.nodeList;
    const want = feasibleNodesToFind(nodes.length);
    const feasible: NodeInfo[] = [];
    const rejected = new Map<string, string[]>();
    let i = 0;
    for (; i < nodes.length && feasible.length < want; i++) {
      const n = nodes[(this.nextStartNode + i) % nodes.length]!;
      const reasons = filterNode(pod, n);
      if (reasons.length === 0) feasible.push(n);
      else rejected.set(n.name, reasons);
    }
    if (nodes.length > 0) this.nextStartNode = (this.nextStartNode + i) % nodes.length;
    if (feasible.length === 0) return { message: failedSchedulingMessage(nodes.length, rejected) };
    if (feasible.length === 1) return feasible[0]!.name;
    return feasible[selectHost(scoreNodes(pod, feasible), this.random)]!.name;
  }

  private async bind(key: string, pod: KubeObject, node: string): Promise<void> {
    const ns = pod.metadata.namespace as string;
    const name = pod.metadata.name as string;
    try {
      await this.client.bind(ns, name, node);
      this.stats.scheduled++;
      this.queue.forget(key);
      this.firstSeen.delete(key);
      this.recorder?.record(pod, "Normal", "Scheduled", `Successfully assigned ${ns}/${name} to ${node}`);
    } catch (err) {
      const c = this.counted.get(key);
      if (c?.assumed && c.node === node) this.uncount(key);
      if (isStatus(err, 404)) {
        this.forgetPending(key);
      } else {
        if (isStatus(err, 409)) this.stats.bindConflicts++;
        else {
          this.stats.bindErrors++;
          this.log.warn("bind failed", { pod: `${ns}/${name}`, node, err });
        }
        if (this.active) this.queue.requeueBackoff(key);
      }
      this.clusterChanged(); // the released charge may let an unschedulable pod fit
    } finally {
      this.inFlight.delete(key);
      this.kick();
    }
  }
}
