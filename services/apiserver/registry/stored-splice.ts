/**
 * stored-splice: edits of stored bytes (pure). A stored object with some of its fields (of the
 * object, or of its metadata) taken from another stored value of its kind, copied as bytes:
 * neither object is decoded or encoded. A status write takes `status` and
 * `metadata.managedFields`; a create from a template takes the new object's identity.
 *
 * Contract: for stored values written by `encodeStored` (fields in ascending number order,
 * each repeated field's entries together), the result is the bytes `encodeStored` gives for
 * the decoded base with those fields replaced by the other value's (absent there: removed).
 * Reads the stored layout of `schema/stored.ts` and Kubernetes' field numbers, shared by every
 * kind: metadata = 1, and status = 3 in every kind with a status; ObjectMeta fields are
 * listed below.
 */
import { CorruptValueError, STORED_FORMAT_VERSION, STORED_MAGIC } from "../../schema/index.js";
import { LEN, tag, varintSize, writeVarint } from "../../schema/proto-write.js";
import { WireError, readEnd, varint32 } from "../../schema/wire.js";

const METADATA = 1;
const STATUS = 3;
/** ObjectMeta field numbers. */
export const META_FIELDS = { name: 1, uid: 5, creationTimestamp: 8 } as const;
const DELETION_TIMESTAMP = 9;
const MANAGED_FIELDS = 17;
const ENVELOPE_OBJECT = 2;

/** One field entry of a message: its number and its bytes (tag to end of value) as [start, end). */
interface Entry {
  num: number;
  start: number;
  end: number;
  /** Where the value of a length-delimited entry starts. */
  value: number;
}

