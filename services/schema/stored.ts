/**
 * The stored-value codec: how an object is kept in the store.
 *
 * Layout: 4-byte prefix `k8s` + format version byte (currently 2), then one protobuf
 * `k8s.stored.StoredValue { kind = 1; object = 2 }` whose `object` is the static-encoded
 * message of that kind. Encoding writes all of it into one buffer (no intermediate copies);
 * decoding reads the inner message in place from the same buffer.
 *
 * Versions: 1 = our own field layout; 2 = Kubernetes' field numbers and wire types (Time,
 * MicroTime and Quantity as messages, embedded structs nested). Version 1 values are refused.
 */
import "./int64-as-number.js";
import protobuf from "protobufjs/minimal.js";
import { CorruptValueError, SchemaError, UnknownKindError, UnsupportedVersionError } from "./errors.js";
import { lookupKind, requireKind, type Kind, type KindInfo, type KindMessages } from "./registry.js";
import { decodeJSON, encodeStoredDirect, internedString } from "./wire.js";
import { fromKubeJSON } from "./json.js";

/** STORED_FORMAT_VERSION: the format version byte this build writes (and the only one it reads). */
export const STORED_FORMAT_VERSION = 2;
/** STORED_MAGIC: the 3 bytes every stored value starts with, before the version byte. */
export const STORED_MAGIC = Uint8Array.of(0x6b, 0x38, 0x73); // "k8s"

// The prefix as one little-endian fixed32: bytes "k", "8", "s", version.
const PREFIX_LE = (0x6b | (0x38 << 8) | (0x73 << 16) | (STORED_FORMAT_VERSION << 24)) >>> 0;
const TAG_KIND = (1 << 3) | 2;
const TAG_OBJECT = (2 << 3) | 2;

/** A decoded stored value. */
export interface DecodedStored<K extends Kind = Kind> {
  kind: K;
  message: KindMessages[K];
}

/**
 * encodeStored encodes `message` (a generated instance or a plain object of its shape) as a
 * stored value of `kind`. @throws {@link UnknownKindError}
 */
export function encodeStored(kind: Kind | string, message: object): Uint8Array {
  const info = requireKind(kind);
  const w = sharedWriter();
  w.fixed32(PREFIX_LE);
  w.uint32(TAG_KIND).string(info.kind);
  w.uint32(TAG_OBJECT).fork();
  info.type.encode(message, w);
  w.ldelim();
  return w.finish(); // a copy of exactly the bytes written
}

const PREFIX = [0x6b, 0x38, 0x73, STORED_FORMAT_VERSION] as const;

/**
 * encodeStoredJSON: the stored value of a Kubernetes JSON object of `kind` and the
 * unknown-field warnings: exactly `encodeStored(kind, fromKubeJSON(kind, obj).message)`, with
 * the top-level `metadata.resourceVersion` left out (stored values never hold one; the store
 * revision is the resourceVersion). Written straight from the JSON by the wire codec; objects
 * with something fromKubeJSON rejects or warns about take the fromKubeJSON path, so errors and
 * warnings are its own. For untrusted input too (the API server's create/update).
 *
 * @throws {@link SchemaError} with the field path, {@link UnknownKindError}, as {@link fromKubeJSON}
 */
export function encodeStoredJSON(kind: Kind | string, obj: unknown): { value: Uint8Array; warnings: string[] } {
  const info = requireKind(kind);
  if (typeof obj === "object" && obj !== null && !Array.isArray(obj)) {
    const o = obj as Record<string, unknown>;
    if ((o.kind == null || o.kind === info.kind) && (o.apiVersion == null || o.apiVersion === info.apiVersion)) {
      const value = encodeStoredDirect(PREFIX, info.protoName, info.apiVersion, info.kind, o);
      if (value) return { value, warnings: [] };
    }
    const meta = o.metadata;
    if (typeof meta === "object" && meta !== null && !Array.isArray(meta) && (meta as Record<string, unknown>).resourceVersion !== undefined) {
      obj = { ...o, metadata: { ...meta, resourceVersion: undefined } };
    }
  }
  const { message, warnings } = fromKubeJSON(info.kind, obj);
  return { value: encodeStored(info.kind, message as object), warnings };
}

/**
 * One writer for every encodeStored (encoding is synchronous): its buffer is reused instead of
 * a new writer growing 128 -> 256 -> ... bytes per value. After a value larger than
 * WRITER_KEEP_BYTES the buffer is dropped again.
 */
const WRITER_KEEP_BYTES = 256 * 1024;
let writer: protobuf.Writer | undefined;
function sharedWriter(): protobuf.Writer {
  if (!writer || (writer as unknown as { buf: Uint8Array }).buf.length > WRITER_KEEP_BYTES) writer = protobuf.Writer.create();
  // Start at 0 without fork state (an encode that threw may have left some).
  const w = writer as unknown as { pos: number; states: number[] | null };
  w.pos = 0;
  w.states = null;
  return writer;
}

