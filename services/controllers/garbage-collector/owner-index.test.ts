import { test } from "node:test";
import assert from "node:assert/strict";
import { OwnerIndex } from "./owner-index.js";
import type { GcObject } from "./decide.js";

function obj(uid: string, owners: string[] = []): GcObject {
  return { kind: "ConfigMap", metadata: { name: uid, uid, ownerReferences: owners.map((o) => ({ apiVersion: "v1", kind: "ConfigMap", name: o, uid: o })) } };
}

test("owner index - dependents by owner uid, keys by uid", () => {
  const ix = new OwnerIndex();
  ix.upsert("/configmaps/ns/owner", obj("owner"));
  ix.upsert("/configmaps/ns/a", obj("a", ["owner"]));
  ix.upsert("/configmaps/ns/b", obj("b", ["owner", "other"]));
  assert.deepEqual(ix.dependentsOf("owner").sort(), ["/configmaps/ns/a", "/configmaps/ns/b"]);
  assert.deepEqual(ix.dependentsOf("other"), ["/configmaps/ns/b"]);
  assert.equal(ix.keyOf("a"), "/configmaps/ns/a");
  assert.equal(ix.hasDependents("owner"), true);
  assert.equal(ix.hasDependents("a"), false);
  assert.equal(ix.size, 3);
});

test("owner index - an update reports removed and added owners", () => {
  const ix = new OwnerIndex();
  assert.deepEqual(ix.upsert("/k/a", obj("a", ["o1", "o2"])), { removedOwners: [], addedOwners: ["o1", "o2"] });
  assert.deepEqual(ix.upsert("/k/a", obj("a", ["o2", "o3"])), { removedOwners: ["o1"], addedOwners: ["o3"] });
  assert.deepEqual(ix.dependentsOf("o1"), []);
  assert.deepEqual(ix.dependentsOf("o3"), ["/k/a"]);
  assert.deepEqual(ix.upsert("/k/a", obj("a", ["o2", "o3"])), { removedOwners: [], addedOwners: [] }, "same owners: no change");
  assert.deepEqual(ix.upsert("/k/a", obj("a", ["o2", "o2"])), { removedOwners: ["o3"], addedOwners: [] }, "duplicate references count once");
});

test("owner index - remove forgets the object and returns its owners", () => {
  const ix = new OwnerIndex();
  ix.upsert("/k/a", obj("a", ["o1"]));
  assert.deepEqual(ix.remove("/k/a"), ["o1"]);
  assert.equal(ix.keyOf("a"), undefined);
  assert.equal(ix.hasDependents("o1"), false);
  assert.equal(ix.size, 0);
  assert.deepEqual(ix.remove("/k/a"), [], "removing twice is harmless");
});

test("owner index - a recreated object (new uid at the same key) replaces the old uid", () => {
  const ix = new OwnerIndex();
  ix.upsert("/k/a", obj("a1"));
  ix.upsert("/k/a", obj("a2"));
  assert.equal(ix.keyOf("a1"), undefined);
  assert.equal(ix.keyOf("a2"), "/k/a");
});
