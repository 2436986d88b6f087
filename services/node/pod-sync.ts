/**
 * pod-sync: what the kubelet does with one pod, as pure functions (time passed in).
 *
 * {@link decidePod} takes the pod as the API has it, the runtime's view of its containers and
 * the node's facts, and returns actions: start a container instance, stop the pod, write a
 * status, finish a graceful deletion, look again later. It never mutates its input. The node
 * actor applies the actions; when it started something it syncs again at once, so the status
 * it writes always reflects the instances it just started.
 *
 * Rules (the kubelet's):
 * - Init containers run one at a time, each to exit 0, before any app container starts.
 * - restartPolicy Always restarts every exit, OnFailure only non-zero exits, Never nothing.
 *   The first restart is immediate, then `base·2^(n-1)` capped at `max` (CrashLoopBackOff),
 *   measured from the exit. A run longer than 2·max resets the backoff.
 * - A pod with deletionTimestamp is stopped within its grace period; once nothing runs, its
 *   terminal status is written and it is deleted with grace 0.
 * - A container the runtime does not know but the status says ran (the host restarted) is
 *   counted as exited with ContainerStatusUnknown (137) and restarted at once if the policy
 *   restarts it. Everything needed for that is in the pod's status, none of it in memory.
 * - A pod in phase Succeeded or Failed is never restarted.
 */
import type { ContainerConfig, ContainerInstance } from "./runtime.js";

/** The backoff of container restarts. */
export interface RestartBackoff {
  baseMs: number;
  maxMs: number;
}

/** Kubernetes' kubelet: 10 s doubling to 5 min. */
export const DEFAULT_RESTART_BACKOFF: RestartBackoff = { baseMs: 10_000, maxMs: 300_000 };

/** What the node knows besides the pod. */
export interface NodeFacts {
  hostIP: string;
  /** The pod's IP (allocated by the node, or kept from its status). */
  podIP: string;
  backoff: RestartBackoff;
}

/** PodSyncInput: everything {@link decidePod} looks at. */
export interface PodSyncInput {
  pod: any;
  /** The runtime's instances of the pod (newest first per container); undefined = unknown. */
  instances: readonly ContainerInstance[] | undefined;
  /** The newest status the node knows (its own last write when the cache lags), default pod.status. */
  status?: any;
  node: NodeFacts;
  now: number;
}

export type PodAction =
  | { type: "start"; container: ContainerConfig; attempt: number; previous?: ContainerInstance }
  | { type: "stop"; graceMs: number }
  | { type: "status"; status: any }
  /** Graceful deletion is over: delete the pod with grace 0 (after writing `status`). */
  | { type: "delete" }
  | { type: "requeue"; afterMs: number };

let lastSecond = NaN;
let lastKubeTime = "";

/** kubeTime: RFC 3339 with seconds, as metav1.Time serializes (the last second's text is reused: a sync asks for "now" many times). */
export function kubeTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastKubeTime = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
    lastSecond = second;
  }
  return lastKubeTime;
}

/** goDuration: a Go-style duration string (`10s`, `5m0s`, `500ms`). */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = ms / 1000;
  if (s < 60) return `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, "")}s`;
  const m = Math.floor(s / 60);
  const rest = s - m * 60;
  if (m < 60) return `${m}m${Number.isInteger(rest) ? rest : rest.toFixed(3).replace(/0+$/, "")}s`;
  return `${Math.floor(m / 60)}h${m % 60}m${Math.round(rest)}s`;
}

/** restartDelay: the wait before restarting a container whose instance `attempt` exited (pure). */
export function restartDelay(attempt: number, ranMs: number, b: RestartBackoff): number {
  if (attempt <= 0 || ranMs > 2 * b.maxMs) return 0;
  return Math.min(b.baseMs * 2 ** Math.min(attempt - 1, 30), b.maxMs);
}

function parseTime(s: unknown): number | undefined {
  if (typeof s !== "string") return undefined;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : undefined;
}

