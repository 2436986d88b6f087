/**
 * relay: the actor that publishes the store's change log on the bus (DESIGN.md §5).
 * `k8s-dev run relay` calls {@link main}; run two or more: one is active, the rest stand by.
 */
import "reflect-metadata";
import { runActorProcess } from "../kernel/index.js";
import { provideStore } from "../kernel/store-provider.js";
import { Relay, RELAY_OPTIONS, relayOptionsFromEnv } from "./relay.js";

export { Relay, RELAY_OPTIONS, relayOptionsFromEnv, encodeChange, type RelayOptions } from "./relay.js";
export { decideCursorSave, routeOf } from "./decide.js";

/** main: run one relay actor in this process until SIGTERM. */
export async function main(): Promise<void> {
  await runActorProcess("relay", async (root, ctx) => {
    await provideStore(root, ctx);
    root.provide(RELAY_OPTIONS, relayOptionsFromEnv());
    return [root.build(Relay)];
  });
}
