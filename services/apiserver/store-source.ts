/**
 * store-source: a ListWatchSource for informers inside the API server process, which (unlike
 * other actors) reads the store directly: list and replay from Redis, live events from the bus.
 */
import { informerEventsFromBatch, type InformerEvent, type ListWatchSource } from "../client/index.js";
import { KINDS, subjects, unwrap, type Bus } from "../kernel/index.js";
import { listPrefix } from "../store/object-keys.js";
import type { ChangeEvent, RedisStore } from "../store/index.js";

export function storeEventToInformer(e: ChangeEvent): InformerEvent {
  return { type: e.type, revision: e.revision, prevRevision: e.prevRevision, key: e.key, value: e.value, createRevision: e.createRevision };
}

/**
 * storeListWatch: list/replay from the store, live events of `storeResource` from the bus.
 *
 * Live events are taken straight from the NATS connection with a callback (no per-message
 * promise, span or async iteration): each batch of changes is fanned out to HTTP watchers in the same
 * tick it arrives, not after the request work queued in between. An undecodable message goes
 * (and a failing handler) to `onBadMessage` and is dropped (the informer's gap check repairs what it may have hidden).
 */
export function storeListWatch(store: RedisStore, bus: Bus, storeResource: string, onBadMessage: (err: unknown) => void = () => undefined): ListWatchSource {
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
