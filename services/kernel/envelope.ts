/**
 * envelope: the protobuf `Envelope` every bus message travels in.
 *
 * A receiver checks size, decodability, version and kind before any handler sees the
 * payload, so garbage or foreign messages become typed errors instead of crashes.
 *
 * @example
 * ```ts
 * const bytes = wrap(KINDS.ApiRequest, bus.ApiRequest.encode(req).finish());
 * const { payload } = unwrap(bytes, KINDS.ApiRequest);
 * ```
 */
import { bus } from "../schema/bus.js";
import { lenFieldSize, utf8Bytes, varintFieldSize, writeLenField, writeVarintField } from "../schema/proto-write.js";

/** The envelope format version this code writes and accepts. */
export const ENVELOPE_VERSION = 1;
/** Default maximum envelope size in bytes (4 MiB); the NATS server allows 8 MB. */
export const DEFAULT_MAX_PAYLOAD = 4 * 1024 * 1024;

/** Envelope kinds used by the kernel and the bus messages in proto/bus.proto. */
export const KINDS = {
  ApiRequest: "ApiRequest",
  ApiResponse: "ApiResponse",
  ApiBatchRequest: "ApiBatchRequest",
  ApiBatchResponse: "ApiBatchResponse",
  ChangeEventBatch: "ChangeEventBatch",
  ActorHealth: "ActorHealth",
  /** A request whose reply is a BusStatus error (see Bus.request). */
  BusStatus: "BusStatus",
  /** Empty-payload probe sent to health subjects. */
  HealthProbe: "HealthProbe",
} as const;

/** Why an envelope was rejected. */
export type EnvelopeErrorReason = "undecodable" | "wrong-kind" | "unknown-version" | "undecodable-payload";

/** EnvelopeError: bytes that are not a usable envelope (garbage, wrong kind, unknown version, bad payload). */
export class EnvelopeError extends Error {
  override name = "EnvelopeError";
  constructor(
    readonly reason: EnvelopeErrorReason,
    message: string,
    readonly kind?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** OversizeError: a message larger than the configured maximum. */
export class OversizeError extends Error {
  override name = "OversizeError";
  constructor(
    readonly size: number,
    readonly max: number,
  ) {
    super(`message of ${size} bytes exceeds the maximum of ${max} bytes`);
  }
}

/** A decoded envelope. */
export interface Unwrapped {
  kind: string;
  version: number;
  payload: Uint8Array;
}

/** Envelope's fields (proto/bus.proto). */
const F_VERSION = 1;
const F_KIND = 2;
const F_PAYLOAD = 3;
/** UTF-8 bytes of the kinds seen (a handful of constants; bounded all the same). */
const kindBytes = new Map<string, Uint8Array>();

/**
 * wrap encodes `payload` as an envelope of `kind` (one exact-size buffer, the payload copied
 * once; the bytes the generated encoder writes); throws OversizeError above `maxPayload`.
 */
export function wrap(kind: string, payload: Uint8Array, maxPayload = DEFAULT_MAX_PAYLOAD): Uint8Array {
  let k = kindBytes.get(kind);
  if (!k) {
    k = utf8Bytes(kind);
    if (kindBytes.size < 256) kindBytes.set(kind, k);
  }
  const size = varintFieldSize(F_VERSION, ENVELOPE_VERSION) + lenFieldSize(F_KIND, k.length) + lenFieldSize(F_PAYLOAD, payload.length);
  if (size > maxPayload) throw new OversizeError(size, maxPayload);
  const out = new Uint8Array(size);
  let pos = writeVarintField(out, 0, F_VERSION, ENVELOPE_VERSION);
  pos = writeLenField(out, pos, F_KIND, k);
  writeLenField(out, pos, F_PAYLOAD, payload);
  return out;
}

/** checkKind throws EnvelopeError "wrong-kind" unless `kind` is `expected` (one kind or a list). */
export function checkKind(kind: string, expected: string | readonly string[]): void {
  const ok = typeof expected === "string" ? kind === expected : expected.includes(kind);
  if (!ok) throw new EnvelopeError("wrong-kind", `envelope kind ${JSON.stringify(kind)}, expected ${JSON.stringify(expected)}`, kind);
}

/**
 * unwrap decodes an envelope and checks it. `expectedKind` (one kind or a list) rejects any
 * other kind with EnvelopeError "wrong-kind"; omit it to accept any kind.
 * Throws OversizeError above `maxPayload`, EnvelopeError otherwise.
 */
export function unwrap(bytes: Uint8Array, expectedKind?: string | readonly string[], maxPayload = DEFAULT_MAX_PAYLOAD): Unwrapped {
  if (bytes.length > maxPayload) throw new OversizeError(bytes.length, maxPayload);
  let env: InstanceType<typeof bus.Envelope>;
  try {
    env = bus.Envelope.decode(bytes);
  } catch (err) {
    throw new EnvelopeError("undecodable", `not a bus envelope (${bytes.length} bytes): ${(err as Error).message}`, undefined, { cause: err });
  }
  // Protobuf accepts many random byte strings; an envelope without version and kind is not ours.
  if (!env.version && !env.kind) throw new EnvelopeError("undecodable", `not a bus envelope (${bytes.length} bytes): no version or kind`);
  if (env.version !== ENVELOPE_VERSION) {
    throw new EnvelopeError("unknown-version", `envelope version ${env.version} is not supported (want ${ENVELOPE_VERSION})`, env.kind);
  }
  if (expectedKind !== undefined) checkKind(env.kind, expectedKind);
  return { kind: env.kind, version: env.version, payload: env.payload ?? new Uint8Array(0) };
}

/** A protobufjs message class (what `bus.ApiRequest` and the generated resource types are). */
export interface Decoder<T> {
  decode(bytes: Uint8Array): T;
}

/** decodeAs decodes a payload with a generated message class; a failure is EnvelopeError "undecodable-payload". */
export function decodeAs<T>(type: Decoder<T>, kind: string, payload: Uint8Array): T {
  try {
    return type.decode(payload);
  } catch (err) {
    throw new EnvelopeError("undecodable-payload", `payload is not a valid ${kind}: ${(err as Error).message}`, kind, { cause: err });
  }
}
