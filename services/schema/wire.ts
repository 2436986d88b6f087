/**
 * The one-pass wire codec: protobuf bytes <-> Kubernetes JSON, with no message objects in
 * between. Per message type a decoder and an encoder are compiled on first use (new Function)
 * from the same field plans json.ts converts messages with:
 * - decoding builds exactly `toKubeJSON(decode(bytes))`: the same JSON rules (omitempty,
 *   pointers, always-emitted fields, inlined embedded structs, maps, the special messages),
 *   keys in schema order;
 * - encoding writes exactly `encode(fromKubeJSON(json))`, or gives up (BAIL) on anything
 *   fromKubeJSON would reject or warn about, so that the caller can take that path.
 *
 * Wire semantics are protobufjs' (the generated decoders in gen/proto.js, which remain the
 * message path): a field with an unexpected wire type is skipped as unknown, a message field
 * seen twice is merged, packed and unpacked repeated scalars are both read, strings must be
 * valid UTF-8, lengths and varints are bounds-checked. Bad bytes throw {@link WireError}.
 */
import { BASE64, QUANTITY, base64, isObject, planFor, setKey, zeroJSONLiteral, type FieldPlan, type ScalarKind, type TypePlan, type ValuePlan } from "./json.js";
import { parseGoDuration, parseRFC3339 } from "./time.js";

/** WireError: bytes that are not a valid encoding of the message (truncated, bad varint, bad UTF-8, ...). */
export class WireError extends Error {
  override name = "WireError";
}

// ---- readers --------------------------------------------------------------------------
//
// Readers take (buf, pos, end) and return the value; the position after it goes to S.p
// (generated code inlines the one-byte case and calls these for the rest).

/** Where the last reader's value ended (exported as {@link readEnd} for readers outside this module). */
const S = { p: 0 };
export { S as readEnd };
const RECURSION_LIMIT = 100; // protobufjs' (and protoc's) limit for nested groups
const EMPTY = new Uint8Array(0);

function eof(): WireError {
  return new WireError("index out of range");
}

/**
 * A varint of at most 5 bytes whose 5th byte is at most `max5`: a tag (max5 15, protobufjs
 * Reader.tag) or a length (max5 7: below 2^31, Reader.size).
 */
function varint5(buf: Uint8Array, pos: number, end: number, max5: number): number {
  let v = 0;
  for (let i = 0; i < 4; i++) {
    if (pos >= end) throw eof();
    const b = buf[pos++]!;
    v |= (b & 127) << (i * 7);
    if (b < 128) return (S.p = pos), v >>> 0;
  }
  if (pos >= end) throw eof();
  const b = buf[pos++]!;
  if (b > max5) throw new WireError(max5 === 15 ? "invalid tag encoding" : "invalid length encoding");
  S.p = pos;
  return (v | (b << 28)) >>> 0;
}
const tag32 = (buf: Uint8Array, pos: number, end: number) => varint5(buf, pos, end, 15);
const size32 = (buf: Uint8Array, pos: number, end: number) => varint5(buf, pos, end, 7);

/** A varint's low 32 bits, unsigned (up to 10 bytes; protobufjs Reader.uint32); the position after it goes to {@link readEnd}. @throws WireError */
export function varint32(buf: Uint8Array, pos: number, end: number): number {
  let v = 0;
  for (let i = 0; i < 5; i++) {
    if (pos >= end) throw eof();
    const b = buf[pos++]!;
    v |= (i < 4 ? b & 127 : b & 15) << (i * 7);
    if (b < 128) return (S.p = pos), v >>> 0;
  }
  for (let i = 0; i < 5; i++) {
    if (pos >= end) throw eof();
    if (buf[pos++]! < 128) return (S.p = pos), v >>> 0;
  }
  throw new WireError("invalid varint encoding");
}

/** A 64-bit varint as a number, as protobufjs' LongBits.toNumber gives it (no Long configured). */
function varint64(buf: Uint8Array, pos: number, end: number, unsigned: boolean): number {
  let lo = 0;
  let hi = 0;
  let b: number;
  for (let i = 0; i < 4; i++) {
    if (pos >= end) throw eof();
    b = buf[pos++]!;
    lo = (lo | ((b & 127) << (i * 7))) >>> 0;
    if (b < 128) return (S.p = pos), lo;
  }
  if (pos >= end) throw eof();
  b = buf[pos++]!;
  lo = (lo | ((b & 127) << 28)) >>> 0;
  hi = (b & 127) >> 4;
  if (b >= 128) {
    for (let i = 0; ; i++) {
      if (i === 5) throw new WireError("invalid varint encoding");
      if (pos >= end) throw eof();
      b = buf[pos++]!;
      hi = (hi | ((b & 127) << (i * 7 + 3))) >>> 0;
      if (b < 128) break;
    }
  }
  S.p = pos;
  if (!unsigned && hi >>> 31) {
    const nlo = (~lo + 1) >>> 0;
    let nhi = ~hi >>> 0;
    if (!nlo) nhi = (nhi + 1) >>> 0;
    return -(nlo + nhi * 4294967296);
  }
  return lo + hi * 4294967296;
}

const int64 = (buf: Uint8Array, pos: number, end: number) => varint64(buf, pos, end, false);
const uint64 = (buf: Uint8Array, pos: number, end: number) => varint64(buf, pos, end, true);
const int32 = (buf: Uint8Array, pos: number, end: number) => varint32(buf, pos, end) | 0;

