/**
 * KubeClient: the API over the bus with Kubernetes JSON objects in and out — what controllers
 * and node actors use. Objects carry `metadata.resourceVersion`; an update or status update
 * sends it as the expected revision (409 Conflict when it moved). Errors are RemoteErrors
 * carrying the Status (`isStatus(err, 404)`).
 */
import { decodeStoredJSON, encodeStoredJSON, lookupResourceByKind, type ResourceInfo } from "../schema/index.js";
import type { Bus } from "../kernel/index.js";
import { ApiClient, type ResourceRef } from "./api-client.js";
import { Informer, type Cached, type InformerOptions, type ListedItem } from "./informer.js";

/** What an informer knows of a stored value besides its bytes. */
export interface DecodeMeta {
  key: string;
  modRevision: number;
  createRevision: number;
}

/** A Kubernetes object as JSON. */
export type KubeObject = Record<string, any> & { metadata: Record<string, any> };

/** UnknownKindError: a kind the schema does not serve. */
export class UnknownResourceKindError extends Error {
  override name = "UnknownResourceKindError";
}

function infoOf(kind: string): ResourceInfo {
  const info = lookupResourceByKind(kind);
  if (!info || !info.stored) throw new UnknownResourceKindError(`no API resource serves kind ${kind}`);
  return info;
}

function refOf(info: ResourceInfo): ResourceRef {
  return { group: info.group, resource: info.resource };
}

/** decodeItem: a listed/stored item as JSON with its resourceVersion. */
export function decodeItem(value: Uint8Array, modRevision: number): KubeObject {
  return decodeStoredJSON(value, modRevision);
}

/** encode: the stored value of `obj` (its resourceVersion left out by encodeStoredJSON). */
function encode(kind: string, obj: KubeObject): Uint8Array {
  return encodeStoredJSON(kind, obj).value;
}

/** The encodings of {@link KubeClient.createFromTemplate}'s templates. */
const templateEncodings = new WeakMap<object, Uint8Array>();

const item = (i: ListedItem) => decodeItem(i.value, i.modRevision);

export interface DeleteOpts {
  propagationPolicy?: "Foreground" | "Background" | "Orphan";
  gracePeriodSeconds?: number;
  /** Delete only if the object is still at this resourceVersion. */
  resourceVersion?: string;
}

export class KubeClient {
  readonly api: ApiClient;

  constructor(bus: Bus, timeoutMs = 10_000) {
    this.api = new ApiClient(bus, timeoutMs);
  }

  async get(kind: string, namespace: string, name: string): Promise<KubeObject> {
    return item(await this.api.get(refOf(infoOf(kind)), namespace, name));
  }

  async list(kind: string, namespace = "", opts: { labelSelector?: string; fieldSelector?: string } = {}): Promise<{ items: KubeObject[]; resourceVersion: string }> {
    const info = infoOf(kind);
    const r = await this.api.call(refOf(info), { verb: "list", namespace, labelSelector: opts.labelSelector ?? "", fieldSelector: opts.fieldSelector ?? "" });
    return { items: r.items.map((i) => decodeItem(i.value ?? new Uint8Array(), Number(i.modRevision))), resourceVersion: String(r.revision) };
  }

  async create(obj: KubeObject): Promise<KubeObject> {
    const info = infoOf(obj.kind);
    const r = await this.api.call(refOf(info), { verb: "create", namespace: obj.metadata.namespace ?? "", name: obj.metadata.name ?? "", object: encode(info.kind, obj) });
    return decodeItem(r.object!.value!, Number(r.object!.modRevision));
  }

  /**
   * createFromTemplate: create `template` (typically with generateName) and resolve once the
   * API acknowledged it; the reply leaves the object out. Its encoding is kept per object, so
   * many creates of one object (a ReplicaSet's pods) encode it once: `template` must not change
   * after the first call (freeze it).
   */
  async createFromTemplate(template: Readonly<KubeObject>): Promise<void> {
    const info = infoOf(template.kind);
    let object = templateEncodings.get(template);
    if (!object) templateEncodings.set(template, (object = encode(info.kind, template)));
    await this.api.call(refOf(info), { verb: "create", namespace: template.metadata.namespace ?? "", name: template.metadata.name ?? "", object, revisionOnly: true });
  }

