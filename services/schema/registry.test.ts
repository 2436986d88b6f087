// Resource registry lookups.
import { test } from "node:test";
import assert from "node:assert/strict";
import { RESOURCES, KINDS, lookupKind, lookupResource, lookupResourceByKind, lookupStoreResource, lookupResourceName, requireKind, UnknownKindError, k8s } from "./index.js";

test("registry - core and group resources have the right names and store keys", () => {
  const pods = lookupResource("", "pods")!;
  assert.deepEqual([pods.kind, pods.apiVersion, pods.storeResource, pods.singular, pods.namespaced], ["Pod", "v1", "pods", "pod", true]);
  assert.deepEqual(pods.shortNames, ["po"]);
  assert.ok(pods.categories.includes("all"));
  assert.equal(pods.type, k8s.core.v1.Pod);
  const deploy = lookupResource("apps", "deployments")!;
  assert.deepEqual([deploy.kind, deploy.apiVersion, deploy.storeResource], ["Deployment", "apps/v1", "deployments.apps"]);
  assert.deepEqual(deploy.subresources.map((s) => `${s.name}:${s.group}/${s.version}/${s.kind}`), ["status:apps/v1/Deployment", "scale:autoscaling/v1/Scale"]);
  const lease = lookupStoreResource("leases.coordination.k8s.io")!;
  assert.deepEqual([lease.kind, lease.group, lease.namespaced], ["Lease", "coordination.k8s.io", true]);
  assert.equal(lookupResourceByKind("Node")!.namespaced, false);
  assert.equal(lookupResourceByKind("PodList"), undefined);
});

test("registry - lookups miss cleanly", () => {
  assert.equal(lookupResource("", "deployments"), undefined);
  assert.equal(lookupResource("apps", "pods"), undefined);
  assert.equal(lookupStoreResource("bindings"), undefined, "bindings are never stored");
  assert.equal(lookupKind("Widget"), undefined);
  assert.throws(() => requireKind("Widget"), UnknownKindError);
});

test("registry - user-typed names resolve like kubectl's", () => {
  assert.equal(lookupResourceName("deploy")!.kind, "Deployment");
  assert.equal(lookupResourceName("Deployments.apps")!.kind, "Deployment");
  assert.equal(lookupResourceName("sts")!.kind, "StatefulSet");
  assert.equal(lookupResourceName("pod")!.kind, "Pod");
  assert.equal(lookupResourceName("pods.apps"), undefined);
});

test("registry - every resource has a list kind and unique keys", () => {
  const stores = new Set<string>();
  for (const r of RESOURCES) {
    assert.ok(!stores.has(r.storeResource), r.storeResource);
    stores.add(r.storeResource);
    assert.equal(r.storeResource, r.group ? `${r.resource}.${r.group}` : r.resource);
    if (r.stored) assert.ok(r.listKind && KINDS.get(r.listKind), `${r.kind} list`);
  }
  assert.equal(KINDS.get("PodList")!.type, k8s.core.v1.PodList);
});
