/**
 * decide: the node lifecycle controller's decisions as pure functions (time is passed in).
 *
 * Kubernetes' node lifecycle controller (pkg/controller/nodelifecycle), taint-based eviction
 * (pkg/controller/tainteviction) and the pod GC's force deletion (pkg/controller/podgc):
 * - Health: a node's last heartbeat is the newest of its Lease's `spec.renewTime`
 *   (`kube-node-lease/<node>`) and its Ready condition's `lastHeartbeatTime`. Older than the
 *   monitor grace period (40 s) → unhealthy; a node that never posted a Ready condition gets
 *   the startup grace period (60 s) counted from its creation. Kubernetes stamps the moment
 *   *it observed* a new heartbeat (clock-skew proof, but memory only); we read the timestamps
 *   themselves, so a restarted controller decides the same (one machine, one clock).
 * - An unhealthy node's Ready, MemoryPressure, DiskPressure and PIDPressure conditions become
 *   Unknown (reason NodeStatusUnknown, "Kubelet stopped posting node status."; a condition
 *   never posted is added with NodeStatusNeverUpdated). lastHeartbeatTime is kept, so our own
 *   write never looks like a heartbeat.
 * - Taints follow the conditions: Ready=False → `node.kubernetes.io/not-ready`, Ready=Unknown
 *   → `node.kubernetes.io/unreachable`, each as NoExecute (with timeAdded) and NoSchedule;
 *   MemoryPressure/DiskPressure/PIDPressure/NetworkUnavailable=True and spec.unschedulable →
 *   their NoSchedule taints. Ready=True removes them. Other taints are never touched. When
 *   not-ready and unreachable NoExecute swap, the new taint keeps the old timeAdded (Kubernetes
 *   keeps the pods' scheduled evictions across the swap; this is how we keep them).
 * - Eviction: every NoExecute taint of the node must be tolerated by a pod (first matching
 *   toleration per taint, as Kubernetes), or it is deleted at once. Otherwise it is deleted
 *   `min(tolerationSeconds)` after the later of the earliest NoExecute taint's timeAdded and
 *   the pod's creation; tolerations without seconds tolerate forever. A pod lacking a
 *   toleration for not-ready or unreachable gets the DefaultTolerationSeconds one (300 s).
 * - Eviction is a normal (graceful) delete. A pod being deleted on an unreachable node
 *   (Ready=Unknown: no kubelet will finish it) is force-deleted (grace 0) at once; on a
 *   NotReady node once its deletionTimestamp passed. Pods bound to a node that stays missing
 *   for the quarantine are force-deleted (podgc's orphan collection).
 * - Pods on an unreachable node get Ready=False (Kubernetes' MarkPodsNotReady).
 * Not done: zone disruption modes and eviction rate limits, events.
 */
import type { NodeLifecycleConfig } from "./config.js";
import { toleratesTaint, type Taint, type Toleration } from "../../apimachinery/index.js";
export type { Taint, Toleration };


/** Taint keys and effects the controller manages (Kubernetes' well-known taints). */
export const TAINT_NOT_READY = "node.kubernetes.io/not-ready";
export const TAINT_UNREACHABLE = "node.kubernetes.io/unreachable";
export const TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
export const TAINT_MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure";
export const TAINT_DISK_PRESSURE = "node.kubernetes.io/disk-pressure";
export const TAINT_PID_PRESSURE = "node.kubernetes.io/pid-pressure";
export const TAINT_NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable";
export const NO_EXECUTE = "NoExecute";
export const NO_SCHEDULE = "NoSchedule";

/** The namespace of the nodes' heartbeat Leases. */
export const NODE_LEASE_NAMESPACE = "kube-node-lease";

/** A node condition as Kubernetes JSON. */
export interface NodeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}



/** A pod condition as Kubernetes JSON. */
export interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
}

/** The parts of a Node the controller reads. */
export interface LifecycleNode {
  metadata: { name: string; creationTimestamp?: string };
  spec?: { taints?: Taint[]; unschedulable?: boolean };
  status?: { conditions?: NodeCondition[] };
}

