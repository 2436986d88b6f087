// Stored-value codec: round trip, and typed errors (never a crash) for bad bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { prng } from "./prng.js";
import { encodeStored, decodeStored, fromKubeJSON, toKubeJSON, CorruptValueError, UnsupportedVersionError, UnknownKindError, STORED_FORMAT_VERSION, k8s } from "./index.js";

const doc = {
  apiVersion: "v1", kind: "Pod",
  metadata: { name: "p", namespace: "demo", labels: { app: "x" }, generation: 3, resourceVersion: "42" },
  spec: { nodeName: "n1", containers: [{ name: "c", image: "busybox", ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { port: "http" } } }] },
  status: { phase: "Running", podIP: "127.0.0.9", containerStatuses: [{ name: "c", ready: true, restartCount: 1, image: "busybox", imageID: "" }] },
};
const bytes = encodeStored("Pod", fromKubeJSON("Pod", doc).message);


test("stored - starts with the k8s magic and format version", () => {
  assert.deepEqual([...bytes.subarray(0, 4)], [0x6b, 0x38, 0x73, STORED_FORMAT_VERSION]);
});

test("stored - every value owns its bytes, also after an encode that threw midway", () => {
  const small = encodeStored("Pod", { metadata: { name: "p" } });
  const copy = [...small];
  const big = encodeStored("ConfigMap", { metadata: { name: "c" }, data: { k: "x".repeat(300_000) } });
  assert.throws(() => encodeStored("Pod", { metadata: { name: "q" }, spec: { containers: [null] } }));
  assert.deepEqual([...encodeStored("Pod", { metadata: { name: "p" } })], copy);
  assert.deepEqual([...small], copy, "a later encode does not write into an earlier value");
  assert.equal(decodeStored(big).kind, "ConfigMap");
  assert.equal(decodeStored(bytes).kind, "Pod");
});

test("stored - decodes to the kind and an equal message", () => {
  const back = decodeStored(bytes);
  assert.equal(back.kind, "Pod");
  assert.ok(back.message instanceof k8s.core.v1.Pod);
  assert.deepEqual(toKubeJSON(back.kind, back.message), doc);
});

test("stored - plain objects encode like generated messages", () => {
  const plain = { metadata: { name: "l" }, spec: { holderIdentity: "me", leaseDurationSeconds: 15, leaseTransitions: 0 } };
  const back = decodeStored(encodeStored("Lease", plain));
  assert.equal(back.kind, "Lease");
  assert.deepEqual(toKubeJSON("Lease", back.message), { apiVersion: "coordination.k8s.io/v1", kind: "Lease", ...plain });
});

test("stored - an unknown kind cannot be encoded", () => {
  assert.throws(() => encodeStored("Widget", {}), UnknownKindError);
});

test("stored - bad magic is a CorruptValueError", () => {
  for (const b of [new Uint8Array(0), Uint8Array.of(0x6b), Buffer.from("k8"), Buffer.from('{"kind":"Pod"}'), Buffer.from("K8s\x01")]) {
    assert.throws(() => decodeStored(b), CorruptValueError);
  }
});

test("stored - another format version is an UnsupportedVersionError", () => {
  for (const v of [0, 1, 3, 255]) { // 1: the layout before Kubernetes field numbers
    const b = Uint8Array.from(bytes);
    b[3] = v;
    assert.throws(() => decodeStored(b), (err: unknown) => err instanceof UnsupportedVersionError && err.version === v);
  }
});

test("stored - every truncation is a CorruptValueError", () => {
  for (let n = 4; n < bytes.length; n++) {
    assert.throws(() => decodeStored(bytes.subarray(0, n)), CorruptValueError, `truncated to ${n} of ${bytes.length}`);
  }
});

test("stored - an unknown kind inside is a CorruptValueError", () => {
  const b = Buffer.from(bytes);
  const at = b.indexOf("Pod");
  b.write("Pxd", at);
  assert.throws(() => decodeStored(b), (err: unknown) => err instanceof CorruptValueError && /unknown kind/.test(err.message));
});

test("stored - random corruption never crashes: a value or a typed error", () => {
  const rand = prng(42);
  let decoded = 0;
  let corrupt = 0;
  for (let i = 0; i < 3000; i++) {
    const b = Uint8Array.from(bytes);
    const flips = 1 + Math.floor(rand() * 4);
    for (let j = 0; j < flips; j++) b[4 + Math.floor(rand() * (b.length - 4))] = Math.floor(rand() * 256);
    try {
      const v = decodeStored(b);
      toKubeJSON(v.kind, v.message); // whatever decoded must still render
      decoded++;
    } catch (err) {
      assert.ok(err instanceof CorruptValueError, `iteration ${i}: ${String(err)}`);
      corrupt++;
    }
  }
  assert.ok(corrupt > 0 && decoded + corrupt === 3000);
});

test("stored - random bytes after a valid prefix never crash", () => {
  const rand = prng(7);
  for (let i = 0; i < 2000; i++) {
    const b = new Uint8Array(4 + Math.floor(rand() * 64));
    b.set([0x6b, 0x38, 0x73, STORED_FORMAT_VERSION]);
    for (let j = 4; j < b.length; j++) b[j] = Math.floor(rand() * 256);
    try {
      decodeStored(b);
    } catch (err) {
      assert.ok(err instanceof CorruptValueError, `iteration ${i}: ${String(err)}`);
    }
  }
});
