// The node lifecycle controller against an in-memory API and informers fed by it: each test
// seeds Nodes, Leases and Pods, starts the controller with short timings and compares the
// API actions made (sample-controller style) — including that a settled node gets no more
// writes (no write loop between the status, the taints and the pods).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Informer, type InformerEvent, type KubeClient, type KubeObject, type ListWatchSource } from "../../client/index.js";
import { RemoteError, logger, setLogLevel, systemClock } from "../../kernel/index.js";
import { lookupResourceByKind } from "../../schema/index.js";
import { SharedInformers } from "../controller.js";
import { NodeLifecycleController } from "./node-lifecycle.js";
import { formatTime } from "./decide.js";

setLogLevel("error");
const enc = new TextEncoder();
const dec = new TextDecoder();

function keyOf(kind: string, ns: string, name: string): string {
  const r = lookupResourceByKind(kind)!.storeResource;
  return ns ? `/${r}/${ns}/${name}` : `/${r}/${name}`;
}

/** FakeApi: the API's truth, the writes made, one event source per resource. */
class FakeApi {
  readonly objects = new Map<string, KubeObject>();
  readonly actions: string[] = [];
  private rev = 100;
  private readonly subscribers = new Map<string, (events: readonly InformerEvent[]) => void>();

  seed(obj: KubeObject): void {
    const o = structuredClone(obj);
    o.metadata.resourceVersion = String(++this.rev);
    this.objects.set(keyOf(o.kind, o.metadata.namespace ?? "", o.metadata.name), o);
  }

  /** change: an update from elsewhere (a kubelet, kubectl) while the controller runs. */
  change(kind: string, ns: string, name: string, edit: (o: KubeObject) => void): void {
    const [key, cur] = this.current(kind, ns, name);
    edit(cur);
    this.write(key, cur);
  }

  private write(key: string, obj: KubeObject | undefined): KubeObject {
    const revision = ++this.rev;
    const old = this.objects.get(key)!;
    if (obj) {
      obj.metadata.resourceVersion = String(revision);
      this.objects.set(key, obj);
    } else this.objects.delete(key);
    this.subscribers.get(key.split("/")[1]!)?.([{ type: obj ? "MODIFIED" : "DELETED", revision, prevRevision: 0, key, value: enc.encode(JSON.stringify(obj ?? old)), createRevision: 1 }]);
    return structuredClone(obj ?? old);
  }

  private current(kind: string, ns: string, name: string, rv?: string): [string, KubeObject] {
    const key = keyOf(kind, ns, name);
    const o = this.objects.get(key);
    if (!o) throw new RemoteError("fake", 404, "NotFound", name);
    if (rv && rv !== o.metadata.resourceVersion) throw new RemoteError("fake", 409, "Conflict", name);
    return [key, structuredClone(o)];
  }

  source(kind: string): ListWatchSource {
    return {
      list: async () => ({
        items: [...this.objects.values()]
          .filter((o) => o.kind === kind)
          .map((o) => ({ key: keyOf(kind, o.metadata.namespace ?? "", o.metadata.name), value: enc.encode(JSON.stringify(o)), modRevision: Number(o.metadata.resourceVersion), createRevision: 1 })),
        revision: this.rev,
      }),
      replay: async (from: number) => ({ events: [], revision: from }),
      subscribe: (cb) => {
        this.subscribers.set(lookupResourceByKind(kind)!.storeResource, cb);
        return () => undefined;
      },
    };
  }

