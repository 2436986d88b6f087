/**
 * proto-write: the few protobuf wire-format primitives written by hand (the bus envelope, the
 * relay's change batches): sizes are computed first, then the message is written into one
 * buffer of exactly that size. The generated encoders build a list of pending writes per
 * field and copy at the end; on the bus's hottest messages that garbage cost more than the
 * encoding. Pure functions; the output is byte-for-byte what the generated encoders write.
 */

/** Wire type of varints. */
export const VARINT = 0;
/** Wire type of strings, bytes and messages. */
export const LEN = 2;

/** WireRangeError: a value the hand-written encoders do not represent (negative or above 2^53). */
export class WireRangeError extends RangeError {
  override name = "WireRangeError";
}

/** tag: the key of field `field` with wire type `wire`. */
export function tag(field: number, wire: number): number {
  return (field << 3) | wire;
}

/** varintSize: bytes of the varint of `n` (a non-negative safe integer). @throws {@link WireRangeError} */
export function varintSize(n: number): number {
  if (!(n >= 0) || !Number.isSafeInteger(n)) throw new WireRangeError(`cannot encode ${n} as an unsigned varint`);
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** writeVarint writes the varint of `n` at `pos` and returns the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, n: number): number {
  while (n >= 128) {
    buf[pos++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/** lenFieldSize: bytes of a length-delimited field (tag, length, content) of `len` bytes; 0 for an empty one (proto3 omits it). */
export function lenFieldSize(field: number, len: number): number {
  return len === 0 ? 0 : varintSize(tag(field, LEN)) + varintSize(len) + len;
}

/** writeLenField writes a non-empty length-delimited field and returns the position after it (an empty one writes nothing). */
export function writeLenField(buf: Uint8Array, pos: number, field: number, content: Uint8Array): number {
  if (content.length === 0) return pos;
  pos = writeVarint(buf, pos, tag(field, LEN));
  pos = writeVarint(buf, pos, content.length);
  buf.set(content, pos);
  return pos + content.length;
}

/** varintFieldSize: bytes of a varint field; 0 for zero (proto3 omits it). */
export function varintFieldSize(field: number, n: number): number {
  return n === 0 ? 0 : varintSize(tag(field, VARINT)) + varintSize(n);
}

/** writeVarintField writes a non-zero varint field and returns the position after it (zero writes nothing). */
export function writeVarintField(buf: Uint8Array, pos: number, field: number, n: number): number {
  if (n === 0) return pos;
  pos = writeVarint(buf, pos, tag(field, VARINT));
  return writeVarint(buf, pos, n);
}

/** utf8Length: the UTF-8 byte length of `s` (ASCII, the usual case, counted without leaving JS). */
export function utf8Length(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 128) return Buffer.byteLength(s, "utf8");
  return s.length;
}

/** writeStringField writes a non-empty string field of `byteLength` ({@link utf8Length}) bytes and returns the position after it. */
export function writeStringField(buf: Buffer, pos: number, field: number, s: string, byteLength: number): number {
  if (byteLength === 0) return pos;
  pos = writeVarint(buf, pos, tag(field, LEN));
  pos = writeVarint(buf, pos, byteLength);
  if (byteLength !== s.length) return pos + buf.write(s, pos, "utf8");
  for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i); // ASCII: one byte per character
  return pos;
}

const utf8 = new TextEncoder();
/** utf8Bytes: the UTF-8 bytes of a string (what a string field carries). */
export function utf8Bytes(s: string): Uint8Array {
  return s === "" ? EMPTY : utf8.encode(s);
}
const EMPTY = new Uint8Array(0);
