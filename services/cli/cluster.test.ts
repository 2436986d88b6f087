/**
 * End-to-end: the real `k8s-dev` binary against real nats-server and redis-server, with its
 * state in a temporary K8S_DEV_HOME so it never touches a developer's cluster.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNats, startRedis } from "../kernel/local-servers.js";
import { availableActors } from "./registry.js";
import { isAlive, readState, type ClusterState } from "./state.js";
import { collectStatus } from "./status.js";
import { MAIN_JS } from "./supervisor.js";

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN_JS, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function clusterEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, K8S_DEV_HOME: home, ...extra };
  if (!("NATS_URL" in extra)) delete env.NATS_URL;
  if (!("REDIS_URL" in extra)) delete env.REDIS_URL;
  delete env.K8S_DEV_FSYNC;
  return env;
}

function allPids(s: ClusterState): number[] {
  return [s.supervisorPid, ...s.servers.map((x) => x.pid), ...s.actors.map((a) => a.pid)].filter((p) => p > 0);
}

/** Poll `check` until it returns a value (a liveness bound for CI, not a timing assertion). */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, boundMs = 60_000): Promise<T> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const actors = availableActors();
const noActors = actors.length === 0 ? "no actor is built yet" : false;

test("k8s-dev - up --detach, status, an actor killed with SIGKILL is respawned, down leaves no process even after the supervisor is killed", { skip: noActors }, async () => {
  const home = mkdtempSync(join(tmpdir(), "k8s-dev-e2e-"));
  const env = clusterEnv(home);
  const seen = new Set<number>();
  try {
    const upRes = await cli(["up", "--detach", "--timeout", "90", "--nodes", "5"], env);
    assert.equal(upRes.code, 0, upRes.stdout + upRes.stderr);
    assert.match(upRes.stdout, /✓ nats-server nats:\/\/127\.0\.0\.1:\d+/);
    assert.match(upRes.stdout, /✓ redis-server redis:\/\/127\.0\.0\.1:\d+ \(pid \d+, appendfsync always\)/);
    assert.match(upRes.stdout, /✓ cluster ready/);

    const state = readState(home);
    assert.ok(state, "state.json written");
    assert.equal(state.nodes, 5);
    assert.equal(state.phase, "running");
    const ids = actors.flatMap((a) => Array.from({ length: a.replicas }, (_, i) => `${a.name}-${i + 1}`));
    assert.deepEqual(state.actors.map((a) => a.id).sort(), [...ids].sort());
    assert.deepEqual(state.servers.map((s) => s.kind).sort(), ["nats", "redis"]);
    for (const p of allPids(state)) {
      seen.add(p);
      assert.ok(isAlive(p), `pid ${p} alive`);
    }
    // The private servers are not the machine's shared ones.
    for (const s of state.servers) assert.ok(s.port !== 4222 && s.port !== 6379 && s.dataDir.startsWith(home));

    // Each API server replica gets its own free port; the kubeconfig points at the first.
    const api = state.actors.filter((a) => a.url);
    if (actors.some((a) => a.kubeApi)) {
      assert.ok(api.length > 0 && new Set(api.map((a) => a.port)).size === api.length, "distinct API ports");
      assert.ok(state.kubeconfig && readFileSync(state.kubeconfig, "utf8").includes(`server: ${api[0]!.url}`));
    }

    const st = await cli(["status"], env);
    assert.equal(st.code, 0, st.stdout + st.stderr);
    for (const id of ids) assert.match(st.stdout, new RegExp(`\\b${id}\\s+\\d+\\s+running\\b`));

    const again = await cli(["up", "--detach"], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already running.*npm run k8s-dev -- down/);

    // Chaos: SIGKILL one actor process; the supervisor starts a new one that becomes healthy.
    const victim = state.actors[0]!;
    process.kill(victim.pid, "SIGKILL");
    const back = await eventually(`${victim.id} respawned and running`, async () => {
      const r = await collectStatus(home);
      const a = r?.actors.find((x) => x.id === victim.id);
      return a && a.pid !== victim.pid && a.state === "running" && a.restarts >= 1 ? a : undefined;
    });
    seen.add(back.pid);
    assert.ok(!isAlive(victim.pid));
    const after = await cli(["status", "--json"], env);
    assert.equal(after.code, 0, after.stdout);
    assert.equal(JSON.parse(after.stdout).healthy, true);
    const final = readState(home)!;
    for (const p of allPids(final)) seen.add(p);

    // A supervisor killed with SIGKILL leaves its children running: status says so, and
    // down still stops every one of them by the pids in state.json.
    process.kill(final.supervisorPid, "SIGKILL");
    await eventually("supervisor gone", async () => (isAlive(final.supervisorPid) ? undefined : true));
    const orphaned = await cli(["status"], env);
    assert.equal(orphaned.code, 1);
    assert.match(orphaned.stdout, /supervisor \(pid \d+\) is not running/);

    const downRes = await cli(["down"], env);
    assert.equal(downRes.code, 0, downRes.stdout + downRes.stderr);
    for (const p of seen) assert.ok(!isAlive(p), `pid ${p} still alive after down`);
    assert.equal(existsSync(join(home, "state.json")), false);
    assert.equal(existsSync(join(home, "kubeconfig")), false, "kubeconfig removed");

    const gone = await cli(["status"], env);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /no cluster is running.*npm start/);
  } finally {
    if (existsSync(join(home, "state.json"))) await cli(["down"], env);
    rmSync(home, { recursive: true, force: true });
  }
});

