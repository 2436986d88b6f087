/**
 * store-provider: connects the store for an actor process and registers it as TOKENS.Store.
 * Only processes whose actors touch Redis (API server, relay) call it.
 */
import { RedisStore } from "../store/index.js";
import { requireRedisUrl } from "./config.js";
import type { CompositionRoot } from "./container.js";
import type { ProcessContext } from "./process.js";
import { TOKENS } from "./tokens.js";

/** provideStore connects to REDIS_URL, registers the store, and closes it on shutdown. */
export async function provideStore(root: CompositionRoot, ctx: ProcessContext): Promise<RedisStore> {
  const store = await RedisStore.connect(requireRedisUrl(ctx.config));
  root.provide(TOKENS.Store, store);
  ctx.onShutdown(() => store.close());
  return store;
}