const LOST_REASON = "ContainerStatusUnknown";

/**
 * containerHistory: the container's instances, newest first: the runtime's when it has any,
 * else rebuilt from the pod's status (see the module doc).
 */
export function containerHistory(name: string, image: string, instances: readonly ContainerInstance[] | undefined, statusEntry: any, now: number): ContainerInstance[] {
  const own: ContainerInstance[] = [];
  if (instances) for (const i of instances) if (i.name === name) own.push(i);
  if (own.length > 0 || !statusEntry) return own;
  const rc: number = statusEntry.restartCount ?? 0;
  const img: string = statusEntry.image ?? image;
  const imageID: string = statusEntry.imageID ?? "";
  const st = statusEntry.state ?? {};
  if (st.terminated) return [fromTerminated(name, img, imageID, st.terminated, rc, statusEntry.containerID)];
  if (st.running) {
    return [
      {
        name,
        image: img,
        imageID,
        ready: false,
        createdAt: 0,
        id: statusEntry.containerID ?? "",
        attempt: rc,
        state: "exited",
        exitCode: 137,
        reason: LOST_REASON,
        message: "The container could not be located when the pod was running",
        startedAt: parseTime(st.running.startedAt) ?? now,
        finishedAt: now,
      },
    ];
  }
  if (statusEntry.lastState?.terminated) return [fromTerminated(name, img, imageID, statusEntry.lastState.terminated, rc, undefined)];
  return own;
}

/** An instance rebuilt from a status's `terminated` state (not in the runtime: createdAt 0). */
function fromTerminated(name: string, image: string, imageID: string, t: any, attempt: number, id: string | undefined): ContainerInstance {
  const i: ContainerInstance = { name, image, imageID, ready: false, createdAt: 0, id: t.containerID ?? id ?? "", attempt, state: "exited", exitCode: t.exitCode ?? 0 };
  if (t.reason) i.reason = t.reason;
  if (t.message) i.message = t.message;
  i.startedAt = parseTime(t.startedAt) ?? 0;
  i.finishedAt = parseTime(t.finishedAt) ?? 0;
  return i;
}

function shouldRestart(policy: string, exitCode: number): boolean {
  return policy === "Always" || (policy === "OnFailure" && exitCode !== 0);
}

function readinessDelayMs(c: any): number | undefined {
  const p = c?.readinessProbe;
  if (!p) return undefined;
  return Math.max(0, (p.initialDelaySeconds ?? 0) * 1000);
}

interface ContainerPlanState {
  spec: any;
  init: boolean;
  history: ContainerInstance[];
  /** Set when the container exited and waits for its restart. */
  backoffUntil?: number;
  backoffMs?: number;
  /** An image pull failed and is retried later. */
  pullBackoff?: boolean;
  /** Exited for good (policy says no restart, or init completed). */
  done: boolean;
}

type Step = { kind: "start"; action: PodAction & { type: "start" } } | { kind: "wait"; until: number } | { kind: "none" };

/** What the runtime is told about a container it starts. */
function containerConfig(c: ContainerPlanState): ContainerConfig {
  const config: ContainerConfig = { name: c.spec.name, image: c.spec.image ?? "" };
  if (c.init) config.init = true;
  else {
    const rd = readinessDelayMs(c.spec);
    if (rd !== undefined) config.readinessDelayMs = rd;
  }
  return config;
}

