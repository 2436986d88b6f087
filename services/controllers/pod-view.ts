/**
 * pod-view: the controller-manager's view of a stored Pod (pure): what its controllers read of
 * a pod, as Kubernetes JSON the way `decodeStoredJSON` makes it (metadata.resourceVersion = the
 * store revision), and nothing else:
 * - `metadata`, whole;
 * - `spec`: `nodeName` and `tolerations` only (containers, volumes, ... are most of a pod's
 *   bytes and are never decoded);
 * - `status`: `phase`, `conditions` and, of `containerStatuses`, each `restartCount`.
 *
 * Most pod changes are status changes (binding, kubelet updates) with the metadata's bytes
 * unchanged: {@link PodViews} then reuses the previous view's decoded metadata (a shallow copy
 * with the new resourceVersion; labels, annotations and ownerReferences are the same objects),
 * and its spec or status view when what the view holds of them is the same. Tolerations and
 * conditions repeat across pods (a template's tolerations; conditions that changed in the same
 * second): each distinct encoding is decoded once and shared, frozen. So views are read-only:
 * nothing may change a view or anything it holds.
 *
 * Contract for its users: a view is never written back (an update would drop the spec, a status
 * update the rest of the status). Writes are patches (adoption: a strategic merge patch pinned
 * to the cached resourceVersion), deletes, or status updates built on a fresh read.
 *
 * Reads the stored layout of schema/stored.ts ("k8s" + format version, then
 * `StoredValue { kind = 1; object = 2 }`) and Kubernetes' field numbers: Pod { metadata = 1;
 * spec = 2; status = 3 }, PodSpec { nodeName = 10; tolerations = 22 }, PodStatus { phase = 1;
 * conditions = 2; containerStatuses = 8 }, ContainerStatus { restartCount = 5 }. Anything that
 * is not a well-formed stored Pod is decoded by `decodeStoredJSON` instead (same typed errors).
 * Decoded parts go through the schema's one-pass decoder (`decodeJSON`); node names and phases are
 * interned (`internedString`).
 */
import protobuf from "protobufjs/minimal.js";
import { decodeJSON, decodeStoredJSON, internedString, storedEnvelope } from "../schema/index.js";
import type { KubeObject } from "../client/index.js";
import type { ObjectDecoder } from "./controller.js";

const LEN = 2; // wire type of strings and messages
const tagOf = (field: number) => (field << 3) | LEN;

/** The property of a view holding a copy of its metadata's encoding (shared by the views of the same bytes). */
const METADATA_BYTES = Symbol("metadataBytes");

/** Distinct toleration and condition encodings remembered (then forgotten all at once). */
const SHARED_CACHE_SIZE = 1024;

/** The bytes [start, end) as a string (one char per byte): a cheap exact key to compare encodings by. */
function bytesKey(bytes: Uint8Array, start: number, end: number): string {
  return (Buffer.prototype.latin1Slice as (this: Uint8Array, s: number, e: number) => string).call(bytes, start, end);
}

/** The end of a length-delimited field whose length the reader is at; leaves the reader at the field's start. */
function fieldEnd(r: protobuf.Reader): number {
  const len = r.uint32();
  if (r.pos + len > r.len) throw new RangeError("field runs past the end");
  return r.pos + len;
}

