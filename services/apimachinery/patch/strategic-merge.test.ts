// Strategic merge patch: Kubernetes' own test cases (on a MergeItem-like schema), the
// per-kind table, the patches kubectl sends, errors, and no mutation of inputs.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  applyStrategicMergePatch,
  applyStrategicMergePatchWithSchema,
  strategicPatchSchema,
  fieldPatchMeta,
  PatchError,
  type PatchMeta,
} from "./index.js";

// The schema of Kubernetes' test type MergeItem (strategicpatch/patch_test.go).
const mergeItem: { fields: Record<string, PatchMeta> } = { fields: {} };
Object.assign(mergeItem.fields, {
  mergingList: { strategy: "merge", mergeKey: "name", fields: mergeItem.fields },
  nonMergingList: { fields: mergeItem.fields },
  mergingIntList: { strategy: "merge" },
  nonMergingIntList: {},
  mergeItemPtr: { strategy: "merge", mergeKey: "name", fields: mergeItem.fields },
  replacingItem: { strategy: "replace" },
  retainKeysMap: { retainKeys: true, fields: { mergingIntList: { strategy: "merge" }, mergingList: { strategy: "merge", mergeKey: "name" } } },
  retainKeysMergingList: { strategy: "merge", mergeKey: "name", retainKeys: true },
});

interface Case { name: string; original: unknown; patch: unknown; expected?: unknown; error?: RegExp; code?: 400 | 422 }

function check(c: Case, apply: (doc: unknown, patch: unknown) => unknown): void {
  const originalBefore = structuredClone(c.original);
  const patchBefore = structuredClone(c.patch);
  if (c.error) {
    assert.throws(() => apply(c.original, c.patch), (e: unknown) => {
      assert.ok(e instanceof PatchError, `PatchError expected, got ${String(e)}`);
      assert.match(e.message, c.error!);
      if (c.code) assert.equal(e.code, c.code);
      return true;
    });
  } else {
    assert.deepEqual(apply(c.original, c.patch), c.expected);
  }
  assert.deepEqual(c.original, originalBefore, "original not mutated");
  assert.deepEqual(c.patch, patchBefore, "patch not mutated");
}

