/**
 * discovery: /api, /apis, per-group resource lists and /version, built from the schema's
 * resource registry (pure). Empty groups are never advertised (kubectl refetches them).
 */
import { RESOURCES, type ResourceInfo } from "../../schema/index.js";

export const SERVER_VERSION = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.0-k8s-nats",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2026-11-26T00:00:00Z",
  goVersion: "n/a (TypeScript on Node 20)",
  compiler: "tsc",
  platform: "linux/amd64",
};

const served = () => RESOURCES.filter((r) => r.stored || r.kind === "Binding");

/** The API groups (besides core) with their one version. */
export function groups(): Array<{ name: string; version: string }> {
  const seen = new Map<string, string>();
  for (const r of served()) if (r.group && !seen.has(r.group)) seen.set(r.group, r.version);
  // Subresource-only groups (autoscaling/v1 Scale) are not advertised as groups of their own.
  return [...seen].map(([name, version]) => ({ name, version }));
}

export function apiVersions(serverAddress: string): object {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] };
}

export function apiGroupList(): object {
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: groups().map((g) => apiGroup(g.name, g.version)),
  };
}

export function apiGroup(name: string, version: string): object {
  const gv = { groupVersion: `${name}/${version}`, version };
  return { kind: "APIGroup", apiVersion: "v1", name, versions: [gv], preferredVersion: gv };
}

function entry(r: ResourceInfo): object {
  return {
    name: r.resource,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: r.verbs,
    ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
    ...(r.categories.length ? { categories: r.categories } : {}),
    storageVersionHash: "",
  };
}

/** APIResourceList of one group/version, or undefined when nothing is served there. */
export function apiResourceList(group: string, version: string): object | undefined {
  const rs = served().filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  const resources: object[] = [];
  for (const r of rs) {
    if (r.kind === "Binding") {
      resources.push({ name: r.resource, singularName: "binding", namespaced: true, kind: "Binding", verbs: ["create"] });
      continue;
    }
    resources.push(entry(r));
    for (const s of r.subresources) {
      resources.push({
        name: `${r.resource}/${s.name}`,
        singularName: "",
        namespaced: r.namespaced,
        ...(s.group !== r.group ? { group: s.group, version: s.version } : {}),
        kind: s.kind,
        verbs: s.verbs,
      });
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: group ? `${group}/${version}` : version, resources };
}
