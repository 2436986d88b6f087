/**
 * Pure tests of the batch wire format (write-batch.ts); log-entry decoding is in log-entry.test.ts.
 * The scripts' behaviour against Redis is covered by store.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeBatch, encodeBatch, queuedTxn, txnFailure } from "./write-batch.js";
import { AlreadyExistsError, ConflictError, InvalidRequestError, NotFoundError, StoreUnavailableError, type TxnOp } from "./types.js";

const enc = (s: string) => new TextEncoder().encode(s);

test("write-batch - encodes op count, kind, int64 expected, key and value big-endian", () => {
  const ops: TxnOp[] = [
    { op: "update", key: "/p/é", value: enc("vv"), expectedModRevision: 2 ** 40 + 5 },
    { op: "delete", key: "/p/x" },
  ];
  const buf = encodeBatch([queuedTxn(ops)]);
  let o = 0;
  assert.equal(buf.readUInt16BE(o), 2);
  o += 2;
  assert.equal(String.fromCharCode(buf[o]), "u");
  assert.equal(buf.readBigInt64BE(o + 1), BigInt(2 ** 40 + 5));
  assert.equal(buf.readUInt16BE(o + 9), 5, "key length in UTF-8 bytes");
  assert.equal(buf.toString("utf8", o + 11, o + 16), "/p/é");
  assert.equal(buf.readUInt32BE(o + 16), 2);
  assert.equal(buf.toString("utf8", o + 20, o + 22), "vv");
  o += 22;
  assert.equal(String.fromCharCode(buf[o]), "d");
  assert.equal(buf.readBigInt64BE(o + 1), -1n, "delete without expected revision: any");
  assert.equal(buf.readUInt32BE(o + 15), 0);
  assert.equal(buf.length, o + 19);
});

test("write-batch - a key longer than 65,535 bytes is an InvalidRequestError", () => {
  assert.throws(() => queuedTxn([{ op: "delete", key: "k".repeat(70_000) }]), InvalidRequestError);
});

test("write-batch - decodes per-transaction outcomes from the flat reply", () => {
  const txns = [
    queuedTxn([{ op: "create", key: "/a", value: enc("1") }]),
    queuedTxn([{ op: "update", key: "/b", value: enc("2"), expectedModRevision: 3 }]),
    queuedTxn([{ op: "check", key: "/c", expectedModRevision: 0 }, { op: "update", key: "/d", value: enc("x"), expectedModRevision: 9 }]),
    queuedTxn([{ op: "update", key: "/e", value: enc("3"), expectedModRevision: 4 }, { op: "delete", key: "/f" }]),
    queuedTxn([{ op: "create", key: "/g", value: enc("4") }]),
    queuedTxn([{ op: "delete", key: "/h" }]),
  ];
  const reply = [10, 11, 2, Buffer.from("CONFLICT 2 12"), 12, 1, 7, Buffer.from("last"), Buffer.from("EXISTS 1"), Buffer.from("NOTFOUND 1")];
  const out = decodeBatch(reply, txns);
  assert.deepEqual(out[0], [{ key: "/a", value: enc("1"), modRevision: 10, createRevision: 10 }]);
  assert.deepEqual(out[1], [{ key: "/b", value: enc("2"), modRevision: 11, createRevision: 2 }]);
  assert.ok(out[2] instanceof ConflictError && out[2].key === "/d" && out[2].expected === 9 && out[2].actual === 12);
  assert.deepEqual(
    (out[3] as { modRevision: number; createRevision: number; key: string }[]).map((o) => [o.key, o.modRevision, o.createRevision]),
    [["/e", 12, 1], ["/f", 13, 7]],
  );
  assert.equal(Buffer.from((out[3] as { value: Uint8Array }[])[1].value).toString(), "last");
  assert.ok(out[4] instanceof AlreadyExistsError && out[4].key === "/g");
  assert.ok(out[5] instanceof NotFoundError && out[5].key === "/h");
  assert.ok(decodeBatch([], txns.slice(0, 1))[0] instanceof StoreUnavailableError, "a short reply fails the rest");
  assert.ok(txnFailure("CORRUPT 5 value missing for /x", []) instanceof StoreUnavailableError);
});
