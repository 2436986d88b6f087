// Chaos (issue 4, the SIGKILL Must-shows) on a cluster of OS processes: an API server, a relay,
// one scheduler, two controller-manager replicas (leader election, fast node lifecycle
// timings) and two node hosts of 3 sim nodes each (node-1..3 and node-4..6).
// (a) SIGKILL one node host and leave it dead: its nodes go Unknown and get the unreachable
//     taint, their pods are evicted and replaced on the surviving nodes, and the Deployment is
//     available again with every pod on a live node.
// (b) SIGKILL the controller-manager holding the Lease in the middle of a rollout: the other
//     replica takes the Lease and `kubectl rollout status` completes.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startCluster, type TestCluster } from "./harness/cluster.js";

const NS = "default";
const HOST_A_NODES = ["node-1", "node-2", "node-3"];
const HOST_B_NODES = ["node-4", "node-5", "node-6"];
const LEASE_PATH = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager";

let cluster: TestCluster;
let kubeHome: string;

interface Condition {
  type: string;
  status: string;
}
interface Pod {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string; containers: Array<{ image: string }> };
  status?: { phase?: string; conditions?: Condition[] };
}
interface Node {
  metadata: { name: string };
  spec: { taints?: Array<{ key: string; effect: string }> };
  status?: { conditions?: Condition[] };
}

async function get<T = any>(path: string): Promise<T | undefined> {
  const r = await fetch(cluster.apiUrls[0]! + path);
  if (r.status === 404) return undefined;
  if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

const podsOf = async (app: string): Promise<Pod[]> => (await get<{ items: Pod[] }>(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3D${app}`))!.items;
const nodes = async (): Promise<Node[]> => (await get<{ items: Node[] }>("/api/v1/nodes"))!.items;
const readyStatus = (o: { status?: { conditions?: Condition[] } }) => (o.status?.conditions ?? []).find((c) => c.type === "Ready")?.status;
const leaseHolder = async () => (await get(LEASE_PATH))?.spec?.holderIdentity as string | undefined;

/** A bound for CI on something that must happen (no timing is asserted). */
async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, boundMs = 30_000): Promise<T> {
  const end = Date.now() + boundMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) assert.fail(`never happened within ${boundMs} ms: ${what}${last ? ` (last error: ${String(last)})` : ""}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function kubectl(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/kubectl", ["--cache-dir", join(kubeHome, "cache"), "-n", NS, ...args], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: kubeHome, KUBECONFIG: cluster.kubeconfig(0) },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 75_000,
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`kubectl ${args.join(" ")} exited ${code}: ${err}${out}`))));
  });
}

async function apply(name: string, yaml: string): Promise<void> {
  const file = join(kubeHome, `${name}.yaml`);
  writeFileSync(file, yaml);
  await kubectl("apply", "-f", file);
}

function deploymentYaml(name: string, o: { replicas: number; image: string; cpu?: string; startupMs?: number }): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${o.replicas}
  selector:
    matchLabels:
      app: ${name}
  strategy:
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        app: ${name}
${o.startupMs ? `      annotations:\n        sim.k8s-dev/startup-ms: "${o.startupMs}"\n` : ""}    spec:
      containers:
      - name: c
        image: ${o.image}
