// Node lifecycle (issue 4) against a real cluster and controller-manager with short timings:
// the test plays two kubelets (Node + Lease in kube-node-lease, renewed from here). When one
// stops renewing, the controller marks it Ready=Unknown, taints it unreachable (NoExecute and
// NoSchedule) and evicts its pods as their tolerations allow: a pod with the default
// toleration (shortened to 1 s) goes before one tolerating 4 s, one tolerating forever stays
// (marked not Ready). The other node and its pod are left alone. Renewing again and posting
// Ready=True removes the taints. Raw HTTP, so a failure shows the exact exchange.
import "reflect-metadata";
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { spawnActor, type ActorProcessHandle } from "./harness/actor-process.js";
import { startCluster, type TestCluster } from "./harness/cluster.js";
import { pollFor } from "./harness/poll.js";

const NS = "default";
const UNREACHABLE = "node.kubernetes.io/unreachable";

interface Exchange {
  status: number;
  body: any;
  describe: string;
}

async function call(base: string, method: string, path: string, body?: unknown, contentType = "application/json"): Promise<Exchange> {
  const res = await fetch(base + path, {
    method,
    headers: { Accept: "application/json", ...(body === undefined ? {} : { "Content-Type": contentType }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, describe: `${method} ${path}${body === undefined ? "" : " " + JSON.stringify(body)}\n→ ${res.status} ${text.slice(0, 1500)}` };
}

async function expectOk(base: string, method: string, path: string, body?: unknown, contentType?: string): Promise<any> {
  const x = await call(base, method, path, body, contentType);
  assert.ok(x.status >= 200 && x.status < 300, `unexpected status:\n${x.describe}`);
  return x.body;
}

const microTime = (ms: number) => new Date(ms).toISOString().replace("Z", "000Z");
const time = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** waitFor: polls `probe` until it returns a value (not undefined) or the deadline passes. */
/** FakeKubelet: registers a Node and renews its Lease every 300 ms while `renewing`. */
class FakeKubelet {
  renewing = true;
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly base: string,
    readonly name: string,
  ) {}

  async register(): Promise<void> {
    const now = Date.now();
    await expectOk(this.base, "POST", "/api/v1/nodes", {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: this.name, labels: { "kubernetes.io/hostname": this.name } },
      spec: {},
      status: {
        capacity: { cpu: "4", memory: "8Gi", pods: "110" },
        conditions: [
          { type: "MemoryPressure", status: "False", reason: "KubeletHasSufficientMemory", lastHeartbeatTime: time(now), lastTransitionTime: time(now) },
          { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: time(now), lastTransitionTime: time(now) },
        ],
      },
    });
    await expectOk(this.base, "POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: this.name, namespace: "kube-node-lease" },
      spec: { holderIdentity: this.name, leaseDurationSeconds: 40, renewTime: microTime(now) },
    });
    this.timer = setInterval(() => void this.renew(), 300);
  }

  private async renew(): Promise<void> {
    if (!this.renewing) return;
    await call(this.base, "PATCH", `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${this.name}`, { spec: { renewTime: microTime(Date.now()) } }, "application/merge-patch+json").catch(() => undefined);
  }

  /** postReady: the kubelet's status update with Ready=True and a fresh heartbeat. */
  async postReady(): Promise<void> {
    const node = await expectOk(this.base, "GET", `/api/v1/nodes/${this.name}`);
    const now = Date.now();
    node.status.conditions = (node.status.conditions ?? []).map((c: any) =>
      c.type === "Ready"
        ? { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: time(now), lastTransitionTime: time(now) }
        : { ...c, status: "False", lastHeartbeatTime: time(now), lastTransitionTime: time(now) },
    );
    await expectOk(this.base, "PUT", `/api/v1/nodes/${this.name}/status`, node);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

async function createBoundPod(base: string, name: string, nodeName: string, tolerations?: unknown[]): Promise<void> {
  await expectOk(base, "POST", `/api/v1/namespaces/${NS}/pods`, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: NS },
    spec: { nodeName, containers: [{ name: "c", image: "nginx" }], ...(tolerations ? { tolerations } : {}) },
  });
  // What the kubelet would post: Running and Ready.
  const pod = await expectOk(base, "GET", `/api/v1/namespaces/${NS}/pods/${name}`);
  const now = time(Date.now());
  pod.status = { ...pod.status, phase: "Running", conditions: [{ type: "PodScheduled", status: "True", lastTransitionTime: now }, { type: "Ready", status: "True", lastTransitionTime: now }] };
  await expectOk(base, "PUT", `/api/v1/namespaces/${NS}/pods/${name}/status`, pod);
}

const getNode = (base: string, name: string) => expectOk(base, "GET", `/api/v1/nodes/${name}`);
const taintsOf = (node: any): Array<{ key: string; effect: string; timeAdded?: string }> => node.spec?.taints ?? [];

