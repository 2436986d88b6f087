/**
 * cluster: a whole local cluster for tests and benchmarks — private nats-server and
 * redis-server, relays and API servers as child processes (so tests can SIGKILL them), and a
 * kubeconfig that kubectl and @kubernetes/client-node accept. On request it also spawns
 * controller-managers, schedulers and node hosts (each its own process), started once the API
 * servers answer.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startNats, startRedis, type LocalServer } from "../../services/kernel/local-servers.js";
import { spawnActor, type ActorProcessHandle } from "./actor-process.js";

export interface TestCluster {
  readonly dir: string;
  readonly nats: LocalServer;
  readonly redis: LocalServer;
  /** API server base URLs, one per replica (http://127.0.0.1:port). */
  readonly apiUrls: string[];
  readonly apiservers: ActorProcessHandle[];
  readonly relays: ActorProcessHandle[];
  /** Controller-manager replicas (ids `controller-manager-<i>`), if asked for. */
  readonly controllerManagers: ActorProcessHandle[];
  /** Scheduler replicas (ids `scheduler-<i>`), if asked for. */
  readonly schedulers: ActorProcessHandle[];
  /** Node hosts (ids `node-host-<i>`), one per entry of `ClusterOptions.nodeHosts`. */
  readonly nodeHosts: ActorProcessHandle[];
  /** kubeconfig pointing at replica `i` (default 0). */
  kubeconfig(i?: number): string;
  /** Resolves once replica `i` answers /readyz. */
  waitReady(i?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  apiservers?: number;
  relays?: number;
  /** Extra environment for every actor process. */
  env?: Record<string, string>;
  /** Controller-manager processes to spawn (default 0). */
  controllerManagers?: number;
  /** Extra environment for the controller-managers (e.g. node lifecycle and leader timings). */
  controllerManagerEnv?: Record<string, string>;
  /** Scheduler processes to spawn (default 0). */
  schedulers?: number;
  /** Extra environment for the schedulers. */
  schedulerEnv?: Record<string, string>;
  /** One node host process per entry, with that entry's extra environment (K8S_NODES, K8S_NODE_FIRST, ...). */
  nodeHosts?: Array<Record<string, string>>;
}

/** writeKubeconfig: a kubeconfig file for an http:// API server. */
export function writeKubeconfig(path: string, server: string): string {
  writeFileSync(
    path,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      "- name: k8s-dev",
      "  cluster:",
      `    server: ${server}`,
      "    insecure-skip-tls-verify: true",
      "contexts:",
      "- name: k8s-dev",
      "  context:",
      "    cluster: k8s-dev",
      "    user: k8s-dev",
      "    namespace: default",
      "current-context: k8s-dev",
      "users:",
      "- name: k8s-dev",
      "  user: {}",
      "",
    ].join("\n"),
  );
  return path;
}

async function ready(url: string, deadlineMs = 30_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new Error(`API server ${url} not ready after ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startCluster(opts: ClusterOptions = {}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), "k8s-cluster-"));
  const redis = await startRedis({ dataDir: join(dir, "redis") });
  const nats = await startNats({ dataDir: join(dir, "nats") });
  const base = { NATS_URL: nats.url, REDIS_URL: redis.url, LOG_LEVEL: "warn", RELAY_LEASE_MS: "1000", ...(opts.env ?? {}) };
  const relays: ActorProcessHandle[] = [];
  for (let i = 1; i <= (opts.relays ?? 1); i++) relays.push(spawnActor("relay", `relay-${i}`, base, join(dir, `relay-${i}.log`)));
  const apiservers: ActorProcessHandle[] = [];
  const apiUrls: string[] = [];
  for (let i = 1; i <= (opts.apiservers ?? 1); i++) {
    const port = await freePort();
    apiUrls.push(`http://127.0.0.1:${port}`);
    apiservers.push(spawnActor("apiserver", `apiserver-${i}`, { ...base, K8S_API_PORT: String(port) }, join(dir, `apiserver-${i}.log`)));
  }
  const controllerManagers: ActorProcessHandle[] = [];
  const schedulers: ActorProcessHandle[] = [];
  const nodeHosts: ActorProcessHandle[] = [];
  const cluster: TestCluster = {
    dir,
    nats,
    redis,
    apiUrls,
    apiservers,
    relays,
    controllerManagers,
    schedulers,
    nodeHosts,
    kubeconfig: (i = 0) => writeKubeconfig(join(dir, `kubeconfig-${i}`), apiUrls[i]!),
    waitReady: (i = 0) => ready(apiUrls[i]!),
    async stop() {
      await Promise.all([...nodeHosts, ...schedulers, ...controllerManagers, ...apiservers, ...relays].map((p) => p.kill("SIGKILL")));
      await nats.stop();
      await redis.stop();
      if (!process.env.KEEP_LOGS) rmSync(dir, { recursive: true, force: true });
      else console.log(`cluster logs kept in ${dir}`);
    },
  };
  try {
    await Promise.all(apiUrls.map((u) => ready(u)));
    const spawnEach = (into: ActorProcessHandle[], folder: string, prefix: string, envs: Array<Record<string, string>>) =>
      envs.forEach((extra, i) => into.push(spawnActor(folder, `${prefix}-${i + 1}`, { ...base, ...extra }, join(dir, `${prefix}-${i + 1}.log`))));
    spawnEach(controllerManagers, "controllers", "controller-manager", Array.from({ length: opts.controllerManagers ?? 0 }, () => opts.controllerManagerEnv ?? {}));
    spawnEach(schedulers, "scheduler", "scheduler", Array.from({ length: opts.schedulers ?? 0 }, () => opts.schedulerEnv ?? {}));
    spawnEach(nodeHosts, "node", "node-host", opts.nodeHosts ?? []);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}
