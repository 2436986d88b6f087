/**
 * undecoded-update: a PUT whose reply is not decoded, for writes whose result the node host
 * knows without reading it back (its pod status writes and Lease renewals, many per second):
 * decoding the stored object the API returns costs more than the write's encoding.
 */
import type { KubeClient, KubeObject } from "../client/index.js";
import { encodeStoredJSON, lookupResourceByKind } from "../schema/index.js";

/** UnservedKindError: the schema serves no API resource of this kind. */
export class UnservedKindError extends Error {
  override name = "UnservedKindError";
}

/**
 * updateUndecoded: update `body` (its `metadata.resourceVersion` is the compare-and-swap, not
 * sent in the body; `subresource` "status" for a status write) and resolve to the revision
 * written. Fails as {@link KubeClient.update} does (RemoteError with the Status: 409, 404, …).
 */
export async function updateUndecoded(client: KubeClient, body: KubeObject, subresource = ""): Promise<number> {
  const info = lookupResourceByKind(body.kind);
  if (!info?.stored) throw new UnservedKindError(`no API resource serves kind ${body.kind}`);
  const m = body.metadata;
  const object = encodeStoredJSON(info.kind, body).value; // without the resourceVersion
  const r = await client.api.call(
    { group: info.group, resource: info.resource },
    { verb: "update", namespace: m.namespace ?? "", name: m.name, object, expectedRevision: Number(m.resourceVersion ?? 0), subresource },
  );
  return Number(r.object?.modRevision ?? 0);
}
