/**
 * node-object: the Node and Lease objects a node actor writes, and its addresses, as pure
 * functions of its config, index and the time.
 *
 * Node `<prefix>-<i>` has InternalIP `127.0.a.b` (i → a = ⌊i/254⌋, b = i mod 254 + 1) and pod
 * CIDR `10.(244 + ⌊i/256⌋).(i mod 256).0/24`; pods get `.2` … `.254` of it.
 */
import type { NodeHostConfig } from "./config.js";
import { kubeTime } from "./pod-sync.js";

/** KUBELET_VERSION: what nodeInfo.kubeletVersion reports. */
export const KUBELET_VERSION = "v1.32.0-sim";
/** NODE_LEASE_NAMESPACE: where node Leases live. */
export const NODE_LEASE_NAMESPACE = "kube-node-lease";

/** nodeName: `<prefix>-<index>`. */
export function nodeName(prefix: string, index: number): string {
  return `${prefix}-${index}`;
}

/** nodeHostIP: the node's InternalIP. */
export function nodeHostIP(index: number): string {
  return `127.0.${Math.floor(index / 254) % 256}.${(index % 254) + 1}`;
}

/** nodePodCIDR: the node's pod /24. */
export function nodePodCIDR(index: number): string {
  return `10.${244 + Math.floor(index / 256)}.${index % 256}.0/24`;
}

const CONDITIONS: Array<{ type: string; ok: boolean; reason: string; message: string }> = [
  { type: "MemoryPressure", ok: false, reason: "KubeletHasSufficientMemory", message: "kubelet has sufficient memory available" },
  { type: "DiskPressure", ok: false, reason: "KubeletHasNoDiskPressure", message: "kubelet has no disk pressure" },
  { type: "PIDPressure", ok: false, reason: "KubeletHasSufficientPID", message: "kubelet has sufficient PID available" },
  { type: "Ready", ok: true, reason: "KubeletReady", message: "kubelet is posting ready status" },
];

/** nodeStatus: the status the kubelet reports; keeps lastTransitionTime of unchanged conditions. */
export function nodeStatus(cfg: NodeHostConfig, index: number, name: string, now: number, previous?: any): any {
  const resources = { cpu: cfg.cpu, memory: cfg.memory, pods: String(cfg.pods), "ephemeral-storage": "100Gi" };
  const prev: any[] = previous?.conditions ?? [];
  const stamp = kubeTime(now);
  return {
    capacity: { ...resources },
    allocatable: { ...resources },
    conditions: CONDITIONS.map((c) => {
      const status = c.ok ? "True" : "False";
      const old = prev.find((p) => p?.type === c.type);
      return { type: c.type, status, lastHeartbeatTime: stamp, lastTransitionTime: old?.status === status && old.lastTransitionTime ? old.lastTransitionTime : stamp, reason: c.reason, message: c.message };
    }),
    addresses: [
      { type: "InternalIP", address: nodeHostIP(index) },
      { type: "Hostname", address: name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: `sim-${name}`,
      systemUUID: `sim-${name}`,
      bootID: `sim-boot-${name}`,
      kernelVersion: "6.0.0-sim",
      osImage: "k8s-dev sim",
      containerRuntimeVersion: "sim://1.0.0",
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: "",
      operatingSystem: "linux",
      architecture: "amd64",
    },
  };
}

/** nodeLabels: the well-known labels plus the configured ones. */
export function nodeLabels(cfg: NodeHostConfig, name: string): Record<string, string> {
  return {
    "beta.kubernetes.io/arch": "amd64",
    "beta.kubernetes.io/os": "linux",
    "kubernetes.io/arch": "amd64",
    "kubernetes.io/hostname": name,
    "kubernetes.io/os": "linux",
    "node.kubernetes.io/instance-type": "sim",
    type: "sim",
    ...cfg.labels,
  };
}

/** nodeObject: the Node to create at registration. */
export function nodeObject(cfg: NodeHostConfig, index: number, now: number): any {
  const name = nodeName(cfg.prefix, index);
  const cidr = nodePodCIDR(index);
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: nodeLabels(cfg, name), annotations: { "node.alpha.kubernetes.io/ttl": "0", "k8s-dev/runtime": cfg.runtime } },
    spec: { podCIDR: cidr, podCIDRs: [cidr], providerID: `sim://${name}`, ...(cfg.taints.length > 0 ? { taints: cfg.taints.map((t) => ({ ...t })) } : {}) },
    status: nodeStatus(cfg, index, name, now),
  };
}

/**
 * reregisteredNode: an existing Node brought back to this config (labels merged in, taints
 * the kubelet registers with added when missing); undefined when nothing in metadata/spec
 * changes. Status is written separately (status subresource).
 */
export function reregisteredNode(existing: any, cfg: NodeHostConfig, index: number): any | undefined {
  const name = nodeName(cfg.prefix, index);
  const want = nodeLabels(cfg, name);
  const labels = { ...(existing.metadata?.labels ?? {}) };
  let changed = false;
  for (const [k, v] of Object.entries(want)) {
    if (labels[k] !== v) {
      labels[k] = v;
      changed = true;
    }
  }
  const taints: any[] = [...(existing.spec?.taints ?? [])];
  for (const t of cfg.taints) {
    if (!taints.some((x) => x?.key === t.key && x?.effect === t.effect)) {
      taints.push({ ...t });
      changed = true;
    }
  }
  const spec = { ...(existing.spec ?? {}) };
  if (!spec.podCIDR) {
    spec.podCIDR = nodePodCIDR(index);
    spec.podCIDRs = [spec.podCIDR];
    changed = true;
  }
  if (!changed) return undefined;
  return { ...existing, metadata: { ...existing.metadata, labels }, spec: { ...spec, ...(taints.length > 0 ? { taints } : {}) } };
}

function microTime(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "000Z");
}

/** leaseObject: the node's Lease, renewed now (owner: the Node, as the kubelet sets it). */
export function leaseObject(name: string, node: { uid?: string } | undefined, durationSeconds: number, now: number, existing?: any): any {
  const base = existing ?? { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name, namespace: NODE_LEASE_NAMESPACE } };
  const metadata = { ...base.metadata };
  if (node?.uid) metadata.ownerReferences = [{ apiVersion: "v1", kind: "Node", name, uid: node.uid }];
  return { ...base, metadata, spec: { ...(base.spec ?? {}), holderIdentity: name, leaseDurationSeconds: durationSeconds, renewTime: microTime(now) } };
}
