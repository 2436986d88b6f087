/**
 * store-source: ListWatchSources for informers inside the API server process, which (unlike
 * other actors) reads the store directly: list and replay from Redis; live events either from
 * the bus ({@link storeListWatch}) or straight from the store's log ({@link StoreLogTail}, for
 * the HTTP watch caches, as kube-apiserver's watch cache reads etcd: no relay and NATS hop).
 */
import { informerEventsFromBatch, type InformerEvent, type ListWatchSource } from "../client/index.js";
import { KINDS, subjects, unwrap, type Bus } from "../kernel/index.js";
import { listPrefix } from "../store/object-keys.js";
import { resourceOf, type ChangeEvent, type RedisStore } from "../store/index.js";
import type { Logger } from "../kernel/index.js";

export function storeEventToInformer(e: ChangeEvent): InformerEvent {
  return { type: e.type, revision: e.revision, prevRevision: e.prevRevision, key: e.key, value: e.value, createRevision: e.createRevision };
}

/** List and replay of `storeResource` straight from the store (the part both sources share). */
function storeListReplay(store: RedisStore, storeResource: string): Pick<ListWatchSource, "list" | "replay"> {
  const prefix = listPrefix(storeResource);
  return {
    list: async () => {
      const r = await store.list(prefix);
      return { items: r.items, revision: r.revision };
    },
    replay: async (from) => {
      const r = await store.scanEvents(prefix, from);
      return { events: r.events.map(storeEventToInformer), revision: r.scannedTo };
    },
  };
}

/**
 * storeListWatch: list/replay from the store, live events of `storeResource` from the bus.
 *
 * Live events are taken straight from the NATS connection with a callback (no per-message
 * promise, span or async iteration): each batch of changes reaches the informer in the tick it
 * arrives, not after the request work queued in between. (Used by the namespace controller;
 * the HTTP watch caches use {@link StoreLogTail}.) An undecodable message goes
 * (and a failing handler) to `onBadMessage` and is dropped (the informer's gap check repairs what it may have hidden).
 */
export function storeListWatch(store: RedisStore, bus: Bus, storeResource: string, onBadMessage: (err: unknown) => void = () => undefined): ListWatchSource {
  return {
    ...storeListReplay(store, storeResource),
    subscribe: (onEvents) => {
      const sub = bus.nats.subscribe(subjects.changesAll(storeResource), {
        callback: (err, m) => {
          if (err) return onBadMessage(err);
          let events: InformerEvent[];
          try {
            events = informerEventsFromBatch(unwrap(m.data, KINDS.ChangeEventBatch).payload);
          } catch (e) {
            return onBadMessage(e);
          }
          try {
            onEvents(events);
          } catch (e) {
            // Never let a handler's failure reach the NATS connection's parser.
            onBadMessage(e);
          }
        },
      });
      return () => {
        if (!sub.isClosed()) sub.unsubscribe();
      };
    },
    onReconnect: (cb) => bus.onReconnect(() => cb()),
  };
}

const TAIL_RETRY_MS = 200;

/**
 * StoreLogTail: one blocking read of the store's whole change log per API server process,
 * demultiplexed by resource to live subscribers, in log order.
 * - It starts with the first subscriber, from the store's current revision: an informer that
 *   listed earlier sees its first live event's prevRevision and replays what came before (its
 *   gap check), so nothing is lost.
 * - A failed read (connection, compaction) restarts it from the current revision and tells
 *   every subscriber to catch up (`onReconnect`), which replays from its own last revision.
 */
export class StoreLogTail {
  private readonly subscribers = new Map<string, Set<(events: InformerEvent[]) => void>>();
  private readonly resumeListeners = new Set<() => void>();
  private abort: AbortController | undefined;

  constructor(
    private readonly store: RedisStore,
    private readonly log: Logger,
  ) {}

  /** A ListWatchSource of `storeResource`: list/replay from the store, live events from this tail. */
  source(storeResource: string): ListWatchSource {
    return {
      ...storeListReplay(this.store, storeResource),
      subscribe: (onEvents) => {
        let set = this.subscribers.get(storeResource);
        if (!set) this.subscribers.set(storeResource, (set = new Set()));
        set.add(onEvents);
        this.start();
        return () => set!.delete(onEvents);
      },
      onReconnect: (cb) => {
        this.resumeListeners.add(cb);
        return () => this.resumeListeners.delete(cb);
      },
    };
  }

  /** Ends the read; subscribers stay registered but receive nothing more. */
  stop(): void {
    this.abort?.abort();
  }

  private start(): void {
    if (this.abort) return;
    const abort = (this.abort = new AbortController());
    void this.run(abort.signal);
  }

  private async run(signal: AbortSignal): Promise<void> {
    for (let restarts = 0; !signal.aborted; restarts++) {
      try {
        const from = await this.store.currentRevision();
        if (restarts > 0) for (const cb of [...this.resumeListeners]) cb();
        for await (const run of this.store.watchRuns("/", from, { signal })) this.deliver(run);
        return; // the read ends only when stopped or when the store is closed (it resumes dropped connections itself)
      } catch (err) {
        if (signal.aborted) return;
        this.log.warn("store log tail failed; restarting from the current revision", { err });
        await new Promise((r) => setTimeout(r, TAIL_RETRY_MS));
      }
    }
  }

  /** Hands each subscriber its resource's events of one read, in order. */
  private deliver(run: ChangeEvent[]): void {
    let i = 0;
    while (i < run.length) {
      const resource = resourceOf(run[i]!.key);
      let j = i + 1;
      while (j < run.length && resourceOf(run[j]!.key) === resource) j++;
      const set = this.subscribers.get(resource);
      if (set?.size) {
        const events = run.slice(i, j).map(storeEventToInformer);
        for (const onEvents of set) {
          try {
            onEvents(events);
          } catch (err) {
            this.log.warn("a watch cache failed on live events", { err, resource });
          }
        }
      }
      i = j;
    }
  }
}