const kubernetesCases: Case[] = [
  { name: "unique scalars when merging lists", original: { mergingIntList: [1, 2] }, patch: { mergingIntList: [2, 3] }, expected: { mergingIntList: [1, 2, 3] } },
  { name: "delete map from nested map", original: { simpleMap: { key1: 1, key2: 1 } }, patch: { simpleMap: { $patch: "delete" } }, expected: { simpleMap: {} } },
  { name: "delete all items from merging list", original: { mergingList: [{ name: 1 }, { name: 2 }] }, patch: { mergingList: [{ $patch: "replace" }] }, expected: { mergingList: [] } },
  { name: "merge empty merging lists", original: { mergingList: [] }, patch: { mergingList: [] }, expected: { mergingList: [] } },
  { name: "delete all keys from map", original: { name: 1, value: 1 }, patch: { $patch: "replace" }, expected: {} },
  { name: "add key and delete all keys from map", original: { name: 1, value: 1 }, patch: { other: "a", $patch: "replace" }, expected: { other: "a" } },
  {
    name: "de-duplicate entries in a merging list",
    original: { mergingList: [{ name: 1 }, { name: 1 }, { name: 2, value: "a" }, { name: 3 }, { name: 3 }] },
    patch: { mergingList: [{ name: 1, $patch: "delete" }, { name: 3, $patch: "delete" }] },
    expected: { mergingList: [{ name: 2, value: "a" }] },
  },
  { name: "retainKeys map can add a field when no retainKeys directive present", original: { retainKeysMap: { name: "foo" } }, patch: { retainKeysMap: { value: "bar" } }, expected: { retainKeysMap: { name: "foo", value: "bar" } } },
  { name: "retainKeys map can delete a field when no retainKeys directive present", original: { retainKeysMap: { name: "foo", value: "a" } }, patch: { retainKeysMap: { value: null } }, expected: { retainKeysMap: { name: "foo" } } },
  { name: "retainKeys map merge an empty map", original: { retainKeysMap: { name: "foo", value: "a" } }, patch: { retainKeysMap: {} }, expected: { retainKeysMap: { name: "foo", value: "a" } } },
  {
    name: "retainKeys list can change a field when no retainKeys directive present",
    original: { retainKeysMergingList: [{ name: "bar" }, { name: "foo", value: "a" }] },
    patch: { retainKeysMergingList: [{ name: "foo", value: "b" }] },
    expected: { retainKeysMergingList: [{ name: "bar" }, { name: "foo", value: "b" }] },
  },
  {
    name: "preserve the order from the patch in a merging list",
    original: { mergingList: [{ name: 1 }, { name: 2, value: "b" }, { name: 3 }] },
    patch: { mergingList: [{ name: 3, value: "c" }, { name: 1, value: "a" }, { name: 2, other: "x" }] },
    expected: { mergingList: [{ name: 3, value: "c" }, { name: 1, value: "a" }, { name: 2, value: "b", other: "x" }] },
  },
  {
    name: "preserve the order from the patch in a merging list 2",
    original: { mergingList: [{ name: 1 }, { name: 2, value: "b" }, { name: 3 }] },
    patch: { mergingList: [{ name: 3, value: "c" }, { name: 1, value: "a" }] },
    expected: { mergingList: [{ name: 2, value: "b" }, { name: 3, value: "c" }, { name: 1, value: "a" }] },
  },
  { name: "preserve the order from the patch in a merging int list", original: { mergingIntList: [1, 2, 3] }, patch: { mergingIntList: [3, 1, 2] }, expected: { mergingIntList: [3, 1, 2] } },
  { name: "preserve the order from the patch in a merging int list 2", original: { mergingIntList: [1, 2, 3] }, patch: { mergingIntList: [3, 1] }, expected: { mergingIntList: [2, 3, 1] } },
  {
    name: "$setElementOrder contains item that is not present in the list to be merged",
    original: { mergingList: [{ name: 1 }, { name: 3 }] },
    patch: { "$setElementOrder/mergingList": [{ name: 3 }, { name: 2 }, { name: 1 }], mergingList: [{ name: 3, value: 3 }, { name: 1, value: 1 }] },
    expected: { mergingList: [{ name: 3, value: 3 }, { name: 1, value: 1 }] },
  },
  {
    name: "$setElementOrder contains item that is not present in the int list to be merged",
    original: { mergingIntList: [1, 3] },
    patch: { "$setElementOrder/mergingIntList": [3, 2, 1] },
    expected: { mergingIntList: [3, 1] },
  },
  {
    name: "should check if order in $setElementOrder and patch list match",
    original: { mergingList: [{ name: 1 }, { name: 3 }, { name: 2 }] },
    patch: { "$setElementOrder/mergingList": [{ name: 1 }, { name: 2 }, { name: 3 }], mergingList: [{ name: 3, value: 3 }, { name: 1, value: 1 }] },
    error: /doesn't match/,
  },
  {
    name: "should check if order in $setElementOrder and int patch list match",
    original: { mergingIntList: [1, 3, 2] },
    patch: { "$setElementOrder/mergingIntList": [1, 2, 3], mergingIntList: [3, 1] },
    error: /doesn't match/,
  },
  { name: "missing merge key should error out", original: { mergingList: [{ name: 1, value: "a" }] }, patch: { mergingList: [{ value: "b" }] }, error: /map: map\[value:b\] does not contain declared merge key: name/, code: 422 },
  { name: "add field and delete field from map", original: { name: 1, other: "a" }, patch: { name: null, value: 1 }, expected: { value: 1, other: "a" } },
  { name: "delete field from nested map", original: { simpleMap: { key1: 1, key2: 1, other: "a" } }, patch: { simpleMap: { key2: null } }, expected: { simpleMap: { key1: 1, other: "a" } } },
  { name: "replace list of scalars", original: { nonMergingIntList: [1, 2] }, patch: { nonMergingIntList: [2, 3] }, expected: { nonMergingIntList: [2, 3] } },
  {
    name: "delete all maps from merging list",
    original: { mergingList: [{ name: 1, other: "a" }, { name: 2, other: "b" }] },
    patch: { mergingList: [{ name: 1, $patch: "delete" }, { name: 2, $patch: "delete" }] },
    expected: { mergingList: [] },
  },
  { name: "delete all maps from an empty merging list", original: { mergingList: [] }, patch: { mergingList: [{ name: 1, $patch: "delete" }] }, expected: { mergingList: [] } },
  { name: "defined null values are dropped, not stored", original: { name: "a", other: "a" }, patch: { name: 1, value: 1, other: null, missing: null }, expected: { name: 1, value: 1 } },
  {
    name: "delete items in lists of scalars",
    original: { mergingIntList: [1, 2, 3, 4] },
    patch: { "$setElementOrder/mergingIntList": [1, 2], "$deleteFromPrimitiveList/mergingIntList": [3] },
    expected: { mergingIntList: [1, 2, 4] },
  },
  {
    name: "delete all duplicate items in lists of scalars",
    original: { mergingIntList: [1, 2, 3, 3, 4] },
    patch: { "$setElementOrder/mergingIntList": [1, 2], "$deleteFromPrimitiveList/mergingIntList": [3] },
    expected: { mergingIntList: [1, 2, 4] },
  },
  {
    name: "add and delete items in lists of scalars",
    original: { mergingIntList: [1, 2, 3] },
    patch: { "$setElementOrder/mergingIntList": [1, 2, 4], "$deleteFromPrimitiveList/mergingIntList": [3], mergingIntList: [4] },
    expected: { mergingIntList: [1, 2, 4] },
  },
  {
    name: "merge lists of maps (setElementOrder puts new items first and last)",
    original: { mergingList: [{ name: 1, other: "a" }, { name: 2, value: 2, other: "b" }] },
    patch: { "$setElementOrder/mergingList": [{ name: 4 }, { name: 1 }, { name: 2 }, { name: 3 }], mergingList: [{ name: 4, value: 4 }, { name: 3, value: 3 }] },
    expected: { mergingList: [{ name: 4, value: 4 }, { name: 1, other: "a" }, { name: 2, value: 2, other: "b" }, { name: 3, value: 3 }] },
  },
  {
    name: "add field to map in merging list",
    original: { mergingList: [{ name: 1, other: "a" }, { name: 2, value: 2, other: "b" }] },
    patch: { "$setElementOrder/mergingList": [{ name: 1 }, { name: 2 }], mergingList: [{ name: 1, value: 1 }] },
    expected: { mergingList: [{ name: 1, value: 1, other: "a" }, { name: 2, value: 2, other: "b" }] },
  },
];

