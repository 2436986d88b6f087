import { test } from "node:test";
import assert from "node:assert/strict";
import { classifyOwners, decideDependent, decideOwner, needsAttention, ownerStateOf, policyFromFinalizers, type GcAction, type GcObject, type OwnerReference, type OwnerState } from "./decide.js";

const DELETING = "2024-01-01T00:00:00Z";

function ref(uid: string, extra: Partial<OwnerReference> = {}): OwnerReference {
  return { apiVersion: "v1", kind: "ConfigMap", name: `owner-${uid}`, uid, ...extra };
}

function obj(name: string, meta: Partial<GcObject["metadata"]> = {}): GcObject {
  return { kind: "ConfigMap", metadata: { name, namespace: "ns", uid: `uid-${name}`, resourceVersion: "7", ...meta } };
}

const target = (name: string) => ({ kind: "ConfigMap", namespace: "ns", name, uid: `uid-${name}` });
const states = (entries: Record<string, OwnerState>) => new Map(Object.entries(entries));

test("decideDependent - table", () => {
  const cases: Array<{ name: string; object: GcObject; owners: Record<string, OwnerState>; hasDependents?: boolean; want: GcAction[] }> = [
    { name: "no ownerReferences: nothing", object: obj("a"), owners: {}, want: [] },
    { name: "owner exists: nothing", object: obj("a", { ownerReferences: [ref("o1")] }), owners: { o1: "solid" }, want: [] },
    { name: "owner of unknown state counts as solid", object: obj("a", { ownerReferences: [ref("o1")] }), owners: {}, want: [] },
    {
      name: "only owner absent: background delete with the cached resourceVersion",
      object: obj("a", { ownerReferences: [ref("o1")] }),
      owners: { o1: "absent" },
      want: [{ type: "delete", target: target("a"), propagationPolicy: "Background", resourceVersion: "7" }],
    },
    {
      name: "all owners absent: one delete",
      object: obj("a", { ownerReferences: [ref("o1"), ref("o2")] }),
      owners: { o1: "absent", o2: "absent" },
      want: [{ type: "delete", target: target("a"), propagationPolicy: "Background", resourceVersion: "7" }],
    },
    {
      name: "one of two owners absent: the dangling reference is removed",
      object: obj("a", { ownerReferences: [ref("o1"), ref("o2")] }),
      owners: { o1: "absent", o2: "solid" },
      want: [{ type: "removeOwnerReferences", target: target("a"), ownerUids: ["o1"] }],
    },
    {
      name: "solid owner plus an owner deleting in foreground: the waiting reference is removed",
      object: obj("a", { ownerReferences: [ref("o1"), ref("o2"), ref("o3")] }),
      owners: { o1: "waiting", o2: "solid", o3: "absent" },
      want: [{ type: "removeOwnerReferences", target: target("a"), ownerUids: ["o3", "o1"] }],
    },
    {
      name: "owner waiting, dependent without dependents: background delete",
      object: obj("a", { ownerReferences: [ref("o1", { blockOwnerDeletion: true })] }),
      owners: { o1: "waiting" },
      want: [{ type: "delete", target: target("a"), propagationPolicy: "Background", resourceVersion: "7" }],
    },
    {
      name: "owner waiting, dependent with dependents: foreground delete (the chain waits)",
      object: obj("a", { ownerReferences: [ref("o1", { blockOwnerDeletion: true })] }),
      owners: { o1: "waiting" },
      hasDependents: true,
      want: [{ type: "delete", target: target("a"), propagationPolicy: "Foreground", resourceVersion: "7" }],
    },
    {
      name: "owner absent, dependent with dependents: background (not foreground)",
      object: obj("a", { ownerReferences: [ref("o1")] }),
      owners: { o1: "absent" },
      hasDependents: true,
      want: [{ type: "delete", target: target("a"), propagationPolicy: "Background", resourceVersion: "7" }],
    },
    {
      name: "owner absent, dependent carries the orphan finalizer: deleted with Orphan",
      object: obj("a", { ownerReferences: [ref("o1")], finalizers: ["orphan"] }),
      owners: { o1: "absent" },
      want: [{ type: "delete", target: target("a"), propagationPolicy: "Orphan", resourceVersion: "7" }],
    },
    {
      name: "dependent already being deleted: nothing (its own finalizers drive it)",
      object: obj("a", { ownerReferences: [ref("o1")], deletionTimestamp: DELETING }),
      owners: { o1: "absent" },
      want: [],
    },
    {
      name: "no resourceVersion: delete without precondition",
      object: obj("a", { ownerReferences: [ref("o1")], resourceVersion: undefined }),
      owners: { o1: "absent" },
      want: [{ type: "delete", target: target("a"), propagationPolicy: "Background" }],
    },
  ];
  for (const c of cases) assert.deepEqual(decideDependent(c.object, states(c.owners), c.hasDependents ?? false), c.want, c.name);
});

