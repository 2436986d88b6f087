/**
 * controllers-bench: CPU the controller-manager's controllers spend per pod, in one process,
 * with no bus and no store: the four default controllers run on shared informers (pods cached
 * as the manager's views) whose events come from an in-memory source, and a fake client whose
 * creates the bench answers. Each pod a ReplicaSet creates arrives as the three change events a
 * cluster sends (created; bound to a node; Running and Ready), as stored bytes encoded before
 * the clock starts, in batches as the relay sends them. What is measured: the informers'
 * decoding, the controllers' event handlers, their syncs and the creates' bookkeeping; not the
 * bus, not the encoding of requests.
 * Prints numbers only (CPU µs per pod, best of CM_BENCH_ROUNDS rounds, so that a busy machine
 * disturbs it less); asserts nothing about timing.
 *
 * Run: `npm run build && node dist/bench/controllers-bench.js` (env CM_BENCH_PODS, default 10000;
 * CM_BENCH_NODES, default 500; CM_BENCH_BATCH: events per relay message, default 64;
 * CM_BENCH_ROUNDS, default 3; CM_BENCH_STATS=1 prints each controller's counters after a round).
 */
import "reflect-metadata";
import { decodeItem, Informer, type Cached, type InformerOptions, type InformerEvent, type ListWatchSource, type ListedItem, type KubeClient, type KubeObject } from "../services/client/index.js";
import { logger, setLogLevel, systemClock } from "../services/kernel/index.js";
import { encodeStoredJSON, lookupResourceByKind } from "../services/schema/index.js";
import { objectKey } from "../services/store/object-keys.js";
import { defaultControllers, podViewDecoders, SharedInformers } from "../services/controllers/index.js";
import { intEnv } from "./bench-util.js";

setLogLevel("error");
const PODS = intEnv("CM_BENCH_PODS", 10_000);
const NODES = intEnv("CM_BENCH_NODES", 500);
const BATCH = intEnv("CM_BENCH_BATCH", 64);
const ROUNDS = intEnv("CM_BENCH_ROUNDS", 3);
const NS = "bench";
const RS_NAME = "web-7d9c8b6f5";
const RS_UID = "7f6f7c1e-2222-4c4c-8a8a-000000000002";
const T0 = new Date().toISOString().replace(/\.\d+Z$/, "Z");

/** An in-memory ListWatchSource: a fixed list, then the events the bench pushes. */
class MemorySource implements ListWatchSource {
  private listeners: Array<(events: readonly InformerEvent[]) => void> = [];
  constructor(private readonly items: ListedItem[] = []) {}
  async list() {
    return { items: this.items, revision: 1_000 };
  }
  async replay(fromRevision: number) {
    return { events: [], revision: fromRevision };
  }
  subscribe(onEvents: (events: readonly InformerEvent[]) => void) {
    this.listeners.push(onEvents);
    return () => void (this.listeners = this.listeners.filter((l) => l !== onEvents));
  }
  push(events: readonly InformerEvent[]) {
    for (const l of this.listeners) l(events);
  }
}

const stored = (kind: string, obj: KubeObject) => encodeStoredJSON(kind, obj).value;
const keyOf = (kind: string, ns: string, name: string) => objectKey(lookupResourceByKind(kind)!.storeResource, ns, name);

const replicaSet = {
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  metadata: { name: RS_NAME, namespace: NS, uid: RS_UID, creationTimestamp: T0, generation: 1, labels: { app: "web", "pod-template-hash": "7d9c8b6f5" } },
  spec: {
    replicas: PODS,
    selector: { matchLabels: { app: "web", "pod-template-hash": "7d9c8b6f5" } },
    template: {
      metadata: { labels: { app: "web", "pod-template-hash": "7d9c8b6f5" } },
      spec: { containers: [{ name: "web", image: "nginx:1.27", resources: { requests: { cpu: "1m", memory: "1Mi" } } }] },
    },
  },
};

function node(i: number): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: `node-${i}`, uid: `node-uid-${i}`, creationTimestamp: T0, labels: { "kubernetes.io/hostname": `node-${i}` } },
    spec: {},
    status: {
      capacity: { cpu: "32", memory: "64Gi", pods: "110" },
      allocatable: { cpu: "32", memory: "64Gi", pods: "110" },
      conditions: [{ type: "Ready", status: "True", lastHeartbeatTime: T0, lastTransitionTime: T0, reason: "KubeletReady" }],
    },
  };
}

function lease(i: number): KubeObject {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name: `node-${i}`, namespace: "kube-node-lease", uid: `lease-uid-${i}`, creationTimestamp: T0 },
    spec: { holderIdentity: `node-${i}`, leaseDurationSeconds: 40, renewTime: new Date().toISOString().replace("Z", "000Z") },
  };
}

