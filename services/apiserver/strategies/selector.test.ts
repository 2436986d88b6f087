import { test } from "node:test";
import assert from "node:assert/strict";
import { formatLabelSelector, formatLabels, selectorMatches, selectorString } from "./selector.js";
import { parseQuantity } from "./quantity.js";

test("selector - matchLabels and matchExpressions; missing selects nothing, empty everything", () => {
  const labels = { app: "web", tier: "front" };
  const cases: [any, boolean][] = [
    [undefined, false], [{}, true], [{ matchLabels: { app: "web" } }, true], [{ matchLabels: { app: "db" } }, false],
    [{ matchExpressions: [{ key: "tier", operator: "In", values: ["front", "back"] }] }, true],
    [{ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["front"] }] }, false],
    [{ matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] }, true],
    [{ matchExpressions: [{ key: "app", operator: "Exists" }] }, true],
    [{ matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, false],
    [{ matchExpressions: [{ key: "app", operator: "Bogus" }] }, false],
    [{ matchLabels: { app: "web" }, matchExpressions: [{ key: "env", operator: "Exists" }] }, false],
  ];
  for (const [sel, want] of cases) assert.equal(selectorMatches(sel, labels), want, JSON.stringify(sel));
});

test("selector - strings as kubectl and the Scale subresource print them", () => {
  assert.equal(selectorString({ matchLabels: { b: "2", a: "1" }, matchExpressions: [{ key: "c", operator: "DoesNotExist" }, { key: "aa", operator: "Exists" }] }), "a=1,aa,b=2,!c");
  assert.equal(selectorString(undefined), "");
  assert.equal(formatLabelSelector({}), "<none>");
  assert.equal(formatLabels({}), "<none>");
  assert.equal(formatLabels({ z: "1", a: "" }), "a=,z=1");
});

test("quantity - suffixes and exponents", () => {
  const cases: [unknown, number | undefined][] = [["500m", 0.5], ["1", 1], ["1Gi", 2 ** 30], ["1G", 1e9], ["2Ki", 2048], ["1e3", 1000], [".5", 0.5], [3, 3], ["abc", undefined], ["1Q", undefined]];
  for (const [q, want] of cases) assert.equal(parseQuantity(q), want, String(q));
});
