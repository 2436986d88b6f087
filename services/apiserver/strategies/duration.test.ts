import { test } from "node:test";
import assert from "node:assert/strict";
import { humanDuration, translateTimestampSince } from "./duration.js";

const S = 1000, M = 60 * S, H = 60 * M, D = 24 * H, Y = 365 * D;

test("humanDuration - matches kubectl's HumanDuration", () => {
  const cases: [number, string][] = [
    [-5 * S, "<invalid>"], [-1 * S, "0s"], [-500, "0s"], [0, "0s"], [5 * S, "5s"], [119 * S, "119s"],
    [2 * M, "2m"], [3 * M + 2 * S, "3m2s"], [9 * M + 59 * S, "9m59s"], [10 * M, "10m"], [45 * M + 30 * S, "45m"],
    [179 * M, "179m"], [3 * H, "3h"], [4 * H, "4h"], [5 * H + 30 * M, "5h30m"], [7 * H + 59 * M, "7h59m"],
    [8 * H + 30 * M, "8h"], [47 * H, "47h"], [2 * D, "2d"], [2 * D + 3 * H, "2d3h"], [7 * D + 23 * H, "7d23h"],
    [8 * D, "8d"], [30 * D, "30d"], [729 * D, "729d"], [2 * Y, "2y"], [2 * Y + 30 * D, "2y30d"], [7 * Y + 364 * D, "7y364d"],
    [8 * Y, "8y"], [5 * Y + 0, "5y"], [12 * Y + 100 * D, "12y"],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms} ms`);
});

test("translateTimestampSince - age of a timestamp, <unknown> when missing or unparsable", () => {
  const now = Date.parse("2024-05-01T12:00:00Z");
  assert.equal(translateTimestampSince("2024-05-01T11:57:58Z", now), "2m2s");
  assert.equal(translateTimestampSince("2024-04-29T09:00:00Z", now), "2d3h");
  assert.equal(translateTimestampSince(undefined, now), "<unknown>");
  assert.equal(translateTimestampSince("", now), "<unknown>");
  assert.equal(translateTimestampSince("yesterday", now), "<unknown>");
  assert.equal(translateTimestampSince("2024-05-01T12:00:10Z", now), "<invalid>");
});
