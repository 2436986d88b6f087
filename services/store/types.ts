/**
 * The store's public types and named errors: etcd's contract, served by Redis.
 *
 * Keys look like `/<resource>/<namespace>/<name>` (cluster-scoped: `/<resource>/<name>`).
 * The first segment is the key's *resource*; change events chain per resource (see
 * {@link ChangeEvent.prevRevision}). Values are opaque bytes to the store.
 */

/** One stored object. `modRevision` is its `metadata.resourceVersion`. */
export interface StoredObject {
  key: string;
  value: Uint8Array;
  /** Revision of the write that last changed this key. */
  modRevision: number;
  /** Revision of the write that created this key. */
  createRevision: number;
}

export type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

/**
 * One committed change, read from the store's log. Every write is exactly one event, and
 * the event is committed atomically with the write.
 */
export interface ChangeEvent {
  type: ChangeType;
  /** The write's revision (unique, strictly increasing across the whole store). */
  revision: number;
  /**
   * Revision of the previous event for the same resource (first key segment), 0 if none.
   * A subscriber that has seen resource events up to R and receives an event whose
   * prevRevision is not R has missed events in between.
   */
  prevRevision: number;
  key: string;
  /** The new value; for DELETED, the last value before deletion. */
  value: Uint8Array;
  createRevision: number;
}

/** One operation of a multi-key transaction. All succeed or none is applied. */
export type TxnOp =
  | { op: "create"; key: string; value: Uint8Array }
  | { op: "update"; key: string; value: Uint8Array; expectedModRevision: number }
  | { op: "delete"; key: string; expectedModRevision?: number }
  /** A condition only: fails the transaction unless the key is at this modRevision (0: absent). */
  | { op: "check"; key: string; expectedModRevision: number };

export interface ListOptions {
  /** At most this many items (0 or absent: all). */
  limit?: number;
  /** Continue after this key (exclusive), in key order. */
  startAfter?: string;
}

export interface ListResult {
  items: StoredObject[];
  /** The store revision the list is consistent at. */
  revision: number;
  /** True when `limit` cut the list short; continue with `startAfter` = last item's key. */
  more: boolean;
}

export interface WatchOptions {
  /** Called when the watcher's connection drops and it resumes (for logs and tests). */
  onResume?: (afterRevision: number) => void;
}

/** StoreError is the base of every error the store throws on purpose. */
export class StoreError extends Error {
  override name = "StoreError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** ConflictError: the key's modRevision is not the expected one (stale update or delete). */
export class ConflictError extends StoreError {
  override name = "ConflictError";
  constructor(readonly key: string, readonly expected: number, readonly actual: number) {
    super(`conflict on ${key}: expected modRevision ${expected}, found ${actual}`);
  }
}

/** AlreadyExistsError: create of a key that exists. */
export class AlreadyExistsError extends StoreError {
  override name = "AlreadyExistsError";
  constructor(readonly key: string) {
    super(`${key} already exists`);
  }
}

/** NotFoundError: update or delete of a key that does not exist. */
export class NotFoundError extends StoreError {
  override name = "NotFoundError";
  constructor(readonly key: string) {
    super(`${key} not found`);
  }
}

/** CompactedError: a watch or replay asked for revisions below the compacted window (HTTP 410). */
export class CompactedError extends StoreError {
  override name = "CompactedError";
  constructor(readonly requested: number, readonly compactRevision: number) {
    super(`revision ${requested} has been compacted; oldest available is ${compactRevision + 1}`);
  }
}

/** StoreUnavailableError: Redis could not be reached or answered with an unexpected error. */
export class StoreUnavailableError extends StoreError {
  override name = "StoreUnavailableError";
}

/** InvalidRequestError: a request the store refuses by shape (a transaction writing one key twice, compaction into the future). */
export class InvalidRequestError extends StoreError {
  override name = "InvalidRequestError";
}