/** The three stored states of pod i, as the API server, the scheduler and the node host write them. */
function podStates(i: number): [Uint8Array, Uint8Array, Uint8Array] {
  const name = `${RS_NAME}-${i.toString(36).padStart(5, "0")}`;
  const nodeName = `node-${i % NODES}`;
  const created = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      generateName: `${RS_NAME}-`,
      namespace: NS,
      uid: `pod-uid-${i}`,
      creationTimestamp: T0,
      labels: { app: "web", "pod-template-hash": "7d9c8b6f5" },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: RS_NAME, uid: RS_UID, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      containers: [{ name: "web", image: "nginx:1.27", resources: { requests: { cpu: "1m", memory: "1Mi" } }, terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File", imagePullPolicy: "IfNotPresent" }],
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
      dnsPolicy: "ClusterFirst",
      serviceAccountName: "default",
      schedulerName: "default-scheduler",
      tolerations: [
        { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
        { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      ],
      priority: 0,
      enableServiceLinks: true,
    },
    status: { phase: "Pending", qosClass: "Burstable" },
  };
  const bound = {
    ...created,
    spec: { ...created.spec, nodeName },
    status: { ...created.status, conditions: [{ type: "PodScheduled", status: "True", lastTransitionTime: T0 }] },
  };
  const cond = (type: string) => ({ type, status: "True", lastTransitionTime: T0 });
  const running = {
    ...bound,
    status: {
      phase: "Running",
      conditions: [cond("PodReadyToStartContainers"), cond("Initialized"), cond("Ready"), cond("ContainersReady"), cond("PodScheduled")],
      hostIP: "127.0.0.18",
      podIP: `10.244.${(i >> 8) & 255}.${i & 255}`,
      startTime: T0,
      containerStatuses: [{ name: "web", ready: true, restartCount: 0, image: "nginx:1.27", imageID: "sim://nginx:1.27", containerID: `sim://${i}`, started: true, state: { running: { startedAt: T0 } } }],
      qosClass: "Burstable",
    },
  };
  return [stored("Pod", created), stored("Pod", bound), stored("Pod", running)];
}

/** One round: fresh informers and controllers; returns the CPU µs spent on PODS pods and the creates made. */
async function round(states: ReadonlyArray<[Uint8Array, Uint8Array, Uint8Array]>): Promise<{ cpuUs: number; creates: number }> {
  const sources = new Map<string, MemorySource>();
  const listed = (kind: string, objs: KubeObject[]) =>
    objs.map((o, i) => ({ key: keyOf(kind, o.metadata.namespace ?? "", o.metadata.name), value: stored(kind, o), modRevision: 10 + i, createRevision: 10 + i }));
  sources.set("Node", new MemorySource(listed("Node", Array.from({ length: NODES }, (_, i) => node(i)))));
  sources.set("Lease", new MemorySource(listed("Lease", Array.from({ length: NODES }, (_, i) => lease(i)))));
  const pods = new MemorySource();
  const replicaSets = new MemorySource();
  sources.set("Pod", pods);
  sources.set("ReplicaSet", replicaSets);

  let creates = 0;
  const created: number[] = [];
  const informerOf = <T>(kind: string, decode: (v: Uint8Array, meta: { key: string; modRevision: number; createRevision: number }, prev: Cached<T> | undefined) => T, opts: InformerOptions) => {
    let source = sources.get(kind);
    if (!source) sources.set(kind, (source = new MemorySource()));
    const inf: Informer<T> = new Informer<T>(source, (v, meta) => decode(v, meta, inf.get(meta.key)), opts);
    return inf;
  };
  const client = {
    informerOf,
    informer: (kind: string, opts: InformerOptions) => informerOf(kind, (v, meta) => decodeItem(v, meta.modRevision), opts),
    async createFromTemplate() {
      created.push(creates++);
    },
    async updateStatus(o: KubeObject) {
      return o;
    },
    async update(o: KubeObject) {
      return o;
    },
    async create(o: KubeObject) {
      return o;
    },
  } as unknown as KubeClient;

  const informers = new SharedInformers(client, logger("bench"), 0, podViewDecoders());
  const controllers = defaultControllers({});
  for (const c of controllers) await c.start({ client, informers, log: logger(c.name), clock: systemClock });

  let revision = 2_000;
  let podRevision = 1_000;
  const podEvent = (type: "ADDED" | "MODIFIED", i: number, state: 0 | 1 | 2): InformerEvent => {
    const e: InformerEvent = { type, revision: ++revision, prevRevision: podRevision, key: keyOf("Pod", NS, `${RS_NAME}-${i.toString(36).padStart(5, "0")}`), value: states[i]![state], createRevision: 0 };
    podRevision = e.revision;
    return e;
  };

  const start = process.cpuUsage();
  replicaSets.push([{ type: "ADDED", revision: ++revision, prevRevision: 1_000, key: keyOf("ReplicaSet", NS, RS_NAME), value: stored("ReplicaSet", replicaSet), createRevision: revision }]);
  // The cluster: each turn, what was created last turn is added, what was added is bound, what was bound runs.
  let added: number[] = [];
  let bound: number[] = [];
  let running = 0;
  while (running < PODS) {
    await new Promise((r) => setImmediate(r));
    const events: InformerEvent[] = [];
    for (const i of bound) events.push(podEvent("MODIFIED", i, 2));
    running += bound.length;
    for (const i of added) events.push(podEvent("MODIFIED", i, 1));
    bound = added;
    added = created.splice(0);
    for (const i of added) events.push(podEvent("ADDED", i, 0));
    for (let s = 0; s < events.length; s += BATCH) pods.push(events.slice(s, s + BATCH));
  }
  await new Promise((r) => setTimeout(r, 50));
  const used = process.cpuUsage(start);
  if (process.env.CM_BENCH_STATS) for (const c of controllers) console.log(c.name, JSON.stringify((c as { stats?: unknown }).stats));
  for (const c of controllers) await c.stop();
  informers.stop();
  return { cpuUs: used.user + used.system, creates };
}

async function main(): Promise<void> {
  const states = Array.from({ length: PODS }, (_, i) => podStates(i));
  console.log(`controllers-bench: ${PODS} pods of one ReplicaSet on ${NODES} nodes, 3 events per pod in batches of ${BATCH}; best of ${ROUNDS}`);
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const res = await round(states);
    console.log(`  round ${r + 1}: ${(res.cpuUs / PODS).toFixed(1)} µs CPU per pod, ${res.creates} creates`);
    best = Math.min(best, res.cpuUs);
  }
  console.log(`controller-manager CPU per pod: ${(best / PODS).toFixed(1)} µs`);
}

await main();
