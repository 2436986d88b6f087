// Kubernetes' protobuf encoding: golden bytes derived by hand from Kubernetes' field numbers,
// bytes as Go writes them (zero fields included), round trips for every kind, typed errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { prng } from "./prng.js";
import { readFileSync, readdirSync } from "node:fs";
import YAML from "yaml";
import { encodeKubeProtobuf, decodeKubeProtobuf, fromKubeJSON, toKubeJSON, ProtobufBodyError, SchemaError, UnknownKindError, KINDS, k8s } from "./index.js";

const hex = (s: string) => Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));
const ascii = (s: string) => [...Buffer.from(s)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
const MAGIC = "6b 38 73 00";

// Each golden: object, then the bytes spelled out field by field (tag = number << 3 | wire type).
const goldens: [string, string, object, string][] = [
  ["ConfigMap", "ConfigMap {metadata:{name:a,namespace:b},data:{k:v}}", { metadata: { name: "a", namespace: "b" }, data: { k: "v" } }, `
    ${MAGIC}
    0a 0f                      ${"" /* Unknown.typeMeta (1), 15 bytes */}
      0a 02 ${ascii("v1")}     ${"" /* TypeMeta.apiVersion (1) */}
      12 09 ${ascii("ConfigMap")}
    12 10                      ${"" /* Unknown.raw (2), 16 bytes: the ConfigMap */}
      0a 06                    ${"" /* ConfigMap.metadata (1) */}
        0a 01 ${ascii("a")}    ${"" /* ObjectMeta.name (1) */}
        1a 01 ${ascii("b")}    ${"" /* ObjectMeta.namespace (3) */}
      12 06                    ${"" /* ConfigMap.data (2): one map entry */}
        0a 01 ${ascii("k")} 12 01 ${ascii("v")}`],
  ["Namespace", "Namespace {metadata:{name:x,creationTimestamp}}", { metadata: { name: "x", creationTimestamp: "2025-01-02T03:04:05Z" } }, `
    ${MAGIC}
    0a 0f 0a 02 ${ascii("v1")} 12 09 ${ascii("Namespace")}
    12 0d                      ${"" /* raw: Namespace, 13 bytes */}
      0a 0b                    ${"" /* Namespace.metadata (1) */}
        0a 01 ${ascii("x")}
        42 06                  ${"" /* ObjectMeta.creationTimestamp (8): metav1.Time */}
          08 a5 84 d8 bb 06    ${"" /* Time.seconds (1) = 1735787045; nanos (2) = 0 left out */}`],
  ["Pod", "Pod with an inline probe handler and a Quantity", {
    metadata: { name: "p" },
    spec: { containers: [{ name: "c", resources: { limits: { cpu: "1" } }, readinessProbe: { tcpSocket: { port: 80 } } }] },
  }, `
    ${MAGIC}
    0a 09 0a 02 ${ascii("v1")} 12 03 ${ascii("Pod")}
    12 24                      ${"" /* raw: Pod, 36 bytes */}
      0a 03 0a 01 ${ascii("p")}
      12 1d                    ${"" /* Pod.spec (2) */}
        12 1b                  ${"" /* PodSpec.containers (2) */}
          0a 01 ${ascii("c")}  ${"" /* Container.name (1) */}
          42 0c                ${"" /* Container.resources (8) */}
            0a 0a              ${"" /* ResourceRequirements.limits (1): entry */}
              0a 03 ${ascii("cpu")}
              12 03 0a 01 ${ascii("1")} ${"" /* value: Quantity {string (1) = "1"} */}
          5a 08                ${"" /* Container.readinessProbe (11) */}
            0a 06              ${"" /* Probe.handler (1): ProbeHandler, inline in JSON */}
              1a 04            ${"" /* ProbeHandler.tcpSocket (3) */}
                0a 02 10 50    ${"" /* TCPSocketAction.port (1): IntOrString {intVal (2) = 80} */}`],
  ["Deployment", "Deployment {spec:{replicas:0, strategy:{rollingUpdate:{maxSurge:25%}}}}", {
    metadata: { name: "d" }, spec: { replicas: 0, strategy: { rollingUpdate: { maxSurge: "25%" } } },
  }, `
    ${MAGIC}
    0a 15 0a 07 ${ascii("apps/v1")} 12 0a ${ascii("Deployment")}
    12 16
      0a 03 0a 01 ${ascii("d")}
      12 0f                    ${"" /* Deployment.spec (2) */}
        08 00                  ${"" /* DeploymentSpec.replicas (1) = 0: a pointer, so written */}
        22 0b                  ${"" /* DeploymentSpec.strategy (4) */}
          12 09                ${"" /* DeploymentStrategy.rollingUpdate (2) */}
            12 07              ${"" /* RollingUpdateDeployment.maxSurge (2) */}
              08 01            ${"" /* IntOrString.type (1) = 1: a string */}
              1a 03 ${ascii("25%")} ${"" /* IntOrString.strVal (3) */}`],
];

for (const [kind, name, obj, bytes] of goldens) {
  test(`kube protobuf - golden bytes: ${name}`, () => {
    const want = hex(bytes.replace(/\$\{[^}]*\}/g, ""));
    assert.deepEqual([...encodeKubeProtobuf(kind, obj)].map((b) => b.toString(16)), [...want].map((b) => b.toString(16)));
    const back = decodeKubeProtobuf(want);
    assert.equal(back.kind, kind);
    assert.deepEqual(back.object, toKubeJSON(kind, fromKubeJSON(kind, obj).message as object));
  });
}

