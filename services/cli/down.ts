/**
 * down: stop the cluster recorded in state.json and check, pid by pid, that nothing it
 * started is left. The supervisor is asked first (SIGTERM: it drains actors, then stops the
 * servers); any recorded process still alive after that is terminated directly.
 */
import { rmSync } from "node:fs";
import type { DownCommand } from "./args.js";
import { ownsPid, readState, recordedPids, removeState, statePaths, stateHome, type ClusterState } from "./state.js";
import type { Io } from "./up.js";

/** LeftoverProcessError: some recorded process survived SIGKILL. */
export class LeftoverProcessError extends Error {
  override name = "LeftoverProcessError";
}

type Recorded = ReturnType<typeof recordedPids>[number];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitGone(procs: Recorded[], timeoutMs: number): Promise<Recorded[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const live = procs.filter((p) => ownsPid(p.pid, p.expect));
    if (live.length === 0 || Date.now() > deadline) return live;
    await sleep(100);
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function merge(into: Map<number, Recorded>, state: ClusterState | undefined): void {
  if (state) for (const p of recordedPids(state)) into.set(p.pid, p);
}

/** down: resolves with the exit code (0 when every recorded process is gone). */
export async function down(cmd: DownCommand, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const home = stateHome(env);
  const paths = statePaths(home);
  const first = readState(home);
  if (!first) {
    io.out(`no cluster is running (no ${paths.state})`);
    if (cmd.purge) purge(paths, io);
    return 0;
  }
  const all = new Map<number, Recorded>();
  merge(all, first);

  // 1. The supervisor stops its actors and servers in order; keep reading the state while it
  //    does, so a process it respawned meanwhile is known too.
  const sup = recordedPids(first).find((p) => p.what === "supervisor");
  if (sup && ownsPid(sup.pid, sup.expect)) {
    io.out(`… stopping the supervisor (pid ${sup.pid})`);
    signal(sup.pid, "SIGTERM");
    const deadline = Date.now() + 30_000;
    while (ownsPid(sup.pid, sup.expect) && Date.now() < deadline) {
      try {
        merge(all, readState(home));
      } catch {
        // mid-write or removed: the next read catches up
      }
      await sleep(100);
    }
  }

  // 2. Whatever is still alive (a supervisor that was killed leaves its children): TERM, then KILL.
  let live = [...all.values()].filter((p) => ownsPid(p.pid, p.expect));
  if (live.length > 0) {
    io.out(`… stopping ${live.map((p) => `${p.what} (pid ${p.pid})`).join(", ")}`);
    for (const p of live) signal(p.pid, "SIGTERM");
    live = await waitGone(live, 10_000);
    for (const p of live) signal(p.pid, "SIGKILL");
    live = await waitGone(live, 5_000);
  }
  if (live.length > 0) {
    throw new LeftoverProcessError(`still alive after SIGKILL: ${live.map((p) => `${p.what} pid ${p.pid}`).join(", ")}`);
  }
  if (first.kubeconfig) rmSync(first.kubeconfig, { force: true });
  removeState(home);
  io.out(`✓ cluster stopped; none of its ${all.size} processes is alive`);
  if (cmd.purge) purge(paths, io);
  return 0;
}

function purge(paths: ReturnType<typeof statePaths>, io: Io): void {
  rmSync(paths.natsData, { recursive: true, force: true });
  rmSync(paths.redisData, { recursive: true, force: true });
  io.out(`✓ removed server data under ${paths.home}`);
}
