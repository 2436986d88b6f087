import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  labelSelectorAsString,
  labelSelectorFromString,
  matchesLabelSelector,
  selectorFromLabelSelector,
  validateLabelSelector,
  validateLabels,
  type LabelSelector,
} from "./label-selector.js";
import { LabelSelectorError } from "./selector.js";

const NAME_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe("labels - metav1.LabelSelector to selector", () => {
  const cases: [string, LabelSelector | null | undefined, string, boolean, boolean][] = [
    // name, selector, string, empty, matches {app: web, tier: front}
    ["absent selector matches nothing", undefined, "", false, false],
    ["null selector matches nothing", null, "", false, false],
    ["{} matches everything", {}, "", true, true],
    ["empty maps match everything", { matchLabels: {}, matchExpressions: [] }, "", true, true],
    ["matchLabels", { matchLabels: { tier: "front", app: "web" } }, "app=web,tier=front", false, true],
    ["In", { matchExpressions: [{ key: "tier", operator: "In", values: ["front", "back"] }] }, "tier in (back,front)", false, true],
    ["NotIn", { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["front"] }] }, "tier notin (front)", false, false],
    ["Exists", { matchExpressions: [{ key: "app", operator: "Exists" }] }, "app", false, true],
    ["DoesNotExist", { matchExpressions: [{ key: "canary", operator: "DoesNotExist", values: [] }] }, "!canary", false, true],
    [
      "labels and expressions together, sorted by key",
      { matchLabels: { tier: "front" }, matchExpressions: [{ key: "app", operator: "In", values: ["web"] }] },
      "app in (web),tier=front",
      false,
      true,
    ],
    ["a requirement that fails", { matchLabels: { app: "db" } }, "app=db", false, false],
  ];
  for (const [name, ls, str, empty, matches] of cases) {
    it(name, () => {
      const sel = selectorFromLabelSelector(ls);
      assert.equal(sel.toString(), str);
      assert.equal(sel.empty, empty);
      assert.equal(sel.matches({ app: "web", tier: "front" }), matches);
      assert.equal(matchesLabelSelector(ls, { app: "web", tier: "front" }), matches);
    });
  }

  const invalid: [string, unknown, RegExp][] = [
    ["unknown operator", { matchExpressions: [{ key: "a", operator: "Gt", values: ["1"] }] }, /^"Gt" is not a valid pod selector operator$/],
    ["In without values", { matchExpressions: [{ key: "a", operator: "In", values: [] }] }, /values: Invalid value: \[\]string\{\}: for 'in', 'notin' operators, values set can't be empty/],
    ["Exists with values", { matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] }, /values set must be empty for exists and does not exist/],
    ["bad key in matchLabels", { matchLabels: { "a b": "x" } }, /^key: Invalid value: "a b": name part must consist/],
    ["bad value in matchLabels", { matchLabels: { a: "x y" } }, /^values\[0\]\[a\]: Invalid value: "x y": a valid label/],
    ["non-string label value", { matchLabels: { a: 1 } }, /matchLabels\["a"\] must be a string/],
    ["matchExpressions not an array", { matchExpressions: {} }, /matchExpressions must be an array/],
    ["a string where an object belongs", "app=web", /label selector must be an object/],
  ];
  for (const [name, ls, message] of invalid) {
    it(`refuses ${name} with a LabelSelectorError`, () => {
      assert.throws(() => selectorFromLabelSelector(ls as LabelSelector), (err: unknown) => err instanceof LabelSelectorError && message.test(err.message));
      assert.equal(matchesLabelSelector(ls as LabelSelector, { a: "x" }), false);
      assert.equal(labelSelectorAsString(ls as LabelSelector), "<error>");
    });
  }
});

