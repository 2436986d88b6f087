/**
 * resources: pod requests, node allocatable and the fit check, as plain numbers (pure, no I/O).
 *
 * Shared by the scheduler (filtering from its cache) and the API server's pods/binding (the
 * authoritative check). Amounts are `cpu` in millicores, `pods` as a count and every other
 * resource (memory, ephemeral-storage, extended resources) in units (`Quantity.value()`),
 * as Kubernetes' `framework.Resource` keeps them.
 *
 * The node usage record (`/nodeusage/<node>` in the store) holds the summed requests of the
 * pods bound to a node and their uids; the binding charges it and removing a bound pod from
 * the store releases it, each in the same transaction as the pod write.
 */
import { parseQuantity } from "../apimachinery/index.js";

/** Resource amounts by name: cpu in millicores, pods as a count, anything else in units. */
export type ResourceAmounts = Record<string, number>;

/** The fields of a pod or node this module reads (Kubernetes JSON). */
type Obj = Record<string, any>;

/** Requests the scheduler assumes for scoring when a container asks for none (Kubernetes' non-zero defaults). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** Parsed quantity texts ("m" + text: millicores, "u" + text: units); pods of one template repeat the same few. */
const parsedAmounts = new Map<string, number>();

/** amountOf: one quantity as a number in this module's units (0 for an unparsable value). */
export function amountOf(resource: string, quantity: unknown): number {
  if (quantity === undefined || quantity === null || quantity === "") return 0;
  const key = typeof quantity === "string" ? (resource === "cpu" ? "m" : "u") + quantity : undefined;
  const known = key === undefined ? undefined : parsedAmounts.get(key);
  if (known !== undefined) return known;
  let amount = 0;
  try {
    const q = parseQuantity(quantity as string | number);
    amount = resource === "cpu" ? q.milliValue() : q.value();
  } catch {
    amount = 0;
  }
  if (key !== undefined) {
    if (parsedAmounts.size >= 4096) parsedAmounts.clear();
    parsedAmounts.set(key, amount);
  }
  return amount;
}

/** amountsOf: a ResourceList (`{cpu: "500m", memory: "1Gi"}`) as numbers. */
export function amountsOf(list: Obj | undefined | null): ResourceAmounts {
  const out: ResourceAmounts = {};
  if (!list || typeof list !== "object") return out;
  for (const [name, q] of Object.entries(list)) out[name] = amountOf(name, q);
  return out;
}

function addInto(into: ResourceAmounts, add: ResourceAmounts): void {
  for (const [k, v] of Object.entries(add)) into[k] = (into[k] ?? 0) + v;
}

function maxInto(into: ResourceAmounts, other: ResourceAmounts): void {
  for (const [k, v] of Object.entries(other)) if (v > (into[k] ?? 0)) into[k] = v;
}

/**
 * podRequests: a pod's effective requests as Kubernetes computes them (`resource.PodRequests`):
 * the sum of its containers' requests; restartable (sidecar) init containers add to it; the
 * result is at least what any regular init container needs alongside the sidecars started
 * before it; plus `spec.overhead`; plus `pods: 1`.
 */
export function podRequests(pod: Obj): ResourceAmounts {
  const spec = pod?.spec ?? {};
  const reqs: ResourceAmounts = {};
  for (const c of spec.containers ?? []) addInto(reqs, amountsOf(c?.resources?.requests));
  const sidecars: ResourceAmounts = {};
  const initPeak: ResourceAmounts = {};
  for (const c of spec.initContainers ?? []) {
    const own = amountsOf(c?.resources?.requests);
    if (c?.restartPolicy === "Always") {
      addInto(reqs, own);
      addInto(sidecars, own);
      maxInto(initPeak, sidecars);
    } else {
      const during = { ...own };
      addInto(during, sidecars);
      maxInto(initPeak, during);
    }
  }
  maxInto(reqs, initPeak);
  if (spec.overhead) addInto(reqs, amountsOf(spec.overhead));
  for (const k of Object.keys(reqs)) if (reqs[k] === 0) delete reqs[k];
  reqs.pods = 1;
  return reqs;
}

