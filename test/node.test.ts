// Node actors (issue 4): a node host with 3 simulated kubelets against a real local cluster.
// There is no scheduler here: pods are bound by creating them with spec.nodeName. Checks what
// a user sees through the API and kubectl: Nodes and Leases, pod status as the kubelet writes
// it, crash-loop backoff, a completed pod, graceful deletion, and a SIGKILLed node host that
// comes back, re-registers and adopts its pods. Raw HTTP (fetch), so failures show the object.
import "reflect-metadata";
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCluster, type TestCluster } from "./harness/cluster.js";
import { spawnActor, type ActorProcessHandle } from "./harness/actor-process.js";

const NS = "default";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function api(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(base + path, {
    method,
    headers: { Accept: "application/json", ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, body: parsed };
}

/** Polls `probe` until it returns a value; fails with the last observation after `ms`. */
async function eventually<T>(what: string, ms: number, probe: () => Promise<{ ok: T | undefined; seen: unknown }>): Promise<T> {
  const end = Date.now() + ms;
  let seen: unknown;
  for (;;) {
    const r = await probe();
    if (r.ok !== undefined) return r.ok;
    seen = r.seen;
    if (Date.now() > end) assert.fail(`${what}: not reached in ${ms} ms; last seen:\n${JSON.stringify(seen, null, 2)}`);
    await sleep(100);
  }
}

function podManifest(name: string, node: string, opts: { annotations?: Record<string, string>; restartPolicy?: string; grace?: number } = {}): any {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: NS, annotations: opts.annotations ?? {} },
    spec: {
      nodeName: node,
      restartPolicy: opts.restartPolicy ?? "Always",
      ...(opts.grace !== undefined ? { terminationGracePeriodSeconds: opts.grace } : {}),
      containers: [{ name: "app", image: "registry.k8s.io/pause:3.10", resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "100m", memory: "64Mi" } } }],
    },
  };
}

const condition = (pod: any, type: string) => (pod?.status?.conditions ?? []).find((c: any) => c.type === type);

