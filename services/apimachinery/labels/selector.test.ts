import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LabelSelectorError, Requirement, Selector, parseLabelSelector, selectorFromSet } from "./selector.js";

const VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const QUALIFIED_MSG =
  "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') " +
  "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";

function parseError(s: string): LabelSelectorError {
  try {
    parseLabelSelector(s);
  } catch (err) {
    assert.ok(err instanceof LabelSelectorError, `${JSON.stringify(s)} threw ${String(err)}`);
    return err;
  }
  assert.fail(`${JSON.stringify(s)} parsed but should not`);
}

/** [key, operator, values] of each requirement, in selector order. */
function shape(s: Selector): [string, string, string[]][] {
  return s.requirements.map((r) => [r.key, r.operator, [...r.values]]);
}

describe("labels - parsing (Kubernetes' TestSetSelectorParser cases)", () => {
  const cases: [string, [string, string, string[]][]][] = [
    ["", []],
    ["\rx", [["x", "exists", []]]],
    ["this-is-a-dns.domain.com/key-with-dash", [["this-is-a-dns.domain.com/key-with-dash", "exists", []]]],
    ["this-is-another-dns.domain.com/key-with-dash in (so,what)", [["this-is-another-dns.domain.com/key-with-dash", "in", ["so", "what"]]]],
    ["0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)", [["0.1.2.domain/99", "notin", ["10.10.100.1", "tick.tack.clock"]]]],
    ["foo  in\t (abc)", [["foo", "in", ["abc"]]]],
    ["x notin\n (abc)", [["x", "notin", ["abc"]]]],
    ["x  notin\t\t\t(abc,def)", [["x", "notin", ["abc", "def"]]]],
    ["x in (abc,def)", [["x", "in", ["abc", "def"]]]],
    ["x in (abc,)", [["x", "in", ["", "abc"]]]],
    ["x in ()", [["x", "in", [""]]]],
    [
      "x notin (abc,,def),bar,z in (),w",
      [
        ["bar", "exists", []],
        ["w", "exists", []],
        ["x", "notin", ["", "abc", "def"]],
        ["z", "in", [""]],
      ],
    ],
    [
      "x,y in (a)",
      [
        ["x", "exists", []],
        ["y", "in", ["a"]],
      ],
    ],
    ["x=a", [["x", "=", ["a"]]]],
    ["x==a", [["x", "==", ["a"]]]],
    ["x>1", [["x", "gt", ["1"]]]],
    ["x<7", [["x", "lt", ["7"]]]],
    [
      "x=a,y!=b",
      [
        ["x", "=", ["a"]],
        ["y", "!=", ["b"]],
      ],
    ],
    [
      "x=a,y!=b,z in (h,i,j)",
      [
        ["x", "=", ["a"]],
        ["y", "!=", ["b"]],
        ["z", "in", ["h", "i", "j"]],
      ],
    ],
    ["x notin ( )", [["x", "notin", [""]]]],
    ["x notin (, a)", [["x", "notin", ["", "a"]]]],
    ["a ", [["a", "exists", []]]],
    ["a in (x,y,notin, z,in)", [["a", "in", ["in", "notin", "x", "y", "z"]]]],
    ["!x", [["x", "!", []]]],
    ["  !  x  ", [["x", "!", []]]],
    ["x=", [["x", "=", [""]]]],
    ["x= ", [["x", "=", [""]]]],
    [
      "x=,z= ",
      [
        ["x", "=", [""]],
        ["z", "=", [""]],
      ],
    ],
    ["notin=in", [["notin", "=", ["in"]]]],
    ["in in (in)", [["in", "in", ["in"]]]],
    ["x in (b,a,b)", [["x", "in", ["a", "b"]]]],
    ["app.kubernetes.io/name=web", [["app.kubernetes.io/name", "=", ["web"]]]],
    [
      "z=1,a=2,m",
      [
        ["a", "=", ["2"]],
        ["m", "exists", []],
        ["z", "=", ["1"]],
      ],
    ],
  ];
  for (const [input, expected] of cases) {
    it(`parses ${JSON.stringify(input)}`, () => {
      assert.deepEqual(shape(parseLabelSelector(input)), expected);
    });
  }
});

