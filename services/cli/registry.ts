/**
 * registry: every actor the launcher knows, in one table.
 *
 * Adding an actor is one entry here: its name (used by `k8s-dev run <name>` and in actor ids
 * `<name>-<n>`), the module that exports `main(): Promise<void>` (path relative to this file,
 * as compiled), whether it needs Redis, and how many OS processes `k8s-dev up` starts.
 * Modules are imported lazily so `k8s-dev run relay` loads only the relay.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** One actor the launcher can start. */
export interface ActorEntry {
  /** Actor name: `k8s-dev run <name>`, actor ids `<name>-<n>`. */
  readonly name: string;
  /** Module exporting `main(): Promise<void>`, relative to this file (compiled `.js`). */
  readonly module: string;
  /** True when the actor talks to Redis (the launcher then requires a store). */
  readonly needsRedis: boolean;
  /** Processes `k8s-dev up` starts (replicas), each with its own K8S_ACTOR_ID. */
  readonly replicas: number;
  /** One-line description for `--help`. */
  readonly summary: string;
  /** Env var that takes the replica's listen port: the launcher gives each replica its own free port, kept across respawns. */
  readonly portEnv?: string;
  /** The port serves the Kubernetes REST API: the launcher writes `<state>/kubeconfig` for it. */
  readonly kubeApi?: boolean;
}

/** ACTORS: the control-plane actors, in start order. */
export const ACTORS: readonly ActorEntry[] = [
  { name: "relay", module: "../relay/index.js", needsRedis: true, replicas: 2, summary: "publishes store changes to NATS (one active by lease)" },
  { name: "apiserver", module: "../apiserver/index.js", needsRedis: true, replicas: 2, summary: "the Kubernetes API over HTTP and on the bus (stateless)", portEnv: "K8S_API_PORT", kubeApi: true },
  { name: "scheduler", module: "../scheduler/index.js", needsRedis: false, replicas: 2, summary: "kube-scheduler: filter, score, bind (all replicas active)" },
  { name: "controller-manager", module: "../controllers/index.js", needsRedis: false, replicas: 2, summary: "controllers (garbage collector, ...) with leader election" },
  { name: "node-host", module: "../node/index.js", needsRedis: false, replicas: 1, summary: "node host: N simulated kubelets (sim runtime)" },
];

/** UnknownActorError: `run <name>` named an actor that is not in the registry. */
export class UnknownActorError extends Error {
  override name = "UnknownActorError";
  constructor(readonly actor: string) {
    super(`unknown actor "${actor}"; known actors: ${ACTORS.map((a) => a.name).join(", ")}`);
  }
}

/** ActorLoadError: the actor's module is missing or does not export `main()`. */
export class ActorLoadError extends Error {
  override name = "ActorLoadError";
}

/** findActor: the registry entry named `name`, or throws UnknownActorError. */
export function findActor(name: string): ActorEntry {
  const entry = ACTORS.find((a) => a.name === name);
  if (!entry) throw new UnknownActorError(name);
  return entry;
}

/** isAvailable: true when the actor's compiled module exists (actors land over several issues). */
export function isAvailable(entry: ActorEntry): boolean {
  return existsSync(fileURLToPath(new URL(entry.module, import.meta.url)));
}

/** availableActors: the registry entries whose module exists, in start order. */
export function availableActors(): ActorEntry[] {
  return ACTORS.filter(isAvailable);
}

/** loadActor: import the actor's module and return its `main`. */
export async function loadActor(entry: ActorEntry): Promise<() => Promise<void>> {
  if (!isAvailable(entry)) throw new ActorLoadError(`actor "${entry.name}" is not built: ${entry.module} is missing (run: npm run build)`);
  const mod = (await import(new URL(entry.module, import.meta.url).href)) as { main?: unknown };
  if (typeof mod.main !== "function") throw new ActorLoadError(`actor "${entry.name}": ${entry.module} does not export main()`);
  return mod.main as () => Promise<void>;
}