test("node actors with the sim runtime", async (t) => {
  const cluster: TestCluster = await startCluster();
  const base = cluster.apiUrls[0]!;
  const home = mkdtempSync(join(tmpdir(), "node-test-home-"));
  const env = {
    NATS_URL: cluster.nats.url,
    LOG_LEVEL: "warn",
    K8S_NODES: "3",
    K8S_NODE_CPU: "4",
    K8S_NODE_MEMORY: "16Gi",
    K8S_NODE_LEASE_RENEW_MS: "300",
    K8S_NODE_BACKOFF_BASE_MS: "400",
    K8S_NODE_BACKOFF_MAX_MS: "6400",
  };
  let host: ActorProcessHandle | undefined;
  const kubectl = (...args: string[]) =>
    execFileSync("/usr/bin/kubectl", ["--cache-dir", join(home, "cache"), ...args], { encoding: "utf8", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, KUBECONFIG: cluster.kubeconfig() } });
  try {
    host = spawnActor("node", "node-host-1", env, join(cluster.dir, "node-host-1.log"));
    const getPod = (name: string) => api(base, "GET", `/api/v1/namespaces/${NS}/pods/${name}`);
    const leaseRenewTime = async (node: string) => Date.parse((await api(base, "GET", `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node}`)).body?.spec?.renewTime ?? "");

    await t.test("node - nodes register with capacity and Ready, and renew their Leases", async () => {
      const nodes = await eventually("3 Ready nodes", 15_000, async () => {
        const r = await api(base, "GET", "/api/v1/nodes");
        const ready = (r.body.items ?? []).filter((n: any) => condition(n, "Ready")?.status === "True");
        return { ok: ready.length === 3 ? ready : undefined, seen: r.body };
      });
      assert.deepEqual(nodes.map((n: any) => n.metadata.name).sort(), ["node-1", "node-2", "node-3"]);
      const n1 = nodes.find((n: any) => n.metadata.name === "node-1");
      assert.deepEqual(n1.status.capacity, { cpu: "4", memory: "16Gi", pods: "110", "ephemeral-storage": "100Gi" });
      assert.deepEqual(n1.status.allocatable.cpu, "4");
      assert.equal(n1.metadata.labels["kubernetes.io/hostname"], "node-1");
      assert.equal(n1.metadata.labels["node.kubernetes.io/instance-type"], "sim");
      assert.equal(n1.status.nodeInfo.kubeletVersion, "v1.32.0-sim");
      assert.ok(n1.status.addresses.some((a: any) => a.type === "InternalIP" && /^127\.0\.0\.\d+$/.test(a.address)), JSON.stringify(n1.status.addresses));
      const table = kubectl("get", "nodes");
      assert.match(table, /node-2\s+Ready\s+<none>\s+\S+\s+v1\.32\.0-sim/, table);
      const first = await eventually("node-1 Lease", 5_000, async () => {
        const t0 = await leaseRenewTime("node-1");
        return { ok: Number.isFinite(t0) ? t0 : undefined, seen: t0 };
      });
      await eventually("node-1 Lease renewed", 5_000, async () => {
        const t1 = await leaseRenewTime("node-1");
        return { ok: t1 > first ? t1 : undefined, seen: { first, t1 } };
      });
    });

    await t.test("node - a bound pod goes Running with conditions, podIP and container statuses", async () => {
      assert.equal((await api(base, "POST", `/api/v1/namespaces/${NS}/pods`, podManifest("web", "node-1"))).status, 201);
      assert.equal((await api(base, "POST", `/api/v1/namespaces/${NS}/pods`, podManifest("web-2", "node-1"))).status, 201);
      const pod = await eventually("web Running and Ready", 10_000, async () => {
        const r = await getPod("web");
        return { ok: r.body?.status?.phase === "Running" && condition(r.body, "Ready")?.status === "True" ? r.body : undefined, seen: r.body };
      });
      for (const type of ["PodScheduled", "Initialized", "ContainersReady", "Ready"]) {
        assert.equal(condition(pod, type)?.status, "True", type);
        assert.ok(condition(pod, type)?.lastTransitionTime, `${type} has lastTransitionTime`);
      }
      assert.match(pod.status.podIP, /^10\.244\.1\.\d+$/);
      assert.deepEqual(pod.status.podIPs, [{ ip: pod.status.podIP }]);
      assert.equal(pod.status.hostIP, "127.0.0.2");
      assert.equal(pod.status.qosClass, "Guaranteed");
      assert.ok(pod.status.startTime);
      const [cs] = pod.status.containerStatuses;
      assert.equal(cs.name, "app");
      assert.equal(cs.image, "registry.k8s.io/pause:3.10");
      assert.match(cs.containerID, /^sim:\/\/[0-9a-f]{64}$/);
      assert.match(cs.imageID, /@sha256:/);
      assert.equal(cs.ready, true);
      assert.equal(cs.started, true);
      assert.equal(cs.restartCount, 0);
      assert.ok(cs.state.running.startedAt);
      const other = await eventually("web-2 Running", 10_000, async () => {
        const r = await getPod("web-2");
        return { ok: r.body?.status?.phase === "Running" ? r.body : undefined, seen: r.body };
      });
      assert.notEqual(other.status.podIP, pod.status.podIP, "pod IPs are unique");
      const wide = kubectl("get", "pod", "web", "-o", "wide");
      assert.match(wide, /web\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.1\.\d+\s+node-1/, wide);
    });

    await t.test("node - a crashing pod restarts with backoff (CrashLoopBackOff), spaced out", async () => {
      const crash = podManifest("crash", "node-2", { annotations: { "sim.k8s-dev/fail": "crash", "sim.k8s-dev/exit-after-ms": "50", "sim.k8s-dev/startup-ms": "50" } });
      assert.equal((await api(base, "POST", `/api/v1/namespaces/${NS}/pods`, crash)).status, 201);
      const reasons = new Set<string>();
      const started = Date.now();
      let last: any;
      while (Date.now() - started < 6_000) {
        last = (await getPod("crash")).body;
        const cs = last?.status?.containerStatuses?.[0];
        if (cs?.state?.waiting?.reason) reasons.add(cs.state.waiting.reason);
        await sleep(50);
      }
      const cs = last.status.containerStatuses[0];
      assert.ok(reasons.has("CrashLoopBackOff"), `CrashLoopBackOff seen: ${[...reasons]}`);
      // Without backoff a 100 ms crash cycle would restart ~60 times in 6 s; with 0.4 s doubling
      // (0, 0.4, 0.8, 1.6, 3.2 s ...) only a handful of restarts fit.
      assert.ok(cs.restartCount >= 3, `restartCount grows: ${cs.restartCount}`);
      assert.ok(cs.restartCount <= 8, `restarts are spaced by the backoff: ${cs.restartCount} in 6 s`);
      assert.equal(cs.lastState.terminated.exitCode, 1);
      assert.equal(cs.lastState.terminated.reason, "Error");
      assert.equal(last.status.phase, "Running");
      assert.match(kubectl("get", "pod", "crash"), /crash\s+0\/1\s+(CrashLoopBackOff|Error|ContainerCreating|Running)\s+\d+ \(\S+ ago\)/);
    });

    await t.test("node - a restartPolicy Never pod that exits 0 ends Succeeded", async () => {
      const job = podManifest("once", "node-3", { restartPolicy: "Never", annotations: { "sim.k8s-dev/exit-after-ms": "200" } });
      assert.equal((await api(base, "POST", `/api/v1/namespaces/${NS}/pods`, job)).status, 201);
      const pod = await eventually("once Succeeded", 10_000, async () => {
        const r = await getPod("once");
        return { ok: r.body?.status?.phase === "Succeeded" ? r.body : undefined, seen: r.body };
      });
      const cs = pod.status.containerStatuses[0];
      assert.equal(cs.state.terminated.exitCode, 0);
      assert.equal(cs.state.terminated.reason, "Completed");
      assert.equal(cs.restartCount, 0);
      assert.equal(condition(pod, "Ready").status, "False");
      assert.equal(condition(pod, "Ready").reason, "PodCompleted");
      assert.match(kubectl("get", "pod", "once"), /once\s+0\/1\s+Completed\s+0/);
    });

    await t.test("node - deleting a running pod finishes graceful deletion", async () => {
      const del = await api(base, "DELETE", `/api/v1/namespaces/${NS}/pods/web-2`);
      assert.equal(del.status, 200, JSON.stringify(del.body));
      assert.ok(del.body.metadata.deletionTimestamp, "the API server starts a graceful deletion");
      await eventually("web-2 gone", 10_000, async () => {
        const r = await getPod("web-2");
        return { ok: r.status === 404 ? true : undefined, seen: r.body };
      });
    });

    await t.test("node - after SIGKILL of the node host, nodes re-register and adopt their pods", async () => {
      const before = (await getPod("web")).body;
      const once = (await getPod("once")).body;
      await host!.kill("SIGKILL");
      const killedAt = Date.now();
      host!.start();
      await eventually("node-1..3 Leases renewed after the restart", 15_000, async () => {
        const times = await Promise.all(["node-1", "node-2", "node-3"].map(leaseRenewTime));
        return { ok: times.every((x) => x > killedAt) ? times : undefined, seen: times.map((x) => new Date(x).toISOString()) };
      });
      const after = await eventually("web Running again with one more restart", 10_000, async () => {
        const r = await getPod("web");
        const cs = r.body?.status?.containerStatuses?.[0];
        return { ok: r.body?.status?.phase === "Running" && cs?.restartCount === 1 && cs?.ready ? r.body : undefined, seen: r.body?.status };
      });
      assert.equal(after.metadata.uid, before.metadata.uid);
      assert.equal(after.status.podIP, before.status.podIP, "the pod keeps its IP");
      assert.equal(after.status.startTime, before.status.startTime, "startTime is kept");
      assert.equal(after.status.containerStatuses[0].lastState.terminated.reason, "ContainerStatusUnknown");
      assert.notEqual(after.status.containerStatuses[0].containerID, before.status.containerStatuses[0].containerID);
      const onceAfter = (await getPod("once")).body;
      assert.equal(onceAfter.status.phase, "Succeeded", "a finished pod is not restarted");
      assert.equal(onceAfter.metadata.resourceVersion, once.metadata.resourceVersion, "nor rewritten");
      const nodes = (await api(base, "GET", "/api/v1/nodes")).body.items;
      assert.equal(nodes.length, 3, "re-registration does not duplicate nodes");
      const del = await api(base, "DELETE", `/api/v1/namespaces/${NS}/pods/web`);
      assert.equal(del.status, 200);
      await eventually("web gone after the restart", 10_000, async () => {
        const r = await getPod("web");
        return { ok: r.status === 404 ? true : undefined, seen: r.body };
      });
    });
  } finally {
    await host?.kill("SIGKILL");
    await cluster.stop();
    rmSync(home, { recursive: true, force: true });
  }
});