test("kube protobuf - reads bytes as Go writes them: every non-pointer field present, zero or not", () => {
  // A Namespace {metadata:{name:"x"}} from a Kubernetes API server: ObjectMeta's strings written
  // empty, generation 0, creationTimestamp a zero metav1.Time (empty message), empty spec,
  // status with an empty phase, and the envelope's empty contentEncoding/contentType.
  const raw = `
    0a 11 0a 01 78 12 00 1a 00 22 00 2a 00 32 00 38 00 42 00
    12 00
    1a 02 0a 00`;
  const rawBytes = hex(raw);
  const body = hex(`${MAGIC} 0a 0f 0a 02 ${ascii("v1")} 12 09 ${ascii("Namespace")} 12 ${rawBytes.length.toString(16)} ${raw} 1a 00 22 00`);
  assert.deepEqual(decodeKubeProtobuf(body), {
    apiVersion: "v1",
    kind: "Namespace",
    object: { apiVersion: "v1", kind: "Namespace", metadata: { name: "x" }, spec: {}, status: {} },
  });
});

test("kube protobuf - fields Kubernetes has and we do not model are skipped", () => {
  // ConfigMap with an extra field 99 (varint) and metadata field 40 (bytes) from a newer server.
  const raw = hex(`0a 06 0a 01 ${ascii("a")} c2 02 00  98 06 07`);
  const body = hex(`${MAGIC} 0a 0f 0a 02 ${ascii("v1")} 12 09 ${ascii("ConfigMap")} 12 ${raw.length.toString(16)} ${[...raw].map((b) => b.toString(16).padStart(2, "0")).join(" ")}`);
  assert.deepEqual(decodeKubeProtobuf(body).object, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } });
});

test("kube protobuf - apiVersion/kind never reach the object's bytes, lists included", () => {
  const list = { metadata: { resourceVersion: "7" }, items: [{ apiVersion: "v1", kind: "Pod", metadata: { name: "a" } }] };
  const body = encodeKubeProtobuf("PodList", list);
  const unknown = k8s.runtime.Unknown.decode(body.subarray(4));
  assert.deepEqual(unknown.typeMeta, k8s.runtime.TypeMeta.fromObject({ apiVersion: "v1", kind: "PodList" }));
  // ListMeta {resourceVersion (2) = "7"}, one item: Pod {metadata {name "a"}} — nothing else.
  assert.deepEqual([...unknown.raw], [...hex(`0a 03 12 01 ${ascii("7")} 12 05 0a 03 0a 01 ${ascii("a")}`)]);
  assert.deepEqual(decodeKubeProtobuf(body).object, { apiVersion: "v1", kind: "PodList", metadata: { resourceVersion: "7" }, items: [{ metadata: { name: "a" } }] });
});

test("kube protobuf - repeated integers are written unpacked, as Go's proto2 code does", () => {
  const body = encodeKubeProtobuf("Pod", { spec: { securityContext: { supplementalGroups: [1, 2] } } });
  const raw = k8s.runtime.Unknown.decode(body.subarray(4)).raw;
  assert.deepEqual([...raw], [...hex("12 06 72 04 20 01 20 02")]); // spec (2) { securityContext (14) { 4:1, 4:2 } }
});

test("kube protobuf - Status round trips (the body of every error)", () => {
  const status = {
    apiVersion: "v1", kind: "Status", metadata: {}, status: "Failure", message: 'configmaps "a" already exists', reason: "AlreadyExists",
    details: { name: "a", kind: "configmaps", causes: [{ reason: "FieldValueInvalid", message: "bad", field: "data" }] }, code: 409,
  };
  assert.deepEqual(decodeKubeProtobuf(encodeKubeProtobuf("Status", status)), { apiVersion: "v1", kind: "Status", object: status });
});

// ---- every kind: the rich manifests and samples, and their lists -------------------------

const testdata = new URL("../../../services/schema/testdata/", import.meta.url);
const docs: Record<string, unknown>[] = [];
for (const file of readdirSync(testdata).filter((f) => f.endsWith(".yaml")).sort()) {
  for (const d of YAML.parseAllDocuments(readFileSync(new URL(file, testdata), "utf8"))) docs.push(d.toJSON() as Record<string, unknown>);
}

/** What the object looks like after Kubernetes' wire: nulls gone, typed nested objects without apiVersion/kind. */
function afterWire(v: unknown, top = true): unknown {
  if (Array.isArray(v)) return v.map((x) => afterWire(x, false));
  if (v && typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && (top || (k !== "apiVersion" && k !== "kind") || !("metadata" in v))) o[k] = afterWire(x, false);
    return o;
  }
  return v;
}

