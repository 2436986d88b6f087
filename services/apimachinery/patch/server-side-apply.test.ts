// Server-side apply (simplified): create, update, removal of fields the manager applied
// before, fields other managers own, managedFields bookkeeping, errors, no mutation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { applyServerSide, fieldSetOf, fieldSetDifference, strategicPatchSchema, PatchError } from "./index.js";

/** ssa: applyServerSide with a loosely typed result, for terse assertions. */
const ssa = (...args: Parameters<typeof applyServerSide>) => applyServerSide(...args) as unknown as { object: Obj; created: boolean };

const now = new Date("2026-03-04T05:06:07.890Z");
const later = new Date("2026-03-04T06:00:00.000Z");

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any


const applied = (over: { image?: string; replicas?: number | null; labels?: Record<string, string> | null; containers?: Obj[] } = {}): Obj => {
  const a: Obj = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", labels: over.labels === undefined ? { app: "web" } : over.labels },
    spec: {
      replicas: over.replicas === undefined ? 2 : over.replicas,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: over.containers ?? [{ name: "nginx", image: over.image ?? "nginx:1.27", ports: [{ containerPort: 80 }] }] },
      },
    },
  };
  if (a.metadata.labels === null) delete a.metadata.labels;
  if (a.spec.replicas === null) delete a.spec.replicas;
  return a;
};

test("apply - creates the object when absent, recording the manager's fields", () => {
  const config = applied();
  const before = structuredClone(config);
  const { object, created } = ssa("Deployment", undefined, config, "kubectl", { now });
  assert.equal(created, true);
  assert.deepEqual(config, before, "applied configuration not mutated");
  const { managedFields, ...metadata } = object.metadata as Obj;
  assert.deepEqual({ ...object, metadata }, config);
  assert.deepEqual(managedFields, [{
    manager: "kubectl",
    operation: "Apply",
    apiVersion: "apps/v1",
    time: "2026-03-04T05:06:07Z",
    fieldsType: "FieldsV1",
    fieldsV1: {
      "f:metadata": { "f:labels": { "f:app": {} } },
      "f:spec": {
        "f:replicas": {},
        "f:selector": { "f:matchLabels": { "f:app": {} } },
        "f:template": {
          "f:metadata": { "f:labels": { "f:app": {} } },
          "f:spec": {
            "f:containers": {
              'k:{"name":"nginx"}': { ".": {}, "f:name": {}, "f:image": {}, "f:ports": { 'k:{"containerPort":80}': { ".": {}, "f:containerPort": {} } } },
            },
          },
        },
      },
    },
  }]);
});

/** live: the object after the first apply, plus what the server and other actors added. */
function live(): Obj {
  const { object } = ssa("Deployment", undefined, applied(), "kubectl", { now });
  object.metadata.uid = "u1";
  object.metadata.resourceVersion = "7";
  object.metadata.annotations = { "deployment.kubernetes.io/revision": "1" };
  object.spec.template.spec.containers[0].terminationMessagePath = "/dev/termination-log"; // a default
  object.status = { replicas: 2 };
  return object;
}

test("apply - re-applying the same configuration changes nothing but the time", () => {
  const current = live();
  const { object, created } = ssa("Deployment", current, applied(), "kubectl", { now: later });
  assert.equal(created, false);
  const expected = structuredClone(current);
  expected.metadata.managedFields[0].time = "2026-03-04T06:00:00Z";
  assert.deepEqual(object, expected);
});

test("apply - a changed value is updated; server-set fields and defaults stay", () => {
  const current = live();
  const before = structuredClone(current);
  const { object } = ssa("Deployment", current, applied({ image: "nginx:1.29", replicas: 3 }), "kubectl", { now: later });
  assert.deepEqual(current, before, "live object not mutated");
  assert.equal(object.spec.replicas, 3);
  assert.deepEqual(object.spec.template.spec.containers, [{ name: "nginx", image: "nginx:1.29", ports: [{ containerPort: 80 }], terminationMessagePath: "/dev/termination-log" }]);
  assert.equal(object.metadata.uid, "u1");
  assert.deepEqual(object.metadata.annotations, { "deployment.kubernetes.io/revision": "1" });
  assert.deepEqual(object.status, { replicas: 2 });
});

test("apply - a field the manager applied before and omits now is removed", () => {
  const { object } = ssa("Deployment", live(), applied({ replicas: null, labels: null }), "kubectl", { now: later });
  assert.equal("replicas" in object.spec, false, "spec.replicas removed");
  assert.equal("labels" in object.metadata, false, "metadata.labels removed (left empty)");
  assert.deepEqual(object.metadata.annotations, { "deployment.kubernetes.io/revision": "1" }, "fields nobody applied stay");
  assert.deepEqual(object.metadata.managedFields[0].fieldsV1["f:metadata"], undefined);
  assert.equal(object.metadata.managedFields[0].fieldsV1["f:spec"]["f:replicas"], undefined);
});

test("apply - a keyed list item the manager applied before and omits now is removed; others' items stay", () => {
  let current = live();
  // Another manager applies a second container.
  current = ssa("Deployment", current, {
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" },
    spec: { template: { spec: { containers: [{ name: "sidecar", image: "busybox" }] } } },
  }, "sidecar-injector", { now }).object;
  assert.deepEqual(current.spec.template.spec.containers.map((c: Obj) => c.name), ["nginx", "sidecar"]);
  assert.equal(current.metadata.managedFields.length, 2);

  // kubectl now applies a different container list: nginx is gone, app is new.
  const { object } = ssa("Deployment", current, applied({ containers: [{ name: "app", image: "app:1" }] }), "kubectl", { now: later });
  // Order as structured-merge-diff gives it: the live sidecar keeps its place, the new item comes after.
  assert.deepEqual(object.spec.template.spec.containers, [{ name: "sidecar", image: "busybox" }, { name: "app", image: "app:1" }]);
  assert.deepEqual(object.metadata.managedFields.map((e: Obj) => [e.manager, e.time]), [["kubectl", "2026-03-04T06:00:00Z"], ["sidecar-injector", "2026-03-04T05:06:07Z"]]);
});

