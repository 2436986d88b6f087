import { test } from "node:test";
import assert from "node:assert/strict";
import { SchedulingQueue } from "./queue.js";

function queue() {
  let now = 1000;
  const q = new SchedulingQueue({ initialBackoffMs: 10, maxBackoffMs: 80, unschedulableTimeoutMs: 1000 }, () => now);
  return { q, advance: (ms: number) => (now += ms), now: () => now };
}

test("queue - FIFO, deduped adds", () => {
  const { q } = queue();
  q.add("a");
  q.add("b");
  q.add("a");
  assert.equal(q.size, 2);
  assert.equal(q.pop(), "a");
  assert.equal(q.pop(), "b");
  assert.equal(q.pop(), undefined);
});

test("queue - backoff doubles per failure up to the cap, forget resets it", () => {
  const { q, advance, now } = queue();
  const delays: number[] = [];
  for (let i = 0; i < 6; i++) {
    q.requeueBackoff("a");
    assert.equal(q.placeOf("a"), "backoff");
    delays.push(q.nextDueAt()! - now());
    assert.equal(q.flush(), 0, "not before its time");
    advance(delays[i]!);
    assert.equal(q.flush(), 1);
    assert.equal(q.pop(), "a");
  }
  assert.deepEqual(delays, [10, 20, 40, 80, 80, 80]);
  q.forget("a");
  q.requeueBackoff("a");
  assert.equal(q.nextDueAt()! - now(), 10);
});

test("queue - unschedulable waits for a cluster change (respecting backoff) or the timeout", () => {
  const { q, advance } = queue();
  q.add("a");
  q.add("b");
  q.pop();
  q.pop();
  q.requeueUnschedulable("a");
  q.requeueUnschedulable("b");
  assert.equal(q.sizes.unschedulable, 2);
  assert.equal(q.flush(), 0);
  advance(10);
  q.requeueUnschedulable("b"); // b failed twice: backoff 20 from now
  assert.equal(q.moveAllToActive(), 2);
  assert.equal(q.placeOf("a"), "active");
  assert.equal(q.placeOf("b"), "backoff");
  assert.equal(q.pop(), "a");
  q.requeueUnschedulable("a");
  advance(999);
  q.flush();
  assert.equal(q.placeOf("a"), "unschedulable");
  advance(1);
  q.flush();
  assert.equal(q.placeOf("a"), "active");
});

test("queue - a pod update frees it from unschedulable, not from backoff", () => {
  const { q, advance } = queue();
  q.requeueUnschedulable("a");
  q.requeueBackoff("b");
  advance(100);
  q.update("a");
  q.update("b");
  assert.equal(q.placeOf("a"), "active");
  assert.equal(q.placeOf("b"), "backoff");
  q.update("c");
  assert.equal(q.placeOf("c"), "active");
});

test("queue - parked until a time or a membership change; delete forgets everything", () => {
  const { q, advance } = queue();
  q.park("a", 1500);
  q.park("b", 5000);
  advance(500);
  q.flush();
  assert.equal(q.placeOf("a"), "active");
  assert.equal(q.placeOf("b"), "parked");
  q.unparkAll();
  assert.equal(q.placeOf("b"), "active");
  q.requeueBackoff("b");
  q.delete("b");
  assert.equal(q.placeOf("b"), undefined);
  q.requeueBackoff("b");
  assert.equal(q.backoffMs(1), 10);
  assert.equal(q.nextDueAt(), 1500 + 10, "attempts were reset by delete");
});

test("queue - a new pod can be added parked; what left the queue never delays what is due", () => {
  const { q, advance } = queue();
  q.add("a", 1100);
  q.add("a"); // already waiting: unchanged
  assert.equal(q.placeOf("a"), "parked");
  q.requeueBackoff("b"); // due at 1010
  assert.equal(q.nextDueAt(), 1010);
  q.delete("b");
  advance(10);
  assert.equal(q.flush(), 0, "b left: nothing due yet");
  assert.equal(q.nextDueAt(), 1100, "the next wait after a scan");
  advance(90);
  assert.equal(q.flush(), 1);
  assert.equal(q.pop(), "a");
  assert.equal(q.nextDueAt(), undefined, "nothing waits");
});
