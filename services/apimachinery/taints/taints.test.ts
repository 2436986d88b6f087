import { test } from "node:test";
import assert from "node:assert/strict";
import { toleratesTaint, type Taint, type Toleration } from "./taints.js";

test("toleratesTaint - Kubernetes' ToleratesTaint table", () => {
  const taint: Taint = { key: "k", value: "v", effect: "NoExecute" };
  const cases: Array<[string, Toleration, boolean]> = [
    ["Exists on the key", { key: "k", operator: "Exists" }, true],
    ["Equal with the value", { key: "k", operator: "Equal", value: "v" }, true],
    ["default operator is Equal", { key: "k", value: "v" }, true],
    ["Equal, other value", { key: "k", operator: "Equal", value: "w" }, false],
    ["other key", { key: "x", operator: "Exists" }, false],
    ["empty key + Exists tolerates everything", { operator: "Exists" }, true],
    ["effect must match when set", { key: "k", operator: "Exists", effect: "NoSchedule" }, false],
    ["effect NoExecute", { key: "k", operator: "Exists", effect: "NoExecute" }, true],
    ["unknown operator", { key: "k", operator: "Lt", value: "v" }, false],
  ];
  for (const [name, tol, want] of cases) assert.equal(toleratesTaint(tol, taint), want, name);
  assert.equal(toleratesTaint({ key: "k", operator: "Equal" }, { key: "k", effect: "NoExecute" }), true, "empty values are equal");
});

test("toleratesTaint - matching rules, against other taints", () => {
  const taint: Taint = { key: "k", value: "v", effect: "NoSchedule" };
  const cases: Array<[Toleration, Taint, boolean]> = [
    [{ key: "k", operator: "Equal", value: "v", effect: "NoSchedule" }, taint, true],
    [{ key: "k", value: "v" }, taint, true], // operator "" is Equal; empty effect matches all
    [{ key: "k", value: "other" }, taint, false],
    [{ key: "k", operator: "Exists" }, taint, true],
    [{ operator: "Exists" }, taint, true], // empty key + Exists tolerates everything
    [{ operator: "Exists", effect: "NoExecute" }, taint, false],
    [{ key: "other", operator: "Exists" }, taint, false],
    [{ key: "k", operator: "Equal", value: "v", effect: "NoExecute" }, taint, false],
    [{ key: "k", operator: "Equal" }, { key: "k", effect: "NoSchedule" }, true], // empty value equals empty value
    [{ key: "k", operator: "Gt", value: "1" }, taint, false], // unknown operator
  ];
  for (const [t, tt, want] of cases) assert.equal(toleratesTaint(t, tt), want, JSON.stringify(t));
});
