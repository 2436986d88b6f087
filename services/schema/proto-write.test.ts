import { test } from "node:test";
import assert from "node:assert/strict";
import protobuf from "protobufjs/minimal.js";
import { varintSize, WireRangeError, writeVarint } from "./proto-write.js";

test("wire - varints of 0 .. 2^53-1 are protobuf's, and their size is exact", () => {
  for (const n of [0, 1, 127, 128, 16_383, 16_384, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 35 + 12_345, Number.MAX_SAFE_INTEGER]) {
    const want = protobuf.Writer.create().uint64(n).finish();
    const buf = new Uint8Array(12);
    const end = writeVarint(buf, 0, n);
    assert.deepEqual(buf.subarray(0, end), new Uint8Array(want), `varint of ${n}`);
    assert.equal(varintSize(n), end, `size of ${n}`);
  }
});

test("wire - negative, fractional and unsafe numbers are refused", () => {
  for (const n of [-1, 1.5, 2 ** 53, NaN]) assert.throws(() => varintSize(n), WireRangeError, String(n));
});
