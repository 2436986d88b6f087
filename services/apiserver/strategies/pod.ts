/**
 * Pod: defaults (spec + Pod-only), initial status (Pending with its QoS class), the update rule
 * (only images, activeDeadlineSeconds, tolerations additions and terminationGracePeriodSeconds
 * may change), and kubectl's table with the STATUS column computed as `kubectl get pods` does.
 */
import { age, ageColumn, column, makeStrategy, nameColumn } from "./base.js";
import { translateTimestampSince } from "./duration.js";
import { forbidden } from "./field.js";
import { clone, deepEqual } from "./meta.js";
import { nameIsDNSSubdomain } from "./names.js";
import { defaultPodOnly, defaultPodSpec, podQOSClass, validatePodSpec } from "./pod-spec.js";
import type { FieldCause, TableSpec } from "./types.js";

const UPDATABLE_POD_FIELDS =
  "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

/** validatePodSpecUpdate: `ValidatePodUpdate`'s rule on which spec fields may change. */
export function validatePodSpecUpdate(spec: any, oldSpec: any): FieldCause[] {
  const munged = clone(spec ?? {});
  const old = oldSpec ?? {};
  (munged.containers ?? []).forEach((c: any, i: number) => {
    if (old.containers?.[i] && c) c.image = old.containers[i].image;
  });
  (munged.initContainers ?? []).forEach((c: any, i: number) => {
    if (old.initContainers?.[i] && c) c.image = old.initContainers[i].image;
  });
  const deadline = munged.activeDeadlineSeconds;
  const oldDeadline = old.activeDeadlineSeconds;
  if (deadline !== undefined && (oldDeadline === undefined || deadline <= oldDeadline)) munged.activeDeadlineSeconds = oldDeadline;
  if (munged.activeDeadlineSeconds === undefined) delete munged.activeDeadlineSeconds;
  const oldTolerations: any[] = old.tolerations ?? [];
  const newTolerations: any[] = munged.tolerations ?? [];
  if (oldTolerations.every((t) => newTolerations.some((n) => deepEqual(n, t)))) {
    if (old.tolerations === undefined) delete munged.tolerations;
    else munged.tolerations = old.tolerations;
  }
  if (typeof old.terminationGracePeriodSeconds === "number" && old.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = old.terminationGracePeriodSeconds;
  }
  return deepEqual(munged, old) ? [] : [forbidden("spec", UPDATABLE_POD_FIELDS)];
}

// ---- table -------------------------------------------------------------------------

function isRestartableInit(c: any): boolean {
  return c?.restartPolicy === "Always";
}

function conditionTrue(status: any, type: string): boolean {
  const c = (status?.conditions ?? []).find((x: any) => x?.type === type);
  return c?.status === "True";
}

function later(a: string, b: string | undefined): string {
  return b && (!a || Date.parse(b) > Date.parse(a)) ? b : a;
}

/** PodRowSummary is what `kubectl get pods` derives from a Pod. */
export interface PodRowSummary {
  ready: string;
  status: string;
  restarts: number;
  /** Time of the most recent container termination counted in `restarts` ("" when none). */
  lastRestart: string;
}