/** A bool: true when any of its (up to 10) bytes has a value bit set. */
function boolv(buf: Uint8Array, pos: number, end: number): number {
  let v = 0;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw eof();
    const b = buf[pos++]!;
    if (b & 127) v = 1;
    if (b < 128) return (S.p = pos), v;
  }
  throw new WireError("invalid varint encoding");
}

const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);
const f32 = new Float32Array(1);
const f32b = new Uint8Array(f32.buffer);
function double(buf: Uint8Array, pos: number): number {
  for (let i = 0; i < 8; i++) f64b[i] = buf[pos + i]!;
  return f64[0]!;
}
function float(buf: Uint8Array, pos: number): number {
  for (let i = 0; i < 4; i++) f32b[i] = buf[pos + i]!;
  return f32[0]!;
}

const strictUTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
function decodeUTF8(buf: Uint8Array, start: number, end: number): string {
  try {
    return strictUTF8.decode(buf.subarray(start, end));
  } catch (err) {
    throw new WireError("invalid UTF-8 in string", { cause: err });
  }
}

/** Strings at least this long that V8 builds by concatenation are ropes (ConsString), flattened (copied) again by every hash or comparison. */
const ROPE_MIN_LENGTH = 13;
const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;

/**
 * A string's bytes: ASCII read directly when short (8 bytes per step; one flat string, as a
 * concatenation that short is copied), ASCII of ROPE_MIN_LENGTH bytes or more in one native
 * copy (flat, not a rope of 8-byte pieces), otherwise (or at the first non-ASCII byte) strict
 * UTF-8 decoding.
 */
function str(buf: Uint8Array, start: number, end: number): string {
  if (end - start >= 64) return decodeUTF8(buf, start, end);
  if (end - start >= ROPE_MIN_LENGTH) {
    let high = 0;
    for (let i = start; i < end; i++) high |= buf[i]!;
    return high & 0x80 ? decodeUTF8(buf, start, end) : latin1Slice.call(buf, start, end);
  }
  let s = "";
  let i = start;
  for (; i + 7 < end; i += 8) {
    const c1 = buf[i]!, c2 = buf[i + 1]!, c3 = buf[i + 2]!, c4 = buf[i + 3]!, c5 = buf[i + 4]!, c6 = buf[i + 5]!, c7 = buf[i + 6]!, c8 = buf[i + 7]!;
    if ((c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8) & 0x80) return s + decodeUTF8(buf, i, end);
    s += String.fromCharCode(c1, c2, c3, c4, c5, c6, c7, c8);
  }
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c > 127) return s + decodeUTF8(buf, i, end);
    s += String.fromCharCode(c);
  }
  return s;
}

/**
 * key: a map key (or other often repeated short string), from a cache of recent ones when the
 * bytes match: the same string each time, so that V8 stores properties under it without
 * internalizing a new string per object (label keys, resource names, kinds repeat).
 */
const KEY_SLOTS = 4096;
const keyCache: (string | undefined)[] = new Array(KEY_SLOTS).fill(undefined);
function key(buf: Uint8Array, start: number, end: number): string {
  const len = end - start;
  if (len > 64) return str(buf, start, end);
  let h = 0x811c9dc5 ^ len;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c > 127) return str(buf, start, end);
    h = Math.imul(h ^ c, 16777619);
  }
  const slot = (h ^ (h >>> 15)) & (KEY_SLOTS - 1);
  const cached = keyCache[slot];
  if (cached !== undefined && cached.length === len) {
    let i = 0;
    while (i < len && cached.charCodeAt(i) === buf[start + i]) i++;
    if (i === len) return cached;
  }
  return (keyCache[slot] = str(buf, start, end));
}


/** skip: the position after an unknown field of tag `t` (protobufjs Reader.skipType, groups included). */
function skip(buf: Uint8Array, pos: number, end: number, t: number, depth: number): number {
  if (depth > RECURSION_LIMIT) throw new WireError("max depth exceeded");
  const field = t >>> 3;
  if (field === 0) throw new WireError("illegal tag: field number 0");
  switch (t & 7) {
    case 0:
      do if (pos >= end) throw eof();
      while (buf[pos++]! & 128);
      return pos;
    case 1:
      if (end - pos < 8) throw eof();
      return pos + 8;
    case 2: {
      const n = size32(buf, pos, end);
      pos = S.p;
      if (n > end - pos) throw eof();
      return pos + n;
    }
    case 3:
      for (;;) {
        const t2 = tag32(buf, pos, end);
        pos = S.p;
        if (t2 >>> 3 === 0) throw new WireError("illegal tag: field number 0");
        if ((t2 & 7) === 4) {
          if (t2 >>> 3 !== field) throw new WireError("invalid end group tag");
          return pos;
        }
        pos = skip(buf, pos, end, t2, depth + 1);
      }
    case 5:
      if (end - pos < 4) throw eof();
      return pos + 4;
    default:
      throw new WireError(`invalid wire type ${t & 7} at offset ${pos}`);
  }
}


/** A compiled decoder: the message in buf[pos, end) as JSON added to `out` (specials: returned as the JSON value). */
type Decoder = (buf: Uint8Array, pos: number, end: number, depth: number, out?: Record<string, unknown>) => any;

/**
 * merged: a message field that occurs more than once (ranges: start, end, start, end, ...),
 * decoded as protobuf merges it: each occurrence must decode on its own, and together they
 * read as their concatenation (later scalars win, lists append, maps and messages merge).
 */
