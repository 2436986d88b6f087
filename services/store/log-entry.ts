/**
 * log-entry: decoding of change-log stream entries straight from Redis' reply bytes (XRANGE /
 * XREAD, RESP2), pure: one ChangeEvent (its key string and a view of its value) per entry, no
 * value per field. Fields are written in a fixed order by the BATCH script: type, key, value,
 * createRevision, prevRevision; the entry id is `<revision>-1`.
 */
import { header } from "./resp.js";
import type { ChangeEvent, ChangeType } from "./types.js";

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

/** digits parses the leading decimal digits of `b[from, to)` (an id `123-1` gives 123). */
export function digits(b: Buffer, from = 0, to = b.length): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = b[i]! - 48;
    if (c < 0 || c > 9) break;
    n = n * 10 + c;
  }
  return n;
}

const EMPTY: Buffer = Buffer.alloc(0);

function changeType(first: number): ChangeType {
  // ADDED, MODIFIED, DELETED differ in their first byte.
  return first === 65 ? "ADDED" : first === 77 ? "MODIFIED" : "DELETED";
}

/**
 * decodeEntries decodes the RESP array of log entries at `pos` (an XRANGE reply, or the entries
 * of an XREAD reply), read after revision `after`, keeping those whose key starts with `prefix`.
 * Returns the run, how many entries the array held, and the offset after it.
 */
export function decodeEntries(buf: Buffer, pos: number, prefix: Buffer, after: number): DecodedRun & { count: number; end: number } {
  const events: ChangeEvent[] = [];
  let scanned = after;
  let gap = false;
  const [count, first] = header(buf, pos);
  pos = first;
  for (let i = 0; i < count; i++) {
    pos = header(buf, pos)[1]; // *2: id, fields
    let [len, at] = header(buf, pos); // the id
    scanned = digits(buf, at, at + len);
    if (i === 0) gap = scanned !== after + 1;
    const [fields, next] = header(buf, at + len + 2);
    pos = next;
    // Field values at odd positions: 1 type, 3 key, 5 value, 7 createRevision, 9 prevRevision.
    let type: ChangeType = "ADDED";
    let key = "";
    let keep = true;
    let value: Buffer = EMPTY;
    let createRevision = 0;
    let prevRevision = 0;
    for (let f = 0; f < fields; f++) {
      [len, at] = header(buf, pos);
      pos = at + len + 2;
      if (!keep || (f & 1) === 0) continue;
      if (f === 1) type = changeType(buf[at]!);
      else if (f === 3) {
        keep = len >= prefix.length && prefix.compare(buf, at, at + prefix.length) === 0;
        if (keep) key = buf.toString("utf8", at, at + len);
      } else if (f === 5) value = buf.subarray(at, at + len);
      else if (f === 7) createRevision = digits(buf, at, at + len);
      else if (f === 9) prevRevision = digits(buf, at, at + len);
    }
    if (keep) events.push({ revision: scanned, type, key, value, createRevision, prevRevision });
  }
  return { events, scanned, gap, count, end: pos };
}
