/**
 * Pure decisions of the relay (no I/O, time passed in).
 */
import type { IChangeEvent } from "../schema/bus.js";

/** One message to publish on `k8s.changes.<resource>.<namespace>`. */
export interface EventBatch {
  resource: string;
  namespace: string;
  /** In revision order. */
  events: IChangeEvent[];
  /** Estimated encoded size (bytes). */
  bytes: number;
}

/**
 * Largest batch the relay builds (estimated bytes): far below the bus's 4 MiB message limit
 * (and NATS' max_payload), small enough that one message never stalls a subscriber. A single
 * event larger than this travels alone.
 */
export const MAX_BATCH_BYTES = 256 * 1024;

/** Encoded size estimate of one event: its value and names plus tags, lengths and varints. */
function eventBytes(e: IChangeEvent): number {
  return (e.object?.length ?? 0) + (e.name?.length ?? 0) + (e.namespace?.length ?? 0) + (e.resource?.length ?? 0) + 48;
}

/**
 * batchesOf splits the events of one log read (in revision order) into messages: per resource,
 * runs of consecutive events of one namespace, each at most `maxBytes` (estimated).
 *
 * Order: the batches of a resource come out in revision order, so a subscriber to all of a
 * resource's namespaces receives its events in order, as the prevRevision chain (one per
 * resource) requires. Batches of different resources may interleave freely.
 */
export function batchesOf(events: readonly IChangeEvent[], maxBytes = MAX_BATCH_BYTES): EventBatch[] {
  const out: EventBatch[] = [];
  const open = new Map<string, EventBatch>();
  for (const e of events) {
    const resource = e.resource ?? "";
    const namespace = e.namespace ?? "";
    const size = eventBytes(e);
    let b = open.get(resource);
    if (b && (b.namespace !== namespace || b.bytes + size > maxBytes)) {
      out.push(b);
      b = undefined;
    }
    if (!b) {
      b = { resource, namespace, events: [], bytes: 0 };
      open.set(resource, b);
    }
    b.events.push(e);
    b.bytes += size;
  }
  for (const b of open.values()) out.push(b);
  return out;
}

export interface CursorPolicy {
  /** Save the cursor after this many published events... */
  maxEvents: number;
  /** ...or this long after the first unsaved one (ms). */
  maxDelayMs: number;
}

export const DEFAULT_CURSOR_POLICY: CursorPolicy = { maxEvents: 1000, maxDelayMs: 100 };

/**
 * decideCursorSave: save the published-up-to cursor when enough events or time went by.
 * The cursor may lag the bus: after a failover the next relay re-publishes from it and
 * subscribers drop the duplicates by revision, so lagging costs only duplicates.
 */
export function decideCursorSave(unsaved: number, firstUnsavedAt: number, now: number, policy: CursorPolicy = DEFAULT_CURSOR_POLICY): boolean {
  if (unsaved <= 0) return false;
  return unsaved >= policy.maxEvents || now - firstUnsavedAt >= policy.maxDelayMs;
}
