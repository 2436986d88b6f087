// Kubernetes JSON conversion: unknown fields, special types, pointers vs omitempty, type errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fromKubeJSON, toKubeJSON, SchemaError, UnknownKindError, k8s } from "./index.js";

const pod = (spec: unknown, extra: Record<string, unknown> = {}) => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec, ...extra });

test("json - unknown fields are dropped with one warning per path", () => {
  const { message, warnings } = fromKubeJSON("Pod", pod(
    { containers: [{ name: "a", image: "x", foo: 1 }, { name: "b", bar: { baz: 2 } }], nodeName: "n1", zzz: null },
    { extra: true },
  ));
  assert.deepEqual(warnings.sort(), [
    'unknown field "extra"',
    'unknown field "spec.containers[0].foo"',
    'unknown field "spec.containers[1].bar"',
    'unknown field "spec.zzz"',
  ]);
  assert.deepEqual(toKubeJSON("Pod", message), pod({ containers: [{ name: "a", image: "x" }, { name: "b" }], nodeName: "n1" }));
});

test("json - IntOrString keeps numbers as numbers and strings as strings", () => {
  const doc = {
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" },
    spec: { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: "25%" } } },
  };
  const { message } = fromKubeJSON("Deployment", doc);
  const ru = message.spec!.strategy!.rollingUpdate!;
  assert.deepEqual([ru.maxSurge!.type, ru.maxSurge!.intVal, ru.maxUnavailable!.type, ru.maxUnavailable!.strVal], [0, 0, 1, "25%"]);
  assert.deepEqual(toKubeJSON("Deployment", message), doc);
  // A numeric string stays a string: "8080" is a port name lookup in Kubernetes, not 8080.
  const svc = { apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { ports: [{ port: 80, targetPort: "8080" }, { port: 81, targetPort: 8081 }] } };
  assert.deepEqual(toKubeJSON("Service", fromKubeJSON("Service", svc).message), svc);
});

test("json - RawExtension holds any JSON value", () => {
  for (const data of [{ a: [1, "two", { three: null }], b: { c: true } }, [1, 2], "text", 42, false, {}]) {
    const doc = { apiVersion: "apps/v1", kind: "ControllerRevision", metadata: { name: "r" }, data, revision: 3 };
    const { message, warnings } = fromKubeJSON("ControllerRevision", doc);
    assert.deepEqual(warnings, [], "no warnings inside embedded JSON");
    assert.deepEqual(toKubeJSON("ControllerRevision", message), doc);
  }
});

test("json - pointers keep zero values, omitempty fields drop them, non-omitempty fields always appear", () => {
  const doc = {
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", generation: 0 },
    spec: { replicas: 0, minReadySeconds: 0, paused: false, revisionHistoryLimit: 0 },
  };
  const out = toKubeJSON("Deployment", fromKubeJSON("Deployment", doc).message);
  assert.deepEqual(out, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: { replicas: 0, revisionHistoryLimit: 0 } });
  // A status built in code: ready/restartCount/image/imageID have no omitempty in Kubernetes.
  const status = new k8s.core.v1.PodStatus({ containerStatuses: [{ name: "c" }], conditions: [{ type: "Ready" }] });
  const p = new k8s.core.v1.Pod({ metadata: { name: "x" }, status });
  assert.deepEqual(toKubeJSON("Pod", p), {
    apiVersion: "v1", kind: "Pod", metadata: { name: "x" },
    status: {
      conditions: [{ type: "Ready", status: "" }],
      containerStatuses: [{ name: "c", ready: false, restartCount: 0, image: "", imageID: "" }],
    },
  });
});

test("json - apiVersion and kind are filled in and put first", () => {
  const { message } = fromKubeJSON("Lease", { metadata: { name: "l" }, spec: { holderIdentity: "" } });
  assert.equal(message.kind, "Lease");
  assert.equal(message.apiVersion, "coordination.k8s.io/v1");
  const out = toKubeJSON("Lease", { metadata: { name: "l" } });
  assert.deepEqual(Object.keys(out), ["apiVersion", "kind", "metadata"]);
  assert.deepEqual(toKubeJSON("Lease", message), { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "l" }, spec: { holderIdentity: "" } });
});

test("json - quantities accept numbers and become strings; int64 and bytes keep their JSON forms", () => {
  const { message } = fromKubeJSON("Pod", pod({ containers: [{ name: "c", resources: { limits: { cpu: 2, memory: "1Gi" }, requests: { cpu: 0.5 } } }] }));
  const out = toKubeJSON("Pod", message) as { spec: { containers: { resources: unknown }[] } };
  assert.deepEqual(out.spec.containers[0]!.resources, { limits: { cpu: "2", memory: "1Gi" }, requests: { cpu: "0.5" } });
  const node = { apiVersion: "v1", kind: "Node", metadata: { name: "n", generation: 9007199254740991 }, status: { images: [{ names: ["a"], sizeBytes: 123456789012 }] } };
  assert.deepEqual(toKubeJSON("Node", fromKubeJSON("Node", node).message), node);
  const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { k: Buffer.from("héllo\u0000\xff").toString("base64") } };
  const sm = fromKubeJSON("Secret", secret).message;
  assert.equal(Buffer.from(sm.data!.k!).toString(), "héllo\u0000\xff");
  assert.deepEqual(toKubeJSON("Secret", sm), secret);
});

