import { test } from "node:test";
import assert from "node:assert/strict";
import { bus, type IChangeEvent } from "../schema/bus.js";
import { encodeChangeEventBatch } from "./encode.js";

test("relay encode - a batch is byte for byte what the generated encoder writes", () => {
  const object = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) & 255);
  const events: IChangeEvent[] = [
    { type: "ADDED", revision: 1, prevRevision: 0, resource: "pods", namespace: "scale", name: "scale-abc12", createRevision: 1, object },
    { type: "MODIFIED", revision: 2 ** 33 + 5, prevRevision: 2 ** 33, resource: "pods", namespace: "scale", name: "scale-abc12", createRevision: 1, object: object.subarray(0, 10) },
    { type: "DELETED", revision: 300, prevRevision: 299, resource: "deployments.apps", namespace: "", name: "名前-ü", createRevision: 0, object: new Uint8Array(0) },
  ];
  for (const batch of [events, events.slice(0, 1), []]) {
    assert.deepEqual(new Uint8Array(encodeChangeEventBatch(batch)), new Uint8Array(bus.ChangeEventBatch.encode({ events: batch }).finish()), `${batch.length} events`);
  }
  const back = bus.ChangeEventBatch.decode(encodeChangeEventBatch(events)).events;
  assert.equal(back[1]!.revision, 2 ** 33 + 5);
  assert.equal(back[2]!.name, "名前-ü");
});
