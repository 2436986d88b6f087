/**
 * Kubernetes' own protobuf encoding (Content-Type application/vnd.kubernetes.protobuf), the
 * body kubectl and client-go send and accept: the 4 bytes "k8s\0", then one
 * `runtime.Unknown { TypeMeta typeMeta = 1 {apiVersion = 1, kind = 2}; bytes raw = 2;
 * string contentEncoding = 3; string contentType = 4 }` whose raw is the object's message.
 * Our protos carry Kubernetes' field numbers and wire types, so raw is read and written with
 * the same messages as everything else; only our apiVersion/kind fields (100/101) are left out
 * of raw, as Kubernetes keeps them in the envelope.
 *
 * @example
 * ```ts
 * const { kind, object } = decodeKubeProtobuf(body);           // Kubernetes JSON
 * res.end(encodeKubeProtobuf("ConfigMap", storedObjectJSON));   // bytes for Accept: protobuf
 * ```
 */
import { readFileSync } from "node:fs";
import protobuf from "protobufjs";
import "./int64-as-number.js";
import { k8s } from "./gen/proto.js";
import { ProtobufBodyError } from "./errors.js";
import { fromKubeJSON } from "./json.js";
import { decodeJSON } from "./wire.js";
import { lookupKind, requireKind } from "./registry.js";

/** KUBE_PROTOBUF_CONTENT_TYPE: the media type of Kubernetes' protobuf encoding. */
export const KUBE_PROTOBUF_CONTENT_TYPE = "application/vnd.kubernetes.protobuf";
/** KUBE_PROTOBUF_MAGIC: the 4 bytes every Kubernetes protobuf body starts with ("k8s\0"). */
export const KUBE_PROTOBUF_MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** The result of {@link decodeKubeProtobuf}. */
export interface DecodedKubeProtobuf {
  /** From the envelope, e.g. "apps/v1". */
  apiVersion: string;
  /** From the envelope, e.g. "Deployment". */
  kind: string;
  /** The object as Kubernetes JSON (what `toKubeJSON` gives for the decoded message). */
  object: Record<string, unknown>;
}

type Descriptor = { nested?: Record<string, Descriptor>; fields?: Record<string, { id: number }> };

/**
 * The schema as Kubernetes' wire sees it: our descriptor without the apiVersion/kind fields
 * (100/101), so encoding never writes them (also inside lists and embedded objects).
 */
const wireRoot = (() => {
  const desc = JSON.parse(readFileSync(new URL("./gen/descriptor.json", import.meta.url), "utf8")) as Descriptor;
  const strip = (d: Descriptor) => {
    if (d.fields) for (const name of ["apiVersion", "kind"]) if (d.fields[name]?.id === 100 || d.fields[name]?.id === 101) delete d.fields[name];
    for (const sub of Object.values(d.nested ?? {})) strip(sub);
  };
  strip(desc);
  return protobuf.Root.fromJSON(desc);
})();
const wireTypes = new Map<string, protobuf.Type>();
function wireType(protoName: string): protobuf.Type {
  let t = wireTypes.get(protoName);
  if (!t) wireTypes.set(protoName, (t = wireRoot.lookupType(protoName)));
  return t;
}

/**
 * encodeKubeProtobuf encodes a Kubernetes JSON object of `kind` (any modelled kind: resources,
 * their lists, Scale, Status) as a Kubernetes protobuf body. The envelope's apiVersion is the
 * kind's. Fields the schema does not model are dropped (as {@link fromKubeJSON} does).
 *
 * @throws {@link UnknownKindError} for a kind the schema does not model
 * @throws {@link SchemaError} when the object does not fit the schema
 */
export function encodeKubeProtobuf(kind: string, json: object): Uint8Array {
  const info = requireKind(kind);
  const { message } = fromKubeJSON(info.kind, json);
  const raw = wireType(info.protoName).encode(message as unknown as Record<string, unknown>).finish();
  const unknown = k8s.runtime.Unknown.encode({ typeMeta: { apiVersion: info.apiVersion, kind: info.kind }, raw }).finish();
  const out = new Uint8Array(KUBE_PROTOBUF_MAGIC.length + unknown.length);
  out.set(KUBE_PROTOBUF_MAGIC, 0);
  out.set(unknown, KUBE_PROTOBUF_MAGIC.length);
  return out;
}

/**
 * decodeKubeProtobuf decodes a Kubernetes protobuf body into Kubernetes JSON. Never throws
 * anything but {@link ProtobufBodyError} (bad magic, undecodable envelope or object, content
 * encodings other than none, unknown kind, apiVersion not the kind's).
 */
export function decodeKubeProtobuf(bytes: Uint8Array): DecodedKubeProtobuf {
  if (!(bytes instanceof Uint8Array)) throw new ProtobufBodyError("protobuf body is not a byte array");
  for (let i = 0; i < KUBE_PROTOBUF_MAGIC.length; i++) {
    if (bytes[i] !== KUBE_PROTOBUF_MAGIC[i]) throw new ProtobufBodyError('protobuf body does not start with the "k8s\\0" prefix');
  }
  let unknown: k8s.runtime.Unknown;
  try {
    unknown = k8s.runtime.Unknown.decode(bytes.subarray(KUBE_PROTOBUF_MAGIC.length));
  } catch (err) {
    throw new ProtobufBodyError("protobuf envelope (runtime.Unknown) is undecodable", { cause: err });
  }
  const apiVersion = unknown.typeMeta?.apiVersion ?? "";
  const kind = unknown.typeMeta?.kind ?? "";
  if (unknown.contentEncoding) throw new ProtobufBodyError(`protobuf content encoding ${JSON.stringify(unknown.contentEncoding.slice(0, 60))} is not supported`);
  if (unknown.contentType && unknown.contentType !== KUBE_PROTOBUF_CONTENT_TYPE) {
    throw new ProtobufBodyError(`protobuf envelope holds content type ${JSON.stringify(unknown.contentType.slice(0, 80))}, not ${KUBE_PROTOBUF_CONTENT_TYPE}`);
  }
  const info = lookupKind(kind);
  if (!info) throw new ProtobufBodyError(`protobuf body has unknown kind ${JSON.stringify(kind.slice(0, 60))}`);
  if (apiVersion !== info.apiVersion) {
    throw new ProtobufBodyError(`protobuf body has apiVersion ${JSON.stringify(apiVersion.slice(0, 60))} for kind ${info.kind}, expected ${JSON.stringify(info.apiVersion)}`);
  }
  try {
    const raw = unknown.raw ?? new Uint8Array(0);
    const object = decodeJSON(info.protoName, raw, 0, raw.length, { apiVersion: info.apiVersion, kind: info.kind });
    object.apiVersion = info.apiVersion;
    object.kind = info.kind;
    return { apiVersion, kind: info.kind, object };
  } catch (err) {
    throw new ProtobufBodyError(`protobuf ${info.kind} is undecodable: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
}