${o.cpu ? `        resources:\n          requests:\n            cpu: "${o.cpu}"\n` : ""}`;
}

/** Exactly `n` pods of `app` (none terminating), all Running and Ready on one of `on`, all with `image`. */
function settled(app: string, n: number, on: string[], image: string): Promise<Pod[]> {
  return eventually(`${n} pods of ${app} Running and Ready on ${on.join(",")} with ${image}`, async () => {
    const pods = await podsOf(app);
    const ok =
      pods.length === n &&
      pods.every((p) => !p.metadata.deletionTimestamp && p.status?.phase === "Running" && readyStatus(p) === "True" && on.includes(p.spec.nodeName ?? "") && p.spec.containers[0]!.image === image);
    return ok ? pods : undefined;
  });
}

before(async () => {
  const nodeEnv = { K8S_NODE_PREFIX: "node", K8S_NODES: "3", K8S_NODE_CPU: "2", K8S_NODE_LEASE_RENEW_MS: "500", K8S_SIM_STARTUP_MS: "50", K8S_SIM_STOP_MS: "50" };
  cluster = await startCluster({
    apiservers: 1,
    relays: 1,
    schedulers: 1,
    controllerManagers: 2,
    controllerManagerEnv: {
      K8S_NODE_MONITOR_GRACE_MS: "3000",
      K8S_DEFAULT_TOLERATION_SECONDS: "1",
      K8S_LEADER_LEASE_MS: "2000",
      K8S_LEADER_RENEW_MS: "1500",
      K8S_LEADER_RETRY_MS: "250",
    },
    nodeHosts: [
      { ...nodeEnv, K8S_NODE_FIRST: "1" },
      { ...nodeEnv, K8S_NODE_FIRST: "4" },
    ],
  });
  kubeHome = join(cluster.dir, "kubectl-home");
  mkdirSync(kubeHome, { recursive: true });
  await eventually("6 Ready nodes", async () => (await nodes()).filter((n) => readyStatus(n) === "True").length === 6);
  await eventually("a controller-manager holding the Lease", leaseHolder);
});

after(async () => {
  await cluster?.stop();
});

test("chaos - SIGKILL a node host: its nodes go Unknown and tainted, their pods are replaced on the surviving nodes", { timeout: 60_000 }, async () => {
  // 2-cpu nodes and 1-cpu pods: the surviving host can hold all 6, and spreading puts some on each host.
  await apply("spread", deploymentYaml("spread", { replicas: 6, image: "nginx:1.0", cpu: "1" }));
  await kubectl("rollout", "status", "deployment/spread", "--timeout=60s");
  const before = await settled("spread", 6, [...HOST_A_NODES, ...HOST_B_NODES], "nginx:1.0");
  const victims = before.filter((p) => HOST_B_NODES.includes(p.spec.nodeName!)).map((p) => p.metadata.name);
  assert.ok(victims.length > 0 && victims.length < 6, `pods spread over both hosts (on host B: ${victims.length})`);

  const hostB = cluster.nodeHosts[1]!;
  await hostB.kill("SIGKILL");

  await eventually("node-4..6 Ready=Unknown with the unreachable NoExecute taint", async () => {
    const dead = (await nodes()).filter((n) => HOST_B_NODES.includes(n.metadata.name));
    return dead.length === 3 && dead.every((n) => readyStatus(n) === "Unknown" && (n.spec.taints ?? []).some((t) => t.key === "node.kubernetes.io/unreachable" && t.effect === "NoExecute"));
  });
  const after = await settled("spread", 6, HOST_A_NODES, "nginx:1.0");
  const names = new Set(after.map((p) => p.metadata.name));
  assert.ok(victims.every((v) => !names.has(v)), "the pods of the dead nodes are gone");
  assert.equal(after.length - after.filter((p) => before.some((b) => b.metadata.name === p.metadata.name)).length, victims.length, "one replacement per evicted pod");
  await kubectl("rollout", "status", "deployment/spread", "--timeout=30s");
  const d = await get(`/apis/apps/v1/namespaces/${NS}/deployments/spread`);
  assert.deepEqual([d.status.replicas, d.status.readyReplicas, d.status.availableReplicas], [6, 6, 6]);
  assert.equal(d.status.conditions.find((c: Condition) => c.type === "Available")?.status, "True");
  // The surviving nodes were never touched.
  for (const n of (await nodes()).filter((x) => HOST_A_NODES.includes(x.metadata.name))) {
    assert.equal(readyStatus(n), "True", n.metadata.name);
    assert.deepEqual(n.spec.taints ?? [], [], n.metadata.name);
  }
  assert.equal(hostB.alive(), false, "host B stays dead");

  await kubectl("delete", "deployment", "spread");
  await eventually("spread's pods gone", async () => (await podsOf("spread")).length === 0);
});

test("chaos - SIGKILL the leading controller-manager mid-rollout: the standby takes the Lease and the rollout completes", { timeout: 70_000 }, async () => {
  // Pods take ~1 s to start, so a rollout of 4 with maxSurge 1 / maxUnavailable 0 takes several seconds.
  await apply("roll", deploymentYaml("roll", { replicas: 4, image: "nginx:1.0", startupMs: 1000 }));
  await kubectl("rollout", "status", "deployment/roll", "--timeout=60s");
  await settled("roll", 4, HOST_A_NODES, "nginx:1.0");

  const leader = await eventually("a Lease holder", leaseHolder);
  const victim = cluster.controllerManagers.find((m) => m.name === leader);
  assert.ok(victim, `the Lease holder ${leader} is one of ours`);

  await kubectl("set", "image", "deployment/roll", "c=nginx:2.0");
  await eventually("the leader to create the ReplicaSet of revision 2", async () => {
    const rss = (await get(`/apis/apps/v1/namespaces/${NS}/replicasets?labelSelector=app%3Droll`)).items as Array<{ metadata: { annotations?: Record<string, string> } }>;
    return rss.some((rs) => rs.metadata.annotations?.["deployment.kubernetes.io/revision"] === "2");
  });
  await victim.kill("SIGKILL");
  const atKill = await podsOf("roll");
  assert.ok(atKill.some((p) => p.spec.containers[0]!.image === "nginx:1.0" && !p.metadata.deletionTimestamp), "the rollout was still in progress when the leader died");

  const successor = await eventually("another replica to take the Lease", async () => {
    const h = await leaseHolder();
    return h && h !== leader ? h : undefined;
  });
  assert.ok(cluster.controllerManagers.some((m) => m.name === successor && m.alive()), `the new holder ${successor} is our live replica`);

  assert.match(await kubectl("rollout", "status", "deployment/roll", "--timeout=60s"), /deployment "roll" successfully rolled out/);
  await settled("roll", 4, HOST_A_NODES, "nginx:2.0");
  const d = await get(`/apis/apps/v1/namespaces/${NS}/deployments/roll`);
  assert.equal(d.status.observedGeneration, d.metadata.generation);
  assert.deepEqual([d.status.replicas, d.status.updatedReplicas, d.status.availableReplicas], [4, 4, 4]);
  assert.equal(victim.alive(), false);
});
