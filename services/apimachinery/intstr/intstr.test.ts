import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IntOrStringError, isPercent, isValidPercent, scaledValueFromIntOrPercent, type IntOrString } from "./intstr.js";

describe("intstr - scaledValueFromIntOrPercent (Kubernetes' TestGetIntFromIntOrPercent)", () => {
  const cases: [IntOrString, number, boolean, number][] = [
    [123, 0, false, 123],
    ["90%", 100, true, 90],
    ["90%", 95, true, 86],
    ["90%", 95, false, 85],
    // Deployment defaults: maxSurge 25% rounds up, maxUnavailable 25% rounds down
    ["25%", 10, true, 3],
    ["25%", 10, false, 2],
    ["25%", 1, true, 1],
    ["25%", 1, false, 0],
    ["25%", 0, true, 0],
    ["100%", 7, false, 7],
    ["0%", 7, true, 0],
    ["200%", 3, true, 6],
    ["33%", 3, true, 1],
    ["33%", 3, false, 0],
    ["+10%", 50, true, 5],
    ["-10%", 50, false, -5],
    ["-10%", 55, true, -5],
    ["007%", 100, false, 7],
    [0, 10, true, 0],
    [-1, 10, true, -1],
    [5, 3, false, 5],
  ];
  for (const [value, total, roundUp, expected] of cases) {
    it(`${JSON.stringify(value)} of ${total} rounded ${roundUp ? "up" : "down"} is ${expected}`, () => {
      assert.equal(scaledValueFromIntOrPercent(value, total, roundUp), expected);
    });
  }

  const invalid: [unknown, string][] = [
    ["%", 'invalid value for IntOrString: invalid value "%": strconv.Atoi: parsing "": invalid syntax'],
    ["90#", "invalid value for IntOrString: invalid type: string is not a percentage"],
    ["#%", 'invalid value for IntOrString: invalid value "#%": strconv.Atoi: parsing "#": invalid syntax'],
    ["90", "invalid value for IntOrString: invalid type: string is not a percentage"],
    ["", "invalid value for IntOrString: invalid type: string is not a percentage"],
    ["1.5%", 'invalid value for IntOrString: invalid value "1.5%": strconv.Atoi: parsing "1.5": invalid syntax'],
    [" 5%", 'invalid value for IntOrString: invalid value " 5%": strconv.Atoi: parsing " 5": invalid syntax'],
    [
      "99999999999999999999%",
      'invalid value for IntOrString: invalid value "99999999999999999999%": strconv.Atoi: parsing "99999999999999999999": value out of range',
    ],
    [1.5, "invalid value for IntOrString: invalid type: neither int nor percentage"],
    [Number.NaN, "invalid value for IntOrString: invalid type: neither int nor percentage"],
    [true, "invalid value for IntOrString: invalid type: neither int nor percentage"],
    [{}, "invalid value for IntOrString: invalid type: neither int nor percentage"],
    [null, "nil value for IntOrString"],
    [undefined, "nil value for IntOrString"],
  ];
  for (const [value, message] of invalid) {
    it(`refuses ${JSON.stringify(value) ?? String(value)}`, () => {
      assert.throws(
        () => scaledValueFromIntOrPercent(value as IntOrString, 10, true),
        (err: unknown) => err instanceof IntOrStringError && err.message === message,
      );
    });
  }
});

describe("intstr - percent checks", () => {
  it("isPercent is true only for strings ending in %", () => {
    assert.equal(isPercent("25%"), true);
    assert.equal(isPercent("x%"), true);
    assert.equal(isPercent("25"), false);
    assert.equal(isPercent(25), false);
    assert.equal(isPercent(null), false);
  });

  it("isValidPercent accepts [0-9]+% with Kubernetes' message otherwise", () => {
    assert.deepEqual(isValidPercent("25%"), []);
    assert.deepEqual(isValidPercent("0%"), []);
    for (const bad of ["-1%", "1.5%", "%", "25", "25 %"]) {
      assert.deepEqual(isValidPercent(bad), [
        "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
      ]);
    }
  });
});
