// JSON patch (RFC 6902): the RFC's Appendix A examples, pointer escaping, errors, no mutation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { applyJsonPatch, parseJsonPointer, formatJsonPointer, PatchError, MAX_JSON_PATCH_OPERATIONS } from "./index.js";

interface Case { name: string; doc: unknown; patch: unknown[]; expected?: unknown; error?: RegExp }

const rfcAppendixA: Case[] = [
  { name: "A.1 adding an object member", doc: { foo: "bar" }, patch: [{ op: "add", path: "/baz", value: "qux" }], expected: { baz: "qux", foo: "bar" } },
  { name: "A.2 adding an array element", doc: { foo: ["bar", "baz"] }, patch: [{ op: "add", path: "/foo/1", value: "qux" }], expected: { foo: ["bar", "qux", "baz"] } },
  { name: "A.3 removing an object member", doc: { baz: "qux", foo: "bar" }, patch: [{ op: "remove", path: "/baz" }], expected: { foo: "bar" } },
  { name: "A.4 removing an array element", doc: { foo: ["bar", "qux", "baz"] }, patch: [{ op: "remove", path: "/foo/1" }], expected: { foo: ["bar", "baz"] } },
  { name: "A.5 replacing a value", doc: { baz: "qux", foo: "bar" }, patch: [{ op: "replace", path: "/baz", value: "boo" }], expected: { baz: "boo", foo: "bar" } },
  {
    name: "A.6 moving a value",
    doc: { foo: { bar: "baz", waldo: "fred" }, qux: { corge: "grault" } },
    patch: [{ op: "move", from: "/foo/waldo", path: "/qux/thud" }],
    expected: { foo: { bar: "baz" }, qux: { corge: "grault", thud: "fred" } },
  },
  { name: "A.7 moving an array element", doc: { foo: ["all", "grass", "cows", "eat"] }, patch: [{ op: "move", from: "/foo/1", path: "/foo/3" }], expected: { foo: ["all", "cows", "eat", "grass"] } },
  {
    name: "A.8 testing a value: success",
    doc: { baz: "qux", foo: ["a", 2, "c"] },
    patch: [{ op: "test", path: "/baz", value: "qux" }, { op: "test", path: "/foo/1", value: 2 }],
    expected: { baz: "qux", foo: ["a", 2, "c"] },
  },
  { name: "A.9 testing a value: error", doc: { baz: "qux" }, patch: [{ op: "test", path: "/baz", value: "bar" }], error: /testing value \/baz failed/ },
  { name: "A.10 adding a nested member object", doc: { foo: "bar" }, patch: [{ op: "add", path: "/child", value: { grandchild: {} } }], expected: { foo: "bar", child: { grandchild: {} } } },
  { name: "A.11 ignoring unrecognized elements", doc: { foo: "bar" }, patch: [{ op: "add", path: "/baz", value: "qux", xyz: 123 }], expected: { foo: "bar", baz: "qux" } },
  { name: "A.12 adding to a nonexistent target", doc: { foo: "bar" }, patch: [{ op: "add", path: "/baz/bat", value: "qux" }], error: /add operation does not apply: doc is missing path: "\/baz\/bat"/ },
  { name: "A.14 ~ escape ordering", doc: { "/": 9, "~1": 10 }, patch: [{ op: "test", path: "/~01", value: 10 }], expected: { "/": 9, "~1": 10 } },
  { name: "A.15 comparing strings and numbers", doc: { "/": 9, "~1": 10 }, patch: [{ op: "test", path: "/~01", value: "10" }], error: /testing value \/~01 failed/ },
  { name: "A.16 adding an array value", doc: { foo: ["bar"] }, patch: [{ op: "add", path: "/foo/-", value: ["abc", "def"] }], expected: { foo: ["bar", ["abc", "def"]] } },
];

