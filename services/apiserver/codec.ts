/**
 * codec: stored values ↔ Kubernetes JSON objects at the API server.
 *
 * Contract: the stored value never holds `metadata.resourceVersion`; it is the store's
 * modRevision and is written into the object on every read. Fields the schema does not model
 * are dropped with a warning (`unknown field "spec.foo"`), as Kubernetes drops them.
 */
import { decodeStoredJSON, decodeStoredObject, encodeStoredJSON, fromKubeJSON, toKubeJSON, type ResourceInfo } from "../schema/index.js";
import { errors } from "./errors.js";

/** A Kubernetes object as JSON. */
export type KubeObject = Record<string, any> & { metadata: Record<string, any> };

/** decodeObject: the JSON object stored in `value`, with resourceVersion = modRevision. */
export function decodeObject(value: Uint8Array, modRevision: number): KubeObject {
  return decodeStoredJSON(value, modRevision);
}

/** decodeBody: a request body sent as a stored value (the bus API), as JSON; 400 when it is not of the resource's kind. */
export function decodeBody(info: ResourceInfo, value: Uint8Array): KubeObject {
  const { kind, object } = decodeStoredObject(value);
  if (kind !== info.kind) throw errors.badRequest(`object of kind ${kind} sent to ${info.resource}`);
  return object as KubeObject;
}

/** encodeObject: the stored value for `obj` (resourceVersion left out) and the unknown-field warnings. */
export function encodeObject(kind: string, obj: KubeObject): { value: Uint8Array; warnings: string[] } {
  return encodeStoredJSON(kind, obj);
}

/** normalize: `obj` as the schema sees it (unknown fields dropped, empty values omitted). */
export function normalize(kind: string, obj: unknown): { object: KubeObject; warnings: string[] } {
  const { message, warnings } = fromKubeJSON(kind, obj);
  return { object: toKubeJSON(kind, message as object) as KubeObject, warnings };
}
