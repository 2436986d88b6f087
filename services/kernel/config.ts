/**
 * config: typed process configuration read from the environment.
 *
 * Every problem is collected and reported at once, each with the fix, e.g.
 * `NATS_URL is not set: set NATS_URL=nats://127.0.0.1:4222 ...`.
 *
 * @example
 * ```ts
 * const cfg = loadConfig(process.env, { kind: "scheduler" });
 * ```
 */
import { hostname } from "node:os";
import { DEFAULT_MAX_PAYLOAD } from "./envelope.js";
import { parseLevel, type LogLevel } from "./log.js";

/** ConfigError: invalid or missing settings; `problems` lists each with its fix. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
  }
}

/** KernelConfig: what every actor process needs. */
export interface KernelConfig {
  /** NATS servers (NATS_URL, comma-separated). */
  natsServers: string[];
  /** Redis URL (REDIS_URL); undefined when unset (see {@link requireRedisUrl}). */
  redisUrl: string | undefined;
  /** This process's actor id (K8S_ACTOR_ID), default `<kind>-<host>-<pid>`. */
  actorId: string;
  /** The actor kind this process runs ("" when not an actor process). */
  kind: string;
  /** LOG_LEVEL: debug | info | warn | error | silent (default info). */
  logLevel: LogLevel;
  /** K8S_MAX_PAYLOAD: largest bus envelope in bytes (default 4 MiB). */
  maxPayload: number;
  /** OTEL_EXPORTER_OTLP_ENDPOINT, when set. */
  otlpEndpoint: string | undefined;
  /** OTEL_SERVICE_NAME, default `k8s-<kind>`. */
  serviceName: string;
}

/** loadConfig reads and validates the environment; throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, opts: { kind?: string } = {}): KernelConfig {
  const problems: string[] = [];
  const kind = opts.kind ?? "";

  const natsRaw = env.NATS_URL?.trim();
  let natsServers: string[] = [];
  if (!natsRaw) {
    problems.push("NATS_URL is not set: set NATS_URL=nats://127.0.0.1:4222 (comma-separated for a cluster), or start a local cluster with `npm start`");
  } else {
    natsServers = natsRaw.split(",").map((s) => s.trim()).filter(Boolean);
    for (const s of natsServers) {
      if (!/^(nats|tls|ws|wss):\/\/[^\s/]+$/.test(s) && !/^[^\s/:]+:\d+$/.test(s)) {
        problems.push(`NATS_URL entry ${JSON.stringify(s)} is not a server address: use nats://host:port`);
      }
    }
  }

  const redisRaw = env.REDIS_URL?.trim() || undefined;
  if (redisRaw && !/^rediss?:\/\/\S+$/.test(redisRaw)) {
    problems.push(`REDIS_URL ${JSON.stringify(redisRaw)} is not a Redis URL: use redis://host:port`);
  }

  const levelRaw = env.LOG_LEVEL?.trim();
  const logLevel = levelRaw ? parseLevel(levelRaw) : "info";
  if (!logLevel) problems.push(`LOG_LEVEL ${JSON.stringify(levelRaw)} is unknown: use one of debug, info, warn, error, silent`);

  let maxPayload = DEFAULT_MAX_PAYLOAD;
  const mpRaw = env.K8S_MAX_PAYLOAD?.trim();
  if (mpRaw) {
    const n = Number(mpRaw);
    if (!Number.isInteger(n) || n < 1024) problems.push(`K8S_MAX_PAYLOAD ${JSON.stringify(mpRaw)} must be an integer number of bytes >= 1024`);
    else maxPayload = n;
  }

  const otlpEndpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || undefined;
  if (otlpEndpoint && !/^https?:\/\/\S+$/.test(otlpEndpoint)) {
    problems.push(`OTEL_EXPORTER_OTLP_ENDPOINT ${JSON.stringify(otlpEndpoint)} must be an http(s) URL, e.g. http://127.0.0.1:4318`);
  }

  const actorId = env.K8S_ACTOR_ID?.trim() || `${kind || "process"}-${hostname()}-${process.pid}`;

  if (problems.length) throw new ConfigError(problems);
  return {
    natsServers,
    redisUrl: redisRaw,
    actorId,
    kind,
    logLevel: logLevel!,
    maxPayload,
    otlpEndpoint,
    serviceName: env.OTEL_SERVICE_NAME?.trim() || `k8s-${kind || "process"}`,
  };
}

/** requireRedisUrl returns REDIS_URL or throws ConfigError saying how to set it. */
export function requireRedisUrl(cfg: KernelConfig): string {
  if (!cfg.redisUrl) throw new ConfigError(["REDIS_URL is not set: set REDIS_URL=redis://127.0.0.1:6379, or start a local cluster with `npm start`"]);
  return cfg.redisUrl;
}
