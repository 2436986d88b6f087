import { test } from "node:test";
import assert from "node:assert/strict";
import { adoptPatch, claimReplicaSets, releasePatch } from "./claim.js";
import type { Deployment, OwnerReference, ReplicaSet } from "./types.js";

const d: Deployment = {
  metadata: { name: "web", namespace: "ns", uid: "d1" },
  spec: { selector: { matchLabels: { app: "web" } }, template: {} },
};
const ref = (uid: string, controller = true): OwnerReference => ({ apiVersion: "apps/v1", kind: "Deployment", name: "x", uid, controller });
const rs = (name: string, labels: Record<string, string>, owners?: OwnerReference[], deleting = false): ReplicaSet => ({
  metadata: { name, namespace: "ns", uid: `u-${name}`, labels, ...(owners ? { ownerReferences: owners } : {}), ...(deleting ? { deletionTimestamp: "2024-01-01T00:00:00Z" } : {}) },
  spec: {},
});

test("claimReplicaSets - table", () => {
  const web = { app: "web", "pod-template-hash": "h" };
  const cases: Array<{ name: string; d: Deployment; rs: ReplicaSet; want: "owned" | "adopt" | "release" | "ignored" }> = [
    { name: "ours and matching", d, rs: rs("a", web, [ref("d1")]), want: "owned" },
    { name: "ours, labels changed", d, rs: rs("a", { app: "other" }, [ref("d1")]), want: "release" },
    { name: "ours, labels changed, deployment deleting", d: { ...d, metadata: { ...d.metadata, deletionTimestamp: "t" } }, rs: rs("a", { app: "other" }, [ref("d1")]), want: "ignored" },
    { name: "another controller", d, rs: rs("a", web, [ref("other")]), want: "ignored" },
    { name: "orphan matching", d, rs: rs("a", web), want: "adopt" },
    { name: "orphan with a non-controller owner", d, rs: rs("a", web, [ref("d1", false)]), want: "adopt" },
    { name: "orphan not matching", d, rs: rs("a", { app: "db" }), want: "ignored" },
    { name: "orphan being deleted", d, rs: rs("a", web, undefined, true), want: "ignored" },
    { name: "orphan, deployment being deleted", d: { ...d, metadata: { ...d.metadata, deletionTimestamp: "t" } }, rs: rs("a", web), want: "ignored" },
  ];
  for (const c of cases) {
    const r = claimReplicaSets(c.d, [c.rs]);
    const got = r.owned.length ? "owned" : r.adopt.length ? "adopt" : r.release.length ? "release" : "ignored";
    assert.equal(got, c.want, c.name);
  }
});

test("adoptPatch/releasePatch - strategic merge on ownerReferences with the uid as precondition", () => {
  const r = rs("a", {});
  assert.deepEqual(adoptPatch(d, r), { metadata: { ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: "d1", controller: true, blockOwnerDeletion: true }], uid: "u-a" } });
  assert.deepEqual(releasePatch(d, r), { metadata: { ownerReferences: [{ $patch: "delete", uid: "d1" }], uid: "u-a" } });
});
