import { test } from "node:test";
import assert from "node:assert/strict";
import { requestInfo } from "./request-info.js";

type Expect = { verb?: string; group?: string; resourceName?: string; namespace?: string; name?: string; subresource?: string; type?: string };

const cases: Array<[string, string, boolean, Expect]> = [
  ["GET", "/api", false, { type: "discovery" }],
  ["GET", "/api/v1", false, { type: "discovery" }],
  ["GET", "/apis/apps/v1", false, { type: "discovery" }],
  ["GET", "/version", false, { type: "discovery" }],
  ["GET", "/openapi/v2", false, { type: "discovery" }],
  ["GET", "/api/v1/pods", false, { verb: "list", group: "", resourceName: "pods", namespace: "" }],
  ["GET", "/api/v1/pods", true, { verb: "watch", resourceName: "pods" }],
  ["GET", "/api/v1/namespaces/default/pods", false, { verb: "list", resourceName: "pods", namespace: "default" }],
  ["GET", "/api/v1/namespaces/default/pods/web-1", false, { verb: "get", name: "web-1", namespace: "default" }],
  ["PUT", "/api/v1/namespaces/default/pods/web-1/status", false, { verb: "update", name: "web-1", subresource: "status" }],
  ["POST", "/api/v1/namespaces/default/pods/web-1/binding", false, { verb: "create", name: "web-1", subresource: "binding" }],
  ["PATCH", "/apis/apps/v1/namespaces/demo/deployments/web/scale", false, { verb: "patch", group: "apps", resourceName: "deployments", subresource: "scale" }],
  ["DELETE", "/apis/apps/v1/namespaces/demo/deployments", false, { verb: "deletecollection", group: "apps" }],
  ["DELETE", "/apis/apps/v1/namespaces/demo/deployments/web", false, { verb: "delete", name: "web" }],
  // The Namespace object itself and its subresources.
  ["GET", "/api/v1/namespaces/demo", false, { verb: "get", resourceName: "namespaces", name: "demo", namespace: "" }],
  ["PUT", "/api/v1/namespaces/demo/finalize", false, { verb: "update", resourceName: "namespaces", name: "demo", subresource: "finalize" }],
  ["GET", "/api/v1/namespaces/demo/status", false, { verb: "get", resourceName: "namespaces", name: "demo", subresource: "status" }],
  ["GET", "/api/v1/nodes/node-1", false, { verb: "get", resourceName: "nodes", name: "node-1" }],
  // Legacy watch prefix.
  ["GET", "/api/v1/watch/namespaces/default/pods", false, { verb: "watch", namespace: "default", resourceName: "pods" }],
  ["GET", "/healthz/../api", false, { type: "unknown" }],
  ["GET", "/api/v1/namespaces/default/pods/a/b/c", false, { type: "unknown" }],
  ["TRACE", "/api/v1/pods", false, { type: "unknown" }],
  ["GET", "/metrics", false, { type: "unknown" }],
];

for (const [method, path, watch, want] of cases) {
  test(`request info - ${method} ${path}${watch ? " (watch)" : ""}`, () => {
    const got = requestInfo(method, path, watch) as Record<string, unknown>;
    for (const [k, v] of Object.entries({ type: "resource", ...want })) assert.equal(got[k], v, `${k} of ${method} ${path}`);
  });
}