function merged(decode: Decoder, buf: Uint8Array, ranges: number[], depth: number, out?: Record<string, unknown>): unknown {
  let len = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    try {
      decode(buf, ranges[i]!, ranges[i + 1]!, depth, {});
    } catch (err) {
      if (err instanceof WireError) throw err; // only the bytes are checked here, not what they hold (JSON, times)
    }
    len += ranges[i + 1]! - ranges[i]!;
  }
  const cat = new Uint8Array(len);
  for (let i = 0, o = 0; i < ranges.length; i += 2) {
    cat.set(buf.subarray(ranges[i]!, ranges[i + 1]!), o);
    o += ranges[i + 1]! - ranges[i]!;
  }
  return decode(cat, 0, len, depth, out);
}

// ---- compiled decoders ----------------------------------------------------------------
//
// Each message type's decoder is straight-line code generated from its field plan: one local
// per field, a loop with one `case` per expected tag (field number and wire type; any other
// tag, also a known field with another wire type, is skipped), then the JSON object is built
// from the locals in schema order with the rules of toKubeJSON. Message fields are decoded
// after the loop from their recorded byte range (so a field seen twice can be merged, and
// inline messages write into the parent's object at their place). For example
// ObjectMeta's decoder holds, for `name` (a string), `generation` (int64) and `labels`:
//   case 10: if (pos >= end) throw eof(); n = buf[pos]; if (n < 128) pos++; else { n = size32(buf, pos, end); pos = S.p; }
//     if (n > end - pos) throw eof(); a0 = key(buf, pos, pos + n); pos += n; break;
//   case 56: if (pos >= end) throw eof(); n = buf[pos]; if (n < 128) pos++; else { n = int64(buf, pos, end); pos = S.p; } a6 = n; break;
//   case 90: ... (map entry: key k, value v) (a10 ??= {})[k] = v; break;
//   ...
//   if (a0 !== "") out.name = a0;  if (a6 !== 0) out.generation = a6;  if (a10 !== undefined) out.labels = a10;

const WIRE_TYPE: Record<string, number> = {
  string: 2, bytes: 2, bool: 0, int32: 0, uint32: 0, int64: 0, uint64: 0, double: 1, float: 5,
};
/** The reader of each varint scalar type (the one-byte case is inlined). */
const VARINT_READER: Record<string, string> = { bool: "boolv", int32: "int32", uint32: "varint32", int64: "int64", uint64: "uint64" };

/** The identifiers generated code uses, with their values. */
class DecodeEnv {
  readonly values = new Map<string, unknown>(Object.entries({
    S, EMPTY, eof, tag32, size32, varint32, int32, int64, uint64, boolv, double, float, str, key, base64, skip, setKey, merged,
  }));
  /** The decoder of `p`, as an expression (a holder whose decode compiles itself on first call). */
  decoder(p: TypePlan): string {
    const id = `D_${p.fullName.replace(/\./g, "_")}`;
    this.values.set(id, decoderHolder(p));
    return `${id}.run`;
  }
  special(p: TypePlan): string {
    const id = `J_${p.fullName.replace(/\./g, "_")}`;
    this.values.set(id, p.special!.fromFields);
    return id;
  }
  compile<F>(source: string): F {
    const names = [...this.values.keys()];
    return new Function(...names, `"use strict"; return ${source};`)(...this.values.values()) as F;
  }
}

/** Statements reading a length into n (bounded by `end`), checked against the bytes left. */
function readLen(end: string): string {
  return `if (pos >= ${end}) throw eof(); n = buf[pos]; if (n < 128) pos++; else { n = size32(buf, pos, ${end}); pos = S.p; } if (n > ${end} - pos) throw eof();`;
}

/** Statements reading scalar `type` into `target` (bounded by `end`). */
function readScalar(type: string, target: string, end: string): string {
  switch (type) {
    case "string": return `${readLen(end)} ${target} = key(buf, pos, pos + n); pos += n;`;
    case "bytes": return `${readLen(end)} ${target} = n === 0 ? EMPTY : buf.subarray(pos, pos + n); pos += n;`;
    case "double": return `if (${end} - pos < 8) throw eof(); ${target} = double(buf, pos); pos += 8;`;
    case "float": return `if (${end} - pos < 4) throw eof(); ${target} = float(buf, pos); pos += 4;`;
  }
  const reader = VARINT_READER[type];
  if (!reader) throw new Error(`schema: the wire codec does not read ${type}`);
  const value = type === "bool" ? "n !== 0" : "n";
  return `if (pos >= ${end}) throw eof(); n = buf[pos]; if (n < 128) pos++; else { n = ${reader}(buf, pos, ${end}); pos = S.p; } ${target} = ${value};`;
}

/** The JSON expression of scalar local `v` of `type`. */
function scalarJSON(type: string, v: string): string {
  return type === "bytes" ? `base64(${v})` : v;
}

/** The JS literal of a scalar's zero value as a local holds it. */
function zeroLocal(type: string): string {
  return type === "string" ? '""' : type === "bytes" ? "EMPTY" : type === "bool" ? "false" : "0";
}

function tagOf(f: FieldPlan, wireType: number): number {
  return f.id * 8 + wireType;
}

/**
 * The statements recording an occurrence (length n at pos) of message field `i` in s/e/x
 * (x: all ranges once it occurs again).
 */