test("json - nulls are absent; null list items and map values become zero values as in Go", () => {
  const { message } = fromKubeJSON("Pod", pod({ containers: [{ name: "c", args: ["a", null], env: null }], nodeSelector: { a: null } }, { status: null }));
  assert.deepEqual(toKubeJSON("Pod", message), pod({ containers: [{ name: "c", args: ["a", ""] }], nodeSelector: { a: "" } }));
});

test("json - maps and objects never take over __proto__", () => {
  const doc = JSON.parse('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"__proto__":"x"}},"data":{"__proto__":"y"}}');
  const { message } = fromKubeJSON("ConfigMap", doc);
  assert.equal(Object.getPrototypeOf(message.data), Object.prototype);
  assert.equal(message.data!["__proto__"], "y");
  assert.equal(JSON.stringify(toKubeJSON("ConfigMap", message)), JSON.stringify(doc));
});

const typeErrors: [string, string, unknown, string, RegExp][] = [
  ["string for object", "Pod", pod("oops"), "spec", /expected object, got string/],
  ["array for object", "Pod", pod([]), "spec", /expected object, got array/],
  ["number for string", "Pod", pod({ containers: [{ name: "c", image: 5 }] }), "spec.containers[0].image", /expected string, got number 5/],
  ["object for array", "Pod", pod({ containers: { name: "c" } }), "spec.containers", /expected array/],
  ["string for int32", "Deployment", { kind: "Deployment", spec: { replicas: "3" } }, "spec.replicas", /expected 32-bit integer, got string "3"/],
  ["fraction for int32", "Deployment", { spec: { replicas: 1.5 } }, "spec.replicas", /32-bit integer/],
  ["int32 overflow", "Deployment", { spec: { replicas: 2 ** 31 } }, "spec.replicas", /32-bit integer/],
  ["unsafe int64", "Node", { metadata: { generation: 2 ** 60 } }, "metadata.generation", /expected integer/],
  ["string for bool", "Pod", pod({ hostNetwork: "true" }), "spec.hostNetwork", /expected boolean/],
  ["bool label value", "Pod", { metadata: { labels: { enabled: true } } }, "metadata.labels[enabled]", /expected string, got boolean true/],
  ["object for IntOrString", "Service", { spec: { ports: [{ port: 1, targetPort: { a: 1 } }] } }, "spec.ports[0].targetPort", /integer or string/],
  ["bad quantity", "Pod", pod({ containers: [{ name: "c", resources: { limits: { cpu: "lots" } } }] }), "spec.containers[0].resources.limits[cpu]", /quantities must match/],
  ["bad base64", "Secret", { data: { k: "not base64!" } }, "data[k]", /illegal base64/],
  ["number for bytes", "ConfigMap", { binaryData: { k: 1 } }, "binaryData[k]", /expected base64 string/],
  ["wrong kind", "Pod", { kind: "Service" }, "kind", /expected "Pod"/],
  ["wrong apiVersion", "Deployment", { apiVersion: "extensions/v1beta1" }, "apiVersion", /expected "apps\/v1"/],
  ["not an object", "Pod", "text", "", /expected object/],
];
for (const [name, kind, doc, path, re] of typeErrors) {
  test(`json - ${name} is a SchemaError at ${path || "the root"}`, () => {
    assert.throws(() => fromKubeJSON(kind, doc), (err: unknown) => {
      assert.ok(err instanceof SchemaError, String(err));
      assert.equal(err.path, path);
      assert.match(err.message, re);
      return true;
    });
  });
}

test("json - an unknown kind is an UnknownKindError", () => {
  assert.throws(() => fromKubeJSON("Widget", {}), UnknownKindError);
  assert.throws(() => toKubeJSON("Widget", {}), UnknownKindError);
});

test("json - toKubeJSON puts the registry's apiVersion and kind first whatever the message holds, then fields in schema order", () => {
  const cases: Array<{ kind: string; message: Record<string, unknown>; keys: string[]; apiVersion: string }> = [
    { kind: "ConfigMap", message: { apiVersion: "v9", kind: "Wrong", data: { a: "1" }, metadata: { name: "c" } }, keys: ["apiVersion", "kind", "metadata", "data"], apiVersion: "v1" },
    { kind: "ConfigMap", message: { metadata: { name: "c" } }, keys: ["apiVersion", "kind", "metadata"], apiVersion: "v1" },
    { kind: "Deployment", message: { kind: "", spec: { replicas: 2 }, metadata: { name: "d" } }, keys: ["apiVersion", "kind", "metadata", "spec"], apiVersion: "apps/v1" },
    { kind: "Namespace", message: {}, keys: ["apiVersion", "kind"], apiVersion: "v1" },
  ];
  for (const c of cases) {
    const out = toKubeJSON(c.kind, c.message);
    assert.deepEqual(Object.keys(out), c.keys, c.kind);
    assert.equal(out.apiVersion, c.apiVersion);
    assert.equal(out.kind, c.kind);
  }
  // Byte-for-byte what a fromKubeJSON round trip gave before: a JSON text comparison.
  const doc = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", labels: { b: "2", a: "1" } }, spec: { containers: [{ name: "c", image: "i" }] } };
  assert.equal(JSON.stringify(toKubeJSON("Pod", fromKubeJSON("Pod", doc).message as object)).startsWith('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"b":"2","a":"1"}},"spec":{"containers":[{"name":"c","image":"i"'), true);
});