for (const c of kubernetesCases) test(`strategic merge - kubernetes case: ${c.name}`, () => check(c, (d, p) => applyStrategicMergePatchWithSchema(mergeItem, d, p)));

const directiveCases: Case[] = [
  {
    name: "setElementOrder reorders existing items without changing them",
    original: { mergingList: [{ name: "a", value: 1 }, { name: "b" }, { name: "c" }] },
    patch: { "$setElementOrder/mergingList": [{ name: "c" }, { name: "a" }, { name: "b" }] },
    expected: { mergingList: [{ name: "c" }, { name: "a", value: 1 }, { name: "b" }] },
  },
  {
    name: "setElementOrder keeps server-only items in live order among the listed ones",
    original: { mergingList: [{ name: "a" }, { name: "x" }, { name: "b" }, { name: "y" }] },
    patch: { "$setElementOrder/mergingList": [{ name: "b" }, { name: "a" }] },
    expected: { mergingList: [{ name: "x" }, { name: "b" }, { name: "a" }, { name: "y" }] },
  },
  {
    name: "setElementOrder with a deletion",
    original: { mergingList: [{ name: "a" }, { name: "b" }, { name: "c" }] },
    patch: { "$setElementOrder/mergingList": [{ name: "c" }, { name: "a" }], mergingList: [{ name: "b", $patch: "delete" }] },
    expected: { mergingList: [{ name: "c" }, { name: "a" }] },
  },
  {
    name: "setElementOrder for a list the live object lacks",
    original: {},
    patch: { "$setElementOrder/mergingList": [{ name: "b" }, { name: "a" }], mergingList: [{ name: "b", value: null }, { name: "a" }] },
    expected: { mergingList: [{ name: "b" }, { name: "a" }] },
  },
  { name: "setElementOrder for a list neither side has is ignored", original: { a: 1 }, patch: { "$setElementOrder/mergingList": [{ name: "b" }] }, expected: { a: 1 } },
  { name: "setElementOrder that is not a list", original: {}, patch: { "$setElementOrder/mergingList": { name: "b" } }, error: /invalid patch format of setElementOrder list/, code: 400 },
  { name: "setElementOrder item without the merge key", original: { mergingList: [{ name: "a" }] }, patch: { "$setElementOrder/mergingList": [{ value: "a" }] }, error: /does not contain declared merge key: name/ },
  {
    name: "retainKeys clears live members it does not list",
    original: { retainKeysMap: { name: "foo", value: "a", other: "b", simpleMap: { k: "v" } } },
    patch: { retainKeysMap: { $retainKeys: ["name", "other"], other: "c" } },
    expected: { retainKeysMap: { name: "foo", other: "c" } },
  },
  {
    name: "retainKeys in a merging list item (volumes switching source)",
    original: { retainKeysMergingList: [{ name: "v", value: "emptyDir" }, { name: "w", value: "x" }] },
    patch: { retainKeysMergingList: [{ name: "v", $retainKeys: ["name", "other"], other: "hostPath" }] },
    expected: { retainKeysMergingList: [{ name: "v", other: "hostPath" }, { name: "w", value: "x" }] },
  },
  { name: "retainKeys must list every member the patch sets", original: { retainKeysMap: { name: "a" } }, patch: { retainKeysMap: { $retainKeys: ["name"], value: "x" } }, error: /invalid patch format of retainKeys/, code: 400 },
  { name: "retainKeys may omit members the patch deletes", original: { retainKeysMap: { name: "a", value: "b" } }, patch: { retainKeysMap: { $retainKeys: ["name"], value: null } }, expected: { retainKeysMap: { name: "a" } } },
  { name: "retainKeys that is not a list", original: {}, patch: { $retainKeys: "name" }, error: /invalid patch format of retainKeys/, code: 400 },
  { name: "$patch: replace on a nested map", original: { simpleMap: { a: "1", b: "2" } }, patch: { simpleMap: { $patch: "replace", c: "3" } }, expected: { simpleMap: { c: "3" } } },
  { name: "$patch: merge on a map merges as usual", original: { simpleMap: { a: "1" } }, patch: { simpleMap: { $patch: "merge", b: "2" } }, expected: { simpleMap: { a: "1", b: "2" } } },
  { name: "unknown $patch value on a map", original: {}, patch: { simpleMap: { $patch: "frobnicate" } }, error: /unknown patch type: frobnicate in map: map\[\$patch:frobnicate\]/, code: 422 },
  { name: "unknown $patch value in a list", original: { mergingList: [] }, patch: { mergingList: [{ name: "a", $patch: "nope" }] }, error: /unknown patch type: nope/ },
  { name: "$patch: delete list item without the merge key", original: { mergingList: [{ name: "a" }] }, patch: { mergingList: [{ $patch: "delete" }] }, error: /map: map\[\$patch:delete\] does not contain declared merge key: name/ },
  {
    name: "$patch: replace in a merging list replaces it with the other items",
    original: { mergingList: [{ name: "a", value: 1 }, { name: "b" }] },
    patch: { mergingList: [{ name: "c", value: null, other: "x" }, { $patch: "replace" }] },
    expected: { mergingList: [{ name: "c", other: "x" }] },
  },
  { name: "replace strategy on a map field", original: { replacingItem: { a: 1, b: 2 } }, patch: { replacingItem: { c: 3 } }, expected: { replacingItem: { c: 3 } } },
  { name: "deleteFromPrimitiveList without anything to delete", original: { mergingIntList: [1] }, patch: { "$deleteFromPrimitiveList/mergingIntList": [5] }, expected: { mergingIntList: [1] } },
  { name: "deleteFromPrimitiveList for a list the live object lacks", original: {}, patch: { "$deleteFromPrimitiveList/mergingIntList": [5] }, expected: {} },
  { name: "deleteFromPrimitiveList that is not a list", original: {}, patch: { "$deleteFromPrimitiveList/mergingIntList": 5 }, error: /invalid patch format of primitive list/, code: 400 },
  { name: "merging list items of different types", original: { mergingList: [{ name: "a" }] }, patch: { mergingList: ["a"] }, error: /list element types are not identical/ },
  { name: "lists of lists cannot merge", original: { mergingIntList: [[1]] }, patch: { mergingIntList: [[2]] }, error: /lists of lists are not supported/ },
  { name: "a value of another type replaces the live one", original: { simpleMap: "x", mergingList: { a: 1 } }, patch: { simpleMap: { a: "b" }, mergingList: [{ name: "n" }] }, expected: { simpleMap: { a: "b" }, mergingList: [{ name: "n" }] } },
  {
    name: "nested merge keys inside a merging list (a new item goes after the patch item before it)",
    original: { mergingList: [{ name: "a", mergingList: [{ name: "x", value: 1 }, { name: "y" }] }] },
    patch: { mergingList: [{ name: "a", mergingList: [{ name: "x", value: 2 }, { name: "z" }] }] },
    expected: { mergingList: [{ name: "a", mergingList: [{ name: "x", value: 2 }, { name: "z" }, { name: "y" }] }] },
  },
  {
    name: "directives inside a value new to the live object are processed, not stored",
    original: {},
    patch: { simpleMap: { a: null, b: "1" }, mergingList: [{ name: "a", simpleMap: { $patch: "replace", k: "v" } }, { name: "b", $patch: "delete" }] },
    expected: { simpleMap: { b: "1" }, mergingList: [{ name: "a", simpleMap: { k: "v" } }] },
  },
  { name: "a patch that is not an object", original: {}, patch: ["x"], error: /invalid JSON document/, code: 400 },
  { name: "a document that is not an object", original: [1], patch: {}, error: /cannot apply a strategic merge patch to a JSON array/ },
];