  /** PUT of the whole object (or its status with `subresource: "status"`), compare-and-swap on its resourceVersion. */
  async update(obj: KubeObject, subresource = ""): Promise<KubeObject> {
    const r = await this.put(obj, subresource);
    return decodeItem(r.object!.value!, Number(r.object!.modRevision));
  }

  /**
   * updateUndecoded: {@link update} resolving to the revision written instead of the decoded
   * object, for writers that know the result without reading it back (the node host's pod
   * status writes and Lease renewals); the reply leaves the object's value out.
   */
  async updateUndecoded(obj: KubeObject, subresource = ""): Promise<number> {
    return Number((await this.put(obj, subresource, true)).object?.modRevision ?? 0);
  }

  /** The update call; `revisionOnly`: the reply leaves out the object's value. */
  private put(obj: KubeObject, subresource: string, revisionOnly = false) {
    const info = infoOf(obj.kind);
    return this.api.call(refOf(info), {
      verb: "update",
      namespace: obj.metadata.namespace ?? "",
      name: obj.metadata.name,
      object: encode(info.kind, obj),
      expectedRevision: Number(obj.metadata.resourceVersion ?? 0),
      subresource,
      revisionOnly,
    });
  }

  updateStatus(obj: KubeObject): Promise<KubeObject> {
    return this.update(obj, "status");
  }

  async patch(kind: string, namespace: string, name: string, type: "json" | "merge" | "strategic", patch: unknown, subresource = ""): Promise<KubeObject> {
    const info = infoOf(kind);
    const r = await this.api.call(refOf(info), { verb: "patch", namespace, name, patchType: type, patch: new TextEncoder().encode(JSON.stringify(patch)), subresource });
    return decodeItem(r.object!.value!, Number(r.object!.modRevision));
  }

  async delete(kind: string, namespace: string, name: string, opts: DeleteOpts = {}): Promise<KubeObject> {
    const info = infoOf(kind);
    const r = await this.api.call(refOf(info), {
      verb: "delete",
      namespace,
      name,
      propagationPolicy: opts.propagationPolicy ?? "",
      ...(opts.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: opts.gracePeriodSeconds } : {}),
      expectedRevision: opts.resourceVersion ? Number(opts.resourceVersion) : 0,
    });
    return decodeItem(r.object!.value!, Number(r.object!.modRevision));
  }

  /** Assigns a pod to a node (pods/binding). */
  async bind(namespace: string, pod: string, node: string): Promise<void> {
    const info = infoOf("Pod");
    const binding = encodeStoredJSON("Binding", { metadata: { name: pod, namespace }, target: { apiVersion: "v1", kind: "Node", name: node } }).value;
    await this.api.call(refOf(info), { verb: "create", namespace, name: pod, subresource: "binding", object: binding });
  }

  /** An informer of one kind (all namespaces) whose objects are JSON with resourceVersion. */
  informer(kind: string, opts: InformerOptions = {}): Informer<KubeObject> {
    return this.informerOf(kind, (v, meta) => decodeItem(v, meta.modRevision), opts);
  }

  /**
   * informerOf: an informer of one kind whose objects are what `decode` makes of each stored
   * value (a view with only what its reader needs, a lazily decoded record, ...); `previous` is
   * the entry cached for the same key, if any (to reuse what did not change).
   */
  informerOf<T>(kind: string, decode: (value: Uint8Array, meta: DecodeMeta, previous: Cached<T> | undefined) => T, opts: InformerOptions = {}): Informer<T> {
    const info = infoOf(kind);
    const inf: Informer<T> = new Informer<T>(this.api.listWatch(refOf(info), info.storeResource), (v, meta) => decode(v, meta, inf.get(meta.key)), opts);
    return inf;
  }
}