describe("labels - parse errors carry Kubernetes' messages", () => {
  const cases: [string, string][] = [
    ["x,,y", "found ',', expected: identifier after ','"],
    [",x,y", "found ',', expected: !, identifier, or 'end of string'"],
    ["x nott in (y)", "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt"],
    ["a in (xyz),", "found '', expected: identifier after ','"],
    ["a in (xyz)b notin ()", "found 'b', expected: ',' or 'end of string'"],
    ["a in (xyz abc)", "unable to parse requirement: found 'abc', expected: ',' or ')'"],
    ["a notin(", "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ["a (", "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ["(", "found '(', expected: !, identifier, or 'end of string'"],
    ["x=a||y=b", `unable to parse requirement: values[0][x]: Invalid value: "a||y": ${VALUE_MSG}`],
    ["x=a,|", "unable to parse requirement: <nil>: Invalid value: \"|\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"],
    ["x==a==b", "found '==', expected: ',' or 'end of string'"],
    ["!x=a", "found '=', expected: ',' or 'end of string'"],
    ["x=a b", "found 'b', expected: ',' or 'end of string'"],
    ["x in a", "unable to parse requirement: found 'a' expected: '('"],
    ["x in (a", "unable to parse requirement: found '', expected: ',' or ')'"],
    ["x in (a=)", "unable to parse requirement: found '=', expected: ',' or ')'"],
    ["x in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ["x in (a,=)", "unable to parse requirement: found '=', expected: ',', or identifier"],
    ["x=(", "unable to parse requirement: found '(', expected: identifier"],
    ["!", "unable to parse requirement: found '', expected: identifier"],
    ["!=a", "found '!=', expected: !, identifier, or 'end of string'"],
    ["! =a", "unable to parse requirement: found '=', expected: identifier"],
    ["x>-5", `unable to parse requirement: values[0][x]: Invalid value: "-5": ${VALUE_MSG}`],
    ["x<a", `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`],
    ["a/b/c=d", `unable to parse requirement: <nil>: Invalid value: "a/b/c": ${QUALIFIED_MSG}`],
    ["x=a@b", `unable to parse requirement: values[0][x]: Invalid value: "a@b": ${VALUE_MSG}`],
    ["x in (a@,b@)", `unable to parse requirement: [values[0][x]: Invalid value: "a@": ${VALUE_MSG}, values[1][x]: Invalid value: "b@": ${VALUE_MSG}]`],
    [
      `x=${"a".repeat(64)}`,
      `unable to parse requirement: values[0][x]: Invalid value: "${"a".repeat(64)}": must be no more than 63 characters`,
    ],
    [
      "-x=1",
      "unable to parse requirement: <nil>: Invalid value: \"-x\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ],
    [
      "/x",
      "unable to parse requirement: <nil>: Invalid value: \"/x\": prefix part must be non-empty",
    ],
    [
      "Example.com/x",
      "unable to parse requirement: <nil>: Invalid value: \"Example.com/x\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ],
    [
      `${"k".repeat(64)}`,
      `unable to parse requirement: <nil>: Invalid value: "${"k".repeat(64)}": name part must be no more than 63 characters`,
    ],
    ["x/", 'unable to parse requirement: <nil>: Invalid value: "x/": name part must be non-empty; name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\')'],
    ["x>99999999999999999999", `unable to parse requirement: values[0]: Invalid value: "99999999999999999999": for 'Gt', 'Lt' operators, the value must be an integer`],
    ['x="a"', `unable to parse requirement: values[0][x]: Invalid value: "\\"a\\"": ${VALUE_MSG}`],
  ];
  for (const [input, message] of cases) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      assert.equal(parseError(input).message, message);
    });
  }

  it("a key at its limits is accepted: 253-byte prefix and 63-byte name", () => {
    const prefix = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`;
    assert.equal(prefix.length, 253);
    const key = `${prefix}/${"n".repeat(63)}`;
    assert.equal(parseLabelSelector(key).requirements[0]?.key, key);
    assert.match(parseError(`a${prefix}/n`).message, /prefix part must be no more than 253 characters/);
  });

  it("unicode in a value is refused with a typed error, its length counted in bytes", () => {
    const err = parseError(`x=${"é".repeat(32)}`);
    assert.match(err.message, /must be no more than 63 characters; a valid label must be/);
  });

  it("hostile inputs only ever raise LabelSelectorError", () => {
    const alphabet = ["a", "b", "=", "!", "(", ")", ",", " ", "in", "notin", ">", "<", "\0", "\t", "/", ".", "-", "é", "\\", "'"];
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 3000; i++) {
      let s = "";
      const len = rand(12);
      for (let j = 0; j < len; j++) s += alphabet[rand(alphabet.length)];
      try {
        const sel = parseLabelSelector(s);
        // whatever parses must print to a string that parses to the same selector
        assert.equal(parseLabelSelector(sel.toString()).toString(), sel.toString(), `round trip of ${JSON.stringify(s)}`);
      } catch (err) {
        assert.ok(err instanceof LabelSelectorError, `${JSON.stringify(s)} threw ${String(err)}`);
      }
    }
  });

  it("a non-string input is a typed error", () => {
    assert.throws(() => parseLabelSelector(undefined as unknown as string), LabelSelectorError);
  });
});

describe("labels - matching (Kubernetes' TestSelectorMatches)", () => {
  const labelset = { foo: "bar", baz: "blah" };
  const cases: [string, Record<string, string>, boolean][] = [
    ["", { x: "y" }, true],
    ["x=y", { x: "y" }, true],
    ["x=y,z=w", { x: "y", z: "w" }, true],
    ["x!=y,z!=w", { x: "z", z: "a" }, true],
    ["notin=in", { notin: "in" }, true],
    ["x", { x: "z" }, true],
    ["!x", { y: "z" }, true],
    ["x>1", { x: "2" }, true],
    ["x<1", { x: "0" }, true],
    ["x=z", {}, false],
    ["x=y", { x: "z" }, false],
    ["x=y,z=w", { x: "w", z: "w" }, false],
    ["x!=y,z!=w", { x: "z", z: "w" }, false],
    ["x", { y: "z" }, false],
    ["!x", { x: "z" }, false],
    ["x>1", { x: "0" }, false],
    ["x<1", { x: "2" }, false],
    ["x>1", { x: "a" }, false],
    ["x>1", {}, false],
    ["x>5", { x: "-4" }, false],
    ["x<5", { x: "-4" }, true],
    ["foo=bar", labelset, true],
    ["baz=blah", labelset, true],
    ["foo=bar,baz=blah", labelset, true],
    ["foo=blah", labelset, false],
    ["baz=bar", labelset, false],
    ["foo=bar,foobar=bar,baz=blah", labelset, false],
    ["x in (a,b)", { x: "b" }, true],
    ["x in (a,b)", { x: "c" }, false],
    ["x in (a,b)", {}, false],
    ["x notin (a,b)", { x: "c" }, true],
    ["x notin (a,b)", {}, true],
    ["x notin (a,b)", { x: "a" }, false],
    ["x=", { x: "" }, true],
    ["x=", {}, false],
    ["x!=", {}, true],
    ["x in ()", { x: "" }, true],
    ["constructor", {}, false],
    ["!toString", {}, true],
    ["hasOwnProperty", {}, false],
  ];
  for (const [selector, labels, expected] of cases) {
    it(`${JSON.stringify(selector)} ${expected ? "matches" : "does not match"} ${JSON.stringify(labels)}`, () => {
      assert.equal(parseLabelSelector(selector).matches(labels), expected);
    });
  }

  it("absent labels are an empty set", () => {
    assert.equal(parseLabelSelector("!a").matches(undefined), true);
    assert.equal(parseLabelSelector("a").matches(null), false);
    assert.equal(parseLabelSelector("").matches(undefined), true);
  });

  it("everything is empty and matches all; nothing is not empty and matches none", () => {
    assert.equal(Selector.everything.empty, true);
    assert.equal(Selector.everything.matches({ a: "b" }), true);
    assert.equal(Selector.nothing.empty, false);
    assert.equal(Selector.nothing.isNothing, true);
    assert.equal(Selector.nothing.matches({}), false);
    assert.equal(Selector.nothing.toString(), "");
    assert.equal(parseLabelSelector("").empty, true);
    assert.equal(parseLabelSelector("a").empty, false);
  });
});

describe("labels - canonical string form", () => {
  const cases: [string, string][] = [
    ["x in (abc,def),y notin (jkl),z", "x in (abc,def),y notin (jkl),z"],
    ["x notin (abc,def),y!=jkl,!z", "x notin (abc,def),y!=jkl,!z"],
    ["x notin (abc),y in (jkl,mno),z notin ()", "x notin (abc),y in (jkl,mno),z notin ()"],
    ["x=abc,y==jkl,z!=a,z", "x=abc,y==jkl,z!=a,z"],
    ["  z = 1 ,  a in ( b , a ) , ! c ", "a in (a,b),!c,z=1"],
    ["x>1,y<2", "x>1,y<2"],
    ["x in (,a,,)", "x in (,a)"],
    ["", ""],
  ];
  for (const [input, canonical] of cases) {
    it(`${JSON.stringify(input)} prints as ${JSON.stringify(canonical)} and round-trips`, () => {
      const s = parseLabelSelector(input).toString();
      assert.equal(s, canonical);
      assert.equal(parseLabelSelector(s).toString(), s);
    });
  }

  it("parsing is deterministic whatever the order of requirements", () => {
    assert.equal(parseLabelSelector("x=a,a=x").toString(), parseLabelSelector("a=x,x=a").toString());
  });
});

describe("labels - requirements built in code", () => {
  it("Requirement.create validates like NewRequirement, with field paths", () => {
    assert.throws(
      () => Requirement.create("x", "in", [], "spec.selector"),
      (err: unknown) =>
        err instanceof LabelSelectorError &&
        err.message === "spec.selector.values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty" &&
        err.causes[0]?.field === "spec.selector.values",
    );
    assert.throws(() => Requirement.create("x", "=", ["a", "b"]), /values: Invalid value: \[\]string\{"a", "b"\}: exact-match compatibility requires one single value/);
    assert.throws(() => Requirement.create("x", "exists", ["a"]), /values set must be empty for exists and does not exist/);
    assert.throws(() => Requirement.create("x", "gt", ["1", "2"]), /for 'Gt', 'Lt' operators, exactly one value is required/);
    assert.throws(() => Requirement.create("x", "bogus" as "in", ["a"]), /operator: Unsupported value: "bogus": supported values: "in", "notin"/);
    assert.throws(() => Requirement.create("a b", "exists", []), /^LabelSelectorError: key: Invalid value: "a b": name part must consist/);
  });

  it("values given out of order print sorted but match as given", () => {
    const r = Requirement.create("x", "in", ["c", "a", "b"]);
    assert.equal(r.toString(), "x in (a,b,c)");
    assert.deepEqual(r.values, ["c", "a", "b"]);
    assert.equal(r.matches({ x: "b" }), true);
  });

  it("selectorFromSet requires every label, sorted by key; an empty set is everything", () => {
    const s = selectorFromSet({ b: "2", a: "1" });
    assert.equal(s.toString(), "a=1,b=2");
    assert.equal(s.matches({ a: "1", b: "2", c: "3" }), true);
    assert.equal(s.matches({ a: "1" }), false);
    assert.equal(selectorFromSet({}).empty, true);
    assert.equal(selectorFromSet(undefined).empty, true);
    assert.throws(() => selectorFromSet({ "a b": "1" }), LabelSelectorError);
  });

  it("add keeps requirements sorted; requiresExactMatch finds =, == and single-value in", () => {
    const s = parseLabelSelector("b=1").add(Requirement.create("a", "in", ["x"]));
    assert.equal(s.toString(), "a in (x),b=1");
    assert.equal(s.requiresExactMatch("a"), "x");
    assert.equal(s.requiresExactMatch("b"), "1");
    assert.equal(s.requiresExactMatch("c"), undefined);
    assert.equal(parseLabelSelector("a in (x,y)").requiresExactMatch("a"), undefined);
    assert.equal(parseLabelSelector("a!=x").requiresExactMatch("a"), undefined);
    assert.equal(Selector.nothing.add(Requirement.create("a", "exists", [])).isNothing, true);
  });
});
