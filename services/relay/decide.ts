/**
 * Pure decisions of the relay (no I/O, time passed in).
 */
import { parseObjectKey } from "../store/object-keys.js";
import type { ChangeEvent } from "../store/types.js";

/** Where a store change is published: the event's resource and namespace. */
export function routeOf(e: Pick<ChangeEvent, "key">): { resource: string; namespace: string; name: string } {
  return parseObjectKey(e.key);
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