/** nonZeroRequests: cpu and memory for scoring, with Kubernetes' defaults for containers that request none. */
export function nonZeroRequests(pod: Obj): { cpu: number; memory: number } {
  const spec = pod?.spec ?? {};
  let cpu = 0;
  let memory = 0;
  for (const c of spec.containers ?? []) {
    const r = c?.resources?.requests ?? {};
    cpu += r.cpu !== undefined ? amountOf("cpu", r.cpu) : DEFAULT_MILLI_CPU_REQUEST;
    memory += r.memory !== undefined ? amountOf("memory", r.memory) : DEFAULT_MEMORY_REQUEST;
  }
  return { cpu, memory };
}

/** nodeAllocatable: `status.allocatable` (or `status.capacity` when allocatable is absent) as numbers. */
export function nodeAllocatable(node: Obj): ResourceAmounts {
  const st = node?.status ?? {};
  return amountsOf(st.allocatable ?? st.capacity);
}

const FIXED_ORDER = ["cpu", "memory", "ephemeral-storage"];

/**
 * insufficientResources: why a pod with `requests` does not fit next to `requested` on a node
 * with `allocatable` (Kubernetes' `fitsRequest`): "Too many pods", then "Insufficient <name>"
 * for cpu, memory, ephemeral-storage and other resources, in that order. Empty: it fits.
 * A resource the pod does not request (or requests 0 of) is never checked.
 */
export function insufficientResources(requests: ResourceAmounts, allocatable: ResourceAmounts, requested: ResourceAmounts): string[] {
  const reasons: string[] = [];
  const pods = requests.pods ?? 0;
  if (pods > 0 && (requested.pods ?? 0) + pods > (allocatable.pods ?? 0)) reasons.push("Too many pods");
  const others = Object.keys(requests)
    .filter((r) => r !== "pods" && !FIXED_ORDER.includes(r))
    .sort();
  for (const r of [...FIXED_ORDER, ...others]) {
    const want = requests[r] ?? 0;
    if (want <= 0) continue;
    if (want > (allocatable[r] ?? 0) - (requested[r] ?? 0)) reasons.push(`Insufficient ${r}`);
  }
  return reasons;
}

// ---- the node usage record ----------------------------------------------------------

/** NodeUsage: what the bindings charged to one node. */
export interface NodeUsage {
  /** Summed requests of the charged pods (including `pods`: their count). */
  requested: ResourceAmounts;
  /** Uids of the charged pods (so a release is exact and happens once). */
  pods: string[];
}

/** NodeUsageError: a stored usage record that is not one. */
export class NodeUsageError extends Error {
  override name = "NodeUsageError";
}

/** nodeUsageKey: the store key of a node's usage record. */
export function nodeUsageKey(node: string): string {
  return `/nodeusage/${node}`;
}

/** emptyNodeUsage: the usage of a node nothing is bound to. */
export function emptyNodeUsage(): NodeUsage {
  return { requested: {}, pods: [] };
}

/** encodeNodeUsage: the stored bytes of a usage record (JSON). */
export function encodeNodeUsage(u: NodeUsage): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(u));
}

/** decodeNodeUsage: the usage record in stored bytes, or NodeUsageError. */
export function decodeNodeUsage(bytes: Uint8Array): NodeUsage {
  let v: any;
  try {
    v = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new NodeUsageError("node usage record is not JSON", { cause: err });
  }
  if (!v || typeof v.requested !== "object" || !Array.isArray(v.pods)) throw new NodeUsageError("node usage record has no requested/pods");
  return { requested: v.requested, pods: v.pods };
}

/** chargeUsage: the usage after charging pod `uid` with `requests` (unchanged when already charged). */
export function chargeUsage(u: NodeUsage, uid: string, requests: ResourceAmounts): NodeUsage {
  if (u.pods.includes(uid)) return u;
  const requested = { ...u.requested };
  addInto(requested, requests);
  return { requested, pods: [...u.pods, uid] };
}

/** releaseUsage: the usage after releasing pod `uid` (undefined when that pod was never charged). Never below zero. */
export function releaseUsage(u: NodeUsage, uid: string, requests: ResourceAmounts): NodeUsage | undefined {
  if (!u.pods.includes(uid)) return undefined;
  const requested: ResourceAmounts = {};
  for (const [k, v] of Object.entries(u.requested)) {
    const left = v - (requests[k] ?? 0);
    if (left > 0) requested[k] = left;
  }
  return { requested, pods: u.pods.filter((p) => p !== uid) };
}