test("decideOwner - table", () => {
  const owner = (meta: Partial<GcObject["metadata"]>) => obj("owner", meta);
  const dep = (name: string, refs: OwnerReference[], meta: Partial<GcObject["metadata"]> = {}) => ({ key: `/configmaps/ns/${name}`, object: obj(name, { ownerReferences: refs, ...meta }) });
  const blocking = ref("uid-owner", { blockOwnerDeletion: true });
  const nonBlocking = ref("uid-owner");
  const cases: Array<{ name: string; owner: GcObject; deps: ReturnType<typeof dep>[]; want: GcAction[] }> = [
    { name: "not being deleted: nothing", owner: owner({ finalizers: ["foregroundDeletion"] }), deps: [dep("d1", [blocking])], want: [] },
    { name: "being deleted without GC finalizers: nothing", owner: owner({ deletionTimestamp: DELETING, finalizers: ["example.com/x"] }), deps: [dep("d1", [blocking])], want: [] },
    {
      name: "foreground, no dependents: finalizer removed",
      owner: owner({ deletionTimestamp: DELETING, finalizers: ["foregroundDeletion"] }),
      deps: [],
      want: [{ type: "removeFinalizer", target: target("owner"), finalizer: "foregroundDeletion" }],
    },
    {
      name: "foreground, blocking dependents: they are looked at again, finalizer stays",
      owner: owner({ deletionTimestamp: DELETING, finalizers: ["foregroundDeletion"] }),
      deps: [dep("d1", [blocking]), dep("d2", [nonBlocking])],
      want: [{ type: "enqueue", keys: ["/configmaps/ns/d1", "/configmaps/ns/d2"] }],
    },
    {
      name: "foreground, blocking dependent being deleted still blocks",
      owner: owner({ deletionTimestamp: DELETING, finalizers: ["foregroundDeletion"] }),
      deps: [dep("d1", [blocking], { deletionTimestamp: DELETING, finalizers: ["example.com/slow"] })],
      want: [],
    },
    {
      name: "foreground, only non-blocking dependents: finalizer removed (they go in the background)",
      owner: owner({ deletionTimestamp: DELETING, finalizers: ["foregroundDeletion"] }),
      deps: [dep("d1", [nonBlocking]), dep("d2", [ref("uid-owner", { blockOwnerDeletion: false })])],
      want: [{ type: "removeFinalizer", target: target("owner"), finalizer: "foregroundDeletion" }],
    },
    {
      name: "foreground, a listed dependent that no longer references the owner is ignored",
      owner: owner({ deletionTimestamp: DELETING, finalizers: ["foregroundDeletion"] }),
      deps: [dep("d1", [ref("someone-else", { blockOwnerDeletion: true })])],
      want: [{ type: "removeFinalizer", target: target("owner"), finalizer: "foregroundDeletion" }],
    },
    {
      name: "orphan: references removed from every dependent, then the finalizer",
      owner: owner({ deletionTimestamp: DELETING, finalizers: ["orphan"] }),
      deps: [dep("d1", [blocking]), dep("d2", [nonBlocking, ref("other")])],
      want: [
        { type: "removeOwnerReferences", target: target("d1"), ownerUids: ["uid-owner"] },
        { type: "removeOwnerReferences", target: target("d2"), ownerUids: ["uid-owner"] },
        { type: "removeFinalizer", target: target("owner"), finalizer: "orphan" },
      ],
    },
    {
      name: "orphan, no dependents: finalizer removed",
      owner: owner({ deletionTimestamp: DELETING, finalizers: ["orphan", "example.com/x"] }),
      deps: [],
      want: [{ type: "removeFinalizer", target: target("owner"), finalizer: "orphan" }],
    },
    {
      name: "both finalizers: orphan first",
      owner: owner({ deletionTimestamp: DELETING, finalizers: ["foregroundDeletion", "orphan"] }),
      deps: [dep("d1", [blocking])],
      want: [
        { type: "removeOwnerReferences", target: target("d1"), ownerUids: ["uid-owner"] },
        { type: "removeFinalizer", target: target("owner"), finalizer: "orphan" },
      ],
    },
  ];
  for (const c of cases) assert.deepEqual(decideOwner(c.owner, c.deps), c.want, c.name);
});