function recordRange(s: string, e: string, x: string): string {
  return `if (${s} < 0) { ${s} = pos; ${e} = pos + n; } else (${x} ??= [${s}, ${e}]).push(pos, pos + n); pos += n;`;
}

/** The expression decoding a recorded message field (s, e, x) of plan `p` into `out`. */
function decodeRecorded(p: TypePlan, s: string, e: string, x: string, out: string, env: DecodeEnv): string {
  const d = env.decoder(p);
  return `(${x} === undefined ? ${d}(buf, ${s}, ${e}, depth + 1, ${out}) : merged(${d}, buf, ${x}, depth + 1, ${out}))`;
}

/** The `case` statements and local declarations of a map field's entries into local `a`. */
function mapEntry(f: FieldPlan, a: string, env: DecodeEnv): string {
  let valueDecl: string;
  let valueCase: string;
  let valueExpr: string;
  if (f.message) {
    valueDecl = "vs = -1, ve = 0, vx";
    valueCase = `case 18: ${readLen("ee")} ${recordRange("vs", "ve", "vx")} break;`;
    const json = `(vs < 0 ? ${env.decoder(f.message)}(buf, 0, 0, depth + 1, {}) : ${decodeRecorded(f.message, "vs", "ve", "vx", "{}", env)})`;
    valueExpr = f.message.special ? `(${json} ?? null)` : json;
  } else {
    const type = f.protoType!;
    valueDecl = `v = ${zeroLocal(type)}`;
    valueCase = `case ${8 * 2 + WIRE_TYPE[type]!}: ${readScalar(type, "v", "ee")} break;`;
    valueExpr = scalarJSON(type, "v");
  }
  return `{ const ee = pos + n; let k = "", ${valueDecl}, t2;
        while (pos < ee) {
          t2 = buf[pos]; if (t2 < 128) pos++; else { t2 = tag32(buf, pos, ee); pos = S.p; }
          switch (t2) { case 10: ${readLen("ee")} k = key(buf, pos, pos + n); pos += n; break; ${valueCase} default: pos = skip(buf, pos, ee, t2, depth); }
        }
        if (k === "__proto__") setKey(${a} ??= {}, k, ${valueExpr}); else (${a} ??= {})[k] = ${valueExpr}; }`;
}

/** The JSON expression of a list item decoded from buf[pos, pos + n) of element plan `p`. */
function itemJSON(p: ValuePlan, env: DecodeEnv): string {
  const d = env.decoder(p.message!);
  return p.message!.special ? `(${d}(buf, pos, pos + n, depth + 1) ?? null)` : `${d}(buf, pos, pos + n, depth + 1, {})`;
}

interface FieldCode {
  decl: string;
  cases: string[];
  emit: string;
}

/** The local declarations, `case`s and emitting statement of field `f` (index i). */
function fieldCode(f: FieldPlan, i: number, env: DecodeEnv): FieldCode {
  const a = `a${i}`;
  const set = `out.${f.name}`;
  if (f.map) {
    return { decl: a, cases: [`case ${tagOf(f, 2)}: ${readLen("end")} ${mapEntry(f, a, env)} break;`], emit: `if (${a} !== undefined) ${set} = ${a};` };
  }
  if (f.message) {
    if (f.repeated) {
      return { decl: a, cases: [`case ${tagOf(f, 2)}: ${readLen("end")} (${a} ??= []).push(${itemJSON(f, env)}); pos += n; break;`], emit: `if (${a} !== undefined) ${set} = ${a};` };
    }
    const [s, e, x] = [`s${i}`, `e${i}`, `x${i}`];
    const decl = `${s} = -1, ${e} = 0, ${x}`;
    const cases = [`case ${tagOf(f, 2)}: ${readLen("end")} ${recordRange(s, e, x)} break;`];
    if (f.inline) return { decl, cases, emit: `if (${s} >= 0) ${decodeRecorded(f.message, s, e, x, "out", env)};` };
    if (f.message.special) return { decl, cases, emit: `if (${s} >= 0 && (j = ${decodeRecorded(f.message, s, e, x, "undefined", env)}) !== undefined) ${set} = j;` };
    return { decl, cases, emit: `if (${s} >= 0) ${set} = ${decodeRecorded(f.message, s, e, x, "{}", env)};` };
  }
  const type = f.protoType!;
  const wt = WIRE_TYPE[type];
  if (wt === undefined) throw new Error(`schema: the wire codec does not read ${type}`);
  if (f.repeated) {
    const cases = [`case ${tagOf(f, wt)}: ${readScalar(type, "v", "end")} (${a} ??= []).push(${scalarJSON(type, "v")}); break;`];
    // Numeric lists: packed (one length-delimited run) and unpacked are both read.
    if (wt !== 2) cases.push(`case ${tagOf(f, 2)}: ${readLen("end")} { const pe = pos + n; while (pos < pe) { ${readScalar(type, "v", "pe")} (${a} ??= []).push(v); } } break;`);
    return { decl: a, cases, emit: `if (${a} !== undefined) ${set} = ${a};` };
  }
  const cases = [`case ${tagOf(f, wt)}: ${readScalar(type, a, "end")} break;`];
  if (f.presence) return { decl: a, cases, emit: `if (${a} !== undefined) ${set} = ${scalarJSON(type, a)};` };
  const decl = `${a} = ${zeroLocal(type)}`;
  if (f.always) return { decl, cases, emit: `${set} = ${scalarJSON(type, a)};` };
  const nonZero = type === "bytes" ? `${a}.length !== 0` : type === "bool" ? a : `${a} !== ${zeroLocal(type)}`;
  return { decl, cases, emit: `if (${nonZero}) ${set} = ${scalarJSON(type, a)};` };
}

