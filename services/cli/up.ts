/**
 * up: `k8s-dev up` in its three modes.
 *  - foreground (default): this process supervises the cluster until Ctrl-C.
 *  - `--detach`: re-runs itself as a detached `up --supervisor` (output to logs/up.log),
 *    relays its progress over IPC, and returns once the cluster is healthy.
 *  - `--supervisor` (internal): the detached supervisor.
 */
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { findBinary } from "../kernel/local-servers.js";
import type { UpCommand } from "./args.js";
import { availableActors } from "./registry.js";
import { isAlive, ownsPid, readState, recordedPids, removeState, statePaths, stateHome, type ClusterState } from "./state.js";
import { AlreadyRunningError, ClusterSupervisor, MAIN_JS } from "./supervisor.js";

/** Output channels of a command (stdout lines and stderr lines). */
export interface Io {
  out(line: string): void;
  err(line: string): void;
}

/** Messages from the detached supervisor to the `up --detach` that started it. */
type SupervisorMessage = { type: "progress"; line: string } | { type: "ready" } | { type: "failed"; message: string };

/**
 * ensureNotRunning: throws AlreadyRunningError when state.json names a live process; removes
 * a stale state.json whose processes are all gone.
 */
export function ensureNotRunning(home: string): void {
  const state = readState(home);
  if (!state) return;
  const live = recordedPids(state).filter((p) => ownsPid(p.pid, p.expect));
  if (live.length === 0) {
    removeState(home);
    return;
  }
  const sup = live.find((p) => p.what === "supervisor");
  const what = sup ? `supervisor pid ${sup.pid}` : `leftover processes: ${live.map((p) => `${p.what} pid ${p.pid}`).join(", ")}`;
  throw new AlreadyRunningError(`a cluster is already running (${what}; state in ${statePaths(home).state}); stop it with: npm run k8s-dev -- down`);
}

/** up: run the command; resolves with the exit code (foreground mode resolves only on failure). */
export async function up(cmd: UpCommand, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const home = stateHome(env);
  if (!cmd.supervisor) ensureNotRunning(home);
  // Fail before forking: a missing binary is a one-line error with the install command.
  if (!env.NATS_URL) findBinary("nats-server");
  if (!env.REDIS_URL) findBinary("redis-server");
  if (cmd.detach && !cmd.supervisor) return detach(cmd, home, io);
  return supervise(cmd, home, io, env);
}

async function supervise(cmd: UpCommand, home: string, io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const background = cmd.supervisor;
  const send = (m: SupervisorMessage) => {
    if (background && process.connected && process.send) process.send(m);
  };
  const stamp = (line: string) => (background ? `${new Date().toISOString()} ${line}` : line);
  const progress = (line: string) => {
    io.out(stamp(line));
    send({ type: "progress", line });
  };
  const sup = new ClusterSupervisor({
    home,
    fsync: cmd.fsync,
    nodes: cmd.nodes,
    timeoutSec: cmd.timeoutSec,
    actors: availableActors(),
    natsUrl: env.NATS_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    progress,
    log: (line) => io.out(stamp(line)),
  });
  let stopping: Promise<void> | undefined;
  const shutdown = (why: string, code: number) => {
    if (!stopping) {
      io.out(stamp(`… ${why}: stopping the cluster`));
      stopping = sup.stop().then(() => {
        io.out(stamp("✓ cluster stopped"));
        process.exit(code);
      });
    }
    return stopping;
  };
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, () => void shutdown(sig, 0));
  // The detached supervisor ignores its parent going away; only signals stop it.
  process.on("disconnect", () => undefined);

  let state: ClusterState;
  try {
    state = await sup.start();
  } catch (err) {
    if (stopping) return new Promise<number>(() => undefined);
    const message = (err as Error).message;
    io.err(stamp(`✗ ${message}`));
    send({ type: "failed", message });
    await shutdown("startup failed", 1);
    return 1;
  }
  progress(`✓ cluster ready: NATS_URL=${state.natsUrl} REDIS_URL=${state.redisUrl}`);
  progress(`  state ${statePaths(home).state}, logs ${statePaths(home).logs}/`);
  if (!background) io.out("  Ctrl-C stops the cluster; npm run k8s-dev -- status shows its health");
  send({ type: "ready" });
  return new Promise<number>(() => undefined);
}

function detach(cmd: UpCommand, home: string, io: Io): Promise<number> {
  const paths = statePaths(home);
  mkdirSync(paths.logs, { recursive: true });
  const fd = openSync(paths.upLog, "a");
  const args = [MAIN_JS, "up", "--supervisor", "--fsync", cmd.fsync, "--nodes", String(cmd.nodes), "--timeout", String(cmd.timeoutSec)];
  const child = spawn(process.execPath, ["--enable-source-maps", ...args], {
    detached: true,
    stdio: ["ignore", fd, fd, "ipc"],
    env: { ...process.env, K8S_DEV_HOME: home },
  });
  closeSync(fd);
  return new Promise<number>((resolve) => {
    let done = false;
    let failed = false;
    // Ctrl-C while starting: the supervisor stops what it started, then we exit with it.
    const interrupt = () => {
      failed = true;
      io.err("… interrupted: stopping the cluster");
      child.kill("SIGTERM");
    };
    process.on("SIGINT", interrupt);
    process.on("SIGTERM", interrupt);
    const finish = (code: number) => {
      if (done) return;
      done = true;
      process.off("SIGINT", interrupt);
      process.off("SIGTERM", interrupt);
      if (child.connected) child.disconnect();
      child.unref();
      resolve(code);
    };
    child.on("message", (m: SupervisorMessage) => {
      if (m.type === "progress") io.out(m.line);
      else if (m.type === "ready") {
        io.out(`✓ running in the background (supervisor pid ${child.pid}, log ${paths.upLog})`);
        io.out("  stop it with: npm run k8s-dev -- down");
        finish(0);
      } else if (m.type === "failed") {
        // Wait for its exit: it stops what it started first, so nothing is left behind.
        failed = true;
        io.err(`✗ ${m.message} (see ${paths.upLog})`);
      }
    });
    child.on("exit", (code, signal) => {
      if (!done && !failed) io.err(`✗ the supervisor exited during startup (${signal ?? `code ${code}`}); see ${paths.upLog}`);
      finish(1);
    });
    child.on("error", (err) => {
      io.err(`✗ cannot start the supervisor: ${err.message}`);
      finish(1);
    });
  });
}

/** supervisorAlive: true when the state's supervisor process still runs. */
export function supervisorAlive(state: ClusterState): boolean {
  return isAlive(state.supervisorPid) && ownsPid(state.supervisorPid, "up");
}
