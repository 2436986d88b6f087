import { test } from "node:test";
import assert from "node:assert/strict";
import { generateName, rfc3339 } from "./names.js";

test("names - rfc3339 writes whole seconds in UTC, also for repeated and alternating instants", () => {
  const cases: Array<[string, string]> = [
    ["2025-01-02T03:04:05.999Z", "2025-01-02T03:04:05Z"],
    ["2025-01-02T03:04:05.001Z", "2025-01-02T03:04:05Z"],
    ["2025-01-02T03:04:06.000Z", "2025-01-02T03:04:06Z"],
    ["2025-01-02T03:04:05.500Z", "2025-01-02T03:04:05Z"],
    ["1969-12-31T23:59:59.500Z", "1969-12-31T23:59:59Z"],
    ["1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00Z"],
  ];
  for (const [at, want] of cases) assert.equal(rfc3339(new Date(at)), want, at);
  assert.throws(() => rfc3339(new Date(NaN)), RangeError);
});

test("names - generateName appends 5 characters of the Kubernetes alphabet to a prefix cut at 58", () => {
  let i = 0;
  const seq = () => [0, 0.99, 0.5, 0.1, 0.2][i++ % 5]!;
  assert.equal(generateName("web-", seq), "web-b9rdh");
  assert.equal(generateName("x".repeat(70), seq).length, 63);
});