/** The field entries of the message in `bytes[start, end)`. @throws CorruptValueError */
function entries(bytes: Uint8Array, start: number, end: number): Entry[] {
  const out: Entry[] = [];
  let pos = start;
  try {
    while (pos < end) {
      const s = pos;
      const t = varint32(bytes, pos, end);
      pos = readEnd.p;
      let value = pos;
      switch (t & 7) {
        case 0:
          varint32(bytes, pos, end);
          pos = readEnd.p;
          break;
        case 1:
          pos += 8;
          break;
        case LEN: {
          const len = varint32(bytes, pos, end);
          value = readEnd.p;
          pos = value + len;
          break;
        }
        case 5:
          pos += 4;
          break;
        default:
          throw new CorruptValueError(`stored value has a field of wire type ${t & 7}`); // groups: never in what encodeStored writes
      }
      out.push({ num: t >>> 3, start: s, end: pos, value });
    }
  } catch (e) {
    if (e instanceof WireError) throw new CorruptValueError("stored value has a truncated or overlong varint");
    throw e;
  }
  if (pos !== end) throw new CorruptValueError("stored value is truncated");
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

/** Bytes to write, as an entry of field `num`: a slice of a source, or a length-delimited entry of `parts` (`len`: their bytes). */
type Part = { num: number; src: Uint8Array; start: number; end: number } | { num: number; parts: Part[]; len: number };

/** A length-delimited entry of field `num` made of `parts`. */
function group(num: number, parts: Part[]): Part {
  let len = 0;
  for (const q of parts) len += partSize(q);
  return { num, parts, len };
}

function partSize(p: Part): number {
  if ("src" in p) return p.end - p.start;
  return varintSize(tag(p.num, LEN)) + varintSize(p.len) + p.len;
}

/** Copies `src[start, end)` to `out` at `pos` (a short run byte by byte: cheaper than the view `set` needs). */
function copy(out: Uint8Array, pos: number, src: Uint8Array, start: number, end: number): number {
  if (end - start < 32) for (let i = start; i < end; i++) out[pos++] = src[i]!;
  else {
    out.set(src.subarray(start, end), pos);
    pos += end - start;
  }
  return pos;
}

function writePart(out: Uint8Array, pos: number, p: Part): number {
  if ("src" in p) return copy(out, pos, p.src, p.start, p.end);
  pos = writeVarint(out, pos, tag(p.num, LEN));
  pos = writeVarint(out, pos, p.len);
  const parts = p.parts;
  for (let i = 0; i < parts.length; i++) {
    const q = parts[i]!;
    if (!("src" in q)) {
      pos = writePart(out, pos, q);
      continue;
    }
    // Slices that lie next to each other in one source are copied as one run.
    let end = q.end;
    for (let n = parts[i + 1]; n && "src" in n && n.src === q.src && n.start === end; n = parts[++i + 1]) end = n.end;
    pos = copy(out, pos, q.src, q.start, end);
  }
  return pos;
}

/** `kept` and `added` (each in ascending field order) in ascending field order; an added entry goes after kept entries of its field. */
function merge(kept: Part[], added: Part[]): Part[] {
  const out: Part[] = [];
  let i = 0;
  for (const p of kept) {
    while (i < added.length && added[i]!.num < p.num) out.push(added[i++]!);
    out.push(p);
  }
  while (i < added.length) out.push(added[i++]!);
  return out;
}

/** Entries of `base` without the fields in `nums`, and `from`'s entries of those fields, in ascending field order. */
function takeFields(base: Uint8Array, baseEntries: Entry[], from: Uint8Array, fromEntries: Entry[], nums: readonly number[]): Part[] {
  const kept = baseEntries.filter((e) => !nums.includes(e.num)).map((e) => slice(base, e));
  return merge(kept, fromEntries.filter((e) => nums.includes(e.num)).map((e) => slice(from, e)));
}

function slice(src: Uint8Array, e: Entry): Part {
  return { num: e.num, src, start: e.start, end: e.end };
}

/** A length-delimited entry of field `num` holding `payload`. */
function field(num: number, payload: Uint8Array): Part {
  return group(num, [{ num: 0, src: payload, start: 0, end: payload.length }]);
}

/** The stored value with the envelope of `base` (whose object entry is `obj`) and the object `parts`. */
function assemble(base: Uint8Array, obj: Entry, parts: Part[]): Uint8Array {
  const object = group(ENVELOPE_OBJECT, parts);
  const value = Buffer.allocUnsafe(obj.start + partSize(object)); // every byte is written below
  copy(value, 0, base, 0, obj.start); // magic, version and kind, as stored
  writePart(value, obj.start, object);
  return value;
}

/** Whether `a` and `b` hold the same bytes for the fields in `nums`. */
function sameFields(a: Uint8Array, ae: Entry[], b: Uint8Array, be: Entry[], nums: readonly number[]): boolean {
  const x = ae.filter((e) => nums.includes(e.num));
  const y = be.filter((e) => nums.includes(e.num));
  return x.length === y.length && x.every((e, i) => Buffer.compare(a.subarray(e.start, e.end), b.subarray(y[i]!.start, y[i]!.end)) === 0);
}

/** The result of a splice. */
export interface Spliced {
  value: Uint8Array;
  /** The object has a metadata.deletionTimestamp. */
  deleting: boolean;
}

/**
 * splicer: `base` with the fields numbered `top` (of the object) and `meta` (of its metadata)
 * taken from a `from` given later, and removed where `from` lacks them; `base` is parsed once
 * (a template many values are made from). Both are stored values of one kind.
 * @throws CorruptValueError
 */
export function splicer(base: Uint8Array, top: readonly number[], meta: readonly number[]): (from: Uint8Array) => Spliced {
  const obj = objectEntry(base);
  const fields = entries(base, obj.value, obj.end);
  const metaEntry = fields.find((e) => e.num === METADATA);
  const metaFields = metaEntry ? entries(base, metaEntry.value, metaEntry.end) : [];
  const baseDeleting = metaFields.some((e) => e.num === DELETION_TIMESTAMP);
  return (from) => {
    const fromObj = objectEntry(from);
    const fromFields = entries(from, fromObj.value, fromObj.end);
    const fromMetaEntry = fromFields.find((e) => e.num === METADATA);
    const fromMetaFields = fromMetaEntry ? entries(from, fromMetaEntry.value, fromMetaEntry.end) : [];
    const parts = takeFields(base, fields, from, fromFields, top);
    if (!metaEntry) parts.unshift(group(METADATA, takeFields(base, [], from, fromMetaFields, meta)));
    else if (!sameFields(base, metaFields, from, fromMetaFields, meta)) {
      const i = parts.findIndex((p) => "src" in p && p.src === base && p.start === metaEntry.start);
      parts[i] = group(METADATA, takeFields(base, metaFields, from, fromMetaFields, meta));
    }
    const deleting = meta.includes(DELETION_TIMESTAMP) ? fromMetaFields.some((e) => e.num === DELETION_TIMESTAMP) : baseDeleting;
    return { value: assemble(base, obj, parts), deleting };
  };
}

/** spliceStatus: a status write, `current` with the status and metadata.managedFields of `sent`. @throws CorruptValueError */
export function spliceStatus(current: Uint8Array, sent: Uint8Array): Spliced {
  return splicer(current, [STATUS], [MANAGED_FIELDS])(sent);
}

const POD_SPEC = 2;
const SPEC_NODE_NAME = 10;
const STATUS_CONDITIONS = 2;
const CONDITION_TYPE = 1;
const POD_SCHEDULED = Buffer.from("PodScheduled");

/** Whether the PodCondition entry `e` of `bytes` has type PodScheduled. */
function isPodScheduled(bytes: Uint8Array, e: Entry): boolean {
  const t = entries(bytes, e.value, e.end).find((f) => f.num === CONDITION_TYPE);
  return t !== undefined && Buffer.compare(POD_SCHEDULED, bytes.subarray(t.value, t.end)) === 0;
}

/**
 * spliceBinding: a stored Pod bound to `node`: spec.nodeName set, and the PodScheduled
 * conditions replaced by `condition` (an encoded PodCondition) after the other conditions.
 * Field numbers: Pod { spec = 2; status = 3 }, PodSpec { nodeName = 10 }, PodStatus
 * { conditions = 2 }, PodCondition { type = 1 }. @throws CorruptValueError
 */
export function spliceBinding(pod: Uint8Array, node: string, condition: Uint8Array): Uint8Array {
  const obj = objectEntry(pod);
  const fields = entries(pod, obj.value, obj.end);
  const spec = fields.find((e) => e.num === POD_SPEC);
  const status = fields.find((e) => e.num === STATUS);
  const specKept = spec ? entries(pod, spec.value, spec.end).filter((e) => e.num !== SPEC_NODE_NAME) : [];
  const statusKept = status ? entries(pod, status.value, status.end).filter((e) => !(e.num === STATUS_CONDITIONS && isPodScheduled(pod, e))) : [];
  const kept = fields.filter((e) => e.num !== POD_SPEC && e.num !== STATUS).map((e) => slice(pod, e));
  return assemble(pod, obj, merge(kept, [
    group(POD_SPEC, merge(specKept.map((e) => slice(pod, e)), [field(SPEC_NODE_NAME, Buffer.from(node))])),
    group(STATUS, merge(statusKept.map((e) => slice(pod, e)), [field(STATUS_CONDITIONS, condition)])),
  ]));
}
