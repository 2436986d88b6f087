/**
 * schema-bench: CPU cost of the schema conversions every actor runs per object, in CPU ns/op:
 * - read:  decodeStoredJSON, the one-pass wire codec (what a get, a list item or an informer
 *   event costs), next to the message path it replaced (decodeStored + toKubeJSON) and the ratio;
 * - write: encodeStoredJSON, written straight from the JSON (what a create/update costs), next
 *   to the message path (fromKubeJSON + encodeStored) and the ratio;
 * also split into the four steps, for a running Pod (status, conditions, container statuses),
 * a Node (as the node host registers it) and a Deployment. Single process, no I/O.
 * Prints numbers only (CPU time, best of ROUNDS rounds, so that a busy machine disturbs it less); it asserts nothing about timing.
 *
 * Run: `npm run bench:schema` (env SCHEMA_BENCH_MS: milliseconds per measurement, default 300).
 */
import { decodeStored, decodeStoredJSON, encodeStored, encodeStoredJSON, fromKubeJSON, toKubeJSON, type Kind } from "../services/schema/index.js";

const ROUNDS = 7;
const MS = Number(process.env.SCHEMA_BENCH_MS ?? 300);

const T0 = "2026-01-02T03:04:05Z";
const T1 = "2026-01-02T03:04:09Z";

/** The one container of the fixtures' pod and of the Deployment's pod template. */
const WEB_CONTAINER = {
  name: "web",
  image: "nginx:1.27",
  ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
  resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
  terminationMessagePath: "/dev/termination-log",
  terminationMessagePolicy: "File",
  imagePullPolicy: "IfNotPresent",
};

/** The pod spec of the fixtures' pod (which adds its own fields) and of the Deployment's template. */
const WEB_POD_SPEC = {
  containers: [WEB_CONTAINER],
  restartPolicy: "Always",
  terminationGracePeriodSeconds: 30,
  dnsPolicy: "ClusterFirst",
  securityContext: {},
  schedulerName: "default-scheduler",
};

const pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name: "web-7d9c8b6f5-x2x9q",
    generateName: "web-7d9c8b6f5-",
    namespace: "default",
    uid: "7f6f7c1e-1111-4c4c-8a8a-000000000001",
    creationTimestamp: T0,
    labels: { app: "web", "pod-template-hash": "7d9c8b6f5" },
    ownerReferences: [
      { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-7d9c8b6f5", uid: "7f6f7c1e-2222-4c4c-8a8a-000000000002", controller: true, blockOwnerDeletion: true },
    ],
  },
  spec: {
    ...WEB_POD_SPEC,
    serviceAccountName: "default",
    serviceAccount: "default",
    nodeName: "node-17",
    tolerations: [
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    ],
    priority: 0,
    enableServiceLinks: true,
    preemptionPolicy: "PreemptLowerPriority",
  },
  status: {
    phase: "Running",
    conditions: [
      { type: "PodReadyToStartContainers", status: "True", lastProbeTime: null, lastTransitionTime: T1 },
      { type: "Initialized", status: "True", lastProbeTime: null, lastTransitionTime: T0 },
      { type: "Ready", status: "True", lastProbeTime: null, lastTransitionTime: T1 },
      { type: "ContainersReady", status: "True", lastProbeTime: null, lastTransitionTime: T1 },
      { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: T0 },
    ],
    hostIP: "127.0.0.18",
    hostIPs: [{ ip: "127.0.0.18" }],
    podIP: "10.244.17.5",
    podIPs: [{ ip: "10.244.17.5" }],
    startTime: T0,
    containerStatuses: [
      {
        name: "web",
        state: { running: { startedAt: T1 } },
        lastState: {},
        ready: true,
        restartCount: 0,
        image: "nginx:1.27",
        imageID: "sim://nginx@sha256:0123456789abcdef",
        containerID: "sim://web-7d9c8b6f5-x2x9q-web-0",
        started: true,
      },
    ],
    qosClass: "Burstable",
  },
};

