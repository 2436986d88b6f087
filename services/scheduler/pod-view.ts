/**
 * pod-view: the pod as the scheduler's cache keeps it, read from stored bytes at the least
 * cost (the scheduler sees every change of every pod).
 *
 * The view is `metadata` {name, namespace, uid, resourceVersion} and `spec`; no status, labels
 * or other metadata (nothing in the scheduler reads them; a pod being deleted is decoded in
 * full, so its deletionTimestamp is there too, unless it was bound before). Pods of one
 * template have byte-identical specs until bound, so the decoded spec is shared between them
 * ({@link SpecCache}) and deep-frozen, as is its bound copy per node: a view is read-only, and
 * what derives from a spec is computed once per template (see podInfoOf). Once a pod (one
 * incarnation: same createRevision) is bound it is not read again beyond its nodeName: of a
 * bound pod the scheduler reads only its node and requests, which no later write changes.
 */
import { deepFreeze } from "../apimachinery/index.js";
import type { Cached, KubeObject } from "../client/index.js";
import { decodeStored, k8s, messageToKubeJSON, peekStoredPod, peekStoredPodNodeName, toKubeJSON } from "../schema/index.js";

/** Distinct specs remembered (most recently used first). */
const SPEC_CACHE_SIZE = 16;

function sameBytes(a: Uint8Array, b: Uint8Array, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[start + i]) return false;
  return true;
}

/** SpecCache: decoded PodSpecs (Kubernetes JSON, frozen) by their encoded bytes. */
export class SpecCache {
  private readonly entries: Array<{ bytes: Uint8Array; spec: KubeObject }> = [];
  private readonly boundSpecs = new WeakMap<KubeObject, Map<string, KubeObject>>();
  /** Lookups answered from the cache and decodes, for tests. */
  readonly stats = { hits: 0, decodes: 0 };

  /** The spec encoded in `bytes[start, end)`, decoded once per distinct encoding. */
  spec(bytes: Uint8Array, start: number, end: number): KubeObject {
    const e = this.entries;
    for (let i = 0; i < e.length; i++) {
      const entry = e[i]!;
      if (!sameBytes(entry.bytes, bytes, start, end)) continue;
      if (i > 0) {
        e.splice(i, 1);
        e.unshift(entry);
      }
      this.stats.hits++;
      return entry.spec;
    }
    this.stats.decodes++;
    const own = bytes.slice(start, end);
    const spec = deepFreeze(messageToKubeJSON("k8s.core.v1.PodSpec", k8s.core.v1.PodSpec.decode(own)) as KubeObject);
    e.unshift({ bytes: own, spec });
    if (e.length > SPEC_CACHE_SIZE) e.pop();
    return spec;
  }

  /** `spec` with `nodeName` set; for a frozen (shared) spec, one frozen copy per node. */
  bound(spec: KubeObject, nodeName: string): KubeObject {
    if (!Object.isFrozen(spec)) return { ...spec, nodeName };
    let byNode = this.boundSpecs.get(spec);
    if (!byNode) this.boundSpecs.set(spec, (byNode = new Map()));
    let out = byNode.get(nodeName);
    if (!out) byNode.set(nodeName, (out = Object.freeze({ ...spec, nodeName })));
    return out;
  }
}

/**
 * schedulerPodView: see the module doc. `cached` is the informer's current view of the key.
 * @throws the schema's CorruptValueError / UnsupportedVersionError for bytes that are not a stored pod
 */
export function schedulerPodView(value: Uint8Array, meta: { modRevision: number; createRevision: number }, cached: Cached<KubeObject> | undefined, specs: SpecCache): KubeObject {
  const sameIncarnation = cached !== undefined && cached.createRevision === meta.createRevision;
  if (sameIncarnation) {
    if (cached.object.spec?.nodeName) return cached.object;
    const nodeName = peekStoredPodNodeName(value); // the binding: all that changed for the scheduler
    if (nodeName) return { ...cached.object, spec: specs.bound(cached.object.spec ?? {}, nodeName) };
  }
  const peek = peekStoredPod(value);
  const resourceVersion = String(meta.modRevision);
  if (peek && !peek.deleting) {
    return { apiVersion: "v1", kind: "Pod", metadata: { name: peek.name, namespace: peek.namespace, uid: peek.uid, resourceVersion }, spec: specs.spec(value, peek.specStart, peek.specEnd) };
  }
  const { kind, message } = decodeStored(value);
  (message as { status?: unknown }).status = null;
  const pod = toKubeJSON(kind, message) as KubeObject;
  pod.metadata ??= {};
  pod.metadata.resourceVersion = resourceVersion;
  return pod;
}
