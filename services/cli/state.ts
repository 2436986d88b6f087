/**
 * state: where a local cluster keeps its files, and `state.json`, the record `down` and
 * `status` read: urls, ports and the pid of every process `up` started.
 *
 * Layout of the state directory (K8S_DEV_HOME, default `<project>/.k8s-dev`):
 *   state.json   this record (written atomically by the supervisor)
 *   logs/        up.log (the supervisor), <actor-id>.log, nats.log, redis.log
 *   nats/ redis/ server data (kept across down/up unless `down --purge`)
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { projectRoot } from "../kernel/local-servers.js";

/** A server the launcher started (servers given by NATS_URL/REDIS_URL are not listed). */
export interface ServerRecord {
  readonly kind: "nats" | "redis";
  pid: number;
  readonly port: number;
  readonly url: string;
  readonly dataDir: string;
  restarts: number;
}

/** One actor process. */
export interface ActorRecord {
  /** Registry name, e.g. "relay". */
  readonly actor: string;
  /** K8S_ACTOR_ID, e.g. "relay-1". */
  readonly id: string;
  /** Current pid (changes on respawn); 0 while waiting to respawn. */
  pid: number;
  restarts: number;
  readonly log: string;
  /** The listen port given to it (registry `portEnv`), kept across respawns. */
  readonly port?: number;
  /** `http://127.0.0.1:<port>` when it serves the Kubernetes API. */
  readonly url?: string;
}

/** ClusterState: the contents of state.json. */
export interface ClusterState {
  readonly version: 1;
  readonly home: string;
  /** pid of the process that supervises the cluster (`up`, or its detached supervisor). */
  supervisorPid: number;
  phase: "starting" | "running" | "stopping";
  readonly startedAt: string;
  readonly natsUrl: string;
  readonly redisUrl: string;
  readonly fsync: string;
  readonly nodes: number;
  servers: ServerRecord[];
  actors: ActorRecord[];
  /** Path of the kubeconfig written for the API server, when one runs. */
  kubeconfig?: string;
}

/** StateError: state.json is unreadable or from another version. */
export class StateError extends Error {
  override name = "StateError";
}

/** stateHome: the state directory: $K8S_DEV_HOME, else `<project>/.k8s-dev`. */
export function stateHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.K8S_DEV_HOME || join(projectRoot(), ".k8s-dev"));
}

/** Paths inside a state directory. */
export function statePaths(home: string) {
  return {
    home,
    state: join(home, "state.json"),
    logs: join(home, "logs"),
    upLog: join(home, "logs", "up.log"),
    kubeconfig: join(home, "kubeconfig"),
    natsData: join(home, "nats"),
    redisData: join(home, "redis"),
  };
}

/** readState: the recorded cluster, or undefined when there is none. */
export function readState(home: string): ClusterState | undefined {
  const file = statePaths(home).state;
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new StateError(`${file} is not valid JSON (${(err as Error).message}); remove it if no cluster runs`);
  }
  if (typeof parsed !== "object" || parsed === null || (parsed as { version?: unknown }).version !== 1) {
    throw new StateError(`${file} has an unknown format; remove it if no cluster runs`);
  }
  return parsed as ClusterState;
}

/** writeState: replace state.json atomically (write a temporary file, then rename). */
export function writeState(state: ClusterState): void {
  const { home, state: file } = statePaths(state.home);
  mkdirSync(home, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + "\n");
  renameSync(tmp, file);
}

/** removeState: delete state.json (no error when absent). */
export function removeState(home: string): void {
  rmSync(statePaths(home).state, { force: true });
}

/** isAlive: true when a process with this pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  // A zombie (exited, not yet reaped by a parent that is gone) still answers kill 0.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return true;
  }
}

/** commandLine: the process's argv joined by spaces ("" when unknown); guards against pid reuse. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

/** recordedPids: every pid the state names, with what each is expected to run. */
export function recordedPids(state: ClusterState): { pid: number; what: string; expect: string }[] {
  const out: { pid: number; what: string; expect: string }[] = [];
  for (const a of state.actors) if (a.pid > 0) out.push({ pid: a.pid, what: `actor ${a.id}`, expect: "run" });
  for (const s of state.servers) out.push({ pid: s.pid, what: `${s.kind}-server`, expect: `${s.kind === "nats" ? "nats" : "redis"}-server` });
  if (state.supervisorPid > 0) out.push({ pid: state.supervisorPid, what: "supervisor", expect: "up" });
  return out;
}

/** ownsPid: true when `pid` is alive and still runs what the state recorded (not a reused pid). */
export function ownsPid(pid: number, expect: string): boolean {
  if (!isAlive(pid)) return false;
  const cmd = commandLine(pid);
  return cmd === "" || cmd.includes(expect);
}