test("apply - a field another manager also applied is kept when this manager drops it", () => {
  let current = live();
  current = ssa("Deployment", current, {
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 2 },
  }, "autoscaler", { now }).object;
  const { object } = ssa("Deployment", current, applied({ replicas: null }), "kubectl", { now: later });
  assert.equal(object.spec.replicas, 2, "autoscaler still owns spec.replicas");
  // And when the autoscaler drops it too, nobody owns it and it goes.
  const { object: after } = ssa("Deployment", object, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" } }, "autoscaler", { now: later });
  assert.equal("replicas" in after.spec, false);
});

test("apply - keyed lists take the applied order; set-like lists are tracked by value", () => {
  const base = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", finalizers: ["a/x"] }, spec: { containers: [{ name: "a" }, { name: "b" }] } };
  const { object: created } = ssa("Pod", undefined, base, "m", { now });
  assert.deepEqual(created.metadata.managedFields[0].fieldsV1["f:metadata"], { "f:finalizers": { 'v:"a/x"': {} } });
  const { object } = ssa("Pod", created, { ...base, metadata: { name: "p", finalizers: ["b/y"] }, spec: { containers: [{ name: "b" }, { name: "a" }] } }, "m", { now });
  assert.deepEqual(object.spec.containers, [{ name: "b" }, { name: "a" }]);
  assert.deepEqual(object.metadata.finalizers, ["b/y"], "a/x was applied by m before and is dropped now");
});

test("apply - atomic lists are replaced whole", () => {
  const base = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { tolerations: [{ key: "a" }, { key: "b" }], containers: [{ name: "c", args: ["1", "2"] }] } };
  const { object: created } = ssa("Pod", undefined, base, "m", { now });
  const { object } = ssa("Pod", created, { ...base, spec: { tolerations: [{ key: "b" }], containers: [{ name: "c", args: ["3"] }] } }, "m", { now });
  assert.deepEqual(object.spec, { tolerations: [{ key: "b" }], containers: [{ name: "c", args: ["3"] }] });
});

test("apply - nulls in the configuration are not fields", () => {
  const { object } = ssa("ConfigMap", undefined, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "1", b: null } }, "m", { now });
  assert.deepEqual(object.data, { a: "1" });
  assert.deepEqual(object.metadata.managedFields[0].fieldsV1, { "f:data": { "f:a": {} } });
});

test("apply - bad requests", () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ["no field manager", () => ssa("Deployment", undefined, applied(), ""), /fieldManager: Required value/],
    ["not an object", () => ssa("Deployment", undefined, [applied()], "m"), /must be a JSON object/],
    ["another kind", () => ssa("Pod", undefined, applied(), "m"), /has kind "Deployment", expected "Pod"/],
    ["managedFields set", () => ssa("ConfigMap", undefined, { kind: "ConfigMap", metadata: { name: "c", managedFields: [] } }, "m"), /managedFields must be nil/],
    ["directives", () => ssa("ConfigMap", undefined, { kind: "ConfigMap", metadata: { name: "c" }, data: { $patch: "replace" } }, "m"), /data.\$patch: directives are not allowed/],
  ];
  for (const [name, run, message] of cases) {
    assert.throws(run, (e: unknown) => e instanceof PatchError && e.code === 400 && message.test(e.message), name);
  }
  assert.throws(
    () => ssa("Pod", undefined, { kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ image: "x" }] } }, "m"),
    (e: unknown) => e instanceof PatchError && /spec.containers\[0\]: name: Required value/.test(e.message),
  );
});

test("field sets - difference keeps parents of removed leaves and ignores leaves that became parents", () => {
  const schema = strategicPatchSchema("Pod");
  const a = fieldSetOf({ metadata: { name: "p", labels: { x: "1", y: "2" } }, spec: { nodeName: "n", hostname: "h" } }, schema);
  const b = fieldSetOf({ metadata: { labels: { x: "1" } }, spec: { nodeName: { odd: true } } }, schema);
  assert.deepEqual(fieldSetDifference(a, b), { "f:metadata": { "f:labels": { "f:y": {} } }, "f:spec": { "f:hostname": {} } });
});

test("apply - list order as structured-merge-diff: live items keep their place, applied ones the applied order", () => {
  const pod = (names: string[]) => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: names.map((name) => ({ name })) } });
  const names = (o: Obj) => o.spec.containers.map((c: Obj) => c.name);
  let live = ssa("Pod", undefined, pod(["a", "b"]), "one", { now }).object;
  live = ssa("Pod", live, pod(["x"]), "two", { now }).object;
  assert.deepEqual(names(live), ["a", "b", "x"]);
  live = ssa("Pod", live, pod(["b", "a", "c"]), "one", { now }).object;
  assert.deepEqual(names(live), ["b", "x", "a", "c"], "x stays after b, where it was in the live list");
  live = ssa("Pod", live, pod(["y", "x"]), "two", { now }).object;
  assert.deepEqual(names(live), ["b", "y", "x", "a", "c"], "y goes just before x, as applied");
});