for (const c of directiveCases) test(`strategic merge - ${c.name}`, () => check(c, (d, p) => applyStrategicMergePatchWithSchema(mergeItem, d, p)));

// ---- the table and real kubectl patches ---------------------------------------------------

const deployment = () => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default", labels: { app: "web" }, finalizers: ["a/x"], annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: {
        containers: [
          {
            name: "nginx",
            image: "nginx:1.27",
            ports: [{ containerPort: 80, protocol: "TCP" }, { containerPort: 443, protocol: "TCP" }],
            env: [{ name: "A", value: "1" }, { name: "B", value: "2" }],
            volumeMounts: [{ name: "data", mountPath: "/data" }],
            args: ["--a", "--b"],
          },
          { name: "sidecar", image: "busybox" },
        ],
        volumes: [{ name: "data", emptyDir: {} }],
        tolerations: [{ key: "k1", operator: "Exists" }, { key: "k2", operator: "Exists" }],
      },
    },
  },
  status: { conditions: [{ type: "Available", status: "True" }, { type: "Progressing", status: "True" }] },
});

type Deployment = ReturnType<typeof deployment>;
const edit = (f: (d: Deployment) => void): Deployment => {
  const d = deployment();
  f(d);
  return d;
};

const kubectlCases: Case[] = [
  {
    name: "kubectl apply: new image with $setElementOrder keeps the sidecar",
    original: deployment(),
    patch: { spec: { template: { spec: { "$setElementOrder/containers": [{ name: "nginx" }], containers: [{ image: "nginx:1.29", name: "nginx" }] } } } },
    expected: edit((d) => { d.spec.template.spec.containers[0]!.image = "nginx:1.29"; }),
  },
  {
    name: "kubectl rollout restart: adds a template annotation",
    original: deployment(),
    patch: { spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "2026-01-02T03:04:05Z" } } } } },
    expected: edit((d) => { (d.spec.template.metadata as Record<string, unknown>).annotations = { "kubectl.kubernetes.io/restartedAt": "2026-01-02T03:04:05Z" }; }),
  },
  {
    name: "kubectl apply: last-applied annotation updated and removed fields set to null",
    original: deployment(),
    patch: { metadata: { annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{\"new\":true}\n" }, labels: null }, spec: { replicas: null, template: { spec: { volumes: null } } } },
    expected: edit((d) => {
      d.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"] = "{\"new\":true}\n";
      delete (d.metadata as Partial<Deployment["metadata"]>).labels;
      delete (d.spec as Partial<Deployment["spec"]>).replicas;
      delete (d.spec.template.spec as Partial<Deployment["spec"]["template"]["spec"]>).volumes;
    }),
  },
  {
    name: "kubectl apply: container removed with $patch delete and order given",
    original: deployment(),
    patch: { spec: { template: { spec: { "$setElementOrder/containers": [{ name: "nginx" }], containers: [{ $patch: "delete", name: "sidecar" }] } } } },
    expected: edit((d) => { d.spec.template.spec.containers.splice(1, 1); }),
  },
  {
    name: "nested merge keys: a port and an env var changed inside a container",
    original: deployment(),
    patch: { spec: { template: { spec: { containers: [{ name: "nginx", ports: [{ containerPort: 8080 }], env: [{ name: "B", value: "3" }, { name: "A", $patch: "delete" }] }] } } } },
    expected: edit((d) => {
      const c = d.spec.template.spec.containers[0]!;
      c.ports = [{ containerPort: 8080 } as { containerPort: number; protocol: string }, { containerPort: 80, protocol: "TCP" }, { containerPort: 443, protocol: "TCP" }];
      c.env = [{ name: "B", value: "3" }];
    }),
  },
  {
    name: "a new container goes first (Kubernetes' order without $setElementOrder)",
    original: deployment(),
    patch: { spec: { template: { spec: { containers: [{ name: "init", image: "alpine" }] } } } },
    expected: edit((d) => { d.spec.template.spec.containers.unshift({ name: "init", image: "alpine" } as never); }),
  },
  {
    name: "args and tolerations have no merge strategy: replaced",
    original: deployment(),
    patch: { spec: { template: { spec: { containers: [{ name: "nginx", args: ["--c"] }], tolerations: [{ key: "k2", operator: "Exists" }] } } } },
    expected: edit((d) => {
      d.spec.template.spec.containers[0]!.args = ["--c"];
      d.spec.template.spec.tolerations = [{ key: "k2", operator: "Exists" }];
    }),
  },
  {
    name: "volumes merge by name; volumeMounts by mountPath",
    original: deployment(),
    patch: { spec: { template: { spec: { volumes: [{ name: "cfg", configMap: { name: "c" } }], containers: [{ name: "nginx", volumeMounts: [{ name: "cfg", mountPath: "/etc/cfg" }] }] } } } },
    expected: edit((d) => {
      (d.spec.template.spec.volumes as unknown[]).unshift({ name: "cfg", configMap: { name: "c" } });
      (d.spec.template.spec.containers[0]!.volumeMounts as unknown[]).unshift({ name: "cfg", mountPath: "/etc/cfg" });
    }),
  },
  {
    name: "finalizers: set union, and deleteFromPrimitiveList",
    original: deployment(),
    patch: { metadata: { finalizers: ["a/x", "b/y"], "$deleteFromPrimitiveList/finalizers": ["a/x"] } },
    expected: edit((d) => { d.metadata.finalizers = ["b/y"]; }),
  },
  {
    name: "status conditions merge by type",
    original: deployment(),
    patch: { status: { conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }] } },
    expected: edit((d) => { d.status.conditions[1] = { type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" } as never; }),
  },
];

for (const c of kubectlCases) test(`strategic merge - Deployment: ${c.name}`, () => check(c, (d, p) => applyStrategicMergePatch("Deployment", d, p)));

test("strategic merge - StatefulSet rollback: $patch replace on the template", () => {
  const sts = {
    kind: "StatefulSet",
    metadata: { name: "db" },
    spec: {
      replicas: 3,
      template: { metadata: { labels: { app: "db" }, annotations: { x: "y" } }, spec: { containers: [{ name: "db", image: "pg:17", env: [{ name: "A", value: "1" }] }], terminationGracePeriodSeconds: 5 } },
    },
  };
  const data = { spec: { template: { $patch: "replace", metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "db", image: "pg:16" }] } } } };
  check({
    name: "rollback",
    original: sts,
    patch: data,
    expected: { ...sts, spec: { replicas: 3, template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "db", image: "pg:16" }] } } } },
  }, (d, p) => applyStrategicMergePatch("StatefulSet", d, p));
});

