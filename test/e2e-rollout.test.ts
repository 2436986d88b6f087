// End to end (issue 4, first Must-show): the real launcher `k8s-dev up --detach --nodes 3`
// with a temporary K8S_DEV_HOME starts every registered actor as OS processes (relays, API
// servers, schedulers, controller-managers, a node host with 3 sim nodes); real kubectl with
// the kubeconfig it writes drives a Deployment through apply, scale, set image, history,
// undo, restart, pause/resume and a cascading delete. Pods are checked to really run on the
// sim nodes (Running, Ready, nodeName set). `down` must leave no process it started.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAlive, readState, type ClusterState } from "../services/cli/state.js";
import { MAIN_JS } from "../services/cli/supervisor.js";

const NAME = "web";
const NODES = ["node-1", "node-2", "node-3"];

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 80_000): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code: code ?? 255, stdout, stderr }));
  });
}

/** Environment of the launcher: its own home, its own servers, fast sim stages. */
function launcherEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    K8S_DEV_HOME: home,
    LOG_LEVEL: "warn",
    K8S_SIM_STARTUP_MS: "50",
    K8S_SIM_STOP_MS: "50",
    K8S_NODE_LEASE_RENEW_MS: "1000",
  };
  delete env.NATS_URL;
  delete env.REDIS_URL;
  delete env.K8S_DEV_FSYNC;
  return env;
}

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

function pidsOf(s: ClusterState): number[] {
  return [s.supervisorPid, ...s.servers.map((x) => x.pid), ...s.actors.map((a) => a.pid)].filter((p) => p > 0);
}

interface Pod {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string; containers: Array<{ image: string }> };
  status?: { phase?: string; conditions?: Array<{ type: string; status: string }> };
}

const deploymentYaml = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${NAME}
  annotations:
    kubernetes.io/change-cause: "first release"
spec:
  replicas: 3
  selector:
    matchLabels:
      app: ${NAME}
  strategy:
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        app: ${NAME}
    spec:
      containers:
      - name: c
        image: ${image}
