/**
 * actor-process: run an actor's `main()` as a child OS process for tests that kill it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../services/kernel/local-servers.js";

export interface ActorProcessHandle {
  readonly name: string;
  pid(): number;
  /** SIGKILL (default) and wait for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Start again (after kill). */
  start(): void;
  alive(): boolean;
}

/**
 * Spawn `dist/services/<actor>/index.js` main() with env; output appended to logFile.
 * `nodeArgs` go to node before the script (e.g. `--cpu-prof`, which NODE_OPTIONS refuses).
 */
export function spawnActor(actor: string, id: string, env: Record<string, string>, logFile: string, nodeArgs: readonly string[] = []): ActorProcessHandle {
  const entry = join(projectRoot(), "dist/services", actor, "index.js");
  let proc: ChildProcess | undefined;
  const start = () => {
    const fd = openSync(logFile, "a");
    proc = spawn(process.execPath, [...nodeArgs, "--input-type=module", "-e", `import(${JSON.stringify(entry)}).then((m) => m.main())`], {
      env: { ...process.env, ...env, K8S_ACTOR_ID: id },
      stdio: ["ignore", fd, fd],
    });
    closeSync(fd);
  };
  start();
  const alive = () => !!proc && proc.exitCode === null && proc.signalCode === null;
  return {
    name: id,
    pid: () => proc?.pid ?? -1,
    alive,
    start,
    async kill(signal = "SIGKILL") {
      if (!proc || !alive()) return;
      const p = proc;
      const exited = new Promise<void>((res) => p.once("exit", () => res()));
      p.kill(signal);
      await exited;
    },
  };
}