/** The parts of a node's Lease the controller reads. */
export interface NodeLease {
  spec?: { renewTime?: string };
}

/** The parts of a Pod the controller reads. */
export interface LifecyclePod {
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string; creationTimestamp?: string; deletionTimestamp?: string };
  spec?: { nodeName?: string; tolerations?: Toleration[] };
  status?: { conditions?: PodCondition[] };
}

/** Which pod an action targets (and the resourceVersion the decision saw: a delete's precondition). */
export interface PodRef {
  namespace: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
}

/** PodAction: what the controller does to one pod through the API. */
export type PodAction =
  /** Graceful delete (taint-based eviction). */
  | { type: "evict"; pod: PodRef; reason: string }
  /** Delete with gracePeriodSeconds 0: nobody is left to finish the graceful delete. */
  | { type: "forceDelete"; pod: PodRef; reason: string }
  /** Status update: these conditions (Ready=False). */
  | { type: "markNotReady"; pod: PodRef; conditions: PodCondition[] };

/** A node's health at one instant. */
export interface NodeHealth {
  /** The last heartbeat is within the grace period. */
  healthy: boolean;
  /** The newest heartbeat (ms since the epoch; the creation for a node that never posted one). */
  lastHeartbeat: number;
  /** The grace period that applies (monitor, or startup for a node without a Ready condition). */
  gracePeriodMs: number;
  /** When the node turns unhealthy if no heartbeat comes (ms since the epoch). */
  staleAt: number;
}

/** NodeDecision: what to write for one node and its pods, and when to look again. */
export interface NodeDecision {
  health: NodeHealth;
  /** The new status.conditions (updateStatus), when they change. */
  conditions?: NodeCondition[];
  /** The new spec.taints (update), when they change. */
  taints?: Taint[];
  podActions: PodAction[];
  /** Look at the node again after this long (ms), if something is due later. */
  requeueAfterMs?: number;
}

/** parseTime: ms since the epoch of an RFC 3339 timestamp; undefined when absent or malformed. */
export function parseTime(s: string | undefined | null): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/** formatTime: RFC 3339 with whole seconds, as metav1.Time serializes. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function conditionOf<C extends { type: string }>(conditions: readonly C[] | undefined, type: string): C | undefined {
  return (conditions ?? []).find((c) => c.type === type);
}

/** readyStatus: the status of the Ready condition ("True" | "False" | "Unknown"), undefined if never posted. */
export function readyStatus(conditions: readonly NodeCondition[] | undefined): string | undefined {
  return conditionOf(conditions, "Ready")?.status;
}

/** nodeHealth: whether the node's last heartbeat (Lease or Ready condition) is within its grace period at `now`. */
export function nodeHealth(node: LifecycleNode, lease: NodeLease | undefined, now: number, cfg: Pick<NodeLifecycleConfig, "nodeMonitorGraceMs" | "nodeStartupGraceMs">): NodeHealth {
  const ready = conditionOf(node.status?.conditions, "Ready");
  const gracePeriodMs = ready ? cfg.nodeMonitorGraceMs : cfg.nodeStartupGraceMs;
  const beats = [parseTime(node.metadata.creationTimestamp), parseTime(lease?.spec?.renewTime), parseTime(ready?.lastHeartbeatTime)].filter((t): t is number => t !== undefined);
  // A node with no timestamp at all counts as seen now (Kubernetes: "assuming now as a timestamp").
  const lastHeartbeat = beats.length ? Math.max(...beats) : now;
  const staleAt = lastHeartbeat + gracePeriodMs;
  return { healthy: now <= staleAt, lastHeartbeat, gracePeriodMs, staleAt };
}

/** The conditions an unhealthy node gets set to Unknown (NetworkUnavailable is the network's). */
export const MONITORED_CONDITIONS = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"] as const;

/**
 * markConditionsUnknown: the conditions of a node that stopped posting status, or undefined
 * when they already say so. Conditions not yet Unknown become Unknown (NodeStatusUnknown,
 * lastTransitionTime now, lastHeartbeatTime kept); missing ones are added (NodeStatusNeverUpdated).
 */
