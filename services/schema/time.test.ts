// RFC3339 and Go duration forms, and how Time/MicroTime/Duration/Quantity fields convert.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatGoDuration, formatRFC3339, parseGoDuration, parseRFC3339 } from "./time.js";
import { fromKubeJSON, toKubeJSON, messageFromKubeJSON, messageToKubeJSON, SchemaError } from "./index.js";

const instants: [string, number, number][] = [
  ["1970-01-01T00:00:00Z", 0, 0],
  ["2025-01-02T03:04:05Z", 1735787045, 0],
  ["2025-01-02T05:04:05+02:00", 1735787045, 0],
  ["2025-01-01T22:04:05-05:00", 1735787045, 0],
  ["2024-02-29T23:59:59.5Z", 1709251199, 500000000],
  ["2025-01-02T03:04:05.123456789Z", 1735787045, 123456789],
  ["1969-12-31T23:59:59Z", -1, 0],
  ["0001-01-01T00:00:00Z", -62135596800, 0],
  ["0099-03-01T00:00:00Z", -59037897600, 0],
  ["9999-12-31T23:59:59Z", 253402300799, 0],
];
for (const [text, seconds, nanos] of instants) {
  test(`time - parseRFC3339 ${text}`, () => assert.deepEqual(parseRFC3339(text), { seconds, nanos }));
}

for (const bad of ["", "2025-01-02", "2025-01-02 03:04:05Z", "2025-01-02T03:04:05", "2025-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
  "2025-04-31T00:00:00Z", "2025-01-02T24:00:00Z", "2025-01-02T03:60:00Z", "2025-01-02T03:04:05.Z", "2025-01-02T03:04:05+2:00",
  "2025-01-02T03:04:05+24:00", "25-01-02T03:04:05Z", "2025-01-02T03:04:05.1234567890Z", "now"]) {
  test(`time - parseRFC3339 rejects ${JSON.stringify(bad)}`, () => assert.equal(parseRFC3339(bad), undefined));
}

test("time - formatRFC3339 writes UTC, whole seconds for Time and microseconds for MicroTime", () => {
  assert.equal(formatRFC3339(1735787045, 999999999, false), "2025-01-02T03:04:05Z");
  assert.equal(formatRFC3339(1735787045, 123456789, true), "2025-01-02T03:04:05.123456Z");
  assert.equal(formatRFC3339(0, 0, true), "1970-01-01T00:00:00.000000Z");
  assert.equal(formatRFC3339(-62135596800, 0, false), "0001-01-01T00:00:00Z");
});

const durations: [string, number, string][] = [
  ["0", 0, "0s"], ["0s", 0, "0s"], ["1ns", 1, "1ns"], ["1.5us", 1500, "1.5µs"], ["1.5µs", 1500, "1.5µs"], ["2ms", 2e6, "2ms"],
  ["1s", 1e9, "1s"], ["1.5s", 1.5e9, "1.5s"], ["90s", 90e9, "1m30s"], ["1m", 60e9, "1m0s"], ["1h", 3600e9, "1h0m0s"],
  ["2h45m", 9900e9, "2h45m0s"], ["-1.5h", -5400e9, "-1h30m0s"], ["1h2m3.5s", 3723.5e9, "1h2m3.5s"], ["+5m", 300e9, "5m0s"],
  [".5s", 0.5e9, "500ms"], ["1.000000001s", 1000000001, "1.000000001s"], ["72h", 259200e9, "72h0m0s"],
];
for (const [text, ns, canonical] of durations) {
  test(`time - duration ${text} = ${ns}ns = ${canonical}`, () => {
    assert.equal(parseGoDuration(text), ns);
    assert.equal(formatGoDuration(ns), canonical);
    assert.equal(parseGoDuration(canonical), ns);
  });
}
for (const bad of ["", "1", "s", "1d", "1.s5", "--1s", "1 s", "1e3s", "99999999999h"]) {
  test(`time - duration rejects ${JSON.stringify(bad)}`, () => assert.equal(parseGoDuration(bad), undefined));
}

test("time fields - RFC3339 in, UTC out; offsets and fractions normalised as Kubernetes does", () => {
  const { message } = fromKubeJSON("Namespace", { metadata: { name: "n", creationTimestamp: "2025-01-02T05:04:05.9+02:00" } });
  const t = message.metadata!.creationTimestamp!;
  assert.deepEqual([t.seconds, t.nanos], [1735787045, 0]);
  assert.deepEqual(toKubeJSON("Namespace", message).metadata, { name: "n", creationTimestamp: "2025-01-02T03:04:05Z" });
});

