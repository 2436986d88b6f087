/**
 * store: etcd's contract (global revision, compare-and-swap, transactions, watch from a
 * revision, compaction) on Redis. The only public entry of `services/store`.
 *
 * @example
 * import { RedisStore, ConflictError } from "../store/index.js";
 * const store = await RedisStore.connect(process.env.REDIS_URL!);
 * const pod = await store.create("/pods/default/web", new TextEncoder().encode("{}"));
 * for await (const ev of store.watch("/pods/", pod.modRevision, { signal })) handle(ev);
 */
export * from "./types.js";
export { RedisStore } from "./redis-store.js";
export { resourceOf } from "./keys.js";
