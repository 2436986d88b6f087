/**
 * status-splice: a status write on stored bytes (pure). The stored object with its `status`
 * and `metadata.managedFields` taken from another stored value of its kind, without decoding
 * or encoding either object: the fields are copied as bytes.
 *
 * Contract: for stored values written by `encodeStored` (fields in ascending number order,
 * each repeated field's entries together), the result is the bytes `encodeStored` gives for
 * the decoded `current` with its status and managedFields replaced by those of `sent` (absent
 * in `sent`: removed). Reads the stored layout of `schema/stored.ts` and Kubernetes' field
 * numbers, shared by every kind with a status: metadata = 1, status = 3; ObjectMeta
 * deletionTimestamp = 9, managedFields = 17.
 */
import protobuf from "protobufjs/minimal.js";
import { CorruptValueError, STORED_FORMAT_VERSION, STORED_MAGIC } from "../../schema/index.js";

const METADATA = 1;
const STATUS = 3;
const DELETION_TIMESTAMP = 9;
const MANAGED_FIELDS = 17;
const ENVELOPE_OBJECT = 2;
const LEN = 2;

/** One field entry of a message: its number and its bytes (tag to end of value) as [start, end). */
interface Entry {
  num: number;
  start: number;
  end: number;
  /** Where the value of a length-delimited entry starts. */
  value: number;
}

function entries(bytes: Uint8Array, start: number, end: number): Entry[] {
  const r = protobuf.Reader.create(bytes);
  r.pos = start;
  const out: Entry[] = [];
  while (r.pos < end) {
    const s = r.pos;
    const tag = r.uint32();
    let value = r.pos;
    if ((tag & 7) === LEN) {
      const len = r.uint32();
      value = r.pos;
      r.pos += len;
    } else r.skipType(tag & 7);
    out.push({ num: tag >>> 3, start: s, end: r.pos, value });
  }
  if (r.pos !== end) throw new CorruptValueError("stored value is truncated");
  return out;
}

/** The object entry of a stored value's envelope. */
function objectEntry(stored: Uint8Array): Entry {
  if (stored.length < 4 || stored[0] !== STORED_MAGIC[0] || stored[1] !== STORED_MAGIC[1] || stored[2] !== STORED_MAGIC[2] || stored[3] !== STORED_FORMAT_VERSION) {
    throw new CorruptValueError("not a stored value of this format");
  }
  const obj = entries(stored, 4, stored.length).find((e) => e.num === ENVELOPE_OBJECT);
  if (!obj) throw new CorruptValueError("stored value lacks its object");
  return obj;
}

/** Bytes to write: a slice of a source, or a length-delimited entry to assemble. */
type Part = { src: Uint8Array; start: number; end: number } | { num: number; parts: Part[] };

function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v >>>= 7;
    n++;
  }
  return n;
}

function partSize(p: Part): number {
  if ("src" in p) return p.end - p.start;
  const len = p.parts.reduce((n, q) => n + partSize(q), 0);
  return varintSize((p.num << 3) | LEN) + varintSize(len) + len;
}

function writeVarint(out: Uint8Array, pos: number, v: number): number {
  while (v >= 0x80) {
    out[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[pos++] = v;
  return pos;
}

function writePart(out: Uint8Array, pos: number, p: Part): number {
  if ("src" in p) {
    out.set(p.src.subarray(p.start, p.end), pos);
    return pos + p.end - p.start;
  }
  pos = writeVarint(out, pos, (p.num << 3) | LEN);
  pos = writeVarint(out, pos, p.parts.reduce((n, q) => n + partSize(q), 0));
  for (const q of p.parts) pos = writePart(out, pos, q);
  return pos;
}

/** Entries of `base` without field `num`, and `from`'s entries of it in their place (ascending field order). */
function replaceField(base: Uint8Array, baseEntries: Entry[], from: Uint8Array, fromEntries: Entry[], num: number): Part[] {
  const out: Part[] = [];
  const put = (src: Uint8Array, e: Entry) => out.push({ src, start: e.start, end: e.end });
  let placed = false;
  const place = () => {
    placed = true;
    for (const e of fromEntries) if (e.num === num) put(from, e);
  };
  for (const e of baseEntries) {
    if (e.num === num) continue;
    if (!placed && e.num > num) place();
    put(base, e);
  }
  if (!placed) place();
  return out;
}

function sameEntries(a: Uint8Array, ae: Entry[], b: Uint8Array, be: Entry[], num: number): boolean {
  const x = ae.filter((e) => e.num === num);
  const y = be.filter((e) => e.num === num);
  return x.length === y.length && x.every((e, i) => Buffer.compare(a.subarray(e.start, e.end), b.subarray(y[i]!.start, y[i]!.end)) === 0);
}

/** The result of {@link spliceStatus}. */
export interface SplicedStatus {
  value: Uint8Array;
  /** The object has a metadata.deletionTimestamp (as `current` had: a status write does not change it). */
  deleting: boolean;
}

/** spliceStatus: see the module doc. `current` and `sent` are stored values of the same kind. @throws CorruptValueError */
export function spliceStatus(current: Uint8Array, sent: Uint8Array): SplicedStatus {
  const cur = objectEntry(current);
  const snt = objectEntry(sent);
  const curFields = entries(current, cur.value, cur.end);
  const sntFields = entries(sent, snt.value, snt.end);
  const curMeta = curFields.find((e) => e.num === METADATA);
  const sntMeta = sntFields.find((e) => e.num === METADATA);
  const curMetaFields = curMeta ? entries(current, curMeta.value, curMeta.end) : [];
  const sntMetaFields = sntMeta ? entries(sent, sntMeta.value, sntMeta.end) : [];
  const parts = replaceField(current, curFields, sent, sntFields, STATUS);
  if (!curMeta) parts.unshift({ num: METADATA, parts: replaceField(current, [], sent, sntMetaFields, MANAGED_FIELDS) });
  else if (!sameEntries(current, curMetaFields, sent, sntMetaFields, MANAGED_FIELDS)) {
    const i = parts.findIndex((p) => "src" in p && p.src === current && p.start === curMeta.start);
    parts[i] = { num: METADATA, parts: replaceField(current, curMetaFields, sent, sntMetaFields, MANAGED_FIELDS) };
  }
  const object: Part = { num: ENVELOPE_OBJECT, parts };
  const value = new Uint8Array(cur.start + partSize(object));
  value.set(current.subarray(0, cur.start)); // magic, version and kind, as stored
  writePart(value, cur.start, object);
  return { value, deleting: curMetaFields.some((e) => e.num === DELETION_TIMESTAMP) };
}
