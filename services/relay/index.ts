/**
 * relay: the actor that publishes the store's change log on the bus (DESIGN.md §5).
 * `k8s-dev run relay` calls {@link main}; run two or more: one is active, the rest stand by.
 */
import "reflect-metadata";
import { runActorProcess } from "../kernel/index.js";
import { provideStore } from "../kernel/store-provider.js";
import { TOKENS } from "../kernel/index.js";
import { Relay, relayOptionsFromEnv } from "./relay.js";

export { Relay, relayOptionsFromEnv, type RelayOptions } from "./relay.js";
export { batchesOf, decideCursorSave, MAX_BATCH_BYTES, type EventBatch } from "./decide.js";

/** main: run one relay actor in this process until SIGTERM. */
export async function main(): Promise<void> {
  await runActorProcess("relay", async (root, ctx) => {
    await provideStore(root, ctx);
    root.provide(TOKENS.RelayOptions, relayOptionsFromEnv());
    return [root.build(Relay)];
  });
}