const more: Case[] = [
  { name: "add replaces the whole document at the root", doc: { a: 1 }, patch: [{ op: "add", path: "", value: [1] }], expected: [1] },
  { name: "replace at the root", doc: { a: 1 }, patch: [{ op: "replace", path: "", value: { b: 2 } }], expected: { b: 2 } },
  { name: "add replaces an existing member", doc: { a: 1 }, patch: [{ op: "add", path: "/a", value: null }], expected: { a: null } },
  { name: "add at index == length appends", doc: { a: [1] }, patch: [{ op: "add", path: "/a/1", value: 2 }], expected: { a: [1, 2] } },
  { name: "add past the end fails", doc: { a: [1] }, patch: [{ op: "add", path: "/a/2", value: 2 }], error: /invalid index/ },
  { name: "index with a leading zero fails", doc: { a: [1, 2] }, patch: [{ op: "remove", path: "/a/01" }], error: /invalid index/ },
  { name: "'-' is only valid for add", doc: { a: [1, 2] }, patch: [{ op: "replace", path: "/a/-", value: 3 }], error: /invalid index/ },
  { name: "remove a missing member fails", doc: { a: 1 }, patch: [{ op: "remove", path: "/b" }], error: /Unable to remove nonexistent key: b/ },
  { name: "remove the root fails", doc: { a: 1 }, patch: [{ op: "remove", path: "" }], error: /cannot remove the whole document/ },
  { name: "replace a missing member fails", doc: { a: 1 }, patch: [{ op: "replace", path: "/b", value: 2 }], error: /replace operation does not apply: doc is missing key: \/b/ },
  { name: "replace below a missing parent fails", doc: {}, patch: [{ op: "replace", path: "/a/b", value: 2 }], error: /doc is missing path: \/a\/b/ },
  { name: "move to its own child fails", doc: { a: { b: 1 } }, patch: [{ op: "move", from: "/a", path: "/a/b/c" }], error: /proper prefix/ },
  { name: "move from a missing path fails", doc: { a: 1 }, patch: [{ op: "move", from: "/x", path: "/y" }], error: /doc is missing from path: \/x/ },
  { name: "move onto itself is a no-op", doc: { a: 1 }, patch: [{ op: "move", from: "/a", path: "/a" }], expected: { a: 1 } },
  { name: "copy makes an independent copy", doc: { a: { b: [1] } }, patch: [{ op: "copy", from: "/a", path: "/c" }, { op: "add", path: "/c/b/-", value: 2 }], expected: { a: { b: [1] }, c: { b: [1, 2] } } },
  { name: "copy from a missing path fails", doc: {}, patch: [{ op: "copy", from: "/a", path: "/b" }], error: /copy operation does not apply/ },
  { name: "test compares objects regardless of member order", doc: { a: { x: 1, y: [1, { z: 2 }] } }, patch: [{ op: "test", path: "/a", value: { y: [1, { z: 2 }], x: 1 } }], expected: { a: { x: 1, y: [1, { z: 2 }] } } },
  { name: "test of array order fails", doc: { a: [1, 2] }, patch: [{ op: "test", path: "/a", value: [2, 1] }], error: /test failed/ },
  { name: "test of a missing path fails", doc: {}, patch: [{ op: "test", path: "/a", value: null }], error: /test failed/ },
  { name: "keys with / and ~ via escapes", doc: { metadata: { annotations: {} } }, patch: [{ op: "add", path: "/metadata/annotations/kubectl.kubernetes.io~1restartedAt", value: "now" }, { op: "add", path: "/metadata/annotations/a~0b", value: "x" }], expected: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "now", "a~b": "x" } } } },
  { name: "unknown op", doc: {}, patch: [{ op: "merge", path: "/a", value: 1 }], error: /Unexpected kind: merge/ },
  { name: "missing value", doc: {}, patch: [{ op: "add", path: "/a" }], error: /missing "value"/ },
  { name: "missing path", doc: {}, patch: [{ op: "remove" }], error: /missing "path"/ },
  { name: "missing from", doc: { a: 1 }, patch: [{ op: "move", path: "/b" }], error: /missing "from"/ },
  { name: "operation not an object", doc: {}, patch: ["add"], error: /not an object/ },
  { name: "bad pointer", doc: {}, patch: [{ op: "add", path: "a", value: 1 }], error: /invalid JSON pointer/ },
  { name: "bad escape", doc: {}, patch: [{ op: "add", path: "/a~2", value: 1 }], error: /bad escape/ },
  { name: "a later failure undoes nothing visible: the whole patch fails", doc: { a: 1 }, patch: [{ op: "replace", path: "/a", value: 2 }, { op: "test", path: "/a", value: 3 }], error: /test failed/ },
  {
    name: "kubectl rollout undo: replace /spec/template and /metadata/annotations",
    doc: { metadata: { name: "d", annotations: { "deployment.kubernetes.io/revision": "2" } }, spec: { replicas: 2, template: { spec: { containers: [{ name: "c", image: "v2" }] } } } },
    patch: [
      { op: "replace", path: "/spec/template", value: { spec: { containers: [{ name: "c", image: "v1" }] } } },
      { op: "replace", path: "/metadata/annotations", value: { "deployment.kubernetes.io/revision": "1" } },
    ],
    expected: { metadata: { name: "d", annotations: { "deployment.kubernetes.io/revision": "1" } }, spec: { replicas: 2, template: { spec: { containers: [{ name: "c", image: "v1" }] } } } },
  },
];