  client(): KubeClient {
    const api = this;
    return {
      informer: (kind: string) => new Informer<KubeObject>(api.source(kind), (v) => JSON.parse(dec.decode(v)) as KubeObject, { resyncCheckMs: 0 }),
      async get(kind: string, ns: string, name: string) {
        return api.current(kind, ns, name)[1];
      },
      async updateStatus(obj: KubeObject) {
        const [key, cur] = api.current(obj.kind, obj.metadata.namespace ?? "", obj.metadata.name, obj.metadata.resourceVersion);
        const conds = (obj.status?.conditions ?? []).map((c: any) => `${c.type}=${c.status}`).join(",");
        api.actions.push(`status ${obj.kind} ${obj.metadata.name} ${conds}`);
        return api.write(key, { ...cur, status: structuredClone(obj.status) });
      },
      async patch(kind: string, ns: string, name: string, type: string, patch: KubeObject, subresource: string) {
        assert.deepEqual([type, subresource], ["merge", "status"], "the only patch: a pod's status conditions");
        const [key, cur] = api.current(kind, ns, name, patch.metadata.resourceVersion);
        const conds = (patch.status.conditions ?? []).map((c: any) => `${c.type}=${c.status}`).join(",");
        api.actions.push(`status ${kind} ${name} ${conds}`);
        return api.write(key, { ...cur, status: { ...cur.status, conditions: structuredClone(patch.status.conditions) } });
      },
      async update(obj: KubeObject) {
        const [key, cur] = api.current(obj.kind, obj.metadata.namespace ?? "", obj.metadata.name, obj.metadata.resourceVersion);
        api.actions.push(`taints ${obj.metadata.name} ${(obj.spec?.taints ?? []).map((t: any) => `${t.key}:${t.effect}`).join(",")}`);
        return api.write(key, { ...cur, spec: structuredClone(obj.spec) });
      },
      async delete(kind: string, ns: string, name: string, opts: { gracePeriodSeconds?: number; resourceVersion?: string }) {
        const [key, cur] = api.current(kind, ns, name, opts.resourceVersion);
        api.actions.push(`delete ${kind} ${name}${opts.gracePeriodSeconds === 0 ? " force" : ""}`);
        // Bound pods are deleted gracefully (the kubelet finishes); grace 0 removes at once.
        if (opts.gracePeriodSeconds === 0 || !cur.spec?.nodeName) return api.write(key, undefined);
        return api.write(key, { ...cur, metadata: { ...cur.metadata, deletionTimestamp: formatTime(Date.now() + 30_000) } });
      },
    } as unknown as KubeClient;
  }
}

const now = () => Date.now();
function nodeObj(name: string, opts: { heartbeatAgoMs?: number; taints?: unknown[] } = {}): KubeObject {
  const hb = formatTime(now() - (opts.heartbeatAgoMs ?? 0));
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, creationTimestamp: formatTime(now() - 3_600_000) },
    spec: opts.taints ? { taints: opts.taints } : {},
    status: { conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", lastHeartbeatTime: hb, lastTransitionTime: hb }] },
  };
}
function podObj(name: string, nodeName: string, tolerations?: unknown[]): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", uid: `uid-${name}`, creationTimestamp: formatTime(now() - 3_600_000) },
    spec: { nodeName, containers: [{ name: "c", image: "x" }], ...(tolerations ? { tolerations } : {}) },
    status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] },
  };
}

/** Starts the controller; returns a stop function. */
async function start(api: FakeApi, config: ConstructorParameters<typeof NodeLifecycleController>[0]): Promise<{ controller: NodeLifecycleController; stop: () => Promise<void> }> {
  const client = api.client();
  const informers = new SharedInformers(client, logger("test"), 0);
  const controller = new NodeLifecycleController({ workers: 2, backoff: { baseMs: 5, maxMs: 20 }, ...config });
  await controller.start({ client, informers, log: logger("node-lifecycle"), clock: systemClock });
  return {
    controller,
    stop: async () => {
      await controller.stop();
      informers.stop();
    },
  };
}