test("strategic merge - the table covers every kind's merge lists", () => {
  const meta = (kind: string, path: string): PatchMeta => path.split(".").reduce((m, k) => fieldPatchMeta(m, k), strategicPatchSchema(kind));
  const expectations: Array<[string, string, string | undefined]> = [
    ["Pod", "spec.containers", "name"],
    ["Pod", "spec.initContainers", "name"],
    ["Pod", "spec.ephemeralContainers", "name"],
    ["Pod", "spec.containers.ports", "containerPort"],
    ["Pod", "spec.containers.env", "name"],
    ["Pod", "spec.containers.volumeMounts", "mountPath"],
    ["Pod", "spec.containers.volumeDevices", "devicePath"],
    ["Pod", "spec.volumes", "name"],
    ["Pod", "spec.imagePullSecrets", "name"],
    ["Pod", "spec.hostAliases", "ip"],
    ["Pod", "spec.topologySpreadConstraints", "topologyKey"],
    ["Pod", "spec.resourceClaims", "name"],
    ["Pod", "status.conditions", "type"],
    ["Pod", "status.podIPs", "ip"],
    ["Pod", "metadata.ownerReferences", "uid"],
    ["PodTemplate", "template.spec.containers", "name"],
    ["Deployment", "spec.template.spec.containers.env", "name"],
    ["Deployment", "spec.template.metadata.ownerReferences", "uid"],
    ["ReplicaSet", "spec.template.spec.initContainers", "name"],
    ["StatefulSet", "spec.template.spec.volumes", "name"],
    ["Deployment", "status.conditions", "type"],
    ["ReplicaSet", "status.conditions", "type"],
    ["StatefulSet", "status.conditions", "type"],
    ["Node", "status.conditions", "type"],
    ["Node", "status.addresses", "type"],
    ["Service", "spec.ports", "port"],
    ["Service", "status.conditions", "type"],
    ["PersistentVolumeClaim", "status.conditions", "type"],
    ["Namespace", "status.conditions", "type"],
    ["Lease", "metadata.ownerReferences", "uid"],
    ["Event", "metadata.ownerReferences", "uid"],
    ["SomeCustomKind", "metadata.ownerReferences", "uid"],
  ];
  for (const [kind, path, key] of expectations) {
    const m = meta(kind, path);
    assert.equal(m.strategy, "merge", `${kind} ${path} merges`);
    assert.equal(m.mergeKey, key, `${kind} ${path} merge key`);
  }
  for (const [kind, path] of [["Pod", "metadata.finalizers"], ["Node", "spec.podCIDRs"], ["ControllerRevision", "metadata.finalizers"]] as const) {
    assert.deepEqual([meta(kind, path).strategy, meta(kind, path).mergeKey], ["merge", undefined], `${kind} ${path} is a set`);
  }
  for (const [kind, path] of [
    ["Pod", "spec.tolerations"], ["Pod", "spec.containers.envFrom"], ["Pod", "spec.containers.args"], ["Pod", "status.containerStatuses"],
    ["Node", "spec.taints"], ["Endpoints", "subsets"], ["Namespace", "spec.finalizers"], ["StatefulSet", "spec.volumeClaimTemplates"],
    ["Service", "spec.externalIPs"], ["PersistentVolumeClaim", "spec.accessModes"],
  ] as const) {
    assert.equal(meta(kind, path).strategy, undefined, `${kind} ${path} is replaced`);
  }
  assert.equal(meta("Pod", "spec.volumes").retainKeys, true);
  assert.equal(meta("Deployment", "spec.strategy").retainKeys, true);
});