/** podRowSummary computes READY, STATUS and RESTARTS exactly as kubectl's `printPod`. */
export function podRowSummary(pod: any): PodRowSummary {
  const spec = pod?.spec ?? {};
  const status = pod?.status ?? {};
  let restarts = 0;
  let sidecarRestarts = 0;
  let totalContainers = (spec.containers ?? []).length;
  let readyContainers = 0;
  let lastRestart = "";
  let lastSidecarRestart = "";
  const phase: string = status.phase ?? "";
  let reason = status.reason || phase;
  for (const c of status.conditions ?? []) {
    if (c?.type === "PodScheduled" && c?.reason === "SchedulingGated") reason = "SchedulingGated";
  }
  const inits = new Map<string, any>();
  for (const c of spec.initContainers ?? []) {
    inits.set(c?.name, c);
    if (isRestartableInit(c)) totalContainers++;
  }
  let initializing = false;
  const initStatuses: any[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i] ?? {};
    restarts += cs.restartCount ?? 0;
    const finished = cs.lastState?.terminated?.finishedAt;
    if (cs.lastState?.terminated) lastRestart = later(lastRestart, finished);
    const restartable = isRestartableInit(inits.get(cs.name));
    if (restartable) {
      sidecarRestarts += cs.restartCount ?? 0;
      if (cs.lastState?.terminated) lastSidecarRestart = later(lastSidecarRestart, finished);
    }
    const term = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (term && (term.exitCode ?? 0) === 0) continue;
    if (restartable && cs.started === true) {
      if (cs.ready) readyContainers++;
      continue;
    }
    if (term) {
      if (!term.reason) reason = term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode ?? 0}`;
      else reason = `Init:${term.reason}`;
    } else if (waiting && waiting.reason && waiting.reason !== "PodInitializing") {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }
  if (!initializing || conditionTrue(status, "Initialized")) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses: any[] = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i] ?? {};
      restarts += cs.restartCount ?? 0;
      if (cs.lastState?.terminated) lastRestart = later(lastRestart, cs.lastState.terminated.finishedAt);
      const waiting = cs.state?.waiting;
      const term = cs.state?.terminated;
      if (waiting && waiting.reason) reason = waiting.reason;
      else if (term && term.reason) reason = term.reason;
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode ?? 0}`;
      else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === "Completed" && hasRunning) reason = conditionTrue(status, "Ready") ? "Running" : "NotReady";
  }
  const deleting = !!pod?.metadata?.deletionTimestamp;
  if (deleting && status.reason === "NodeLost") reason = "Unknown";
  else if (deleting && phase !== "Succeeded" && phase !== "Failed") reason = "Terminating";
  return { ready: `${readyContainers}/${totalContainers}`, status: reason, restarts, lastRestart };
}

/** podTable: NAME READY STATUS RESTARTS AGE, wide IP NODE NOMINATED NODE READINESS GATES. */
export const podTable: TableSpec = {
  columns: [
    nameColumn(),
    column("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
    column("Status", "string", "The aggregate status of the containers in this pod."),
    column("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
    ageColumn(),
    column("IP", "string", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", 1),
    column("Node", "string", "NodeName indicates in which node this pod is scheduled.", 1),
    column("Nominated Node", "string", "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.", 1),
    column("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness.", 1),
  ],
  cells(pod, now) {
    const s = podRowSummary(pod);
    const restarts = s.restarts !== 0 && s.lastRestart ? `${s.restarts} (${translateTimestampSince(s.lastRestart, now)} ago)` : String(s.restarts);
    const status = pod?.status ?? {};
    const podIP = status.podIPs?.[0]?.ip || status.podIP || "<none>";
    const gates: any[] = pod?.spec?.readinessGates ?? [];
    let readinessGates = "<none>";
    if (gates.length) {
      const trueCount = gates.filter((g) => conditionTrue(status, g?.conditionType)).length;
      readinessGates = `${trueCount}/${gates.length}`;
    }
    return [
      pod?.metadata?.name ?? "", s.ready, s.status, restarts, age(pod, now),
      podIP, pod?.spec?.nodeName || "<none>", status.nominatedNodeName || "<none>", readinessGates,
    ];
  },
};

/** podStrategy: the Pod kind. */
export const podStrategy = makeStrategy({
  kind: "Pod",
  namespaced: true,
  nameValidator: nameIsDNSSubdomain,
  hasStatus: true,
  tracksGeneration: true,
  defaults(pod) {
    pod.spec ??= {};
    defaultPodSpec(pod.spec);
    defaultPodOnly(pod.spec);
  },
  initialStatus: (pod) => ({ phase: "Pending", qosClass: podQOSClass(pod.spec) }),
  validate: (pod) => validatePodSpec(pod?.spec, "spec"),
  validateUpdate: (pod, old) => validatePodSpecUpdate(pod?.spec, old?.spec),
  table: podTable,
});