export function markConditionsUnknown(node: LifecycleNode, now: number): NodeCondition[] | undefined {
  const nowStamp = formatTime(now);
  const out = (node.status?.conditions ?? []).map((c) => ({ ...c }));
  let changed = false;
  for (const type of MONITORED_CONDITIONS) {
    const c = out.find((x) => x.type === type);
    if (!c) {
      out.push({
        type,
        status: "Unknown",
        reason: "NodeStatusNeverUpdated",
        message: "Kubelet never posted node status.",
        ...(node.metadata.creationTimestamp ? { lastHeartbeatTime: node.metadata.creationTimestamp } : {}),
        lastTransitionTime: nowStamp,
      });
      changed = true;
    } else if (c.status !== "Unknown") {
      c.status = "Unknown";
      c.reason = "NodeStatusUnknown";
      c.message = "Kubelet stopped posting node status.";
      c.lastTransitionTime = nowStamp;
      changed = true;
    }
  }
  return changed ? out : undefined;
}

/** Which condition status puts which NoSchedule taint on a node (Kubernetes' nodeConditionToTaintKeyStatusMap). */
const CONDITION_TAINTS: ReadonlyArray<{ type: string; status: string; key: string }> = [
  { type: "Ready", status: "False", key: TAINT_NOT_READY },
  { type: "Ready", status: "Unknown", key: TAINT_UNREACHABLE },
  { type: "MemoryPressure", status: "True", key: TAINT_MEMORY_PRESSURE },
  { type: "DiskPressure", status: "True", key: TAINT_DISK_PRESSURE },
  { type: "NetworkUnavailable", status: "True", key: TAINT_NETWORK_UNAVAILABLE },
  { type: "PIDPressure", status: "True", key: TAINT_PID_PRESSURE },
];
const NO_SCHEDULE_KEYS = new Set([...CONDITION_TAINTS.map((c) => c.key), TAINT_UNSCHEDULABLE]);

/** isManagedTaint: a taint this controller adds and removes (others are left alone). */
export function isManagedTaint(t: Taint): boolean {
  if (t.effect === NO_SCHEDULE) return NO_SCHEDULE_KEYS.has(t.key);
  if (t.effect === NO_EXECUTE) return t.key === TAINT_NOT_READY || t.key === TAINT_UNREACHABLE;
  return false;
}

const sameTaint = (a: { key: string; effect: string }, b: { key: string; effect: string }) => a.key === b.key && a.effect === b.effect;

/**
 * desiredTaints: the node's taints as its conditions and spec.unschedulable ask (see the
 * module doc). Taints that stay keep their value and timeAdded; unmanaged taints are kept in
 * place; new ones are appended (NoExecute ones with timeAdded `now`, or the timeAdded of the
 * not-ready/unreachable NoExecute taint they replace).
 */
export function desiredTaints(current: readonly Taint[] | undefined, conditions: readonly NodeCondition[] | undefined, unschedulable: boolean, now: number): Taint[] {
  const wanted: Array<{ key: string; effect: string }> = [];
  for (const c of conditions ?? []) {
    for (const m of CONDITION_TAINTS) if (m.type === c.type && m.status === c.status) wanted.push({ key: m.key, effect: NO_SCHEDULE });
  }
  if (unschedulable) wanted.push({ key: TAINT_UNSCHEDULABLE, effect: NO_SCHEDULE });
  const ready = readyStatus(conditions);
  if (ready === "False") wanted.push({ key: TAINT_NOT_READY, effect: NO_EXECUTE });
  if (ready === "Unknown") wanted.push({ key: TAINT_UNREACHABLE, effect: NO_EXECUTE });

  const existing = current ?? [];
  const out = existing.filter((t) => !isManagedTaint(t) || wanted.some((w) => sameTaint(w, t)));
  for (const w of wanted) {
    if (out.some((t) => sameTaint(t, w))) continue;
    if (w.effect === NO_SCHEDULE) {
      out.push({ key: w.key, effect: w.effect });
      continue;
    }
    const counterpart = w.key === TAINT_NOT_READY ? TAINT_UNREACHABLE : TAINT_NOT_READY;
    const swapped = existing.find((t) => t.key === counterpart && t.effect === NO_EXECUTE);
    out.push({ key: w.key, effect: w.effect, timeAdded: swapped?.timeAdded ?? formatTime(now) });
  }
  return out;
}

