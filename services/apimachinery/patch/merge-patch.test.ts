// JSON merge patch (RFC 7386): the RFC's Appendix A examples, Kubernetes uses, no mutation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { applyMergePatch } from "./index.js";

const rfcAppendixA: Array<[unknown, unknown, unknown]> = [
  [{ a: "b" }, { a: "c" }, { a: "c" }],
  [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
  [{ a: "b" }, { a: null }, {}],
  [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
  [{ a: ["b"] }, { a: "c" }, { a: "c" }],
  [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
  [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
  [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
  [["a", "b"], ["c", "d"], ["c", "d"]],
  [{ a: "b" }, ["c"], ["c"]],
  [{ a: "foo" }, null, null],
  [{ a: "foo" }, "bar", "bar"],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: "b", c: null }, { a: "b" }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

rfcAppendixA.forEach(([doc, patch, expected], i) => {
  test(`merge patch - RFC 7386 appendix A example ${i + 1}`, () => {
    const docBefore = structuredClone(doc);
    const patchBefore = structuredClone(patch);
    assert.deepEqual(applyMergePatch(doc, patch), expected);
    assert.deepEqual(doc, docBefore, "document not mutated");
    assert.deepEqual(patch, patchBefore, "patch not mutated");
  });
});

test("merge patch - kubectl scale on the scale subresource", () => {
  const scale = { apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "web" }, spec: { replicas: 1 }, status: { replicas: 1 } };
  assert.deepEqual(applyMergePatch(scale, { spec: { replicas: 3 } }), { ...scale, spec: { replicas: 3 } });
});

test("merge patch - lists are replaced, not merged", () => {
  const doc = { spec: { containers: [{ name: "a", image: "1" }, { name: "b", image: "1" }] } };
  assert.deepEqual(applyMergePatch(doc, { spec: { containers: [{ name: "a", image: "2" }] } }), { spec: { containers: [{ name: "a", image: "2" }] } });
});

test("merge patch - the result shares no objects with the inputs", () => {
  const doc = { a: { b: [1] }, c: { d: 1 } };
  const patch = { e: { f: [2] } };
  const out = applyMergePatch(doc, patch) as { a: { b: number[] }; e: { f: number[] } };
  out.a.b.push(9);
  out.e.f.push(9);
  assert.deepEqual(doc, { a: { b: [1] }, c: { d: 1 } });
  assert.deepEqual(patch, { e: { f: [2] } });
});
