import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeEntries, digits } from "./log-entry.js";

/** An XRANGE reply (RESP2) of log entries as the BATCH script writes them. */
function reply(entries: Array<[number, string, string, string]>, tail = ""): Buffer {
  const bulk = (s: string) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  let out = `*${entries.length}\r\n`;
  for (const [rev, type, key, value] of entries) {
    const fields = ["type", type, "key", key, "value", value, "createRevision", "3", "prevRevision", String(rev - 1)];
    out += `*2\r\n${bulk(`${rev}-1`)}*${fields.length}\r\n${fields.map(bulk).join("")}`;
  }
  return Buffer.from(out + tail);
}

test("log-entry - decodes entries from the reply bytes, filters by prefix, reports a gap after `after`", () => {
  const buf = reply(
    [
      [5, "ADDED", "/pods/a", "v5"],
      [6, "MODIFIED", "/nodes/n", "v6"],
      [7, "DELETED", "/pods/ü", "v\r\n7"],
    ],
    "+after\r\n",
  );
  const run = decodeEntries(buf, 0, Buffer.from("/pods/"), 4);
  assert.equal(run.gap, false);
  assert.equal(run.scanned, 7);
  assert.equal(run.count, 3);
  assert.equal(buf.toString("latin1", run.end), "+after\r\n", "end is the offset after the array");
  assert.deepEqual(run.events.map((e) => [e.revision, e.type, e.key, e.createRevision, e.prevRevision, Buffer.from(e.value).toString()]), [
    [5, "ADDED", "/pods/a", 3, 4, "v5"],
    [7, "DELETED", "/pods/ü", 3, 6, "v\r\n7"],
  ]);
  assert.equal(decodeEntries(reply([[9, "ADDED", "/pods/a", "x"]]), 0, Buffer.from("/"), 4).gap, true);
  assert.deepEqual(decodeEntries(reply([]), 0, Buffer.from("/"), 4), { events: [], scanned: 4, gap: false, count: 0, end: 4 });
  assert.equal(digits(Buffer.from("1234567890123-1")), 1234567890123);
  assert.equal(digits(Buffer.from("x77-1"), 1, 3), 77);
});