test("strategic merge - Node addresses by type, taints replaced, podCIDRs a set (new values first, as Kubernetes)", () => {
  const node = { kind: "Node", metadata: { name: "n" }, spec: { podCIDRs: ["10.0.0.0/24"], taints: [{ key: "a", effect: "NoSchedule" }, { key: "b", effect: "NoSchedule" }] }, status: { addresses: [{ type: "InternalIP", address: "10.1.1.1" }, { type: "Hostname", address: "n" }] } };
  const out = applyStrategicMergePatch("Node", node, {
    spec: { podCIDRs: ["fd00::/64"], taints: [{ key: "b", effect: "NoSchedule" }] },
    status: { addresses: [{ type: "InternalIP", address: "10.1.1.2" }] },
  });
  assert.deepEqual(out, {
    kind: "Node", metadata: { name: "n" },
    spec: { podCIDRs: ["fd00::/64", "10.0.0.0/24"], taints: [{ key: "b", effect: "NoSchedule" }] },
    status: { addresses: [{ type: "InternalIP", address: "10.1.1.2" }, { type: "Hostname", address: "n" }] },
  });
});

test("strategic merge - Service ports merge by port; Endpoints subsets are replaced", () => {
  const svc = { kind: "Service", spec: { ports: [{ name: "http", port: 80, targetPort: 8080 }, { name: "https", port: 443 }] } };
  assert.deepEqual(applyStrategicMergePatch("Service", svc, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }), {
    kind: "Service", spec: { ports: [{ name: "http", port: 80, targetPort: 9090 }, { name: "https", port: 443 }] },
  });
  const ep = { kind: "Endpoints", subsets: [{ addresses: [{ ip: "1.1.1.1" }] }, { addresses: [{ ip: "2.2.2.2" }] }] };
  assert.deepEqual(applyStrategicMergePatch("Endpoints", ep, { subsets: [{ addresses: [{ ip: "3.3.3.3" }] }] }), { kind: "Endpoints", subsets: [{ addresses: [{ ip: "3.3.3.3" }] }] });
});