/** compileDecoder: the decoder of `plan` (a special message's returns its JSON value). */
function compileDecoder(plan: TypePlan): Decoder {
  const env = new DecodeEnv();
  const code = plan.list.map((f, i) => fieldCode(f, i, env));
  let emit: string;
  if (plan.special) {
    // The special's JSON from its field values (unset pointers undefined, others Go's zero).
    emit = `return ${env.special(plan)}(${plan.list.map((_, i) => `a${i}`).join(", ")});`;
  } else emit = `${code.map((c) => c.emit).join("\n  ")}\n  return out;`;
  const decls = ["t", "n", "v", "j", ...code.map((c) => c.decl)].join(", ");
  return env.compile(`function ${plan.fullName.replace(/\./g, "_")}_decode(buf, pos, end, depth, out) {
  let ${decls};
  while (pos < end) {
    t = buf[pos]; if (t < 128) pos++; else { t = tag32(buf, pos, end); pos = S.p; }
    switch (t) {
      ${code.flatMap((c) => c.cases).join("\n      ")}
      default: pos = skip(buf, pos, end, t, depth);
    }
  }
  ${emit}
}`);
}

/**
 * compiledOnce: the holder of plan `p`'s compiled function in `cache`; its `run` compiles the
 * function on the first call and is then replaced by it (generated code calls `holder.run`).
 */
function compiledOnce<F extends (...args: any[]) => any>(cache: Map<TypePlan, { run: F }>, p: TypePlan, compile: (p: TypePlan) => F): { run: F } {
  let h = cache.get(p);
  if (!h) {
    const holder = { run: ((...args: unknown[]) => (holder.run = compile(p))(...args)) as F };
    cache.set(p, (h = holder));
  }
  return h;
}
const decoders = new Map<TypePlan, { run: Decoder }>();
const decoderHolder = (p: TypePlan) => compiledOnce(decoders, p, compileDecoder);

// ---- encoding: Kubernetes JSON -> bytes ---------------------------------------------------
//
// The encoders write what fromKubeJSON + the protobufjs encoder write, byte for byte (fields in
// field number order, proto3 zero values left out, pointers and list items written when set), straight
// from the JSON object. They check every value as fromKubeJSON does, but cheaply: anything
// fromKubeJSON would reject or warn about (a wrong type, an unknown key, a bad quantity) makes
// them give up (throw BAIL) and the caller runs fromKubeJSON + encodeStored instead, which
// reports it with its path. So results, errors and warnings are fromKubeJSON's exactly.
// For example ContainerPort's encoder holds, for `containerPort` (int32, field 3):
//   { const x = v["containerPort"]; if (x != null) { if (x !== 0) { w.varint(24); SCALAR_ENCODERS.int32(w, x); } } }
// and ends with the unknown-key check:
//   let known = 0, all = 0; if (v["name"] !== undefined) known++; ...; for (const k in v) all++; if (all !== known) throw BAIL;

/** BAIL: what an encoder throws when the JSON is not something it encodes as fromKubeJSON would (without a warning). */
export const BAIL = Symbol("wire: use fromKubeJSON");

/** Sink: one growing byte buffer, written in place; a message's length is patched in after it. */
class Sink {
  b: Buffer = Buffer.allocUnsafeSlow(4096);
  p = 0;
  grow(n: number): void {
    if (this.p + n <= this.b.length) return;
    const nb = Buffer.allocUnsafeSlow(Math.max(this.b.length * 2, this.p + n));
    nb.set(this.b.subarray(0, this.p));
    this.b = nb;
  }
  /** An unsigned varint below 2^32. */
  varint(v: number): void {
    this.grow(5);
    this.p = putVarint32(this.b, this.p, v);
  }
  /** A signed integer as a 64-bit varint (negative: 10 bytes), as protobufjs writes int32 and int64 numbers. */
  int64(v: number): void {
    if (v >= 0 && v <= 0xffffffff) return this.varint(v);
    const neg = v < 0;
    if (neg) v = -v;
    let lo = v >>> 0;
    let hi = ((v - lo) / 4294967296) >>> 0;
    if (neg) {
      hi = ~hi >>> 0;
      lo = ~lo >>> 0;
      if (++lo > 4294967295) {
        lo = 0;
        if (++hi > 4294967295) hi = 0;
      }
    }
    this.grow(10);
    const b = this.b;
    let p = this.p;
    while (hi) {
      b[p++] = (lo & 127) | 128;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo > 127) {
      b[p++] = (lo & 127) | 128;
      lo >>>= 7;
    }
    b[p++] = lo;
    this.p = p;
  }
  /** A length-delimited string as UTF-8 (lone surrogates as 3 bytes each, as protobufjs writes them). */
  string(s: string): void {
    const n = s.length;
    if (n <= 42) {
      // At most 126 bytes: one length byte, patched after the characters.
      this.grow(1 + 3 * n);
      const b = this.b;
      const start = this.p;
      let p = start + 1;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c < 128) b[p++] = c;
        else p = utf8Char(b, p, s, i, c) ? (i++, S.p) : S.p;
      }
      b[start] = p - start - 1;
      this.p = p;
      return;
    }
    if ((s as unknown as { isWellFormed(): boolean }).isWellFormed()) {
      const len = Buffer.byteLength(s);
      this.varint(len);
      this.grow(len);
      this.b.write(s, this.p, len, "utf8");
      this.p += len;
      return;
    }
    let len = 0;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 128) len += 1;
      else if (c < 2048) len += 2;
      else if ((c & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) (len += 4), i++;
      else len += 3;
    }
    this.varint(len);
    this.grow(len);
    let p = this.p;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 128) this.b[p++] = c;
      else p = utf8Char(this.b, p, s, i, c) ? (i++, S.p) : S.p;
    }
    this.p = p;
  }
  bytes(v: Uint8Array): void {
    this.varint(v.length);
    this.grow(v.length);
    this.b.set(v, this.p);
    this.p += v.length;
  }
  /** Reserves one byte for the length of the message that follows; returns where. */
  begin(): number {
    this.grow(1);
    return this.p++;
  }
  /** Writes the length of the message begun at `start`, moving it when it needs more than a byte. */
  end(start: number): void {
    const len = this.p - start - 1;
    if (len < 128) {
      this.b[start] = len;
      return;
    }
    let extra = 1;
    while (len >>> (7 * (extra + 1))) extra++;
    this.grow(extra);
    this.b.copyWithin(start + 1 + extra, start + 1, this.p);
    this.p += extra;
    putVarint32(this.b, start, len);
  }
}