test("node lifecycle - a node whose Lease stops is marked Unknown, tainted, its pods evicted by toleration; renewing and Ready again untaints it", async () => {
  let cluster: TestCluster | undefined;
  let cm: ActorProcessHandle | undefined;
  const kubelets: FakeKubelet[] = [];
  try {
    cluster = await startCluster();
    const base = cluster.apiUrls[0]!;
    cm = spawnActor(
      "controllers",
      "controller-manager-1",
      {
        NATS_URL: cluster.nats.url,
        REDIS_URL: cluster.redis.url,
        LOG_LEVEL: "info",
        K8S_NODE_MONITOR_GRACE_MS: "2000",
        K8S_DEFAULT_TOLERATION_SECONDS: "1",
      },
      join(cluster.dir, "controller-manager-1.log"),
    );
    const dying = new FakeKubelet(base, "nl-dying");
    const healthy = new FakeKubelet(base, "nl-healthy");
    kubelets.push(dying, healthy);
    await dying.register();
    await healthy.register();

    await createBoundPod(base, "plain", "nl-dying");
    await createBoundPod(base, "tolerant", "nl-dying", [{ key: UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: 4 }]);
    await createBoundPod(base, "forever", "nl-dying", [
      { key: UNREACHABLE, operator: "Exists", effect: "NoExecute" },
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
    ]);
    await createBoundPod(base, "bystander", "nl-healthy");

    // While the Lease is renewed, the node stays untouched longer than the grace period —
    // once the controller is surely running (it leads and has seen the nodes by then).
    await new Promise((r) => setTimeout(r, 5000));
    assert.deepEqual(taintsOf(await getNode(base, "nl-dying")), [], "renewing node must not be tainted");
    assert.equal((await getNode(base, "nl-dying")).status.conditions.find((c: any) => c.type === "Ready").status, "True");

    // The kubelet dies.
    const stoppedAt = Date.now();
    dying.renewing = false;
    const unknownNode = await pollFor("nl-dying Ready=Unknown and tainted", async () => {
      const n = await getNode(base, "nl-dying");
      const r = n.status.conditions.find((c: any) => c.type === "Ready");
      return r.status === "Unknown" && taintsOf(n).some((t) => t.key === UNREACHABLE && t.effect === "NoExecute") ? n : undefined;
    });
    const ready = unknownNode.status.conditions.find((c: any) => c.type === "Ready");
    assert.equal(ready.reason, "NodeStatusUnknown");
    assert.equal(ready.message, "Kubelet stopped posting node status.");
    for (const c of unknownNode.status.conditions) assert.equal(c.status, "Unknown", `condition ${c.type}`);
    const noExecute = taintsOf(unknownNode).find((t) => t.key === UNREACHABLE && t.effect === "NoExecute")!;
    assert.ok(noExecute.timeAdded && Date.parse(noExecute.timeAdded) >= stoppedAt - 1000, `timeAdded ${noExecute.timeAdded}`);
    assert.ok(taintsOf(unknownNode).some((t) => t.key === UNREACHABLE && t.effect === "NoSchedule"), JSON.stringify(taintsOf(unknownNode)));

    // Pods leave in toleration order: default (1 s) first, then 4 s; forever stays.
    const goneAt = new Map<string, number>();
    await pollFor(
      "plain and tolerant evicted and gone",
      async () => {
        for (const name of ["plain", "tolerant"]) {
          if (goneAt.has(name)) continue;
          const x = await call(base, "GET", `/api/v1/namespaces/${NS}/pods/${name}`);
          if (x.status === 404) goneAt.set(name, Date.now());
          else assert.equal(x.status, 200, x.describe);
        }
        return goneAt.size === 2 ? true : undefined;
      },
      30_000,
    );
    assert.ok(goneAt.get("plain")! < goneAt.get("tolerant")!, `the pod tolerating 4 s outlives the one with the default: ${JSON.stringify(Object.fromEntries(goneAt))}`);

    const forever = await expectOk(base, "GET", `/api/v1/namespaces/${NS}/pods/forever`);
    assert.equal(forever.metadata.deletionTimestamp, undefined, "tolerating forever: not evicted");
    const foreverReady = await pollFor("forever marked not Ready", async () => {
      const p = await expectOk(base, "GET", `/api/v1/namespaces/${NS}/pods/forever`);
      const r = p.status.conditions.find((c: any) => c.type === "Ready");
      return r.status === "False" ? r : undefined;
    });
    assert.equal(foreverReady.status, "False");

    const bystander = await expectOk(base, "GET", `/api/v1/namespaces/${NS}/pods/bystander`);
    assert.equal(bystander.metadata.deletionTimestamp, undefined, "a pod on the healthy node stays");
    assert.deepEqual(taintsOf(await getNode(base, "nl-healthy")), [], "the healthy node is not tainted");

    // The kubelet comes back: Lease renewed, Ready=True posted → the taints go.
    dying.renewing = true;
    await dying.postReady();
    const untainted = await pollFor("nl-dying untainted", async () => {
      const n = await getNode(base, "nl-dying");
      return taintsOf(n).length === 0 ? n : undefined;
    });
    assert.equal(untainted.status.conditions.find((c: any) => c.type === "Ready").status, "True");
    assert.equal((await expectOk(base, "GET", `/api/v1/namespaces/${NS}/pods/forever`)).metadata.deletionTimestamp, undefined);
  } finally {
    for (const k of kubelets) k.stop();
    await cm?.kill("SIGKILL");
    await cluster?.stop();
  }
});
