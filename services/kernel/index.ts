/**
 * kernel: what every actor is built on. The only public entry of `services/kernel`
 * (tests and the launcher may also import `local-servers.js` directly).
 *
 * @example
 * ```ts
 * import { Actor, runActorProcess, subjects, KINDS, TOKENS } from "../kernel/index.js";
 * ```
 */
export * as subjects from "./subjects.js";
export { SubjectError, encodeToken, decodeToken, QUEUE_APISERVER, QUEUE_SCHEDULER, QUEUE_CONTROLLERS } from "./subjects.js";
export * from "./envelope.js";
export * from "./bus.js";
export * from "./tracing.js";
export * from "./log.js";
export * from "./config.js";
export * from "./clock.js";
export * from "./backoff.js";
export * from "./actor.js";
export { Supervisor, DEFAULT_RESTART_BACKOFF, type SupervisorEvent, type SupervisorOptions } from "./supervisor.js";
export * from "./tokens.js";
export * from "./container.js";
export * from "./process.js";
