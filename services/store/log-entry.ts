/**
 * log-entry: decoding of raw change-log stream entries (XRANGE / XREAD replies with Buffers),
 * pure. Fields are written in a fixed order by the BATCH script: type, key, value,
 * createRevision, prevRevision; the entry id is `<revision>-1`.
 */
import type { ChangeEvent, ChangeType } from "./types.js";

/** One raw stream entry: [id, [field, value, field, value, ...]]. */
export type RawEntry = [Buffer, Buffer[]];

/** The result of decoding a run of consecutive log entries. */
export interface DecodedRun {
  /** Entries whose key starts with the prefix, in log order. */
  events: ChangeEvent[];
  /** Revision of the last entry decoded (the `after` passed in when there were none). */
  scanned: number;
  /**
   * True when the first entry is not `after + 1`: entries in between are missing, which (the log
   * having no holes above the compact revision) means they were compacted.
   */
  gap: boolean;
}

/** digits parses the leading decimal digits of a Buffer (an id `123-1` gives 123). */
export function digits(b: Buffer): number {
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i] - 48;
    if (c < 0 || c > 9) break;
    n = n * 10 + c;
  }
  return n;
}

function changeType(b: Buffer): ChangeType {
  // ADDED, MODIFIED, DELETED differ in their first byte.
  return b[0] === 65 ? "ADDED" : b[0] === 77 ? "MODIFIED" : "DELETED";
}

/** decodeRun decodes entries read after revision `after`, keeping those whose key starts with `prefix`. */
export function decodeRun(entries: readonly RawEntry[], prefix: Buffer, after: number): DecodedRun {
  const events: ChangeEvent[] = [];
  let scanned = after;
  const gap = entries.length > 0 && digits(entries[0][0]) !== after + 1;
  for (const [id, f] of entries) {
    scanned = digits(id);
    const key = f[3];
    if (key.length < prefix.length || prefix.compare(key, 0, prefix.length) !== 0) continue;
    events.push({
      revision: scanned,
      type: changeType(f[1]),
      key: key.toString(),
      value: f[5],
      createRevision: digits(f[7]),
      prevRevision: digits(f[9]),
    });
  }
  return { events, scanned, gap };
}