test("time fields - the Unix epoch is a time, an unset Time is absent", () => {
  const epoch = fromKubeJSON("Namespace", { metadata: { name: "n", creationTimestamp: "1970-01-01T00:00:00Z" } }).message;
  assert.deepEqual(toKubeJSON("Namespace", epoch).metadata, { name: "n", creationTimestamp: "1970-01-01T00:00:00Z" });
  // What Kubernetes writes for a zero metav1.Time: the field with an empty message.
  assert.deepEqual(toKubeJSON("Namespace", { metadata: { name: "n", creationTimestamp: {} } }).metadata, { name: "n" });
});

test("time fields - MicroTime keeps microseconds", () => {
  const doc = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "l" }, spec: { renewTime: "2025-01-02T03:04:05.123456789Z" } };
  const out = toKubeJSON("Lease", fromKubeJSON("Lease", doc).message);
  assert.deepEqual(out.spec, { renewTime: "2025-01-02T03:04:05.123456Z" });
});

test("duration and quantity messages have their JSON forms", () => {
  const d = messageFromKubeJSON("k8s.meta.v1.Duration", "1m30s").message as { duration: number };
  assert.equal(d.duration, 90e9);
  assert.equal(messageToKubeJSON("k8s.meta.v1.Duration", d), "1m30s");
  assert.equal(messageToKubeJSON("k8s.meta.v1.Quantity", {}), "0", "a zero Quantity is 0");
  const pod = fromKubeJSON("Pod", { spec: { containers: [{ name: "c", resources: { limits: { cpu: null, memory: 1.5 } } }] } }).message;
  assert.deepEqual((toKubeJSON("Pod", pod) as any).spec.containers[0].resources, { limits: { cpu: "0", memory: "1.5" } });
});

const errors: [string, unknown, string, RegExp][] = [
  ["bad time text", { metadata: { creationTimestamp: "yesterday" } }, "metadata.creationTimestamp", /expected RFC3339 time/],
  ["number for time", { metadata: { deletionTimestamp: 1735787045 } }, "metadata.deletionTimestamp", /expected RFC3339 time string, got number/],
  ["object for quantity", { spec: { containers: [{ name: "c", resources: { requests: { cpu: {} } } }] } }, "spec.containers[0].resources.requests[cpu]", /expected quantity string/],
  ["bad quantity", { spec: { volumes: [{ name: "v", emptyDir: { sizeLimit: "1 Gi" } }] } }, "spec.volumes[0].emptyDir.sizeLimit", /quantities must match/],
];
for (const [name, doc, path, re] of errors) {
  test(`time fields - ${name} is a SchemaError at ${path}`, () => {
    assert.throws(() => fromKubeJSON("Pod", doc), (err: unknown) => err instanceof SchemaError && err.path === path && re.test(err.message));
  });
}

test("time - repeated and alternating inputs give the same answers as fresh calls (the memo is invisible)", () => {
  const texts = ["2025-01-02T03:04:05Z", "2025-01-02T03:04:05Z", "2025-01-02T03:04:06Z", "bad", "bad", "2025-01-02T03:04:05.5+01:00", "2025-01-02T03:04:05Z"];
  const fresh: Record<string, unknown> = {
    "2025-01-02T03:04:05Z": { seconds: 1735787045, nanos: 0 },
    "2025-01-02T03:04:06Z": { seconds: 1735787046, nanos: 0 },
    bad: undefined,
    "2025-01-02T03:04:05.5+01:00": { seconds: 1735783445, nanos: 500000000 },
  };
  for (const t of texts) assert.deepEqual(parseRFC3339(t), fresh[t], t);
  // Callers may keep and change what they got: the next answer is unaffected.
  const got = parseRFC3339("2025-01-02T03:04:05Z")!;
  got.seconds = 0;
  assert.deepEqual(parseRFC3339("2025-01-02T03:04:05Z"), { seconds: 1735787045, nanos: 0 });
  const cases: Array<[number, number, boolean, string]> = [
    [1735787045, 0, false, "2025-01-02T03:04:05Z"],
    [1735787045, 123456789, true, "2025-01-02T03:04:05.123456Z"],
    [1735787045, 1000, true, "2025-01-02T03:04:05.000001Z"],
    [1735787046, 0, false, "2025-01-02T03:04:06Z"],
    [1735787045, 0, false, "2025-01-02T03:04:05Z"],
  ];
  for (const [s, n, micro, want] of cases) assert.equal(formatRFC3339(s, n, micro), want);
});
