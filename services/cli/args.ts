/**
 * args: the `k8s-dev` command line, parsed into a typed command. Pure: no I/O, no process
 * state; `main.ts` maps each command to its implementation and a UsageError to exit code 2.
 */
import { ACTORS } from "./registry.js";

/** Redis appendfsync policies the launcher offers. */
export type FsyncPolicy = "always" | "everysec";

export interface UpCommand {
  readonly cmd: "up";
  /** Return once healthy, leaving a background supervisor. */
  readonly detach: boolean;
  readonly fsync: FsyncPolicy;
  /** Simulated nodes (stored in state; used once node actors exist). */
  readonly nodes: number;
  /** Seconds to wait for every actor to report healthy. */
  readonly timeoutSec: number;
  /** Internal: this process is the background supervisor started by `up --detach`. */
  readonly supervisor: boolean;
}
export interface DownCommand {
  readonly cmd: "down";
  /** Also delete the servers' data under the state directory. */
  readonly purge: boolean;
}
export interface StatusCommand {
  readonly cmd: "status";
  readonly json: boolean;
}
export interface RunCommand {
  readonly cmd: "run";
  readonly actor: string;
}
export interface HelpCommand {
  readonly cmd: "help";
  readonly topic?: CommandName;
}
export type Command = UpCommand | DownCommand | StatusCommand | RunCommand | HelpCommand;
export type CommandName = "up" | "down" | "status" | "run";

/** UsageError: the command line is wrong; the message says what to type instead. */
export class UsageError extends Error {
  override name = "UsageError";
}

const COMMANDS: readonly CommandName[] = ["up", "down", "status", "run"];

/** Defaults that come from the environment (K8S_DEV_FSYNC), passed in to keep parsing pure. */
export interface ArgDefaults {
  fsync?: string;
}

/** parseArgs: `argv` without node and script (process.argv.slice(2)) → a command. */
export function parseArgs(argv: readonly string[], defaults: ArgDefaults = {}): Command {
  const args = splitEquals(argv);
  if (args.length === 0) return { cmd: "help" };
  const [first, ...rest] = args;
  if (first === "-h" || first === "--help" || first === "help") {
    const topic = rest[0];
    if (topic === undefined) return { cmd: "help" };
    if (!isCommand(topic)) throw new UsageError(`unknown command "${topic}"; commands: ${COMMANDS.join(", ")}`);
    return { cmd: "help", topic };
  }
  if (!isCommand(first)) throw new UsageError(`unknown command "${first}"; commands: ${COMMANDS.join(", ")} (see k8s-dev --help)`);
  if (rest.includes("-h") || rest.includes("--help")) return { cmd: "help", topic: first };
  switch (first) {
    case "up":
      return parseUp(rest, defaults);
    case "down": {
      const flags = takeFlags("down", rest, ["--purge"], []);
      noPositionals("down", flags.positionals);
      return { cmd: "down", purge: flags.bools.has("--purge") };
    }
    case "status": {
      const flags = takeFlags("status", rest, ["--json"], []);
      noPositionals("status", flags.positionals);
      return { cmd: "status", json: flags.bools.has("--json") };
    }
    case "run": {
      const flags = takeFlags("run", rest, [], []);
      if (flags.positionals.length !== 1) {
        throw new UsageError(`run needs exactly one actor name: k8s-dev run <actor> (actors: ${ACTORS.map((a) => a.name).join(", ")})`);
      }
      return { cmd: "run", actor: flags.positionals[0]! };
    }
  }
}

function parseUp(rest: string[], defaults: ArgDefaults): UpCommand {
  const flags = takeFlags("up", rest, ["--detach", "-d", "--supervisor"], ["--fsync", "--nodes", "--timeout"]);
  noPositionals("up", flags.positionals);
  const fsync = flags.values.get("--fsync") ?? defaults.fsync ?? "always";
  if (fsync !== "always" && fsync !== "everysec") throw new UsageError(`--fsync must be "always" or "everysec", not "${fsync}"`);
  return {
    cmd: "up",
    detach: flags.bools.has("--detach") || flags.bools.has("-d"),
    fsync,
    nodes: intFlag("--nodes", flags.values.get("--nodes"), 3, 0),
    timeoutSec: intFlag("--timeout", flags.values.get("--timeout"), 60, 1),
    supervisor: flags.bools.has("--supervisor"),
  };
}