test("strategic merge - ownerReferences merge by uid", () => {
  const rs = { kind: "ReplicaSet", metadata: { ownerReferences: [{ uid: "u1", name: "d1", controller: true }] } };
  assert.deepEqual(applyStrategicMergePatch("ReplicaSet", rs, { metadata: { ownerReferences: [{ uid: "u1", controller: null }, { uid: "u2", name: "d2" }] } }), {
    kind: "ReplicaSet", metadata: { ownerReferences: [{ uid: "u1", name: "d1" }, { uid: "u2", name: "d2" }] },
  });
});

test("strategic merge - unknown kind: a merge patch that still honours directives", () => {
  const doc = { spec: { items: [{ id: "a", v: 1 }, { id: "b", v: 2 }], tags: ["x"], m: { k: 1 } } };
  // No directive: lists are replaced, maps merge, null deletes.
  assert.deepEqual(applyStrategicMergePatch("Widget", doc, { spec: { items: [{ id: "c" }], tags: ["y"], m: { k: null, j: 2 } } }), { spec: { items: [{ id: "c" }], tags: ["y"], m: { j: 2 } } });
  // $setElementOrder names the merge key; a deletion item names it too.
  assert.deepEqual(applyStrategicMergePatch("Widget", doc, { spec: { "$setElementOrder/items": [{ id: "b" }, { id: "a" }], items: [{ id: "a", v: 9 }] } }), { spec: { items: [{ id: "b", v: 2 }, { id: "a", v: 9 }], tags: ["x"], m: { k: 1 } } });
  assert.deepEqual(applyStrategicMergePatch("Widget", doc, { spec: { items: [{ id: "a", $patch: "delete" }] } }), { spec: { items: [{ id: "b", v: 2 }], tags: ["x"], m: { k: 1 } } });
  assert.deepEqual(applyStrategicMergePatch("Widget", doc, { spec: { "$deleteFromPrimitiveList/tags": ["x"], $retainKeys: ["tags"] } }), { spec: { tags: [] } });
  assert.deepEqual(applyStrategicMergePatch("Widget", doc, { spec: { $patch: "replace", z: 1 } }), { spec: { z: 1 } });
});