const resources = { cpu: "4", memory: "16Gi", pods: "110", "ephemeral-storage": "100Gi" };
const node = {
  apiVersion: "v1",
  kind: "Node",
  metadata: {
    name: "node-17",
    uid: "7f6f7c1e-3333-4c4c-8a8a-000000000003",
    creationTimestamp: T0,
    labels: {
      "beta.kubernetes.io/arch": "amd64",
      "beta.kubernetes.io/os": "linux",
      "kubernetes.io/arch": "amd64",
      "kubernetes.io/hostname": "node-17",
      "kubernetes.io/os": "linux",
      "node.kubernetes.io/instance-type": "sim",
      type: "sim",
    },
    annotations: { "node.alpha.kubernetes.io/ttl": "0", "k8s-dev/runtime": "sim" },
  },
  spec: { podCIDR: "10.244.17.0/24", podCIDRs: ["10.244.17.0/24"], providerID: "sim://node-17" },
  status: {
    capacity: resources,
    allocatable: resources,
    conditions: [
      ["MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"],
      ["DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"],
      ["PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"],
      ["Ready", "True", "KubeletReady", "kubelet is posting ready status"],
    ].map(([type, status, reason, message]) => ({ type, status, lastHeartbeatTime: T1, lastTransitionTime: T0, reason, message })),
    addresses: [
      { type: "InternalIP", address: "127.0.0.18" },
      { type: "Hostname", address: "node-17" },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: "sim-node-17",
      systemUUID: "sim-node-17",
      bootID: "sim-boot-node-17",
      kernelVersion: "6.0.0-sim",
      osImage: "k8s-dev sim",
      containerRuntimeVersion: "sim://1.0.0",
      kubeletVersion: "v1.32.0-sim",
      kubeProxyVersion: "",
      operatingSystem: "linux",
      architecture: "amd64",
    },
  },
};

const deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: {
    name: "web",
    namespace: "default",
    uid: "7f6f7c1e-4444-4c4c-8a8a-000000000004",
    generation: 3,
    creationTimestamp: T0,
    labels: { app: "web" },
    annotations: { "deployment.kubernetes.io/revision": "1" },
  },
  spec: {
    replicas: 10000,
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: WEB_POD_SPEC,
    },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
    revisionHistoryLimit: 10,
    progressDeadlineSeconds: 600,
  },
  status: {
    observedGeneration: 3,
    replicas: 10000,
    updatedReplicas: 10000,
    readyReplicas: 9876,
    availableReplicas: 9876,
    unavailableReplicas: 124,
    conditions: [
      { type: "Available", status: "True", lastUpdateTime: T1, lastTransitionTime: T1, reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability." },
      { type: "Progressing", status: "True", lastUpdateTime: T1, lastTransitionTime: T0, reason: "NewReplicaSetAvailable", message: 'ReplicaSet "web-7d9c8b6f5" has successfully progressed.' },
    ],
  },
};

/** CPU ns (this process, GC threads included) per call of fn: the best of ROUNDS rounds of about MS ms each. */
function measure(fn: () => unknown): number {
  const cpuNs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) * 1000;
  };
  let n = 1;
  for (;;) {
    const t = cpuNs();
    for (let i = 0; i < n; i++) fn();
    if (cpuNs() - t > 20e6) break;
    n *= 2;
  }
  const perRound = Math.max(1, Math.round((n * MS) / 20));
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t = cpuNs();
    for (let i = 0; i < perRound; i++) fn();
    best = Math.min(best, (cpuNs() - t) / perRound);
  }
  return best;
}

let sink: unknown;
const rows: string[][] = [["object", "bytes", "read ns/op", "messages", "ratio", "decodeStored", "toKubeJSON", "write ns/op", "messages", "ratio", "fromKubeJSON", "encodeStored"]];
for (const [kind, json] of [["Pod", pod], ["Node", node], ["Deployment", deployment]] as Array<[Kind, object]>) {
  const message = fromKubeJSON(kind, json).message as object;
  const bytes = encodeStored(kind, message);
  const decoded = decodeStored(bytes).message as object;
  const read = measure(() => (sink = decodeStoredJSON(bytes, 1)));
  const readMessages = measure(() => {
    const d = decodeStored(bytes);
    sink = toKubeJSON(d.kind, d.message as object);
  });
  const decode = measure(() => (sink = decodeStored(bytes)));
  const toJSON = measure(() => (sink = toKubeJSON(kind, decoded)));
  const write = measure(() => (sink = encodeStoredJSON(kind, json)));
  const writeMessages = measure(() => (sink = encodeStored(kind, fromKubeJSON(kind, json).message as object)));
  const fromJSON = measure(() => (sink = fromKubeJSON(kind, json)));
  const encode = measure(() => (sink = encodeStored(kind, message)));
  const ns = (v: number) => v.toFixed(0);
  rows.push([kind, String(bytes.length), ns(read), ns(readMessages), (readMessages / read).toFixed(2), ns(decode), ns(toJSON), ns(write), ns(writeMessages), (writeMessages / write).toFixed(2), ns(fromJSON), ns(encode)]);
}
void sink;
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "));
