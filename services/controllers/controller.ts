/**
 * controller: the one interface every controller of the controller-manager implements, and
 * the context it is started with.
 *
 * A controller is started when this replica becomes the leader and stopped when it loses the
 * lease; `start` may be called again after `stop`, so it builds its state afresh each time.
 * Informers are shared: one per kind for the whole term, created on demand
 * ({@link SharedInformers.informer}), started once and waited for with
 * {@link SharedInformers.waitForSync}.
 *
 * @example
 * ```ts
 * class Echo implements Controller {
 *   readonly name = "echo";
 *   async start(ctx: ControllerContext) {
 *     const pods = ctx.informers.informer("Pod");
 *     pods.addHandlers({ onAdd: (p) => ctx.log.info("pod", { key: p.key }) });
 *     await ctx.informers.waitForSync(["Pod"]);
 *   }
 *   async stop() {}
 * }
 * ```
 */
import { Informer, isStatus, type KubeClient, type KubeObject } from "../client/index.js";
import { RemoteError, type Clock, type Logger } from "../kernel/index.js";

/** What a controller gets when it starts. */
export interface ControllerContext {
  /** The API (JSON objects over the bus). */
  readonly client: KubeClient;
  /** Informers shared by every controller of this term. */
  readonly informers: SharedInformers;
  /** A logger for this controller. */
  readonly log: Logger;
  readonly clock: Clock;
}

/** Controller: one control loop of the controller-manager. */
export interface Controller {
  /** Short name for logs and health ("garbage-collector"). */
  readonly name: string;
  /** Register handlers, wait for the caches, start the workers. Resolves once running. */
  start(ctx: ControllerContext): Promise<void>;
  /** Stop the workers (in-flight reconciles may finish). Idempotent. */
  stop(): Promise<void>;
  /** One-line state for the manager's health detail (queue depth...). */
  status?(): string;
}

/** SharedInformersStoppedError: an informer was asked for after the term ended. */
export class SharedInformersStoppedError extends Error {
  override name = "SharedInformersStoppedError";
}

/** ObjectDecoder: how an informer turns a stored value at a revision into the object it caches (`previous`: what it caches for that key now). */
export type ObjectDecoder = (value: Uint8Array, modRevision: number, previous: KubeObject | undefined) => KubeObject;

/** SharedInformers: one informer per kind, shared by the controllers of one leadership term. */
export class SharedInformers {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private readonly synced = new Map<string, Promise<void>>();
  private stopped = false;

  /** `decoders`: kinds cached as a view instead of whole (see pod-view.ts); the others as the client decodes them. */
  constructor(
    private readonly client: KubeClient,
    private readonly log: Logger,
    private readonly resyncCheckMs = 10_000,
    private readonly decoders: ReadonlyMap<string, ObjectDecoder> = new Map(),
  ) {}

  /** informer: the shared informer of `kind` (created, not started, on first use). */
  informer(kind: string): Informer<KubeObject> {
    if (this.stopped) throw new SharedInformersStoppedError(`informers stopped; no informer for ${kind}`);
    let inf = this.informers.get(kind);
    if (!inf) {
      const opts = { resyncCheckMs: this.resyncCheckMs, onError: (err: unknown, context: string) => this.log.warn(context, { kind, err }) };
      const decode = this.decoders.get(kind);
      inf = decode ? this.client.informerOf(kind, (v, meta, previous) => decode(v, meta.modRevision, previous?.object), opts) : this.client.informer(kind, opts);
      this.informers.set(kind, inf);
    }
    return inf;
  }

  /** waitForSync starts the informers of `kinds` (once) and resolves when each holds its first full list. */
  waitForSync(kinds: readonly string[]): Promise<void> {
    return Promise.all(
      kinds.map((kind) => {
        let p = this.synced.get(kind);
        if (!p) {
          p = this.informer(kind).start();
          this.synced.set(kind, p);
        }
        return p;
      }),
    ).then(() => undefined);
  }

  /** kinds: the kinds with an informer. */
  kinds(): string[] {
    return [...this.informers.keys()];
  }

  /** stop stops every informer; the object is done afterwards. */
  stop(): void {
    this.stopped = true;
    for (const inf of this.informers.values()) inf.stop();
    // A waitForSync still pending rejects with InformerStoppedError; nobody needs to see it here.
    for (const p of this.synced.values()) p.catch(() => undefined);
  }
}

/** errorMessage: one line for logs (an API error's Status message rather than the bus wrapper's). */
export function errorMessage(err: unknown): string {
  if (err instanceof RemoteError) return err.detail || err.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * syncErrorLogger: a controller's work-queue error callback (the key is retried either way): a
 * 409 Conflict is a routine race with another writer (debug), anything else a warning.
 */
export function syncErrorLogger(log: Logger, failed: string): (key: string, err: unknown) => void {
  return (key, err) => {
    if (isStatus(err, 409)) log.debug("conflict; retrying", { key });
    else log.warn(`${failed}; retrying`, { key, err: errorMessage(err) });
  };
}