test("strategic merge - the result shares no objects with the inputs", () => {
  const live = deployment();
  const patch = { spec: { template: { spec: { containers: [{ name: "new", ports: [{ containerPort: 1 }] }] } } } };
  const out = applyStrategicMergePatch("Deployment", live, patch) as Deployment;
  out.spec.template.spec.containers[0]!.ports!.push({ containerPort: 2, protocol: "TCP" });
  out.spec.template.spec.containers[1]!.env!.push({ name: "C", value: "3" });
  out.metadata.labels.app = "changed";
  assert.deepEqual(live, deployment());
  assert.deepEqual(patch.spec.template.spec.containers[0]!.ports, [{ containerPort: 1 }]);
});

test("strategic merge - a __proto__ key is plain data and pollutes nothing", () => {
  const patch = JSON.parse('{"metadata":{"labels":{"__proto__":{"polluted":"yes"}}}}');
  const out = applyStrategicMergePatch("Pod", { metadata: { labels: {} } }, patch) as { metadata: { labels: Record<string, unknown> } };
  assert.deepEqual(Object.keys(out.metadata.labels), ["__proto__"]);
  assert.equal(Object.getPrototypeOf(out.metadata.labels), Object.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test("strategic merge - a patch nested too deeply is a bad request, not a crash", () => {
  let patch: Record<string, unknown> = {};
  const root = patch;
  for (let i = 0; i < 100_000; i++) { const next = {}; patch.a = next; patch = next; }
  assert.throws(() => applyStrategicMergePatch("Pod", {}, root), (e: unknown) => e instanceof PatchError && e.code === 400);
});