function isCommand(s: string): s is CommandName {
  return (COMMANDS as readonly string[]).includes(s);
}

/** `--flag=value` → `--flag value`. */
function splitEquals(argv: readonly string[]): string[] {
  return argv.flatMap((a) => {
    const eq = a.indexOf("=");
    return a.startsWith("--") && eq > 2 ? [a.slice(0, eq), a.slice(eq + 1)] : [a];
  });
}

function takeFlags(cmd: string, args: string[], bools: string[], valued: string[]) {
  const out = { bools: new Set<string>(), values: new Map<string, string>(), positionals: [] as string[] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (bools.includes(a)) out.bools.add(a);
    else if (valued.includes(a)) {
      const v = args[++i];
      if (v === undefined || v.startsWith("-")) throw new UsageError(`${a} needs a value (see k8s-dev ${cmd} --help)`);
      out.values.set(a, v);
    } else if (a.startsWith("-")) throw new UsageError(`unknown option ${a} for ${cmd} (see k8s-dev ${cmd} --help)`);
    else out.positionals.push(a);
  }
  return out;
}

function noPositionals(cmd: string, positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" for ${cmd} (see k8s-dev ${cmd} --help)`);
}

function intFlag(name: string, raw: string | undefined, dflt: number, min: number): number {
  if (raw === undefined) return dflt;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new UsageError(`${name} must be an integer >= ${min}, not "${raw}"`);
  return Number(raw);
}

const TOOL_HELP = `k8s-dev: run a local Kubernetes-on-NATS control plane

Usage: k8s-dev <command> [options]        (from npm: npm run k8s-dev -- <command>)

Commands:
  up        start nats-server, redis-server and every actor; stay up until Ctrl-C (npm start)
  down      stop a cluster started with up --detach, and everything it started
  status    list the actor processes, their health and the servers
  run       run one actor against an existing bus and store (NATS_URL, REDIS_URL)

Options:
  -h, --help    show help (k8s-dev <command> --help for a command)

Environment:
  NATS_URL, REDIS_URL   use these servers instead of starting private ones
  K8S_DEV_HOME          state directory (default: <project>/.k8s-dev)
  K8S_DEV_FSYNC         default for up --fsync (always | everysec)
`;

const COMMAND_HELP: Record<CommandName, string> = {
  up: `Usage: k8s-dev up [--detach] [--fsync always|everysec] [--nodes N] [--timeout SECONDS]

Starts a local cluster: private nats-server and redis-server on free ports with data under
the state directory (unless NATS_URL / REDIS_URL are set), then every control-plane actor
replica as its own OS process (logs in <state>/logs/). Waits until every actor reports
"running" on the bus, then stays in the foreground, restarting actor processes that die,
until Ctrl-C stops everything.

Options:
  -d, --detach        return once healthy; a background supervisor keeps the cluster up
                      (stop it with: npm run k8s-dev -- down)
  --fsync POLICY      Redis AOF fsync: always (default; acknowledged writes survive kill -9)
                      or everysec (faster; may lose ~1 s of writes on a crash)
  --nodes N           simulated nodes to run (default 3; used once node actors exist)
  --timeout SECONDS   how long to wait for the actors to become healthy (default 60)
`,
  down: `Usage: k8s-dev down [--purge]

Stops the cluster's supervisor, every actor process and the servers it started, and checks
that none of their pids is still alive. Data stays under the state directory for the next
up, unless --purge.

Options:
  --purge   also delete the nats-server and redis-server data
`,
  status: `Usage: k8s-dev status [--json]

Lists each actor process (name, id, pid, health state from a bus broadcast, restarts) and
the servers. Exits 1 when no cluster runs or something is unhealthy.

Options:
  --json    print the status as JSON
`,
  run: `Usage: k8s-dev run <actor>

Runs one actor process against an existing bus and store: the entry point the launcher and
the Kubernetes manifests use. Reads NATS_URL, REDIS_URL and K8S_ACTOR_ID from the
environment; SIGTERM drains and exits 0.

Actors:
${ACTORS.map((a) => `  ${a.name.padEnd(20)}${a.summary}`).join("\n")}
`,
};

/** helpText: the tool's help, or one command's. */
export function helpText(topic?: CommandName): string {
  return topic ? COMMAND_HELP[topic] : TOOL_HELP;
}