/** What happens next for one container (pure). */
function stepContainer(c: ContainerPlanState, policy: string, now: number, b: RestartBackoff): Step {
  const cur = c.history[0];
  if (!cur) return { kind: "start", action: { type: "start", container: containerConfig(c), attempt: 0 } };
  const inRuntime = cur.createdAt !== 0;
  if (cur.state === "creating" || cur.state === "running") return { kind: "none" };
  if (cur.state === "failed") {
    const until = cur.createdAt + b.baseMs;
    c.pullBackoff = true;
    if (now < until) return { kind: "wait", until };
    return { kind: "start", action: { type: "start", container: containerConfig(c), attempt: cur.attempt } };
  }
  const exitCode = cur.exitCode ?? 0;
  const restart = c.init ? exitCode !== 0 && policy !== "Never" : shouldRestart(policy, exitCode);
  if (!restart) {
    c.done = true;
    return { kind: "none" };
  }
  const lost = cur.reason === LOST_REASON && !inRuntime;
  const ran = (cur.finishedAt ?? 0) - (cur.startedAt ?? 0);
  const delay = lost ? 0 : restartDelay(cur.attempt, ran, b);
  const until = (cur.finishedAt ?? now) + delay;
  if (now < until) {
    c.backoffUntil = until;
    c.backoffMs = delay;
    return { kind: "wait", until };
  }
  const start: PodAction & { type: "start" } = { type: "start", container: containerConfig(c), attempt: cur.attempt + 1 };
  if (!inRuntime) start.previous = cur;
  return { kind: "start", action: start };
}

function terminated(i: ContainerInstance): any {
  const t: any = { exitCode: i.exitCode ?? 0 };
  if (i.reason) t.reason = i.reason;
  if (i.message) t.message = i.message;
  if (i.startedAt) t.startedAt = kubeTime(i.startedAt);
  if (i.finishedAt) t.finishedAt = kubeTime(i.finishedAt);
  if (i.id) t.containerID = i.id;
  return t;
}

/** The entry of `list` (container statuses, conditions by `key`) whose `key` is `value`. */
function findBy(list: any[] | undefined, key: string, value: unknown): any {
  if (list) for (const x of list) if (x && x[key] === value) return x;
  return undefined;
}

function containerStatus(c: ContainerPlanState, pod: any, waitingReason: string): any {
  const [cur, prev] = c.history;
  const image = c.spec.image ?? "";
  if (!cur) return { name: c.spec.name, image, imageID: "", ready: false, restartCount: 0, started: false, state: { waiting: { reason: waitingReason } } };
  const out: any = { name: c.spec.name, image, imageID: "", ready: false, restartCount: cur.attempt, started: false, state: {} };
  let last: ContainerInstance | undefined = prev && prev.state === "exited" ? prev : undefined;
  if (cur.state === "creating") {
    out.state = { waiting: { reason: "ContainerCreating" } };
  } else if (cur.state === "failed") {
    const again = prev?.state === "failed";
    out.state = { waiting: { reason: again ? "ImagePullBackOff" : "ErrImagePull", message: again ? `Back-off pulling image "${image}"` : (cur.message ?? `failed to pull image "${image}"`) } };
  } else if (cur.state === "running") {
    out.imageID = cur.imageID;
    out.containerID = cur.id;
    out.state = { running: { startedAt: kubeTime(cur.startedAt ?? 0) } };
    out.ready = cur.ready;
    out.started = true;
  } else if (c.backoffUntil !== undefined) {
    out.imageID = cur.imageID;
    out.containerID = cur.id;
    const m = pod.metadata ?? {};
    out.state = { waiting: { reason: "CrashLoopBackOff", message: `back-off ${goDuration(c.backoffMs ?? 0)} restarting failed container=${c.spec.name} pod=${m.name}_${m.namespace}(${m.uid})` } };
    last = cur;
  } else {
    out.imageID = cur.imageID;
    out.containerID = cur.id;
    out.state = { terminated: terminated(cur) };
  }
  if (last) out.lastState = { terminated: terminated(last) };
  else if (cur.attempt > 0) {
    // The runtime no longer holds the instance before this one: keep what the status said.
    const old = findBy(c.init ? pod.status?.initContainerStatuses : pod.status?.containerStatuses, "name", c.spec.name);
    if (old?.lastState?.terminated) out.lastState = old.lastState;
  }
  out.lastState ??= {};
  return out;
}

