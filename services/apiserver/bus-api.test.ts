import "reflect-metadata";
import { test } from "node:test";
import assert from "node:assert/strict";
import { fitReply } from "./bus-api.js";

test("fitReply keeps the answers that fit and turns the rest into 500s", () => {
  const obj = (n: number) => ({ object: { key: "k", value: new Uint8Array(n), modRevision: 1, createRevision: 0 } });
  const max = 64 * 1024 + 2600; // room for two answers of 1000 bytes (each counted with 256 bytes of overhead), not three
  const out = fitReply([obj(1000), { status: { code: 404, reason: "NotFound", message: "x" } }, obj(1000), obj(1000)], max);
  assert.equal(out[0]!.object?.value?.length, 1000);
  assert.equal(out[1]!.status?.code, 404, "an error answer is kept");
  assert.equal(out[2]!.status?.code, 500, "the third answer no longer fits");
  assert.equal(out[3]!.status?.code, 500);
  assert.deepEqual(fitReply([obj(10)], 4 * 1024 * 1024), [obj(10)]);
});
