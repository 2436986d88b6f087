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
