/**
 * pod-view: the controller-manager's view of a stored Pod (pure). Its controllers read a
 * pod's metadata and status and, of the spec, only `nodeName` and `tolerations`; the rest of
 * the spec (containers, volumes, ...) is most of a pod's bytes and is never decoded. The view
 * is Kubernetes JSON as `decodeStoredJSON` makes it (metadata.resourceVersion = the store
 * revision), with `spec` cut down to those two fields.
 *
 * A pod changes mostly in its status (binding, kubelet updates) while its metadata stays the
 * same bytes: {@link PodViews} then reuses the previous view's decoded metadata (a shallow copy
 * with the new resourceVersion; labels, annotations and ownerReferences are the same objects).
 * Tolerations, the same for all pods of a template, are decoded once per distinct encoding and
 * shared. So views are read-only: nothing may change a view or anything it holds.
 *
 * Contract for its users: a view is never written back whole (a pod update would drop the
 * spec). Writes are patches (adoption: a strategic merge patch pinned to the cached
 * resourceVersion), deletes, or status updates (the API keeps only the status of those, and
 * the status is decoded whole).
 *
 * Reads the stored layout of schema/stored.ts ("k8s" + format version, then
 * `StoredValue { kind = 1; object = 2 }`) and Kubernetes' field numbers: Pod { metadata = 1;
 * spec = 2; status = 3 }, PodSpec { nodeName = 10; tolerations = 22 }. Anything that is not a
 * well-formed stored Pod is decoded by `decodeStoredJSON` instead (same typed errors).
 */
import protobuf from "protobufjs/minimal.js";
import { decodeStoredJSON, k8s, messageToKubeJSON, STORED_FORMAT_VERSION, STORED_MAGIC } from "../schema/index.js";
import type { KubeObject } from "../client/index.js";

const LEN = 2; // wire type of strings and messages
const tagOf = (field: number) => (field << 3) | LEN;

/** Distinct toleration encodings remembered (a cluster has a handful). */
const TOLERATION_CACHE_SIZE = 256;

/** The bytes [start, end) as a string (one char per byte): a cheap exact key to compare encodings by. */
function bytesKey(bytes: Uint8Array, start: number, end: number): string {
  return (Buffer.prototype.latin1Slice as (this: Uint8Array, s: number, e: number) => string).call(bytes, start, end);
}

/** The [start, end) of a length-delimited field whose length the reader is at; leaves the reader at its end. */
function span(r: protobuf.Reader): [number, number] {
  const len = r.uint32();
  const start = r.pos;
  if (start + len > r.len) throw new RangeError("field runs past the end");
  r.pos = start + len;
  return [start, start + len];
}

/** The stored object's bytes when `bytes` is a stored Pod of this format, else undefined. */
function podBytes(bytes: Uint8Array, r: protobuf.Reader): [number, number] | undefined {
  if (bytes.length < 4 || bytes[0] !== STORED_MAGIC[0] || bytes[1] !== STORED_MAGIC[1] || bytes[2] !== STORED_MAGIC[2] || bytes[3] !== STORED_FORMAT_VERSION) return undefined;
  r.pos = 4;
  let kind = "";
  let object: [number, number] | undefined;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === tagOf(1)) kind = r.string();
    else if (tag === tagOf(2)) object = span(r);
    else r.skipType(tag & 7);
  }
  return kind === "Pod" ? object : undefined;
}

/** PodViews: decodes pod views (see the module doc), remembering what each view was decoded from. */
export class PodViews {
  /** view → its metadata's encoding. */
  private readonly metadataBytes = new WeakMap<object, string>();
  private readonly tolerations = new Map<string, unknown>();
  /** Decodes done and avoided, for tests. */
  readonly stats = { metadataDecoded: 0, metadataReused: 0 };

  /**
   * decode: the view of a stored Pod at `modRevision`; `previous` is the view cached for the
   * same key (its metadata is reused when the bytes are the same). Other or malformed values
   * go to `decodeStoredJSON` (whose typed errors it throws).
   */
  decode(bytes: Uint8Array, modRevision: number, previous?: KubeObject): KubeObject {
    let view: KubeObject | undefined;
    try {
      view = this.viewOf(bytes, modRevision, previous);
    } catch {
      view = undefined;
    }
    return view ?? decodeStoredJSON(bytes, modRevision);
  }

  private viewOf(bytes: Uint8Array, modRevision: number, previous: KubeObject | undefined): KubeObject | undefined {
    const r = protobuf.Reader.create(bytes);
    const object = podBytes(bytes, r);
    if (!object) return undefined;
    const resourceVersion = String(modRevision);
    let metadata: Record<string, any> | undefined;
    let metaKey = "";
    const spec: Record<string, unknown> = {};
    let status: unknown;
    let tolerations: unknown[] | undefined;
    r.pos = object[0];
    while (r.pos < object[1]) {
      const tag = r.uint32();
      if (tag !== tagOf(1) && tag !== tagOf(2) && tag !== tagOf(3)) {
        r.skipType(tag & 7);
        continue;
      }
      const [start, end] = span(r);
      if (tag === tagOf(1)) {
        metaKey = bytesKey(bytes, start, end);
        if (previous && this.metadataBytes.get(previous) === metaKey) {
          metadata = { ...previous.metadata, resourceVersion };
          this.stats.metadataReused++;
        } else {
          metadata = messageToKubeJSON("k8s.meta.v1.ObjectMeta", k8s.meta.v1.ObjectMeta.decode(bytes.subarray(start, end))) as Record<string, any>;
          metadata.resourceVersion = resourceVersion;
          this.stats.metadataDecoded++;
        }
      } else if (tag === tagOf(3)) status = messageToKubeJSON("k8s.core.v1.PodStatus", k8s.core.v1.PodStatus.decode(bytes.subarray(start, end)));
      else {
        r.pos = start;
        while (r.pos < end) {
          const t = r.uint32();
          if (t === tagOf(10)) spec.nodeName = r.string();
          else if (t === tagOf(22)) {
            const [s, e] = span(r);
            (tolerations ??= []).push(this.toleration(bytes, s, e));
          } else r.skipType(t & 7);
        }
        r.pos = end;
      }
    }
    if (spec.nodeName === "") delete spec.nodeName;
    if (tolerations) spec.tolerations = tolerations;
    metadata ??= { resourceVersion };
    const out: KubeObject = { apiVersion: "v1", kind: "Pod", metadata, spec };
    if (status !== undefined) out.status = status;
    this.metadataBytes.set(out, metaKey);
    return out;
  }

  /** toleration: the Toleration encoded in bytes [start, end), decoded once per distinct encoding (frozen, shared). */
  private toleration(bytes: Uint8Array, start: number, end: number): unknown {
    const key = bytesKey(bytes, start, end);
    let t = this.tolerations.get(key);
    if (t === undefined) {
      t = Object.freeze(messageToKubeJSON("k8s.core.v1.Toleration", k8s.core.v1.Toleration.decode(bytes.subarray(start, end))));
      if (this.tolerations.size >= TOLERATION_CACHE_SIZE) this.tolerations.clear();
      this.tolerations.set(key, t);
    }
    return t;
  }
}
