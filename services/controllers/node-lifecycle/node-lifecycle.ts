/**
 * NodeLifecycleController: watches Nodes, their Leases (`kube-node-lease/<node>`) and the pods
 * bound to them; marks a node whose heartbeat stopped Ready=Unknown, taints it, evicts its
 * pods as their tolerations allow and force-deletes what no kubelet will finish (rules in
 * decide.ts).
 *
 * Level-based: the work queue holds node names. Node events enqueue their node; Lease and pod
 * events enqueue it only when that node needs attention (missing, not Ready, or
 * NoExecute-tainted) or, for a Lease, has no wake-up pending — a healthy cluster's pod churn
 * and heartbeats cost next to nothing. `reconcile(node)` reads
 * the caches, calls {@link decideNode} with the clock's now and applies the result: the
 * status first (compare-and-swap on the cached resourceVersion), then the taints on the
 * object that status write returned, then the pods (deletes carry the cached
 * resourceVersion as a precondition, so a stale view ends in 409 and a retry). Whatever falls
 * due later (heartbeat going stale, a toleration running out) sets a per-node wake-up (the
 * earliest wins).
 */
import { isStatus, WorkQueue, type BackoffConfig, type Cached, type Informer, type KubeObject } from "../../client/index.js";
import { syncErrorLogger, type Controller, type ControllerContext } from "../controller.js";
import { DEFAULT_NODE_LIFECYCLE_CONFIG, type NodeLifecycleConfig } from "./config.js";
import {
  decideNode,
  decideOrphanedPods,
  NO_EXECUTE,
  NODE_LEASE_NAMESPACE,
  readyStatus,
  taintId,
  type LifecyclePod,
  type NodeLease,
  type NodeDecision,
  type PodAction,
  type Taint,
} from "./decide.js";

/** Options of {@link NodeLifecycleController}: the config (defaults: Kubernetes') plus the queue's retry backoff. */
export interface NodeLifecycleOptions extends Partial<NodeLifecycleConfig> {
  /** Retry backoff of the work queue (default 50 ms doubling to 5 s). */
  backoff?: BackoffConfig;
}

const nodeKey = (name: string) => `/nodes/${name}`;

/** Ready and without NoExecute taints: its pods' changes and its heartbeats need no pass of their own. */
function isHealthy(node: KubeObject): boolean {
  return readyStatus(node.status?.conditions) === "True" && !((node.spec?.taints ?? []) as Taint[]).some((t) => t.effect === NO_EXECUTE);
}
const leaseKey = (name: string) => `/leases.coordination.k8s.io/${NODE_LEASE_NAMESPACE}/${name}`;
const LEASE_PREFIX = `/leases.coordination.k8s.io/${NODE_LEASE_NAMESPACE}/`;

/** Per-term state: rebuilt on every start. */
interface Term {
  ctx: ControllerContext;
  queue: WorkQueue<string>;
  nodes: Informer<KubeObject>;
  leases: Informer<KubeObject>;
  pods: Informer<KubeObject>;
  /**
   * Names of the cached nodes that are Ready and not NoExecute-tainted (kept from node events):
   * a pod event's check is one lookup by its interned node name, not the node's store key and conditions.
   */
  healthy: Set<string>;
  /** node name → keys of the pods bound to it. */
  podsByNode: Map<string, Set<string>>;
  /** pod key → the node it is indexed under. */
  nodeOfPod: Map<string, string>;
  /** node name → taintId → when a NoExecute taint without timeAdded was first seen. */
  firstSeen: Map<string, Map<string, number>>;
  /** node name → when the controller first found pods bound to it while it did not exist. */
  missingSince: Map<string, number>;
  /** node name → the pending wake-up (the earliest one wins; see {@link NodeLifecycleController.wakeAfter}). */
  wakeups: Map<string, { at: number; timer: NodeJS.Timeout }>;
  running: Promise<void>;
}

export class NodeLifecycleController implements Controller {
  readonly name = "node-lifecycle";
  readonly config: NodeLifecycleConfig;
  private term: Term | undefined;
  /** Counters for health and tests. */
  readonly stats = { reconciles: 0, markedUnknown: 0, taintUpdates: 0, evictions: 0, forceDeletes: 0, podsMarkedNotReady: 0 };

  constructor(private readonly opts: NodeLifecycleOptions = {}) {
    const { backoff: _backoff, ...config } = opts;
    this.config = { ...DEFAULT_NODE_LIFECYCLE_CONFIG, ...config };
  }

  /** Keys waiting, in process or delayed. */
  get pending(): number {
    return (this.term?.queue.pending ?? 0) + (this.term?.wakeups.size ?? 0);
  }

  status(): string {
    if (!this.term) return "stopped";
    const s = this.stats;
    return `queue ${this.term.queue.pending}, nodes ${this.term.nodes.size}, marked unknown ${s.markedUnknown}, evictions ${s.evictions}, force deletes ${s.forceDeletes}`;
  }

