/**
 * tokens: every DI token of the system, typed, in one module.
 *
 * A token is a symbol branded with the type it resolves to, so `root.resolve(TOKENS.Bus)`
 * is a `Bus`. Use them with tsyringe on every constructor parameter, plus `@injectable()`
 * on the class (no emitted metadata is relied on):
 *
 * @example
 * ```ts
 * @injectable()
 * class Scheduler extends Actor {
 *   constructor(@inject(TOKENS.Bus) bus: Bus, @inject(TOKENS.Config) cfg: KernelConfig) { ... }
 * }
 * ```
 */
import type { Registry } from "../apiserver/registry/registry.js";
import type { RelayOptions } from "../relay/relay.js";
import type { RedisStore } from "../store/index.js";
import type { Bus } from "./bus.js";
import type { Clock } from "./clock.js";
import type { KernelConfig } from "./config.js";
import type { Logger } from "./log.js";
import type { Supervisor } from "./supervisor.js";
import type { TracingHandle } from "./tracing.js";

/** Token<T>: a DI token resolving to a T. */
export type Token<T> = symbol & { readonly __tokenType?: T };

/** token makes a new typed token; `name` shows in errors. Define tokens in this module only. */
export function token<T>(name: string): Token<T> {
  return Symbol(`k8s.${name}`) as Token<T>;
}

/** TokenType<typeof TOKENS.X> is the type X resolves to. */
export type TokenType<K> = K extends Token<infer T> ? T : never;

/** The system's DI tokens. */
export const TOKENS = {
  /** The process's one Bus. */
  Bus: token<Bus>("Bus"),
  /** The process's KernelConfig. */
  Config: token<KernelConfig>("Config"),
  /** The process's root Logger (components call `.child(...)`). */
  Logger: token<Logger>("Logger"),
  /** Time source. */
  Clock: token<Clock>("Clock"),
  /** The store (etcd contract on Redis); registered by processes that talk to Redis. */
  Store: token<RedisStore>("Store"),
  /** The process's Supervisor. */
  Supervisor: token<Supervisor>("Supervisor"),
  /** The tracing handle from initTracing. */
  Tracing: token<TracingHandle>("Tracing"),
  /** The API server's resource registry (API server processes). */
  Registry: token<Registry>("Registry"),
  /** The relay's settings (relay processes). */
  RelayOptions: token<RelayOptions>("RelayOptions"),
} as const;

/** tokenName: a token's readable name for error messages. */
export function tokenName(t: symbol): string {
  return t.description ?? t.toString();
}
