/**
 * binding: what pods/binding does to a stored Pod, on its protobuf message (no round trip
 * through Kubernetes JSON). Pure.
 *
 * Contract: `assignNode` leaves the message as decoding the JSON path's result would
 * (spec.nodeName set, the PodScheduled condition replaced by a True one), so its encoding is
 * the same bytes; `messageRequests` equals `podRequests` of the pod's JSON, `messageAllocatable`
 * `nodeAllocatable` of the node's JSON.
 */
import { messageFromKubeJSON, type Container, type Node, type Pod, type PodSpec, type Quantity } from "../../schema/index.js";
import { nodeAllocatable, podRequests, type ResourceAmounts } from "../../scheduler/resources.js";

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

/** assignNode: bind the Pod message to `node` at `now` (RFC 3339): spec.nodeName and a True PodScheduled condition. */
export function assignNode(pod: Pod, node: string, now: string): void {
  (pod.spec ??= {}).nodeName = node;
  const { message: scheduled } = messageFromKubeJSON("k8s.core.v1.PodCondition", { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: now });
  const status = (pod.status ?? {}) as NonNullable<Pod["status"]>;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== "PodScheduled"), scheduled as NonNullable<typeof status.conditions>[number]];
  pod.status = status;
}