/** Where the object of a stored value is: its kind and bytes[start, end). */
export interface StoredEnvelope {
  info: KindInfo;
  start: number;
  end: number;
}

/** storedEnvelope reads a stored value's prefix and envelope (for code that reads a few fields from the bytes); throws what {@link decodeStored} throws. */
export function storedEnvelope(bytes: Uint8Array): StoredEnvelope {
  if (!(bytes instanceof Uint8Array)) throw new CorruptValueError("stored value is not a byte array");
  if (bytes.length < 4 || bytes[0] !== 0x6b || bytes[1] !== 0x38 || bytes[2] !== 0x73) {
    throw new CorruptValueError("stored value does not start with the k8s magic");
  }
  if (bytes[3] !== STORED_FORMAT_VERSION) throw new UnsupportedVersionError(bytes[3]!);
  let kind: string | undefined;
  let objStart = -1;
  let objLen = 0;
  const r = protobuf.Reader.create(bytes);
  r.pos = 4;
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag === TAG_KIND) {
        const n = r.uint32();
        const start = r.pos;
        r.skip(n);
        kind = internedString(bytes, start, start + n); // the kind's name without a new string each time
      }
      else if (tag === TAG_OBJECT) {
        objLen = r.uint32();
        objStart = r.pos;
        if (objStart + objLen > r.len) throw new CorruptValueError("stored value is truncated");
        r.pos += objLen;
      } else r.skipType(tag & 7);
    }
  } catch (err) {
    if (err instanceof CorruptValueError) throw err;
    throw new CorruptValueError("stored value envelope is undecodable", { cause: err });
  }
  if (kind === undefined || objStart < 0) throw new CorruptValueError("stored value lacks kind or object");
  const info = lookupKind(kind);
  if (!info) throw new CorruptValueError(`stored value has unknown kind ${JSON.stringify(kind.slice(0, 60))}`, { cause: new UnknownKindError(kind) });
  return { info, start: objStart, end: objStart + objLen };
}

/**
 * decodeStored decodes a stored value into its generated message (for code that edits and
 * re-encodes messages; for Kubernetes JSON use {@link decodeStoredJSON}, which builds no
 * message). Never throws anything but the two typed errors.
 * @throws {@link CorruptValueError} bad magic, truncated or undecodable bytes, unknown kind
 * @throws {@link UnsupportedVersionError} a format version this build does not read
 */
export function decodeStored(bytes: Uint8Array): DecodedStored {
  const { info, start, end } = storedEnvelope(bytes);
  try {
    const r = protobuf.Reader.create(bytes);
    r.pos = start;
    const message = info.type.decode(r, end - start);
    return { kind: info.kind, message } as DecodedStored;
  } catch (err) {
    throw new CorruptValueError(`stored ${info.kind} is undecodable`, { cause: err });
  }
}

/**
 * decodeStoredJSON: a stored value as Kubernetes JSON (what `toKubeJSON` gives for the decoded
 * message, built in one pass from the bytes by the wire codec) with `metadata.resourceVersion`
 * set to the store revision it was read at (stored values never hold a resourceVersion).
 * @throws {@link CorruptValueError}, {@link UnsupportedVersionError} as {@link decodeStored};
 *   {@link SchemaError} for an embedded RawExtension that is not JSON.
 */
export function decodeStoredJSON(bytes: Uint8Array, modRevision: number): Record<string, any> & { metadata: Record<string, any> } {
  const obj = decodeStoredObject(bytes).object as Record<string, any> & { metadata: Record<string, any> };
  obj.metadata ??= {};
  obj.metadata.resourceVersion = String(modRevision);
  return obj;
}

/**
 * decodeStoredObject: a stored value's kind and its object as Kubernetes JSON (no
 * resourceVersion). Throws as {@link decodeStoredJSON}.
 */
export function decodeStoredObject(bytes: Uint8Array): { kind: Kind; object: Record<string, any> } {
  const { info, start, end } = storedEnvelope(bytes);
  let object: Record<string, unknown>;
  try {
    object = decodeJSON(info.protoName, bytes, start, end, { apiVersion: info.apiVersion, kind: info.kind });
  } catch (err) {
    // A RawExtension that is not JSON is a SchemaError, unless the bytes are also corrupt
    // (then CorruptValueError, as the message path reports: it checks all bytes first).
    if (err instanceof SchemaError) {
      decodeStored(bytes);
      throw err;
    }
    throw new CorruptValueError(`stored ${info.kind} is undecodable`, { cause: err });
  }
  object.apiVersion = info.apiVersion;
  object.kind = info.kind;
  return { kind: info.kind, object };
}