/** taintsEqual: the same taints (key, value, effect, timeAdded) in the same order. */
export function taintsEqual(a: readonly Taint[] | undefined, b: readonly Taint[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((t, i) => t.key === y[i]!.key && (t.value ?? "") === (y[i]!.value ?? "") && t.effect === y[i]!.effect && (t.timeAdded ?? "") === (y[i]!.timeAdded ?? ""));
}

/**
 * withDefaultTolerations: the pod's tolerations plus the DefaultTolerationSeconds admission's
 * `not-ready`/`unreachable` NoExecute tolerations (operator Exists, `seconds`) for each one it
 * has no toleration for (a toleration with that key or no key, and NoExecute or no effect).
 */
export function withDefaultTolerations(tolerations: readonly Toleration[] | undefined, seconds: number): Toleration[] {
  const out = [...(tolerations ?? [])];
  const covers = (key: string) => out.some((t) => (!t.key || t.key === key) && (!t.effect || t.effect === NO_EXECUTE));
  const add: Toleration[] = [];
  for (const key of [TAINT_NOT_READY, TAINT_UNREACHABLE]) {
    if (!covers(key)) add.push({ key, operator: "Exists", effect: NO_EXECUTE, tolerationSeconds: seconds });
  }
  return [...out, ...add];
}

/** taintId: `key:effect`, how a taint is remembered when it has no timeAdded. */
export function taintId(t: Taint): string {
  return `${t.key}:${t.effect}`;
}

/**
 * evictionTime: when the pod must be evicted from a node with these taints (ms since the
 * epoch; <= now means at once), or undefined when never (no NoExecute taint, or all tolerated
 * without seconds). `firstSeen` holds when the controller first saw a NoExecute taint that
 * has no timeAdded (by {@link taintId}); without either, the taint counts from `now`.
 */
export function evictionTime(
  pod: LifecyclePod,
  taints: readonly Taint[],
  now: number,
  defaultTolerationSeconds: number,
  firstSeen: ReadonlyMap<string, number> = new Map(),
): number | undefined {
  const noExecute = taints.filter((t) => t.effect === NO_EXECUTE);
  if (noExecute.length === 0) return undefined;
  const tolerations = withDefaultTolerations(pod.spec?.tolerations, defaultTolerationSeconds);
  let minSeconds: number | undefined;
  for (const taint of noExecute) {
    const used = tolerations.find((tol) => toleratesTaint(tol, taint));
    if (!used) return now; // a NoExecute taint it does not tolerate: out at once
    if (typeof used.tolerationSeconds === "number") {
      const s = Math.max(0, used.tolerationSeconds);
      minSeconds = minSeconds === undefined ? s : Math.min(minSeconds, s);
    }
  }
  if (minSeconds === undefined) return undefined; // tolerated forever
  const taintStart = Math.min(...noExecute.map((t) => parseTime(t.timeAdded) ?? firstSeen.get(taintId(t)) ?? now));
  const start = Math.max(taintStart, parseTime(pod.metadata.creationTimestamp) ?? -Infinity);
  return start + minSeconds * 1000;
}

/** podRef: the PodRef of a pod. */
export function podRef(pod: LifecyclePod): PodRef {
  return {
    namespace: pod.metadata.namespace ?? "",
    name: pod.metadata.name,
    ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}),
    ...(pod.metadata.resourceVersion ? { resourceVersion: pod.metadata.resourceVersion } : {}),
  };
}

/** podNotReadyConditions: the pod's conditions with Ready=False, or undefined when Ready is not True. */
export function podNotReadyConditions(pod: LifecyclePod, now: number): PodCondition[] | undefined {
  const conditions = pod.status?.conditions ?? [];
  if (conditionOf(conditions, "Ready")?.status !== "True") return undefined;
  return conditions.map((c) => (c.type === "Ready" ? { ...c, status: "False", lastTransitionTime: formatTime(now) } : { ...c }));
}

