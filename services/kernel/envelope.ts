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

/** wrap encodes `payload` as an envelope of `kind`; throws OversizeError above `maxPayload`. */
export function wrap(kind: string, payload: Uint8Array, maxPayload = DEFAULT_MAX_PAYLOAD): Uint8Array {
  const bytes = bus.Envelope.encode({ version: ENVELOPE_VERSION, kind, payload }).finish();
  if (bytes.length > maxPayload) throw new OversizeError(bytes.length, maxPayload);
  return bytes;
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
  if (expectedKind !== undefined) {
    const ok = typeof expectedKind === "string" ? env.kind === expectedKind : expectedKind.includes(env.kind);
    if (!ok) throw new EnvelopeError("wrong-kind", `envelope kind ${JSON.stringify(env.kind)}, expected ${JSON.stringify(expectedKind)}`, env.kind);
  }
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