/** sameItems: both absent, or the same items (shared objects) in the same order. */
function sameItems(a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** PodViews: decodes pod views (see the module doc), remembering what each view was decoded from. */
export class PodViews {
  /** Decoded tolerations and conditions (frozen) by message name, then encoding. */
  private readonly shared = new Map<string, Map<string, unknown>>([
    ["k8s.core.v1.Toleration", new Map()],
    ["k8s.core.v1.PodCondition", new Map()],
  ]);
  /** `containerStatuses` views (frozen) by their restart counts. */
  private readonly restarts = new Map<string, readonly unknown[]>();
  /** Decodes done and avoided, for tests. */
  readonly stats = { metadataDecoded: 0, metadataReused: 0 };

  /**
   * decode: the view of a stored Pod at `modRevision`; `previous` is the view cached for the
   * same key (its parts are reused when they are the same). Other or malformed values
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
    const envelope = storedEnvelope(bytes);
    if (envelope.info.kind !== "Pod") return undefined;
    // Parts are reused from a previous view only (not from a whole pod that failed to be viewed).
    const prevMeta = previous && ((previous as Record<symbol, unknown>)[METADATA_BYTES] as Buffer | undefined);
    const prev = prevMeta ? previous : undefined;
    const r = protobuf.Reader.create(bytes);
    const resourceVersion = String(modRevision);
    let metadata: Record<string, any> | undefined;
    let metaBytes: Buffer | undefined;
    const spec: Record<string, unknown> = {};
    let status: unknown;
    let tolerations: unknown[] | undefined;
    r.pos = envelope.start;
    while (r.pos < envelope.end) {
      const tag = r.uint32();
      if (tag !== tagOf(1) && tag !== tagOf(2) && tag !== tagOf(3)) {
        r.skipType(tag & 7);
        continue;
      }
      const end = fieldEnd(r);
      const start = r.pos;
      if (tag === tagOf(1)) {
        if (prevMeta && prevMeta.length === end - start && prevMeta.compare(bytes, start, end) === 0) {
          metaBytes = prevMeta;
          metadata = { ...prev!.metadata, resourceVersion };
          this.stats.metadataReused++;
        } else {
          // A copy (off the JS heap, pooled): the event's bytes belong to a whole relay message.
          metaBytes = Buffer.allocUnsafe(end - start);
          metaBytes.set(bytes.subarray(start, end));
          metadata = decodeJSON("k8s.meta.v1.ObjectMeta", bytes, start, end) as Record<string, any>;
          metadata.resourceVersion = resourceVersion;
          this.stats.metadataDecoded++;
        }
      } else if (tag === tagOf(3)) status = this.status(bytes, r, end, prev?.status);
      else {
        while (r.pos < end) {
          const t = r.uint32();
          if (t === tagOf(10)) {
            // Interned: node names repeat across pods (and events), so maps keyed by them hash each once.
            const e = fieldEnd(r);
            spec.nodeName = internedString(bytes, r.pos, e);
            r.pos = e;
          }
          else if (t === tagOf(22)) {
            const e = fieldEnd(r);
            (tolerations ??= []).push(this.sharedMessage("k8s.core.v1.Toleration", bytes, r.pos, e));
            r.pos = e;
          } else r.skipType(t & 7);
        }
      }
      r.pos = end;
    }
    if (spec.nodeName === "") delete spec.nodeName;
    if (tolerations) spec.tolerations = tolerations;
    metadata ??= { resourceVersion };
    const before = prev?.spec;
    const same = before !== undefined && before.nodeName === spec.nodeName && sameItems(before.tolerations, tolerations);
    const out: KubeObject = { apiVersion: "v1", kind: "Pod", metadata, spec: same ? before : spec };
    if (status !== undefined) out.status = status;
    // Not enumerable: invisible to spreads, comparisons and serialisation.
    if (metaBytes) Object.defineProperty(out, METADATA_BYTES, { value: metaBytes });
    return out;
  }

  /** status: the status view (phase, conditions, restart counts) of the PodStatus from the reader's position to `end` (`previous` when it is the same). */
  private status(bytes: Uint8Array, r: protobuf.Reader, end: number, previous: Record<string, unknown> | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    let conditions: unknown[] | undefined;
    let restarts: number[] | undefined;
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === tagOf(1)) {
        const e = fieldEnd(r);
        out.phase = internedString(bytes, r.pos, e);
        r.pos = e;
      } else if (tag === tagOf(2)) {
        const e = fieldEnd(r);
        (conditions ??= []).push(this.sharedMessage("k8s.core.v1.PodCondition", bytes, r.pos, e));
        r.pos = e;
      } else if (tag === tagOf(8)) {
        const e = fieldEnd(r);
        let count = 0;
        while (r.pos < e) {
          const t = r.uint32();
          if (t === 5 << 3) count = r.int32();
          else r.skipType(t & 7);
        }
        (restarts ??= []).push(count);
      } else r.skipType(tag & 7);
    }
    if (out.phase === "") delete out.phase;
    if (conditions) out.conditions = conditions;
    if (restarts) out.containerStatuses = this.restartsView(restarts);
    const same = previous !== undefined && previous.phase === out.phase && previous.containerStatuses === out.containerStatuses && sameItems(previous.conditions as unknown[] | undefined, conditions);
    return same ? previous : out;
  }

  /** restartsView: `[{ restartCount }, ...]` for these counts, shared (frozen). */
  private restartsView(counts: number[]): readonly unknown[] {
    const key = counts.join(",");
    let v = this.restarts.get(key);
    if (!v) {
      v = Object.freeze(counts.map((restartCount) => Object.freeze({ restartCount })));
      if (this.restarts.size >= SHARED_CACHE_SIZE) this.restarts.clear();
      this.restarts.set(key, v);
    }
    return v;
  }

  /** sharedMessage: the flat message `protoName` encoded in bytes [start, end), decoded once per distinct encoding (frozen, shared). */
  private sharedMessage(protoName: "k8s.core.v1.Toleration" | "k8s.core.v1.PodCondition", bytes: Uint8Array, start: number, end: number): unknown {
    const key = bytesKey(bytes, start, end);
    const cache = this.shared.get(protoName)!;
    let m = cache.get(key);
    if (m === undefined) {
      m = Object.freeze(decodeJSON(protoName, bytes, start, end));
      if (cache.size >= SHARED_CACHE_SIZE) cache.clear();
      cache.set(key, m);
    }
    return m;
  }
}

/** podViewDecoders: the decoders of one leadership term's shared informers: pods as views (one {@link PodViews}), other kinds whole. */
export function podViewDecoders(): ReadonlyMap<string, ObjectDecoder> {
  const pods = new PodViews();
  return new Map([["Pod", pods.decode.bind(pods)]]);
}
