/**
 * apiserver: the API server actor (DESIGN.md §6). For now it serves the API on the bus
 * ({@link BusApi}); the Kubernetes REST edge for kubectl and client libraries is next.
 * `k8s-dev run apiserver` calls {@link main}; run any number of replicas.
 */
import "reflect-metadata";
import { runActorProcess } from "../kernel/index.js";
import { provideStore } from "../kernel/store-provider.js";
import { BusApi } from "./bus-api.js";

export { BusApi, ApiError, statusOf } from "./bus-api.js";

/** main: run one API server actor in this process until SIGTERM. */
export async function main(): Promise<void> {
  await runActorProcess("apiserver", async (root, ctx) => {
    await provideStore(root, ctx);
    return [root.build(BusApi)];
  });
}
