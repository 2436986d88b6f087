/**
 * NamespaceController: deleting a Namespace deletes its contents, then the Namespace.
 *
 * A deleted Namespace keeps `spec.finalizers: ["kubernetes"]` and phase Terminating; this
 * controller deletes every namespaced object in it (Background propagation), and once none is
 * left clears the finalizer (the `finalize` subresource), after which the registry removes the
 * Namespace. Level-based on a work queue; one active replica at a time (store lease), so API
 * server replicas do not race each other.
 */
import { Informer, WorkQueue } from "../client/index.js";
import { Actor, type Bus, type Logger } from "../kernel/index.js";
import { RESOURCES, lookupResourceByKind } from "../schema/index.js";
import type { RedisStore } from "../store/index.js";
import { decodeObject, type KubeObject } from "./codec.js";
import { ApiError } from "./errors.js";
import type { Registry } from "./registry/registry.js";
import { storeListWatch } from "./store-source.js";

export const NAMESPACE_FINALIZER = "kubernetes";
const LEASE = "namespace-controller";

/** What a terminating namespace needs next (pure). */
export function decideNamespace(ns: KubeObject, remaining: number): "ignore" | "delete-contents" | "finalize" | "wait" {
  if (!ns.metadata.deletionTimestamp) return "ignore";
  if (!(ns.spec?.finalizers ?? []).includes(NAMESPACE_FINALIZER)) return "ignore";
  if (remaining > 0) return "delete-contents";
  return "finalize";
}

export class NamespaceController extends Actor {
  private informer: Informer<KubeObject> | undefined;
  private queue: WorkQueue<string> | undefined;
  private leading = false;

  constructor(
    bus: Bus,
    id: string,
    private readonly store: RedisStore,
    private readonly registry: Registry,
    logger?: Logger,
    private readonly leaseMs = 5000,
  ) {
    super({ kind: "namespace-controller", id: `${id}-namespaces`, bus, ...(logger ? { logger } : {}) });
  }

  protected override healthDetail(): string {
    return this.leading ? "leader" : "standby";
  }

  protected async onStart(): Promise<void> {
    const queue = new WorkQueue<string>({ baseMs: 200, maxMs: 10_000 });
    const informer = new Informer<KubeObject>(storeListWatch(this.store, this.bus, "namespaces"), (v, item) => decodeObject(v, item.modRevision), {
      resyncCheckMs: 5000,
      onError: (err, context) => this.log.warn(context, { err }),
    });
    informer.addHandlers({
      onAdd: (o) => o.object.metadata.deletionTimestamp && queue.add(o.object.metadata.name),
      onUpdate: (_old, o) => o.object.metadata.deletionTimestamp && queue.add(o.object.metadata.name),
    });
    this.queue = queue;
    this.informer = informer;
    await informer.start();
    const renew = async () => {
      const was = this.leading;
      this.leading = await this.store.tryAcquireLease(LEASE, this.id, this.leaseMs).catch(() => false);
      if (this.leading && !was) for (const c of informer.list()) if (c.object.metadata.deletionTimestamp) queue.add(c.object.metadata.name);
    };
    await renew();
    this.every(Math.floor(this.leaseMs / 3), renew);
    void queue.run(1, (name) => this.reconcile(name), (name, err) => this.log.warn("namespace reconcile failed", { namespace: name, err }));
  }

  protected override async onStop(): Promise<void> {
    this.queue?.shutdown();
    this.informer?.stop();
    if (this.leading) await this.store.releaseLease(LEASE, this.id).catch(() => undefined);
    this.leading = false;
  }

  /** One pass over a terminating namespace; requeues itself while objects remain. */
  private async reconcile(name: string): Promise<void | { requeueAfterMs: number }> {
    if (!this.leading) return;
    const cached = this.informer?.get(`/namespaces/${name}`);
    if (!cached) return;
    let remaining = 0;
    const namespaced = RESOURCES.filter((r) => r.namespaced && r.stored);
    for (const r of namespaced) remaining += (await this.registry.list(r, name, { limit: 1 })).items.length;
    const step = decideNamespace(cached.object, remaining);
    if (step === "ignore") return;
    if (step === "delete-contents") {
      for (const r of namespaced) await this.registry.deleteCollection(r, name, {}, { propagationPolicy: "Background" });
      return { requeueAfterMs: 500 };
    }
    const nsInfo = lookupResourceByKind("Namespace")!;
    const fresh = await this.registry.get(nsInfo, "", name);
    const finalizers = (fresh.spec?.finalizers ?? []).filter((f: string) => f !== NAMESPACE_FINALIZER);
    try {
      await this.registry.update(nsInfo, "", name, { ...fresh, spec: { ...(fresh.spec ?? {}), finalizers } }, { subresource: "finalize" });
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return;
      throw err;
    }
  }
}