for (const doc of docs) {
  const kind = doc.kind as string;
  test(`kube protobuf - round trip ${kind} ${String((doc.metadata as { name?: string } | undefined)?.name ?? "")}`, () => {
    const back = decodeKubeProtobuf(encodeKubeProtobuf(kind, doc));
    assert.equal(back.kind, kind);
    assert.equal(back.apiVersion, doc.apiVersion);
    assert.deepEqual(back.object, afterWire(toKubeJSON(kind, fromKubeJSON(kind, doc).message as object)));
    assert.deepEqual(back.object, afterWire(doc), "same JSON as the manifest");
  });
}

test("kube protobuf - every list kind round trips with items", () => {
  let lists = 0;
  for (const [kind, info] of KINDS) {
    if (!kind.endsWith("List")) continue;
    const itemKind = kind.slice(0, -4);
    const items = docs.filter((d) => d.kind === itemKind).map((d) => afterWire(d, false));
    assert.ok(items.length > 0, `testdata has a ${itemKind}`);
    const list = { apiVersion: info.apiVersion, kind, metadata: { resourceVersion: "42", continue: "c", remainingItemCount: 0 }, items };
    assert.deepEqual(decodeKubeProtobuf(encodeKubeProtobuf(kind, list)).object, list, kind);
    lists++;
  }
  assert.ok(lists >= 15, String(lists));
});

// ---- errors -------------------------------------------------------------------------------

test("kube protobuf - encoding an unknown kind or a bad object throws the schema's errors", () => {
  assert.throws(() => encodeKubeProtobuf("Widget", {}), UnknownKindError);
  assert.throws(() => encodeKubeProtobuf("Pod", { spec: { containers: "x" } }), SchemaError);
});

const good = encodeKubeProtobuf("Deployment", docs.find((d) => d.kind === "Deployment")!);
const envelope = (typeMeta: object, raw: Uint8Array, extra: object = {}) =>
  Uint8Array.from([0x6b, 0x38, 0x73, 0, ...k8s.runtime.Unknown.encode({ typeMeta, raw, ...extra }).finish()]);
const cmRaw = k8s.runtime.Unknown.decode(encodeKubeProtobuf("ConfigMap", { metadata: { name: "a" } }).subarray(4)).raw;

const corrupt: [string, unknown, RegExp][] = [
  ["empty", new Uint8Array(0), /prefix/],
  ["JSON", Buffer.from('{"kind":"Pod"}'), /prefix/],
  ["wrong magic", Uint8Array.from([0x6b, 0x38, 0x73, 0x01, ...good.subarray(4)]), /prefix/],
  ["not bytes", "k8s\u0000", /byte array/],
  ["unknown kind", envelope({ apiVersion: "v1", kind: "Widget" }, cmRaw), /unknown kind "Widget"/],
  ["no type meta", envelope({}, cmRaw), /unknown kind ""/],
  ["wrong apiVersion", envelope({ apiVersion: "v2", kind: "ConfigMap" }, cmRaw), /apiVersion "v2" for kind ConfigMap/],
  ["gzip content", envelope({ apiVersion: "v1", kind: "ConfigMap" }, cmRaw, { contentEncoding: "gzip" }), /content encoding "gzip"/],
  ["JSON content", envelope({ apiVersion: "v1", kind: "ConfigMap" }, cmRaw, { contentType: "application/json" }), /content type "application\/json"/],
  ["truncated raw", envelope({ apiVersion: "v1", kind: "ConfigMap" }, cmRaw.subarray(0, cmRaw.length - 1)), /ConfigMap is undecodable/],
  ["bad RawExtension JSON", envelope({ apiVersion: "apps/v1", kind: "ControllerRevision" }, hex("12 03 0a 01 7b")), /ControllerRevision is undecodable/],
];
for (const [name, bytes, re] of corrupt) {
  test(`kube protobuf - ${name} is a ProtobufBodyError`, () => {
    assert.throws(() => decodeKubeProtobuf(bytes as Uint8Array), (err: unknown) => err instanceof ProtobufBodyError && re.test(err.message));
  });
}


test("kube protobuf - every truncation and random corruption decodes or is a ProtobufBodyError", () => {
  const check = (b: Uint8Array) => {
    try {
      const r = decodeKubeProtobuf(b);
      assert.ok(r.object && typeof r.object === "object");
    } catch (err) {
      assert.ok(err instanceof ProtobufBodyError, `${(err as Error)?.name}: ${(err as Error)?.message}`);
    }
  };
  for (let n = 0; n < good.length; n++) check(good.subarray(0, n));
  const random = prng(7);
  for (let i = 0; i < 3000; i++) {
    const b = Uint8Array.from(good);
    for (let k = 1 + Math.floor(random() * 4); k > 0; k--) b[4 + Math.floor(random() * (b.length - 4))] = Math.floor(random() * 256);
    check(b);
  }
});