test("k8s-dev - with NATS_URL and REDIS_URL set, up starts only actors and down leaves the servers alone", { skip: noActors }, async () => {
  const home = mkdtempSync(join(tmpdir(), "k8s-dev-ext-"));
  const nats = await startNats();
  const redis = await startRedis();
  const env = clusterEnv(home, { NATS_URL: nats.url, REDIS_URL: redis.url });
  try {
    const upRes = await cli(["up", "--detach", "--timeout", "90"], env);
    assert.equal(upRes.code, 0, upRes.stdout + upRes.stderr);
    assert.match(upRes.stdout, /using NATS_URL/);
    const state = readState(home)!;
    assert.deepEqual(state.servers, []);
    assert.equal(state.natsUrl, nats.url);
    const pids = allPids(state);
    const downRes = await cli(["down"], env);
    assert.equal(downRes.code, 0, downRes.stdout + downRes.stderr);
    for (const p of pids) assert.ok(!isAlive(p), `pid ${p} still alive after down`);
    assert.ok(isAlive(nats.pid()) && isAlive(redis.pid()), "external servers untouched");
  } finally {
    if (existsSync(join(home, "state.json"))) await cli(["down"], env);
    await nats.stop();
    await redis.stop();
    rmSync(home, { recursive: true, force: true });
  }
});

test("k8s-dev - a missing nats-server is a one-line error with the install command", async () => {
  const home = mkdtempSync(join(tmpdir(), "k8s-dev-nobin-"));
  // A PATH holding only `sh`: the binary lookup finds neither the servers nor ls.
  const bin = join(home, "bin");
  mkdirSync(bin);
  symlinkSync("/bin/sh", join(bin, "sh"));
  try {
    const r = await cli(["up", "--detach"], { ...clusterEnv(home), PATH: bin });
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /nats-server not found: install it with `sudo apt-get install -y nats-server`/);
    assert.equal(existsSync(join(home, "state.json")), false);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test("k8s-dev - run with an unknown actor lists the known ones; status with no cluster says how to start one", async () => {
  const home = mkdtempSync(join(tmpdir(), "k8s-dev-cli-"));
  try {
    const r = await cli(["run", "kubelet"], clusterEnv(home));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown actor "kubelet"; known actors: relay, apiserver/);
    const s = await cli(["status"], clusterEnv(home));
    assert.equal(s.code, 1);
    assert.match(s.stderr, /no cluster is running/);
    const h = await cli(["--help"], clusterEnv(home));
    assert.equal(h.code, 0);
    assert.match(h.stdout, /^k8s-dev: /);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
