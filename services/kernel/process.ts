/**
 * process: `runActorProcess`, the entry point of every actor process.
 *
 * Order: read config → initTracing → connect the Bus → fill the composition root
 * (Config, Logger, Clock, Bus, Supervisor, Tracing) → `build(root, ctx)` → start each actor
 * under the Supervisor. On SIGTERM/SIGINT: drain the actors, run shutdown hooks, drain the
 * bus, flush spans, exit 0 (a second signal exits 1 at once). Unhandled rejections are
 * logged as UnhandledRejectionError and the process keeps running; an uncaught exception is
 * logged and exits 1 (so whoever runs the process restarts it).
 *
 * @example
 * ```ts
 * // services/scheduler/index.ts
 * export function main() {
 *   return runActorProcess("scheduler", (root) => [root.build(Scheduler)]);
 * }
 * ```
 */
import "reflect-metadata";
import type { Actor } from "./actor.js";
import { Bus } from "./bus.js";
import { systemClock } from "./clock.js";
import { loadConfig, type KernelConfig } from "./config.js";
import { createRoot, type CompositionRoot } from "./container.js";
import { logger, setLogLevel, type Logger } from "./log.js";
import { Supervisor, type BackoffConfig } from "./supervisor.js";
import { TOKENS } from "./tokens.js";
import { initTracing } from "./tracing.js";

/** UnhandledRejectionError: wraps a promise rejection nobody handled (the original is `cause`). */
export class UnhandledRejectionError extends Error {
  override name = "UnhandledRejectionError";
}

/** What `build` gets besides the root. */
export interface ProcessContext {
  config: KernelConfig;
  bus: Bus;
  log: Logger;
  /** Run `fn` on shutdown after the actors drained and before the bus drains (close a store...). */
  onShutdown(fn: () => void | Promise<void>): void;
}

/** Builds the process's actors from the composition root. */
export type BuildActors = (root: CompositionRoot, ctx: ProcessContext) => Actor[] | Promise<Actor[]>;

/** Options of {@link runActorProcess}. */
export interface ActorProcessOptions {
  /** Environment to read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Restart backoff of the supervisor. */
  backoff?: BackoffConfig;
  /** Longest wait for actors to drain on shutdown before closing anyway (default 20 s). */
  drainTimeoutMs?: number;
  /** Install SIGTERM/SIGINT and process-level error handlers (default true). */
  installHandlers?: boolean;
  /** How to exit (default process.exit). */
  exit?: (code: number) => void;
}

/** A running actor process. */
export interface ActorProcess {
  readonly config: KernelConfig;
  readonly root: CompositionRoot;
  readonly bus: Bus;
  readonly supervisor: Supervisor;
  readonly actors: readonly Actor[];
  /** Drain actors, run hooks, drain the bus, flush spans (idempotent). Does not exit. */
  shutdown(): Promise<void>;
}

/**
 * runActorProcess runs `build`'s actors in this process until SIGTERM/SIGINT. A startup
 * failure (bad config, NATS unreachable, build throwing) is logged and exits 1.
 */
export async function runActorProcess(kind: string, build: BuildActors, opts: ActorProcessOptions = {}): Promise<ActorProcess> {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const install = opts.installHandlers ?? true;
  let log = logger(kind);
  if (install) installProcessHandlers(log, exit);
  try {
    const config = loadConfig(opts.env ?? process.env, { kind });
    setLogLevel(config.logLevel);
    log = logger(kind, { fields: { actorId: config.actorId } });
    const tracing = await initTracing({ serviceName: config.serviceName, ...(config.otlpEndpoint ? { otlpEndpoint: config.otlpEndpoint } : {}), logger: log.child("tracing") });
    const bus = await Bus.connect({ servers: config.natsServers, name: config.actorId, maxPayload: config.maxPayload, logger: log.child("bus") });
    const supervisor = new Supervisor({ logger: log.child("supervisor"), ...(opts.backoff ? { backoff: opts.backoff } : {}) });
    const root = createRoot()
      .provide(TOKENS.Config, config)
      .provide(TOKENS.Logger, log)
      .provide(TOKENS.Clock, systemClock)
      .provide(TOKENS.Bus, bus)
      .provide(TOKENS.Supervisor, supervisor)
      .provide(TOKENS.Tracing, tracing);
    const hooks: Array<() => void | Promise<void>> = [];
    const actors = await build(root, { config, bus, log, onShutdown: (fn) => hooks.push(fn) });
    await Promise.all(actors.map((a) => supervisor.supervise(a)));
    log.info("actor process started", { kind, actors: actors.map((a) => a.id), pid: process.pid });

    let stopping: Promise<void> | undefined;
    const shutdown = () =>
      (stopping ??= (async () => {
        log.info("shutting down");
        const drained = await withTimeout(supervisor.drainAll(), opts.drainTimeoutMs ?? 20_000);
        if (!drained) log.warn("actors did not drain in time; closing anyway", { timeoutMs: opts.drainTimeoutMs ?? 20_000 });
        for (const fn of hooks) {
          try {
            await fn();
          } catch (err) {
            log.error("shutdown hook failed", { err });
          }
        }
        await bus.drain();
        await tracing.shutdown().catch((err) => log.warn("span flush failed", { err }));
        log.info("stopped");
      })());

    if (install) {
      let signalled = false;
      const onSignal = (sig: NodeJS.Signals) => {
        if (signalled) {
          log.warn("second signal, exiting now", { signal: sig });
          exit(1);
          return;
        }
        signalled = true;
        log.info("signal received", { signal: sig });
        shutdown().then(
          () => exit(0),
          (err) => {
            log.error("shutdown failed", { err });
            exit(1);
          },
        );
      };
      process.on("SIGTERM", onSignal);
      process.on("SIGINT", onSignal);
    }
    return { config, root, bus, supervisor, actors, shutdown };
  } catch (err) {
    log.error("actor process failed to start", { kind, err });
    exit(1);
    throw err;
  }
}

let handlersInstalled = false;

function installProcessHandlers(log: Logger, exit: (code: number) => void): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("unhandledRejection", (reason) => {
    log.error("unhandled promise rejection", { err: new UnhandledRejectionError(String((reason as Error)?.message ?? reason), { cause: reason }) });
  });
  process.on("uncaughtException", (err) => {
    log.error("uncaught exception, exiting", { err });
    exit(1);
  });
}

async function withTimeout(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<boolean>((res) => {
    timer = setTimeout(() => res(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true), t]);
  } finally {
    clearTimeout(timer);
  }
}