async function until(what: string, api: FakeApi, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}; actions: ${api.actions.join(" | ")}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("node-lifecycle controller - a stale node gets one status write and one taint write, its pods one not-ready mark; then nothing more", async () => {
  const api = new FakeApi();
  api.seed(nodeObj("stale", { heartbeatAgoMs: 10_000 }));
  api.seed(nodeObj("fresh"));
  api.seed({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "fresh", namespace: "kube-node-lease" }, spec: { renewTime: formatTime(now()).replace("Z", ".000000Z") } });
  api.seed(podObj("p", "stale"));
  api.seed(podObj("q", "fresh"));
  const { stop } = await start(api, { nodeMonitorGraceMs: 5_000, defaultTolerationSeconds: 300 });
  try {
    await until("the pod marked not ready", api, () => api.actions.some((a) => a.startsWith("status Pod")));
    await sleep(200); // a write loop would show here
    assert.deepEqual(api.actions, [
      "status Node stale Ready=Unknown,MemoryPressure=Unknown,DiskPressure=Unknown,PIDPressure=Unknown",
      "taints stale node.kubernetes.io/unreachable:NoSchedule,node.kubernetes.io/unreachable:NoExecute",
      "status Pod p Ready=False",
    ]);
  } finally {
    await stop();
  }
});

test("node-lifecycle controller - a NoExecute taint without timeAdded on a healthy node: intolerant pods at once, tolerating ones after their seconds, forever never", async () => {
  const api = new FakeApi();
  const taint = { key: "example.com/maintenance", effect: "NoExecute" };
  api.seed(nodeObj("n1", { taints: [taint] }));
  api.seed({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "n1", namespace: "kube-node-lease" }, spec: { renewTime: formatTime(now()).replace("Z", ".000000Z") } });
  api.seed(podObj("intolerant", "n1"));
  api.seed(podObj("brief", "n1", [{ key: "example.com/maintenance", operator: "Exists", effect: "NoExecute", tolerationSeconds: 0.3 }]));
  api.seed(podObj("forever", "n1", [{ key: "example.com/maintenance", operator: "Exists" }]));
  const { stop } = await start(api, { nodeMonitorGraceMs: 60_000 });
  try {
    await until("both evicted", api, () => api.actions.length >= 2);
    await sleep(400);
    // Healthy node (Ready=True): graceful deletes only, the kubelet finishes them; no status or taint writes.
    assert.deepEqual(api.actions, ["delete Pod intolerant", "delete Pod brief"]);
    assert.ok(api.objects.get("/pods/default/forever"));
  } finally {
    await stop();
  }
});

test("node-lifecycle controller - pods bound to a node that does not exist are force-deleted after the quarantine", async () => {
  const api = new FakeApi();
  api.seed(nodeObj("real"));
  api.seed({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "real", namespace: "kube-node-lease" }, spec: { renewTime: formatTime(now()).replace("Z", ".000000Z") } });
  api.seed(podObj("orphan", "ghost"));
  api.seed(podObj("fine", "real"));
  const { stop } = await start(api, { orphanQuarantineMs: 150 });
  try {
    await sleep(50);
    assert.deepEqual(api.actions, [], "still in quarantine");
    await until("orphan deleted", api, () => !api.objects.has("/pods/default/orphan"));
    await sleep(100);
    assert.deepEqual(api.actions, ["delete Pod orphan force"]);
  } finally {
    await stop();
  }
});

test("node-lifecycle controller - a toleration running out sooner than the heartbeat deadline wakes the node in time", async () => {
  const api = new FakeApi();
  api.seed(nodeObj("n1"));
  api.seed({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "n1", namespace: "kube-node-lease" }, spec: { renewTime: formatTime(now()).replace("Z", ".000000Z") } });
  api.seed(podObj("brief", "n1", [{ key: "example.com/maintenance", operator: "Exists", effect: "NoExecute", tolerationSeconds: 0.3 }]));
  const { stop } = await start(api, { nodeMonitorGraceMs: 60_000 }); // first wake-up: the heartbeat deadline, a minute out
  try {
    await sleep(100);
    api.change("Node", "", "n1", (n) => (n.spec.taints = [{ key: "example.com/maintenance", effect: "NoExecute" }])); // counts from first seen
    await until("brief evicted", api, () => api.actions.length > 0, 3000);
    assert.deepEqual(api.actions, ["delete Pod brief"]);
  } finally {
    await stop();
  }
});