describe("labels - labelSelectorAsString (what kubectl shows)", () => {
  const cases: [LabelSelector | null | undefined, string][] = [
    [undefined, "<none>"],
    [{}, "<none>"],
    [{ matchLabels: { app: "nginx" } }, "app=nginx"],
    [{ matchLabels: { app: "nginx", "pod-template-hash": "5d59d67564" } }, "app=nginx,pod-template-hash=5d59d67564"],
    [{ matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod", "dev"] }] }, "env notin (dev,prod)"],
  ];
  for (const [ls, expected] of cases) {
    it(`${JSON.stringify(ls)} → ${expected}`, () => assert.equal(labelSelectorAsString(ls), expected));
  }
});

describe("labels - labelSelectorFromString", () => {
  it("splits equality into matchLabels and set operators into matchExpressions", () => {
    assert.deepEqual(labelSelectorFromString("app=web,tier in (b,a),x,!y,z notin (q),w==v"), {
      matchLabels: { app: "web", w: "v" },
      matchExpressions: [
        { key: "tier", operator: "In", values: ["a", "b"] },
        { key: "x", operator: "Exists", values: [] },
        { key: "y", operator: "DoesNotExist", values: [] },
        { key: "z", operator: "NotIn", values: ["q"] },
      ],
    });
  });

  it("round-trips through selectorFromLabelSelector", () => {
    const s = "app=web,tier in (a,b),!y";
    assert.equal(labelSelectorAsString(labelSelectorFromString(s)), "app=web,tier in (a,b),!y");
  });

  it("refuses what a LabelSelector cannot hold, and bad syntax, with typed errors", () => {
    assert.throws(() => labelSelectorFromString("a>1"), /^LabelSelectorError: "gt" isn't supported in label selectors$/);
    assert.throws(() => labelSelectorFromString("a!=1"), /"!=" is not a valid label selector operator/);
    assert.throws(() => labelSelectorFromString("a in ("), /^LabelSelectorError: couldn't parse the selector string "a in \(": unable to parse requirement/);
  });
});

describe("labels - validateLabelSelector gives 422 causes with field paths", () => {
  it("a valid selector has no causes; absent is valid", () => {
    assert.deepEqual(validateLabelSelector({ matchLabels: { app: "web" }, matchExpressions: [{ key: "a", operator: "Exists" }] }, "spec.selector"), []);
    assert.deepEqual(validateLabelSelector(undefined, "spec.selector"), []);
  });

  it("reports every problem where Kubernetes does", () => {
    const causes = validateLabelSelector(
      {
        matchLabels: { "-bad": "ok", good: "bad value" },
        matchExpressions: [
          { key: "a", operator: "In", values: [] },
          { key: "b", operator: "Exists", values: ["x"] },
          { key: "c", operator: "Lt", values: ["1"] },
          { key: "", operator: "NotIn", values: ["ok", "no way"] },
        ],
      },
      "spec.selector",
    );
    assert.deepEqual(causes, [
      { type: "FieldValueInvalid", field: "spec.selector.matchLabels", message: `Invalid value: "-bad": ${NAME_MSG}` },
      { type: "FieldValueInvalid", field: "spec.selector.matchLabels", message: `Invalid value: "bad value": ${VALUE_MSG}` },
      {
        type: "FieldValueRequired",
        field: "spec.selector.matchExpressions[0].values",
        message: "Required value: must be specified when `operator` is 'In' or 'NotIn'",
      },
      {
        type: "FieldValueForbidden",
        field: "spec.selector.matchExpressions[1].values",
        message: "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      },
      { type: "FieldValueInvalid", field: "spec.selector.matchExpressions[2].operator", message: 'Invalid value: "Lt": not a valid selector operator' },
      { type: "FieldValueInvalid", field: "spec.selector.matchExpressions[3].key", message: 'Invalid value: "": name part must be non-empty' },
      { type: "FieldValueInvalid", field: "spec.selector.matchExpressions[3].key", message: `Invalid value: "": ${NAME_MSG}` },
      { type: "FieldValueInvalid", field: "spec.selector.matchExpressions[3].values[1]", message: `Invalid value: "no way": ${VALUE_MSG}` },
    ]);
  });

  it("wrong JSON shapes become causes, not exceptions", () => {
    assert.equal(validateLabelSelector("x" as unknown as LabelSelector, "spec.selector")[0]?.field, "spec.selector");
    assert.equal(validateLabelSelector({ matchLabels: [] as unknown as Record<string, string> }, "s")[0]?.field, "s.matchLabels");
    assert.equal(validateLabelSelector({ matchExpressions: {} as unknown as [] }, "s")[0]?.field, "s.matchExpressions");
    assert.equal(validateLabelSelector({ matchExpressions: [null as unknown as { key: string; operator: string }] }, "s")[0]?.field, "s.matchExpressions[0]");
    assert.deepEqual(validateLabels({ a: 5 }, "metadata.labels"), [{ type: "FieldValueInvalid", field: "metadata.labels", message: "Invalid value: 5: label values must be strings" }]);
  });

  it("bad values are quoted as Go's %q quotes them", () => {
    const [cause] = validateLabels({ a: 'x"\n\u0001' }, "metadata.labels");
    assert.ok(cause?.message.startsWith('Invalid value: "x\\"\\n\\x01": '));
  });
});