  async start(ctx: ControllerContext): Promise<void> {
    if (this.term) await this.stop();
    const term: Term = {
      ctx,
      queue: new WorkQueue<string>(this.opts.backoff ?? { baseMs: 50, maxMs: 5000 }),
      nodes: ctx.informers.informer("Node"),
      leases: ctx.informers.informer("Lease"),
      pods: ctx.informers.informer("Pod"),
      healthy: new Set(),
      podsByNode: new Map(),
      nodeOfPod: new Map(),
      firstSeen: new Map(),
      missingSince: new Map(),
      wakeups: new Map(),
      running: Promise.resolve(),
    };
    this.term = term;
    const onNode = (c: Cached<KubeObject>, gone = false) => {
      const name: string = c.object.metadata.name;
      if (!gone && isHealthy(c.object)) term.healthy.add(name);
      else term.healthy.delete(name);
      term.queue.add(name);
    };
    term.nodes.addHandlers({ onAdd: (c) => onNode(c), onUpdate: (_old, c) => onNode(c), onDelete: (c) => onNode(c, true) });
    const onLease = (c: Cached<KubeObject>) => {
      if (!c.key.startsWith(LEASE_PREFIX)) return;
      const name: string = c.object.metadata.name;
      // A renewal only moves a healthy node's deadline later: the wake-up set for the old
      // deadline (or earlier) looks again in time, so a healthy node costs one pass per grace period.
      if (term.wakeups.has(name) && !this.needsAttention(term, name)) return;
      term.queue.add(name);
    };
    term.leases.addHandlers({ onAdd: onLease, onUpdate: (_old, c) => onLease(c) });
    term.pods.addHandlers({
      onAdd: (c) => this.indexPod(term, c),
      onUpdate: (old, c) => this.indexPod(term, c, old),
      onDelete: (c) => this.unindexPod(term, c.key),
    });
    await ctx.informers.waitForSync(["Node", "Lease", "Pod"]);
    if (this.term !== term) return; // stopped while syncing
    // The informers may have been started (and filled) by another controller before our handlers.
    for (const c of term.nodes.list()) onNode(c);
    for (const c of term.pods.list()) this.indexPod(term, c);
    for (const node of term.podsByNode.keys()) term.queue.add(node);
    term.running = term.queue.run(
      this.config.workers,
      (node) => this.reconcile(term, node),
      syncErrorLogger(ctx.log, "node lifecycle reconcile failed"),
    );
    ctx.log.info("node lifecycle controller running", { nodes: term.nodes.size, ...this.config });
  }

  async stop(): Promise<void> {
    const term = this.term;
    if (!term) return;
    this.term = undefined;
    for (const w of term.wakeups.values()) clearTimeout(w.timer);
    term.wakeups.clear();
    term.queue.shutdown();
    await term.running;
  }

  // ---- events: index pods by node, enqueue node names ----

  /** indexPod: index the pod under its node (`old`: the update's previous object) and look at that node when it needs attention. */
  private indexPod(term: Term, c: Cached<KubeObject>, old?: Cached<KubeObject>): void {
    const nodeName: string | undefined = c.object.spec?.nodeName || undefined;
    // Only the nodeName moves a pod in the index (a status write keeps it).
    if (old === undefined || (old.object.spec?.nodeName || undefined) !== nodeName) this.reindexPod(term, c.key, nodeName);
    if (nodeName && this.needsAttention(term, nodeName)) term.queue.add(nodeName);
  }

  private reindexPod(term: Term, podKey: string, nodeName: string | undefined): void {
    if (term.nodeOfPod.get(podKey) === nodeName) return;
    this.unindexPod(term, podKey);
    if (!nodeName) return;
    term.nodeOfPod.set(podKey, nodeName);
    let set = term.podsByNode.get(nodeName);
    if (!set) term.podsByNode.set(nodeName, (set = new Set()));
    set.add(podKey);
  }

  private unindexPod(term: Term, podKey: string): void {
    const nodeName = term.nodeOfPod.get(podKey);
    if (nodeName === undefined) return;
    term.nodeOfPod.delete(podKey);
    const set = term.podsByNode.get(nodeName);
    set?.delete(podKey);
    if (set && set.size === 0) term.podsByNode.delete(nodeName);
  }

  /** A pod change matters only on a node that is missing, not Ready, or NoExecute-tainted. */
  private needsAttention(term: Term, nodeName: string): boolean {
    return !term.healthy.has(nodeName);
  }

  // ---- reconcile ----

