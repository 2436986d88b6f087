import { test } from "node:test";
import assert from "node:assert/strict";
import { decideLease, leaseSpec } from "./leader-election.js";

const t0 = Date.parse("2026-11-26T10:00:00Z");
const lease = (holder: string, renewedAt: number, seconds = 4) => ({
  metadata: { name: "l", namespace: "kube-system", resourceVersion: "5" },
  spec: { holderIdentity: holder, leaseDurationSeconds: seconds, renewTime: new Date(renewedAt).toISOString(), leaseTransitions: 2 },
});

test("leader election - who does what with the Lease", () => {
  assert.deepEqual(decideLease(undefined, "a", t0), { action: "create" });
  assert.deepEqual(decideLease(lease("a", t0 - 100_000), "a", t0), { action: "renew" }, "our own lease is renewed, even late");
  assert.deepEqual(decideLease(lease("b", t0 - 1000), "a", t0), { action: "follow", holder: "b" });
  assert.deepEqual(decideLease(lease("b", t0 - 5000), "a", t0), { action: "takeover" }, "expired");
  assert.deepEqual(decideLease(lease("", t0), "a", t0), { action: "takeover" }, "released");
});

test("leader election - a takeover counts a transition; a renewal keeps the acquire time", () => {
  const old = lease("b", t0 - 5000);
  const taken = leaseSpec(old, "a", t0, 4000, "takeover");
  assert.equal(taken.holderIdentity, "a");
  assert.equal(taken.leaseTransitions, 3);
  assert.equal(taken.leaseDurationSeconds, 4);
  const renewed = leaseSpec({ ...old, spec: { ...old.spec, holderIdentity: "a", acquireTime: "2026-11-26T09:00:00.000000Z" } }, "a", t0, 4000, "renew");
  assert.equal(renewed.acquireTime, "2026-11-26T09:00:00.000000Z");
  assert.equal(renewed.leaseTransitions, 2);
});
