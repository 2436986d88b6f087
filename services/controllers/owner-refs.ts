/** owner-refs: ownerReferences as the controllers read them (Kubernetes JSON), shared by every controller. */

/** An ownerReference as Kubernetes JSON. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** controllerOf: the ownerReference with `controller: true` in an object's metadata, if any. */
export function controllerOf(meta: { ownerReferences?: OwnerReference[] }): OwnerReference | undefined {
  return meta.ownerReferences?.find((r) => r.controller === true);
}
