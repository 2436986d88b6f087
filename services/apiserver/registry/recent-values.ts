/**
 * RecentValues: the values this registry wrote last, per key, with their revision (pure, in
 * memory). A write that is a compare-and-swap on a revision may start from the value
 * remembered at that revision instead of reading the store: the value of a key at a revision
 * never changes, and if the key has moved on since, the swap fails as it would after a read.
 *
 * Contract: holds at most `max` keys; the least recently written go first, a sixteenth of `max`
 * at once (one pass over the oldest: evicting one key per write scanned the holes deletions
 * leave at the front of the Map each time). Only values this process encoded belong here (a
 * Buffer read from Redis may share a larger socket chunk).
 */
export interface RecentValue {
  readonly rev: number;
  readonly value: Uint8Array;
}

export class RecentValues {
  private readonly byKey = new Map<string, RecentValue>();

  constructor(private readonly max: number) {}

  /** The last value written at `key`, if remembered. */
  latest(key: string): RecentValue | undefined {
    return this.byKey.get(key);
  }

  /** The value of `key` at revision `rev`, if that is the one remembered. */
  at(key: string, rev: number): Uint8Array | undefined {
    const v = this.byKey.get(key);
    return v?.rev === rev ? v.value : undefined;
  }

  /** Remembers `value` as written at `key` in revision `rev` (an older revision than the one held is ignored). */
  set(key: string, rev: number, value: Uint8Array): void {
    const held = this.byKey.get(key);
    if (held && held.rev > rev) return;
    if (held) this.byKey.delete(key);
    else if (this.byKey.size >= this.max) this.evict();
    this.byKey.set(key, { rev, value });
  }

  /** Forgets the least recently written keys, a sixteenth of `max` (at least one). */
  private evict(): void {
    let n = Math.max(1, this.max >> 4);
    for (const key of this.byKey.keys()) {
      this.byKey.delete(key);
      if (--n === 0) return;
    }
  }

  /** Forgets `key` (deleted). */
  forget(key: string): void {
    this.byKey.delete(key);
  }

  get size(): number {
    return this.byKey.size;
  }
}