/** podPhase: the kubelet's phase from the container states (`deleting`: the pod is being removed). */
export function podPhase(statuses: any[], policy: string, deleting: boolean): string {
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of statuses) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if ((s.state.terminated.exitCode ?? 0) === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    }
  }
  if (waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (stopped > 0) {
    if (deleting) return stopped === succeeded ? "Succeeded" : "Failed";
    if (policy === "Always") return "Running";
    if (stopped === succeeded) return "Succeeded";
    if (policy === "Never") return "Failed";
    return "Running";
  }
  return "Pending";
}

function condition(type: string, ok: boolean, prev: any[], now: number, reason?: string, message?: string): any {
  const status = ok ? "True" : "False";
  const old = findBy(prev, "type", type);
  const c: any = { type, status, lastProbeTime: null, lastTransitionTime: old && old.status === status && old.lastTransitionTime ? old.lastTransitionTime : kubeTime(now) };
  if (!ok && reason) c.reason = reason;
  if (!ok && message) c.message = message;
  return c;
}

const OWN_CONDITIONS = new Set(["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]);

/** The plan state of each container of a list of the spec. */
function planStates(containers: any[] | undefined, init: boolean, instances: readonly ContainerInstance[] | undefined, statuses: any[] | undefined, now: number): ContainerPlanState[] {
  const out: ContainerPlanState[] = [];
  if (containers) for (const c of containers) out.push({ spec: c, init, history: containerHistory(c.name, c.image ?? "", instances, findBy(statuses, "name", c.name), now), done: false });
  return out;
}

/** decidePod: see the module doc. */
export function decidePod(input: PodSyncInput): PodAction[] {
  const { pod, instances, node, now } = input;
  const spec = pod.spec ?? {};
  const prevStatus = input.status ?? pod.status ?? {};
  const policy: string = spec.restartPolicy ?? "Always";
  const deleting = !!pod.metadata?.deletionTimestamp;
  const terminal = prevStatus.phase === "Succeeded" || prevStatus.phase === "Failed";
  const actions: PodAction[] = [];

  const inits = planStates(spec.initContainers, true, instances, prevStatus.initContainerStatuses, now);
  const apps = planStates(spec.containers, false, instances, prevStatus.containerStatuses, now);
  let live = false;
  if (instances) for (const i of instances) if (i.state === "creating" || i.state === "running") live = true;

  // ---- deletion and terminal pods: never start anything -------------------------------
  if (deleting || terminal) {
    if (live) {
      const deadline = parseTime(pod.metadata?.deletionTimestamp);
      const graceMs = deleting ? Math.max(0, Math.min((pod.metadata?.deletionGracePeriodSeconds ?? 30) * 1000, deadline !== undefined ? deadline - now : Infinity)) : 0;
      actions.push({ type: "stop", graceMs });
      return actions;
    }
    if (terminal && !deleting) return actions; // nothing runs and nothing will: leave the status alone
  }

  // ---- what to start ------------------------------------------------------------------
  let wakeAt = Infinity;
  let initDone = true;
  let initFailed = false;
  if (!deleting && !terminal) {
    for (const c of inits) {
      const cur = c.history[0];
      if (cur?.state === "exited" && (cur.exitCode ?? 0) === 0) {
        c.done = true;
        continue;
      }
      initDone = false;
      const step = stepContainer(c, policy, now, node.backoff);
      if (step.kind === "start") return [step.action];
      if (step.kind === "wait") wakeAt = Math.min(wakeAt, step.until);
      if (c.done) initFailed = true; // exited non-zero and will not restart
      break;
    }
    if (initDone) {
      for (const c of apps) {
        const step = stepContainer(c, policy, now, node.backoff);
        if (step.kind === "start") actions.push(step.action);
        else if (step.kind === "wait") wakeAt = Math.min(wakeAt, step.until);
      }
      if (actions.length > 0) return actions;
    }
  } else {
    initDone = inits.every((c) => c.history[0]?.state === "exited" && (c.history[0].exitCode ?? 0) === 0);
  }

  // ---- status -------------------------------------------------------------------------
  const initStatuses: any[] = [];
  for (const c of inits) initStatuses.push(containerStatus(c, pod, "PodInitializing"));
  const appStatuses: any[] = [];
  for (const c of apps) appStatuses.push(containerStatus(c, pod, initDone ? "ContainerCreating" : "PodInitializing"));
  if (deleting) {
    // Containers that never started end as unknown, as the kubelet reports them on a deleted pod.
    for (const list of [initStatuses, appStatuses]) {
      for (const s of list) {
        if (s.state.waiting && !(s.lastState && s.lastState.terminated)) s.state = { terminated: { exitCode: 137, reason: LOST_REASON, message: "The container could not be located when the pod was deleted.  The container used to be Running" } };
        else if (s.state.waiting && s.lastState?.terminated) s.state = { terminated: s.lastState.terminated };
        s.ready = false;
      }
    }
  }
  let phase: string;
  if (initFailed) phase = "Failed";
  else if (!initDone && !deleting) phase = "Pending";
  else phase = podPhase(appStatuses, policy, deleting);
  const prevConditions: any[] = prevStatus.conditions ?? [];
  const unready: string[] = [];
  for (const s of appStatuses) if (!s.ready) unready.push(s.name);
  const completed = phase === "Succeeded" || phase === "Failed";
  const containersReady = unready.length === 0 && !completed && appStatuses.length > 0;
  const notReadyReason = completed ? "PodCompleted" : "ContainersNotReady";
  const notReadyMessage = completed || containersReady ? undefined : `containers with unready status: [${unready.join(" ")}]`;
  let ready = containersReady;
  let readyReason = notReadyReason;
  let readyMessage = notReadyMessage;
  if (containersReady) {
    for (const g of spec.readinessGates ?? []) {
      const c = findBy(prevConditions, "type", g?.conditionType);
      if (!c || c.status !== "True") {
        ready = false;
        readyReason = "ReadinessGatesNotReady";
        readyMessage = c ? `the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}` : `corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`;
        break;
      }
    }
  }
  let initMessage: string | undefined;
  if (!initDone) {
    const incompleteInit: string[] = [];
    for (const c of inits) if (!c.done) incompleteInit.push(c.spec.name);
    initMessage = `containers with incomplete status: [${incompleteInit.join(" ")}]`;
  }
  const conditions = [
    condition("PodReadyToStartContainers", !completed && !deleting, prevConditions, now),
    condition("Initialized", initDone, prevConditions, now, "ContainersNotInitialized", initMessage),
    condition("Ready", ready, prevConditions, now, readyReason, readyMessage),
    condition("ContainersReady", containersReady, prevConditions, now, notReadyReason, notReadyMessage),
    findBy(prevConditions, "type", "PodScheduled") ?? condition("PodScheduled", true, prevConditions, now),
  ];
  for (const c of prevConditions) if (c && !OWN_CONDITIONS.has(c.type)) conditions.push(c);

  const status: any = {
    phase,
    conditions,
    hostIP: node.hostIP,
    hostIPs: [{ ip: node.hostIP }],
    podIP: node.podIP,
    podIPs: [{ ip: node.podIP }],
    startTime: prevStatus.startTime ?? kubeTime(now),
  };
  if (initStatuses.length > 0) status.initContainerStatuses = initStatuses;
  status.containerStatuses = appStatuses;
  if (prevStatus.qosClass) status.qosClass = prevStatus.qosClass;
  if (prevStatus.nominatedNodeName) status.nominatedNodeName = prevStatus.nominatedNodeName;
  actions.push({ type: "status", status });
  if (deleting) actions.push({ type: "delete" });
  else if (Number.isFinite(wakeAt)) actions.push({ type: "requeue", afterMs: Math.max(1, wakeAt - now) });
  return actions;
}