  private podsOn(term: Term, nodeName: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const key of term.podsByNode.get(nodeName) ?? []) {
      const pod = term.pods.get(key)?.object;
      if (pod && pod.spec?.nodeName === nodeName) out.push(pod);
    }
    return out;
  }

  /** Remember when each NoExecute taint without timeAdded was first seen (forget the rest). */
  private firstSeenOf(term: Term, nodeName: string, taints: readonly Taint[], now: number): Map<string, number> {
    const seen = term.firstSeen.get(nodeName) ?? new Map<string, number>();
    const current = new Set(taints.filter((t) => t.effect === NO_EXECUTE && !t.timeAdded).map(taintId));
    for (const id of seen.keys()) if (!current.has(id)) seen.delete(id);
    for (const id of current) if (!seen.has(id)) seen.set(id, now);
    if (seen.size) term.firstSeen.set(nodeName, seen);
    else term.firstSeen.delete(nodeName);
    return seen;
  }

  /** reconcile: one pass over one node (by name) and its pods. */
  private async reconcile(term: Term, nodeName: string): Promise<void> {
    this.stats.reconciles++;
    const now = term.ctx.clock.now();
    const node = term.nodes.get(nodeKey(nodeName))?.object;
    const pods = this.podsOn(term, nodeName);
    if (!node) {
      term.firstSeen.delete(nodeName);
      if (pods.length === 0) {
        term.missingSince.delete(nodeName);
        return;
      }
      let since = term.missingSince.get(nodeName);
      if (since === undefined) term.missingSince.set(nodeName, (since = now));
      const orphans = decideOrphanedPods(pods as LifecyclePod[], since, now, this.config.orphanQuarantineMs);
      for (const a of orphans.podActions) await this.applyPod(term, nodeName, a);
      if (orphans.requeueAfterMs !== undefined) this.wakeAfter(term, nodeName, orphans.requeueAfterMs);
      return;
    }
    term.missingSince.delete(nodeName);
    const lease = term.leases.get(leaseKey(nodeName))?.object as NodeLease | undefined;
    const firstSeen = this.firstSeenOf(term, nodeName, node.spec?.taints ?? [], now);
    const decision = decideNode({ node: node as KubeObject & { metadata: { name: string } }, lease, pods: pods as LifecyclePod[], now, config: this.config, firstSeen });
    await this.applyNode(term, node, decision);
    for (const a of decision.podActions) await this.applyPod(term, nodeName, a);
    if (decision.requeueAfterMs !== undefined) this.wakeAfter(term, nodeName, decision.requeueAfterMs);
  }

  /**
   * wakeAfter: enqueue the node after `ms` unless an earlier wake-up is already set. (The work
   * queue's addAfter keeps the first delay asked for, so a heartbeat deadline 40 s out would
   * hide a toleration running out in 5 s.)
   */
  private wakeAfter(term: Term, nodeName: string, ms: number): void {
    const at = term.ctx.clock.now() + ms;
    const existing = term.wakeups.get(nodeName);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      term.wakeups.delete(nodeName);
      term.queue.add(nodeName);
    }, ms);
    timer.unref?.();
    term.wakeups.set(nodeName, { at, timer });
  }

  private async applyNode(term: Term, node: KubeObject, d: NodeDecision): Promise<void> {
    const { client, log } = term.ctx;
    let current: KubeObject = { ...node, kind: "Node" };
    if (d.conditions) {
      log.info("node stopped posting status; marking it Unknown", { node: node.metadata.name, lastHeartbeat: new Date(d.health.lastHeartbeat).toISOString() });
      current = { ...(await client.updateStatus({ ...current, status: { ...(current.status ?? {}), conditions: d.conditions } })), kind: "Node" };
      this.stats.markedUnknown++;
    }
    if (d.taints) {
      log.info("updating node taints", { node: node.metadata.name, taints: d.taints.map((t) => `${t.key}:${t.effect}`) });
      const spec = { ...(current.spec ?? {}) };
      if (d.taints.length) spec.taints = d.taints;
      else delete spec.taints;
      await client.update({ ...current, spec });
      this.stats.taintUpdates++;
    }
  }

  private async applyPod(term: Term, nodeName: string, a: PodAction): Promise<void> {
    const { client, log } = term.ctx;
    const { namespace, name, resourceVersion } = a.pod;
    try {
      switch (a.type) {
        case "evict":
          log.info("evicting pod", { node: nodeName, namespace, name, reason: a.reason });
          await client.delete("Pod", namespace, name, resourceVersion ? { resourceVersion } : {});
          this.stats.evictions++;
          return;
        case "forceDelete":
          log.info("force-deleting pod", { node: nodeName, namespace, name, reason: a.reason });
          await client.delete("Pod", namespace, name, { gracePeriodSeconds: 0, ...(resourceVersion ? { resourceVersion } : {}) });
          this.stats.forceDeletes++;
          return;
        case "markNotReady": {
          // The cached pod is a view without most of its status (pod-view.ts): a merge patch of the
          // conditions alone, pinned to the revision the decision saw.
          if (!resourceVersion) return;
          try {
            await client.patch("Pod", namespace, name, "merge", { metadata: { resourceVersion }, status: { conditions: a.conditions } }, "status");
          } catch (err) {
            if (isStatus(err, 409)) return; // changed since: the next pass decides again
            throw err;
          }
          this.stats.podsMarkedNotReady++;
          return;
        }
      }
    } catch (err) {
      if (isStatus(err, 404)) return; // already gone
      throw err;
    }
  }
}
