/**
 * binding: what pods/binding does to a stored Pod, on its bytes and messages (no round trip
 * through Kubernetes JSON). Pure.
 *
 * Contract: `boundPod` gives the bytes the JSON path would store (spec.nodeName set, the
 * PodScheduled condition replaced by a True one after the others); `messageRequests` equals
 * `podRequests` of the pod's JSON, `messageAllocatable` `nodeAllocatable` of the node's JSON.
 */
import { k8s, messageFromKubeJSON, type Container, type Node, type PodSpec, type Quantity } from "../../schema/index.js";
import { nodeAllocatable, podRequests, type ResourceAmounts } from "../../scheduler/resources.js";
import { spliceBinding } from "./stored-splice.js";

/** A ResourceList message (name → Quantity message) as JSON (name → quantity string); none when empty, as JSON omits it. */
function resourceList(list: Record<string, Quantity> | null | undefined): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const name in list ?? {}) (out ??= {})[name] = list![name]?.string ?? "";
  return out;
}

function containerView(c: Container): object {
  return { restartPolicy: c.restartPolicy || undefined, resources: { requests: resourceList(c.resources?.requests) } };
}

/** messageRequests: {@link podRequests} of a Pod message, reading only the fields it needs. */
export function messageRequests(spec: PodSpec | null | undefined): ResourceAmounts {
  const s = spec ?? {};
  return podRequests({
    spec: {
      containers: (s.containers ?? []).map(containerView),
      initContainers: (s.initContainers ?? []).map(containerView),
      overhead: resourceList(s.overhead),
    },
  });
}

/** messageAllocatable: {@link nodeAllocatable} of a Node message. */
export function messageAllocatable(node: Node): ResourceAmounts {
  const st = node.status;
  return nodeAllocatable({ status: { allocatable: resourceList(st?.allocatable), capacity: resourceList(st?.capacity) } });
}

let scheduled: { now: string; bytes: Uint8Array } | undefined;

/** The encoded True PodScheduled condition at `now` (the last one is kept: binds come in bursts within a second). */
function scheduledCondition(now: string): Uint8Array {
  if (scheduled?.now !== now) {
    const { message } = messageFromKubeJSON("k8s.core.v1.PodCondition", { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: now });
    scheduled = { now, bytes: k8s.core.v1.PodCondition.encode(message as k8s.core.v1.IPodCondition).finish() };
  }
  return scheduled.bytes;
}

/** boundPod: the stored Pod `value` bound to `node` at `now` (RFC 3339): spec.nodeName and a True PodScheduled condition. */
export function boundPod(value: Uint8Array, node: string, now: string): Uint8Array {
  return spliceBinding(value, node, scheduledCondition(now));
}
