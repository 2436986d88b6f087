import { test } from "node:test";
import assert from "node:assert/strict";
import { ControllerExpectations } from "./expectations.js";

function fakeClock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

test("expectations - a key without a record is satisfied", () => {
  const e = new ControllerExpectations(fakeClock());
  assert.equal(e.satisfied("ns/web"), true);
  assert.equal(e.msUntilExpiry("ns/web"), 0);
});

test("expectations - creations are satisfied once each is observed or lowered", () => {
  const e = new ControllerExpectations(fakeClock());
  e.expectCreations("ns/web", 3);
  assert.equal(e.satisfied("ns/web"), false);
  e.creationObserved("ns/web");
  e.creationObserved("ns/web");
  assert.equal(e.satisfied("ns/web"), false);
  e.lowerCreations("ns/web", 1);
  assert.equal(e.satisfied("ns/web"), true);
  e.creationObserved("ns/web"); // more observations than expected never go negative
  assert.equal(e.get("ns/web")!.add, 0);
  e.expectCreations("ns/web", 1);
  assert.equal(e.satisfied("ns/web"), false, "a new expectation after over-observation still blocks");
});

test("expectations - deletions are tracked per pod key, so a pod seen twice counts once", () => {
  const e = new ControllerExpectations(fakeClock());
  e.expectDeletions("ns/web", ["/pods/ns/a", "/pods/ns/b"]);
  e.deletionObserved("ns/web", "/pods/ns/a"); // deletionTimestamp seen
  e.deletionObserved("ns/web", "/pods/ns/a"); // then the DELETED event
  assert.equal(e.satisfied("ns/web"), false);
  e.deletionObserved("ns/web", "/pods/ns/unrelated");
  assert.equal(e.satisfied("ns/web"), false);
  e.deletionObserved("ns/web", "/pods/ns/b");
  assert.equal(e.satisfied("ns/web"), true);
});

test("expectations - outstanding expectations expire after the timeout", () => {
  const clock = fakeClock();
  const e = new ControllerExpectations(clock, 10_000);
  e.expectCreations("ns/web", 2);
  clock.t += 4_000;
  assert.equal(e.satisfied("ns/web"), false);
  assert.equal(e.msUntilExpiry("ns/web"), 6_001);
  clock.t += 6_001;
  assert.equal(e.satisfied("ns/web"), true);
  assert.equal(e.msUntilExpiry("ns/web"), 0);
});

test("expectations - keys are independent and delete forgets one", () => {
  const e = new ControllerExpectations(fakeClock());
  e.expectCreations("ns/a", 1);
  e.expectCreations("ns/b", 1);
  e.creationObserved("ns/a");
  assert.equal(e.satisfied("ns/a"), true);
  assert.equal(e.satisfied("ns/b"), false);
  e.delete("ns/b");
  assert.equal(e.satisfied("ns/b"), true);
  assert.equal(e.size, 1);
});

test("expectations - creations add up while earlier ones are outstanding; outstanding() is what a sync decides with", () => {
  const clock = fakeClock();
  const e = new ControllerExpectations(clock, 10_000);
  assert.deepEqual(e.outstanding("ns/web"), { creations: 0, deletions: 0 });
  e.expectCreations("ns/web", 3);
  e.creationObserved("ns/web");
  e.expectCreations("ns/web", 4); // a later sync tops up while two are still unobserved
  assert.deepEqual(e.outstanding("ns/web"), { creations: 6, deletions: 0 });
  e.lowerCreations("ns/web", 2); // two of the new ones failed for sure
  assert.deepEqual(e.outstanding("ns/web"), { creations: 4, deletions: 0 });
  e.expectDeletions("ns/other", ["/pods/ns/a"]);
  assert.deepEqual(e.outstanding("ns/other"), { creations: 0, deletions: 1 });
});

test("expectations - the expiry runs from the latest raise; expired creations count as none and a raise starts over", () => {
  const clock = fakeClock();
  const e = new ControllerExpectations(clock, 10_000);
  e.expectCreations("ns/web", 2);
  clock.t += 8_000;
  e.expectCreations("ns/web", 1);
  clock.t += 8_000; // 16 s after the first raise, 8 s after the latest
  assert.deepEqual(e.outstanding("ns/web"), { creations: 3, deletions: 0 }, "not expired: measured from the latest raise");
  clock.t += 2_001;
  assert.deepEqual(e.outstanding("ns/web"), { creations: 0, deletions: 0 }, "expired: a lost create no longer holds the ReplicaSet back");
  assert.equal(e.satisfied("ns/web"), true);
  e.expectCreations("ns/web", 1);
  assert.deepEqual(e.outstanding("ns/web"), { creations: 1, deletions: 0 }, "the expired ones are dropped, not added to");
});
