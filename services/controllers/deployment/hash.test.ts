import { test } from "node:test";
import assert from "node:assert/strict";
import { canonicalJson, computeHash, equalIgnoreHash, fnv1a32, safeEncodeString } from "./hash.js";
import type { PodTemplateSpec } from "./types.js";

const template = (image: string, extra: Record<string, unknown> = {}): PodTemplateSpec => ({
  metadata: { labels: { app: "web" } },
  spec: { containers: [{ name: "c", image, ...extra }] },
});

test("fnv1a32 - known vectors", () => {
  const enc = new TextEncoder();
  assert.equal(fnv1a32(enc.encode("")), 0x811c9dc5);
  assert.equal(fnv1a32(enc.encode("a")), 0xe40c292c);
  assert.equal(fnv1a32(enc.encode("foobar")), 0xbf9cf968);
  // continuing from a seed equals hashing the concatenation
  assert.equal(fnv1a32(enc.encode("bar"), fnv1a32(enc.encode("foo"))), fnv1a32(enc.encode("foobar")));
});

test("safeEncodeString - maps digits into the safe alphabet as Kubernetes does", () => {
  // '0' is 48: 48 % 27 = 21 → '4'; '9' is 57: 57 % 27 = 3 → 'f'
  assert.equal(safeEncodeString("0"), "4");
  assert.equal(safeEncodeString("9"), "f");
  assert.equal(safeEncodeString("1234"), "5678");
});

test("computeHash - stable, safe characters, sensitive to the template and the collision count", () => {
  const h = computeHash(template("nginx:1"));
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.equal(computeHash(template("nginx:1")), h, "same template, same hash");
  const reordered: PodTemplateSpec = { spec: { containers: [{ image: "nginx:1", name: "c" }] }, metadata: { labels: { app: "web" } } };
  assert.equal(computeHash(reordered), h, "member order does not matter");
  assert.equal(computeHash({ ...template("nginx:1"), spec: { ...template("nginx:1").spec, volumes: [] } }), h, "empty list same as absent");
  assert.notEqual(computeHash(template("nginx:2")), h);
  assert.notEqual(computeHash(template("nginx:1"), 1), h, "collision count changes the hash");
  assert.notEqual(computeHash(template("nginx:1"), 1), computeHash(template("nginx:1"), 2));
  assert.notEqual(computeHash(template("nginx:1"), 0), h, "a zero collision count is still hashed (as Kubernetes: a set pointer)");
  assert.equal(computeHash(template("nginx:1"), null), h);
});

test("equalIgnoreHash - table", () => {
  const withHash = (t: PodTemplateSpec, hash: string): PodTemplateSpec => ({ ...t, metadata: { ...t.metadata, labels: { ...t.metadata!.labels, "pod-template-hash": hash } } });
  const cases: Array<{ name: string; a: PodTemplateSpec | undefined; b: PodTemplateSpec | undefined; want: boolean }> = [
    { name: "identical", a: template("x"), b: template("x"), want: true },
    { name: "hash label on one side", a: withHash(template("x"), "abc"), b: template("x"), want: true },
    { name: "different hash labels", a: withHash(template("x"), "abc"), b: withHash(template("x"), "def"), want: true },
    { name: "image differs", a: template("x"), b: template("y"), want: false },
    { name: "other label differs", a: template("x"), b: { ...template("x"), metadata: { labels: { app: "web", tier: "fe" } } }, want: false },
    { name: "annotation added (rollout restart)", a: template("x"), b: { ...template("x"), metadata: { labels: { app: "web" }, annotations: { "kubectl.kubernetes.io/restartedAt": "now" } } }, want: false },
    { name: "null vs absent field", a: template("x", { args: null }), b: template("x"), want: true },
    { name: "empty labels vs absent", a: { spec: {}, metadata: { labels: {} } }, b: { spec: {} }, want: true },
    { name: "missing template", a: undefined, b: template("x"), want: false },
  ];
  for (const c of cases) assert.equal(equalIgnoreHash(c.a, c.b), c.want, c.name);
});

test("canonicalJson - sorted members, empties dropped, array order kept", () => {
  assert.equal(canonicalJson({ b: 1, a: [2, 1], c: {}, d: null, e: [] }), '{"a":[2,1],"b":1}');
  assert.equal(canonicalJson({}), "null");
});