test("ownerStateOf - absent, solid, waiting", () => {
  assert.equal(ownerStateOf(undefined), "absent");
  assert.equal(ownerStateOf(obj("o")), "solid");
  assert.equal(ownerStateOf(obj("o", { finalizers: ["foregroundDeletion"] })), "solid", "finalizer without deletionTimestamp is not a deletion");
  assert.equal(ownerStateOf(obj("o", { deletionTimestamp: DELETING })), "solid", "deleted in the background: still there, not waiting");
  assert.equal(ownerStateOf(obj("o", { deletionTimestamp: DELETING, finalizers: ["orphan"] })), "solid");
  assert.equal(ownerStateOf(obj("o", { deletionTimestamp: DELETING, finalizers: ["foregroundDeletion"] })), "waiting");
});

test("policyFromFinalizers - orphan, foreground, background", () => {
  assert.equal(policyFromFinalizers(obj("a")), "Background");
  assert.equal(policyFromFinalizers(obj("a", { finalizers: ["foregroundDeletion"] })), "Foreground");
  assert.equal(policyFromFinalizers(obj("a", { finalizers: ["orphan"] })), "Orphan");
  assert.equal(policyFromFinalizers(obj("a", { finalizers: ["foregroundDeletion", "orphan"] })), "Orphan");
});

test("needsAttention - owners or GC deletion state", () => {
  assert.equal(needsAttention(obj("a")), false);
  assert.equal(needsAttention(obj("a", { ownerReferences: [] })), false);
  assert.equal(needsAttention(obj("a", { ownerReferences: [ref("o")] })), true);
  assert.equal(needsAttention(obj("a", { deletionTimestamp: DELETING })), false);
  assert.equal(needsAttention(obj("a", { deletionTimestamp: DELETING, finalizers: ["foregroundDeletion"] })), true);
  assert.equal(needsAttention(obj("a", { deletionTimestamp: DELETING, finalizers: ["orphan"] })), true);
  assert.equal(needsAttention(obj("a", { finalizers: ["orphan"] })), false);
});

test("classifyOwners - splits references by state, keeping order", () => {
  const o = obj("a", { ownerReferences: [ref("1"), ref("2"), ref("3"), ref("4")] });
  const got = classifyOwners(o, states({ "1": "absent", "2": "waiting", "3": "solid", "4": "absent" }));
  assert.deepEqual(got.absent.map((r) => r.uid), ["1", "4"]);
  assert.deepEqual(got.waiting.map((r) => r.uid), ["2"]);
  assert.deepEqual(got.solid.map((r) => r.uid), ["3"]);
});
