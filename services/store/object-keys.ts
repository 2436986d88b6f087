/**
 * object-keys: where API objects live in the store (pure, no I/O).
 *
 * Namespaced: `/<storeResource>/<namespace>/<name>`; cluster-scoped: `/<storeResource>/<name>`.
 * `storeResource` is the plural for the core group and `<plural>.<group>` otherwise
 * (`pods`, `deployments.apps`), so the first segment is the resource that change events chain
 * on. Names and namespaces are DNS labels/subdomains and never contain `/`.
 */

/** storeResourceOf: `pods` for core, `deployments.apps` for a named group. */
export function storeResourceOf(group: string, resource: string): string {
  return group === "" ? resource : `${resource}.${group}`;
}

/** objectKey: the store key of one object (namespace "" for cluster-scoped). */
export function objectKey(storeResource: string, namespace: string, name: string): string {
  return namespace === "" ? `/${storeResource}/${name}` : `/${storeResource}/${namespace}/${name}`;
}

/** listPrefix: the prefix of every object of a resource, or of one namespace when given. */
export function listPrefix(storeResource: string, namespace = ""): string {
  return namespace === "" ? `/${storeResource}/` : `/${storeResource}/${namespace}/`;
}

/** The parts of an object key. */
export interface ObjectKeyParts {
  resource: string;
  namespace: string;
  name: string;
}

/** parseObjectKey: resource, namespace ("" if cluster-scoped) and name of a key built by objectKey. */
export function parseObjectKey(key: string): ObjectKeyParts {
  const parts = key.split("/");
  // ["", resource, name] or ["", resource, namespace, name]
  if (parts.length === 3) return { resource: parts[1]!, namespace: "", name: parts[2]! };
  if (parts.length === 4) return { resource: parts[1]!, namespace: parts[2]!, name: parts[3]! };
  return { resource: parts[1] ?? "", namespace: "", name: parts.slice(2).join("/") };
}