/** Writes unsigned varint v (below 2^32) at b[p]; returns the position after it. */
function putVarint32(b: Uint8Array, p: number, v: number): number {
  while (v > 127) {
    b[p++] = (v & 127) | 128;
    v >>>= 7;
  }
  b[p++] = v;
  return p;
}

/** Writes the non-ASCII character c at s[i] as UTF-8 at b[p]; S.p = the position after; true when it took a surrogate pair. */
function utf8Char(b: Uint8Array, p: number, s: string, i: number, c: number): boolean {
  let pair = false;
  if (c < 2048) {
    b[p++] = (c >> 6) | 192;
    b[p++] = (c & 63) | 128;
  } else if ((c & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
    const cp = 0x10000 + ((c & 0x03ff) << 10) + (s.charCodeAt(i + 1) & 0x03ff);
    b[p++] = (cp >> 18) | 240;
    b[p++] = ((cp >> 12) & 63) | 128;
    b[p++] = ((cp >> 6) & 63) | 128;
    b[p++] = (cp & 63) | 128;
    pair = true;
  } else {
    b[p++] = (c >> 12) | 224;
    b[p++] = ((c >> 6) & 63) | 128;
    b[p++] = (c & 63) | 128;
  }
  S.p = p;
  return pair;
}

/** The sink every encode writes into (encoding is synchronous); dropped after a value over SINK_KEEP_BYTES. */
const SINK_KEEP_BYTES = 256 * 1024;
let sink = new Sink();
function freshSink(): Sink {
  if (sink.b.length > SINK_KEEP_BYTES) sink = new Sink();
  sink.p = 0;
  return sink;
}

function isInt32(x: unknown): x is number {
  return typeof x === "number" && Number.isInteger(x) && x >= -2147483648 && x <= 2147483647;
}
function base64Bytes(x: unknown): Buffer {
  if (typeof x !== "string" || !BASE64.test(x)) throw BAIL;
  return Buffer.from(x, "base64");
}

/** Writes one scalar JSON value `x` (not null) of proto `type` as the wire value (after its tag); BAIL when fromKubeJSON would reject it. */
const SCALAR_ENCODERS: Record<string, (w: Sink, x: unknown) => void> = {
  string: (w, x) => {
    if (typeof x !== "string") throw BAIL;
    w.string(x);
  },
  bool: (w, x) => {
    if (typeof x !== "boolean") throw BAIL;
    w.varint(x ? 1 : 0);
  },
  int32: (w, x) => {
    if (!isInt32(x)) throw BAIL;
    w.int64(x);
  },
  uint32: (w, x) => {
    if (typeof x !== "number" || !Number.isInteger(x) || x < 0 || x > 4294967295) throw BAIL;
    w.varint(x);
  },
  int64: (w, x) => {
    if (typeof x !== "number" || !Number.isSafeInteger(x)) throw BAIL;
    w.int64(x);
  },
  uint64: (w, x) => {
    if (typeof x !== "number" || !Number.isSafeInteger(x) || x < 0) throw BAIL;
    w.int64(x);
  },
  bytes: (w, x) => w.bytes(base64Bytes(x)),
};


/** The special messages' encoders: the message body for JSON value x (not null). */
const SPECIAL_ENCODERS: Record<string, (w: Sink, x: unknown) => void> = {
  "k8s.meta.v1.IntOrString": (w, x) => {
    if (isInt32(x)) {
      if (x !== 0) (w.varint(16), w.int64(x));
    } else if (typeof x === "string") {
      w.varint(8);
      w.varint(1);
      if (x !== "") (w.varint(26), w.string(x));
    } else throw BAIL;
  },
  "k8s.meta.v1.RawExtension": (w, x) => {
    let text: string | undefined;
    try {
      text = JSON.stringify(x);
    } catch {
      throw BAIL;
    }
    if (text === undefined) throw BAIL;
    const raw = Buffer.from(text, "utf8");
    if (raw.length !== 0) (w.varint(10), w.bytes(raw));
  },
  "k8s.meta.v1.Quantity": (w, x) => {
    let s: string;
    if (typeof x === "number" && Number.isFinite(x)) s = String(x);
    else if (typeof x === "string" && QUANTITY.test(x)) s = x;
    else throw BAIL;
    if (s !== "") (w.varint(10), w.string(s));
  },
  "k8s.meta.v1.Time": (w, x) => timeBody(w, x, false),
  "k8s.meta.v1.MicroTime": (w, x) => timeBody(w, x, true),
  "k8s.meta.v1.Duration": (w, x) => {
    const d = typeof x === "string" ? parseGoDuration(x) : undefined;
    if (d === undefined) throw BAIL;
    if (d !== 0) (w.varint(8), w.int64(d));
  },
};

function timeBody(w: Sink, x: unknown, micro: boolean): void {
  const t = typeof x === "string" ? parseRFC3339(x) : undefined;
  if (!t) throw BAIL;
  w.varint(8);
  w.int64(t.seconds);
  // Time keeps whole seconds, MicroTime microseconds (as fromKubeJSON).
  const nanos = micro ? t.nanos - (t.nanos % 1000) : 0;
  if (nanos !== 0) (w.varint(16), w.int64(nanos));
}

/** An encoder: writes message JSON `v` (an object) into `w`; root: the kind's own object (apiVersion/kind given, metadata.resourceVersion left out). */
type Encoder = (v: Record<string, unknown>, w: Sink, root: boolean, apiVersion?: string, kind?: string) => void;

class EncodeEnv {
  readonly values = new Map<string, unknown>(Object.entries({ BAIL, SCALAR_ENCODERS, isObject, base64Bytes }));
  encoder(p: TypePlan): string {
    const id = `E_${p.fullName.replace(/\./g, "_")}`;
    this.values.set(id, encoderHolder(p));
    return `${id}.run`;
  }
  special(p: TypePlan): string {
    const id = `SE_${p.fullName.replace(/\./g, "_")}`;
    const enc = SPECIAL_ENCODERS[p.fullName];
    if (!enc) throw new Error(`schema: no wire encoder for ${p.fullName}`);
    this.values.set(id, enc);
    return id;
  }
  compile<F>(source: string): F {
    const names = [...this.values.keys()];
    return new Function(...names, `"use strict"; return ${source};`)(...this.values.values()) as F;
  }
}

let uniq = 0;

/** Statements writing a message value `x` (not null; checked to be an object unless special) with tag `tag`. */
function messageValue(p: TypePlan, x: string, tag: number, env: EncodeEnv, rootFlag = "false"): string {
  const st = `st${uniq++}`;
  const body = p.special ? `${env.special(p)}(w, ${x});` : `if (!isObject(${x})) throw BAIL; ${env.encoder(p)}(${x}, w, ${rootFlag});`;
  return `w.varint(${tag}); const ${st} = w.begin(); ${body} w.end(${st});`;
}

/** Statements writing an empty message (a null list item or map value) with tag `tag`. */
function emptyMessage(tag: number): string {
  return `{ w.varint(${tag}); w.varint(0); }`;
}

/** The statements writing field `f` (not inline) from JSON value `x` (not null). */
function fieldEncode(f: FieldPlan, x: string, owner: TypePlan, env: EncodeEnv): string {
  const t2 = f.id * 8 + 2;
  if (f.map) {
    let value: string;
    if (f.message) value = `if (e == null) ${emptyMessage(18)} else { ${messageValue(f.message, "e", 18, env)} }`;
    else if (f.protoType === "string") value = `w.varint(18); SCALAR_ENCODERS.string(w, e == null ? "" : e);`;
    else if (f.protoType === "bytes") value = `w.varint(18); w.bytes(e == null ? ${"Buffer.alloc(0)"} : base64Bytes(e));`;
    else throw new Error(`schema: no wire encoder for map values of ${f.protoType}`);
    const st = `st${uniq++}`;
    return `if (!isObject(${x})) throw BAIL; for (const k in ${x}) { const e = ${x}[k]; w.varint(${t2}); const ${st} = w.begin(); w.varint(10); w.string(k); ${value} w.end(${st}); }`;
  }
  if (f.repeated) {
    let item: string;
    if (f.message) item = `if (e == null) ${emptyMessage(t2)} else { ${messageValue(f.message, "e", t2, env)} }`;
    else {
      const type = f.protoType!;
      if (!(type in SCALAR_ENCODERS)) throw new Error(`schema: no wire encoder for ${type}`);
      const zero = zeroJSONLiteral(type as ScalarKind);
      const wt = type === "string" || type === "bytes" ? 2 : 0;
      if (f.packed && wt === 0) {
        const st = `st${uniq++}`;
        return `if (!Array.isArray(${x})) throw BAIL; if (${x}.length !== 0) { w.varint(${t2}); const ${st} = w.begin(); for (let i = 0; i < ${x}.length; i++) { const e = ${x}[i]; SCALAR_ENCODERS.${type}(w, e == null ? ${zero} : e); } w.end(${st}); }`;
      }
      item = `w.varint(${f.id * 8 + wt}); SCALAR_ENCODERS.${type}(w, e == null ? ${zero} : e);`;
    }
    return `if (!Array.isArray(${x})) throw BAIL; for (let i = 0; i < ${x}.length; i++) { const e = ${x}[i]; ${item} }`;
  }
  if (f.message) {
    const rootFlag = f.name === "metadata" ? "root" : "false"; // root's metadata (ObjectMeta, ListMeta) leaves out resourceVersion
    return messageValue(f.message, x, t2, env, rootFlag);
  }
  const type = f.protoType!;
  if (!(type in SCALAR_ENCODERS)) throw new Error(`schema: no wire encoder for ${type}`);
  const tag = f.id * 8 + (type === "string" || type === "bytes" ? 2 : 0);
  const write = `w.varint(${tag}); SCALAR_ENCODERS.${type}(w, ${x});`;
  if (f.presence) return write;
  // proto3 zero values are not written; a wrong type is not zero and BAILs in the writer.
  return `if (${x} !== ${zeroJSONLiteral(type as ScalarKind)}) { ${write} }`;
}

/**
 * The statements encoding the fields of message `plan` reached from the JSON object `v` of
 * `root` through the inline fields `chain` (empty for root itself).
 */
function fieldsEncode(plan: TypePlan, chain: FieldPlan[], root: TypePlan, env: EncodeEnv): string {
  const out: string[] = [];
  // In field number order, as protobufjs writes (and Go).
  for (const f of [...plan.list].sort((a, b) => a.id - b.id)) {
    if (f.inline) {
      const via = [...chain, f];
      const keys = [...root.byJSON].filter(([, r]) => via.every((s, i) => r.via[i] === s)).map(([k]) => k);
      if (keys.length === 0) continue;
      const st = `st${uniq++}`;
      out.push(`if (${keys.map((k) => `v[${JSON.stringify(k)}] != null`).join(" || ")}) { w.varint(${f.id * 8 + 2}); const ${st} = w.begin(); ${fieldsEncode(f.message!, via, root, env)} w.end(${st}); }`);
      continue;
    }
    const route = root.byJSON.get(f.name);
    if (!route || route.field !== f || route.via.length !== chain.length || route.via.some((s, i) => s !== chain[i])) continue; // not reachable from JSON
    const key = JSON.stringify(f.name);
    let x = `v[${key}]`;
    if (chain.length === 0 && (f.name === "apiVersion" || f.name === "kind") && (f.id === 100 || f.id === 101)) x = `(root ? ${f.name} : v[${key}])`;
    let stmt = `{ const x = ${x}; if (x != null) { ${fieldEncode(f, "x", plan, env)} } }`;
    if (f.name === "resourceVersion") stmt = `if (!root) ${stmt}`; // stored values never hold one
    out.push(stmt);
  }
  return out.join("\n  ");
}

/** compileEncoder: the encoder of `plan`: fields as above, then BAIL unless every key of `v` is one the schema knows. */
function compileEncoder(plan: TypePlan): Encoder {
  const env = new EncodeEnv();
  const keys = [...plan.byJSON.keys()];
  const count = keys.map((k) => `if (v[${JSON.stringify(k)}] !== undefined) known++;`).join(" ");
  return env.compile(`function ${plan.fullName.replace(/\./g, "_")}_encode(v, w, root, apiVersion, kind) {
  ${fieldsEncode(plan, [], plan, env)}
  let known = 0, all = 0;
  ${count}
  for (const k in v) all++;
  if (all !== known) throw BAIL;
}`);
}

const encoders = new Map<TypePlan, { run: Encoder }>();
const encoderHolder = (p: TypePlan) => compiledOnce(encoders, p, compileEncoder);

// ---- public ---------------------------------------------------------------------------

/** internedString: the string in bytes[start, end), from a cache of recent short ones. @throws {@link WireError} for invalid UTF-8 */
export const internedString: (bytes: Uint8Array, start: number, end: number) => string = key;

/**
 * decodeJSON: the message `protoName` (e.g. "k8s.core.v1.PodStatus") encoded in
 * bytes[start, end) as Kubernetes JSON, its fields added to `out` (e.g. one that starts with
 * apiVersion and kind). Equal to `messageToKubeJSON(protoName, <protobufjs decode of the bytes>)`.
 *
 * @throws {@link WireError} for bytes that are not an encoding of the message;
 *   {@link SchemaError} for a RawExtension that does not hold JSON.
 */
export function decodeJSON(protoName: string, bytes: Uint8Array, start = 0, end = bytes.length, out: Record<string, unknown> = {}): Record<string, unknown> {
  return decoderHolder(planFor(protoName)).run(bytes, start, end, 0, out);
}

/**
 * encodeStoredDirect: the stored value of `obj` (a Kubernetes JSON object of the kind `protoName`
 * names, whose apiVersion and kind are given) written straight from the JSON: the prefix, the
 * envelope `{kind, object}` and the object as encodeStored(fromKubeJSON(obj)) writes it, with
 * `metadata.resourceVersion` left out. Returns undefined (nothing written) when `obj` holds
 * anything fromKubeJSON would reject or warn about: the caller then takes that path.
 */
export function encodeStoredDirect(prefix: readonly number[], protoName: string, apiVersion: string, kind: string, obj: Record<string, unknown>): Buffer | undefined {
  const w = freshSink();
  try {
    w.grow(prefix.length);
    for (const b of prefix) w.b[w.p++] = b;
    w.varint(10);
    w.string(kind);
    w.varint(18);
    const st = w.begin();
    encoderHolder(planFor(protoName)).run(obj, w, true, apiVersion, kind);
    w.end(st);
  } catch (err) {
    if (err === BAIL) return undefined;
    throw err;
  }
  return Buffer.from(w.b.subarray(0, w.p)); // a copy of exactly the bytes written
}