`;

test("e2e - k8s-dev up --nodes 3, then kubectl: apply, rollout status, scale, set image, history, undo, restart, pause/resume, cascading delete; down stops everything", { timeout: 170_000 }, async () => {
  const home = mkdtempSync(join(tmpdir(), "k8s-e2e-rollout-"));
  const kubeHome = join(home, "kubectl-home");
  mkdirSync(kubeHome);
  const env = launcherEnv(home);
  const seen = new Set<number>();
  const k8sDev = (...args: string[]) => run(process.execPath, [MAIN_JS, ...args], env, 120_000);
  const kubectlRun = (...args: string[]) =>
    run("/usr/bin/kubectl", ["--cache-dir", join(kubeHome, "cache"), "-n", "default", ...args], { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: kubeHome, KUBECONFIG: join(home, "kubeconfig") });
  const kubectl = async (...args: string[]) => {
    const r = await kubectlRun(...args);
    if (r.code !== 0) assert.fail(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const getJson = async (...args: string[]) => JSON.parse(await kubectl("get", ...args, "-o", "json"));
  const rolloutStatus = async () => assert.match(await kubectl("rollout", "status", `deployment/${NAME}`, "--timeout=60s"), /deployment "web" successfully rolled out/);
  const podsOf = async (): Promise<Pod[]> => (await getJson("pods", "-l", `app=${NAME}`)).items;
  const replicaSets = async () =>
    ((await getJson("replicasets", "-l", `app=${NAME}`)).items as Array<{ metadata: { name: string; annotations?: Record<string, string> }; spec: { replicas: number; template: { spec: { containers: Array<{ image: string }> } } } }>)
      .map((rs) => ({ name: rs.metadata.name, revision: rs.metadata.annotations?.["deployment.kubernetes.io/revision"], image: rs.spec.template.spec.containers[0]!.image, replicas: rs.spec.replicas }))
      .sort((a, b) => Number(a.revision) - Number(b.revision));
  /** Exactly `n` pods of the app exist (none terminating), all Running and Ready on a sim node, every one with `image`. */
  const settled = (n: number, image: string) =>
    eventually(`${n} pods of ${NAME} Running and Ready on sim nodes with image ${image}, none left over`, async () => {
      const pods = await podsOf();
      const ok =
        pods.length === n &&
        pods.every(
          (p) =>
            !p.metadata.deletionTimestamp &&
            p.status?.phase === "Running" &&
            (p.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True") &&
            NODES.includes(p.spec.nodeName ?? "") &&
            p.spec.containers[0]!.image === image,
        );
      return ok ? pods : undefined;
    });

  try {
    const up = await k8sDev("up", "--detach", "--nodes", "3", "--timeout", "90");
    assert.equal(up.code, 0, up.stdout + up.stderr);
    const state = readState(home);
    assert.ok(state, "state.json written");
    for (const p of pidsOf(state)) seen.add(p);
    assert.ok(existsSync(join(home, "kubeconfig")), "kubeconfig written");
    const actorNames = new Set(state.actors.map((a) => a.id.replace(/-\d+$/, "")));
    for (const a of ["relay", "apiserver", "scheduler", "controller-manager", "node-host"]) assert.ok(actorNames.has(a), `the launcher started ${a} (got ${[...actorNames].join(", ")})`);
    assert.ok(state.actors.every((a) => isAlive(a.pid)) && isAlive(state.supervisorPid), "every process the launcher recorded is alive");

    // The 3 sim nodes register and are Ready.
    await eventually("3 Ready nodes", async () => {
      const nodes = (await getJson("nodes")).items as Array<{ metadata: { name: string }; status?: { conditions?: Array<{ type: string; status: string }> } }>;
      const ready = nodes.filter((n) => (n.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True")).map((n) => n.metadata.name);
      return ready.sort().join(",") === NODES.join(",");
    });

    // apply → rollout status; 3 pods really run on the sim nodes.
    const file = join(home, "web.yaml");
    writeFileSync(file, deploymentYaml("nginx:1.0"));
    assert.match(await kubectl("apply", "-f", file), /deployment.apps\/web created/);
    await rolloutStatus();
    const first = await settled(3, "nginx:1.0");
    const firstHash = first[0]!.metadata.labels!["pod-template-hash"];
    assert.ok(firstHash);
    assert.match(await kubectl("get", "deployment", NAME), /web\s+3\/3\s+3\s+3\s/);

    // scale up to 5, down to 2.
    assert.match(await kubectl("scale", `deployment/${NAME}`, "--replicas=5"), /scaled/);
    await rolloutStatus();
    await settled(5, "nginx:1.0");
    assert.match(await kubectl("scale", `deployment/${NAME}`, "--replicas=2"), /scaled/);
    await rolloutStatus();
    await settled(2, "nginx:1.0");

    // set image → rollout; the change cause annotated afterwards lands on revision 2.
    await kubectl("set", "image", `deployment/${NAME}`, "c=nginx:2.0");
    await kubectl("annotate", `deployment/${NAME}`, "kubernetes.io/change-cause=image nginx:2.0", "--overwrite");
    await rolloutStatus();
    await settled(2, "nginx:2.0");
    const history = await eventually("rollout history lists revisions 1 and 2 with their change causes", async () => {
      const h = await kubectl("rollout", "history", `deployment/${NAME}`);
      return /^1\s+first release$/m.test(h) && /^2\s+image nginx:2\.0$/m.test(h) ? h : undefined;
    });
    assert.match(history, /REVISION\s+CHANGE-CAUSE/);
    assert.deepEqual((await replicaSets()).map((rs) => [rs.revision, rs.image, rs.replicas]), [["1", "nginx:1.0", 0], ["2", "nginx:2.0", 2]]);

    // undo → the first template (same ReplicaSet, now revision 3).
    assert.match(await kubectl("rollout", "undo", `deployment/${NAME}`), /rolled back/);
    await rolloutStatus();
    const undone = await settled(2, "nginx:1.0");
    assert.ok(undone.every((p) => p.metadata.labels!["pod-template-hash"] === firstHash), "pods of the first ReplicaSet again");
    assert.equal((await getJson(`deployment/${NAME}`)).spec.template.spec.containers[0].image, "nginx:1.0");
    assert.deepEqual((await replicaSets()).map((rs) => [rs.revision, rs.image, rs.replicas]), [["2", "nginx:2.0", 0], ["3", "nginx:1.0", 2]]);

    // restart → a new ReplicaSet (revision 4) whose pods replace the others.
    assert.match(await kubectl("rollout", "restart", `deployment/${NAME}`), /restarted/);
    await rolloutStatus();
    const restarted = await settled(2, "nginx:1.0");
    const afterRestart = await replicaSets();
    assert.equal(afterRestart.length, 3);
    const newest = afterRestart[2]!;
    assert.deepEqual([newest.revision, newest.replicas], ["4", 2]);
    assert.ok(restarted.every((p) => p.metadata.labels!["pod-template-hash"] !== firstHash), "restarted pods belong to the new ReplicaSet");

    // pause: set image does not roll; resume: it does.
    await kubectl("rollout", "pause", `deployment/${NAME}`);
    await kubectl("set", "image", `deployment/${NAME}`, "c=nginx:3.0");
    await eventually("the paused Deployment's new generation observed", async () => {
      const d = await getJson(`deployment/${NAME}`);
      return d.status?.observedGeneration === d.metadata.generation && d.spec.paused === true;
    });
    assert.ok(!(await replicaSets()).some((rs) => rs.image === "nginx:3.0"), "no ReplicaSet for nginx:3.0 while paused");
    assert.ok((await podsOf()).every((p) => p.spec.containers[0]!.image === "nginx:1.0"), "pods keep nginx:1.0 while paused");
    await kubectl("rollout", "resume", `deployment/${NAME}`);
    await rolloutStatus();
    await settled(2, "nginx:3.0");

    // delete cascades: the ReplicaSets and pods go.
    assert.match(await kubectl("delete", "deployment", NAME), /deleted/);
    await eventually("the Deployment's ReplicaSets and pods to be gone", async () => (await replicaSets()).length === 0 && (await podsOf()).length === 0);
    assert.match((await kubectlRun("get", "deployment", NAME)).stderr, /NotFound/);

    const last = readState(home);
    if (last) for (const p of pidsOf(last)) seen.add(p);
    const down = await k8sDev("down");
    assert.equal(down.code, 0, down.stdout + down.stderr);
    for (const p of seen) assert.ok(!isAlive(p), `pid ${p} still alive after down`);
  } finally {
    if (existsSync(join(home, "state.json"))) await k8sDev("down");
    rmSync(home, { recursive: true, force: true });
  }
});