for (const c of [...rfcAppendixA, ...more]) {
  test(`json patch - ${c.name}`, () => {
    const docBefore = structuredClone(c.doc);
    const patchBefore = structuredClone(c.patch);
    if (c.error) {
      assert.throws(() => applyJsonPatch(c.doc, c.patch), (e: unknown) => e instanceof PatchError && e.code === 422 && c.error!.test(e.message));
    } else {
      assert.deepEqual(applyJsonPatch(c.doc, c.patch), c.expected);
    }
    assert.deepEqual(c.doc, docBefore, "document not mutated");
    assert.deepEqual(c.patch, patchBefore, "patch not mutated");
  });
}

test("json patch - a patch that is not an array is a bad request (400)", () => {
  for (const patch of [{ op: "add" }, "x", null]) {
    assert.throws(() => applyJsonPatch({}, patch), (e: unknown) => e instanceof PatchError && e.code === 400 && e.reason === "BadRequest");
  }
});

test("json patch - more operations than Kubernetes allows are refused", () => {
  const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: "test", path: "", value: {} }));
  assert.throws(() => applyJsonPatch({}, ops), /allowed maximum operations in a JSON patch is 10000, got 10001/);
});

test("json patch - the result shares no objects with the input or the patch values", () => {
  const value = { x: [1] };
  const doc = { keep: { y: 1 } };
  const out = applyJsonPatch(doc, [{ op: "add", path: "/v", value }]) as { v: { x: number[] }; keep: { y: number } };
  out.v.x.push(2);
  out.keep.y = 2;
  assert.deepEqual(value, { x: [1] });
  assert.deepEqual(doc, { keep: { y: 1 } });
});

test("json patch - a __proto__ member is plain data", () => {
  const out = applyJsonPatch({}, [{ op: "add", path: "/__proto__", value: { polluted: true } }]) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.deepEqual(Object.keys(out), ["__proto__"]);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test("json pointer - parse and format round-trip with escapes", () => {
  const cases: Array<[string, string[]]> = [["", []], ["/", [""]], ["/a~1b/c~0d/0", ["a/b", "c~d", "0"]], ["/~01", ["~1"]]];
  for (const [pointer, tokens] of cases) {
    assert.deepEqual(parseJsonPointer(pointer), tokens);
    assert.equal(formatJsonPointer(tokens), pointer);
  }
});