/** Inputs of {@link decideNode}. */
export interface NodeInput {
  node: LifecycleNode;
  /** The node's Lease in kube-node-lease, if any. */
  lease: NodeLease | undefined;
  /** The pods bound to the node. */
  pods: readonly LifecyclePod[];
  now: number;
  config: Pick<NodeLifecycleConfig, "nodeMonitorGraceMs" | "nodeStartupGraceMs" | "defaultTolerationSeconds">;
  /** When NoExecute taints without timeAdded were first seen (see {@link evictionTime}). */
  firstSeen?: ReadonlyMap<string, number>;
}

/**
 * decideNode: one pass over a node: its conditions (Unknown when its heartbeat is stale),
 * its taints (from the conditions), and its pods (evict, force-delete, mark not ready), plus
 * the delay after which something falls due (the heartbeat going stale, a toleration running
 * out, a NotReady node's pod passing its deletion time).
 */
export function decideNode(input: NodeInput): NodeDecision {
  const { node, lease, pods, now, config } = input;
  const health = nodeHealth(node, lease, now, config);
  const conditions = health.healthy ? undefined : markConditionsUnknown(node, now);
  const effective = conditions ?? node.status?.conditions ?? [];
  const wantTaints = desiredTaints(node.spec?.taints, effective, node.spec?.unschedulable === true, now);
  const taints = taintsEqual(wantTaints, node.spec?.taints) ? undefined : wantTaints;
  const ready = readyStatus(effective);

  const podActions: PodAction[] = [];
  const due: number[] = health.healthy ? [health.staleAt] : [];
  // On a Ready node without NoExecute taints no pod is evicted, force-deleted or marked.
  const podsMatter = ready === "False" || ready === "Unknown" || wantTaints.some((t) => t.effect === NO_EXECUTE);
  for (const pod of podsMatter ? pods : []) {
    const ref = podRef(pod);
    const deleting = parseTime(pod.metadata.deletionTimestamp);
    if (pod.metadata.deletionTimestamp) {
      if (ready === "Unknown") podActions.push({ type: "forceDelete", pod: ref, reason: "terminating on an unreachable node" });
      else if (ready === "False") {
        if (deleting === undefined || deleting <= now) podActions.push({ type: "forceDelete", pod: ref, reason: "grace period over on a not-ready node" });
        else due.push(deleting);
      }
      continue;
    }
    const at = evictionTime(pod, wantTaints, now, config.defaultTolerationSeconds, input.firstSeen);
    if (at !== undefined && at <= now) {
      podActions.push({ type: "evict", pod: ref, reason: "NoExecute taint not tolerated" + (at < now ? " any longer" : "") });
      continue;
    }
    if (at !== undefined) due.push(at);
    if (ready === "Unknown") {
      const marked = podNotReadyConditions(pod, now);
      if (marked) podActions.push({ type: "markNotReady", pod: ref, conditions: marked });
    }
  }
  const next = due.length ? Math.min(...due) : undefined;
  return {
    health,
    ...(conditions ? { conditions } : {}),
    ...(taints ? { taints } : {}),
    podActions,
    ...(next !== undefined ? { requeueAfterMs: Math.max(1, next - now + 1) } : {}),
  };
}

/**
 * decideOrphanedPods: pods bound to a node that does not exist. Once the node has been
 * missing for the quarantine (since `missingSince`, when the controller noticed), they are
 * force-deleted (podgc); until then the delay to look again.
 */
export function decideOrphanedPods(pods: readonly LifecyclePod[], missingSince: number, now: number, quarantineMs: number): { podActions: PodAction[]; requeueAfterMs?: number } {
  if (pods.length === 0) return { podActions: [] };
  const at = missingSince + quarantineMs;
  if (now < at) return { podActions: [], requeueAfterMs: at - now + 1 };
  return { podActions: pods.map((p) => ({ type: "forceDelete" as const, pod: podRef(p), reason: "bound to a node that does not exist" })) };
}
