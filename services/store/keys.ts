/**
 * keys: pure helpers for the store's Redis key layout and store-key parsing (no I/O).
 */

/** The Redis keys of one store, all under one prefix. */
export interface KeyLayout {
  /** String: the global revision counter (INCR). */
  readonly revision: string;
  /** String: the compact revision (log entries at or below it are gone). */
  readonly compact: string;
  /** Sorted set, all scores 0: every live store key, for prefix ranges (ZRANGEBYLEX). */
  readonly index: string;
  /** Stream: the change log, one entry `<revision>-1` per write. */
  readonly log: string;
  /** Hash: resource → revision of its last event (for ChangeEvent.prevRevision). */
  readonly resources: string;
  /** Hash: cursor name → revision (infrastructure bookkeeping, not revisioned). */
  readonly cursors: string;
  /** Hash: store key → modRevision of every live object (absent: no object). */
  readonly modRevisions: string;
  /** Hash: store key → createRevision of every live object. */
  readonly createRevisions: string;
  /** Hash: store key → value, for live objects whose log entry was compacted away. */
  readonly values: string;
  /** Prefix of lease strings: `<leasePrefix><name>` holds the holder, with a TTL. */
  readonly leasePrefix: string;
}

/** keyLayout builds the Redis key names for a store prefix (default "k8s"). */
export function keyLayout(prefix: string): KeyLayout {
  return {
    revision: `${prefix}:rev`,
    compact: `${prefix}:compact`,
    index: `${prefix}:index`,
    log: `${prefix}:log`,
    resources: `${prefix}:resrev`,
    cursors: `${prefix}:cursors`,
    modRevisions: `${prefix}:mod`,
    createRevisions: `${prefix}:crt`,
    values: `${prefix}:val`,
    leasePrefix: `${prefix}:lease:`,
  };
}

/**
 * resourceOf returns a store key's resource: its first path segment
 * (`/pods/ns/name` → `pods`; a key without a leading slash: the text before the first slash).
 */
export function resourceOf(key: string): string {
  const start = key.startsWith("/") ? 1 : 0;
  const end = key.indexOf("/", start);
  return end < 0 ? key.slice(start) : key.slice(start, end);
}
