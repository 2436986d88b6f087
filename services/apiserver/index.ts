/**
 * apiserver: the kube-apiserver actor (DESIGN.md §6). One process serves the Kubernetes REST
 * API over HTTP ({@link HttpApi}) and the same operations on the bus ({@link BusApi}); both go
 * through one {@link Registry}. Stateless: run any number of replicas.
 *
 * Environment: `K8S_API_HOST` (default 127.0.0.1), `K8S_API_PORT` (default 6443; 0 = any free
 * port), `K8S_SERVICE_CIDR` (default 10.96.0.0/12), plus the kernel's NATS_URL/REDIS_URL.
 */
import "reflect-metadata";
import { TOKENS, runActorProcess } from "../kernel/index.js";
import { provideStore } from "../kernel/store-provider.js";
import { BusApi } from "./bus-api.js";
import { HttpApi } from "./http/server.js";
import { NamespaceController } from "./namespace-controller.js";
import { Registry } from "./registry/registry.js";
import { WatchHub } from "./watch.js";

export { BusApi } from "./bus-api.js";
export { HttpApi } from "./http/server.js";
export { Registry } from "./registry/registry.js";
export { WatchHub } from "./watch.js";
export { ApiError, errors, statusOf, type Status } from "./errors.js";

/** main: run one API server replica in this process until SIGTERM. */
export async function main(): Promise<void> {
  await runActorProcess("apiserver", async (root, ctx) => {
    const store = await provideStore(root, ctx);
    const registry = new Registry(store, { ...(process.env.K8S_SERVICE_CIDR ? { serviceCidr: process.env.K8S_SERVICE_CIDR } : {}) });
    await registry.ensureSystemNamespaces();
    root.provide(TOKENS.Registry, registry);
    const watches = new WatchHub(store, ctx.log.child("watch"));
    ctx.onShutdown(() => watches.stop());
    const port = Number(process.env.K8S_API_PORT ?? 6443);
    const http = new HttpApi(ctx.bus, ctx.config.actorId, registry, watches, { host: process.env.K8S_API_HOST ?? "127.0.0.1", port }, root.resolve(TOKENS.Logger));
    const namespaces = new NamespaceController(ctx.bus, ctx.config.actorId, store, registry, root.resolve(TOKENS.Logger));
    return [root.build(BusApi), http, namespaces];
  });
}
