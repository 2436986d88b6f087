/**
 * request-info: what an HTTP request addresses, from its method, path and query (pure).
 * Mirrors Kubernetes' RequestInfoFactory for the paths clients use.
 */
import { lookupResource, type ResourceInfo } from "../../schema/index.js";

export type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

export type RequestInfo =
  | { type: "discovery"; path: string }
  | { type: "unknown"; path: string }
  | {
      type: "resource";
      verb: Verb;
      group: string;
      version: string;
      /** The plural resource as written in the path. */
      resourceName: string;
      resource: ResourceInfo | undefined;
      namespace: string;
      name: string;
      subresource: string;
    };

const DISCOVERY = new Set(["/api", "/apis", "/version", "/openapi/v2", "/openapi/v3", "/healthz", "/livez", "/readyz"]);

function verbOf(method: string, hasName: boolean, watch: boolean): Verb | undefined {
  switch (method) {
    case "GET":
    case "HEAD":
      if (watch) return "watch";
      return hasName ? "get" : "list";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return hasName ? "delete" : "deletecollection";
    default:
      return undefined;
  }
}

/** requestInfo parses a request; `watch` is the `watch` query parameter being true. */
export function requestInfo(method: string, path: string, watch: boolean): RequestInfo {
  const clean = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  if (DISCOVERY.has(clean) || clean.startsWith("/openapi/")) return { type: "discovery", path: clean };
  const parts = clean.split("/").slice(1).map(safeDecode);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === "api") {
    if (parts.length === 2) return { type: "discovery", path: clean };
    group = "";
    version = parts[1] ?? "";
    rest = parts.slice(2);
  } else if (parts[0] === "apis") {
    if (parts.length <= 3) return { type: "discovery", path: clean };
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return { type: "unknown", path: clean };
  }
  // Legacy /watch/ prefix: GET /api/v1/watch/namespaces/x/pods
  let isWatch = watch;
  if (rest[0] === "watch") {
    isWatch = true;
    rest = rest.slice(1);
  }
  let namespace = "";
  if (rest[0] === "namespaces" && rest.length >= 3) {
    // /namespaces/<ns>/<resource>... unless the third part is a subresource of the namespace itself.
    const maybeResource = rest[2]!;
    if (lookupResource(group, maybeResource)?.namespaced || !["status", "finalize"].includes(maybeResource)) {
      namespace = rest[1]!;
      rest = rest.slice(2);
    }
  }
  const [resourceName = "", name = "", subresource = "", ...extra] = rest;
  if (!resourceName || extra.length > 0) return { type: "unknown", path: clean };
  const verb = verbOf(method, name !== "", isWatch);
  if (!verb) return { type: "unknown", path: clean };
  return { type: "resource", verb, group, version, resourceName, resource: lookupResource(group, resourceName), namespace, name, subresource };
}

function safeDecode(s: string): string {
  if (!s.includes("%")) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
