import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FieldSelectorError } from "./errors.js";
import { convertFieldLabel, fieldsOf, supportedFields } from "./selectable.js";
import { FieldSelector, escapeFieldValue, matchesFields, parseFieldSelector, unescapeFieldValue } from "./selector.js";

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof FieldSelectorError, `threw ${String(err)}`);
    return err.message;
  }
  assert.fail("did not throw");
}

describe("fields - parsing (Kubernetes' TestSelectorParse)", () => {
  const good: [string, string][] = [
    ["x=a,y=b,z=c", "x=a,y=b,z=c"],
    ["", ""],
    ["x!=a,y=b", "x!=a,y=b"],
    ["x=a||y\\=b", "x=a||y\\=b"],
    ["x=a\\=\\=b", "x=a\\=\\=b"],
    ["x==a", "x=a"],
    ["x=", "x="],
    ["x=a,a=x", "a=x,x=a"],
    ["a=x,x=a", "a=x,x=a"],
    [",x=a,,", "x=a"],
    ["x=a\\,b", "x=a\\,b"],
    ["x=!a", "x=!a"],
    ["metadata.name=my-pod,spec.nodeName!=", "metadata.name=my-pod,spec.nodeName!="],
  ];
  for (const [input, canonical] of good) {
    it(`parses ${JSON.stringify(input)} to ${JSON.stringify(canonical)} and round-trips`, () => {
      const s = parseFieldSelector(input).toString();
      assert.equal(s, canonical);
      assert.equal(parseFieldSelector(s).toString(), s);
    });
  }

  const bad: [string, string][] = [
    ["x=a||y=b", "invalid field selector: unescaped character in value: 61"],
    ["x==a==b", "invalid field selector: unescaped character in value: 61"],
    ["x=a,b", "invalid selector: 'x=a,b'; can't understand 'b'"],
    ["x in (a)", "invalid selector: 'x in (a)'; can't understand 'x in (a)'"],
    ["x in (a,b,c)", "invalid selector: 'x in (a,b,c)'; can't understand 'b'"],
    ["x", "invalid selector: 'x'; can't understand 'x'"],
    ["x=a\\", "invalid field selector: invalid escape sequence: \\"],
    ["x=a\\b", "invalid field selector: invalid escape sequence: \\b"],
    ["x=\\!", "invalid field selector: invalid escape sequence: \\!"],
  ];
  for (const [input, message] of bad) {
    it(`refuses ${JSON.stringify(input)}`, () => assert.equal(refusal(() => parseFieldSelector(input)), message));
  }

  it("keeps terms with their operators; == is =", () => {
    assert.deepEqual(parseFieldSelector("b!=2,a==1").terms, [
      { field: "a", operator: "=", value: "1" },
      { field: "b", operator: "!=", value: "2" },
    ]);
    assert.equal(parseFieldSelector("").empty, true);
    assert.equal(FieldSelector.everything.empty, true);
    assert.equal(parseFieldSelector("a=1").empty, false);
  });

  it("a non-string input is a typed error", () => {
    assert.throws(() => parseFieldSelector(null as unknown as string), FieldSelectorError);
  });
});

describe("fields - escaping (Kubernetes' TestEscapeValue)", () => {
  const escapes: [string, string][] = [
    ["", ""],
    ["a", "a"],
    ["=", "\\="],
    [",", "\\,"],
    ["\\", "\\\\"],
    ["\\=\\,\\", "\\\\\\=\\\\\\,\\\\"],
  ];
  for (const [literal, escaped] of escapes) {
    it(`${JSON.stringify(literal)} ⇄ ${JSON.stringify(escaped)}`, () => {
      assert.equal(escapeFieldValue(literal), escaped);
      assert.equal(unescapeFieldValue(escaped), literal);
    });
  }
  const invalid: [string, RegExp][] = [
    ["\\", /invalid escape sequence/],
    ["\\\\\\", /invalid escape sequence/],
    ["\\a", /invalid escape sequence/],
    ["a\\", /invalid escape sequence/],
    ["=", /unescaped character in value: 61/],
    [",", /unescaped character in value: 44/],
  ];
  for (const [value, message] of invalid) {
    it(`refuses ${JSON.stringify(value)}`, () => assert.match(refusal(() => unescapeFieldValue(value)), message));
  }
});

describe("fields - matching (Kubernetes' TestSelectorMatches)", () => {
  const fieldset = { foo: "bar", baz: "blah", complex: "=value\\,\\" };
  const cases: [string, Record<string, string>, boolean][] = [
    ["", { x: "y" }, true],
    ["x=y", { x: "y" }, true],
    ["x=y,z=w", { x: "y", z: "w" }, true],
    ["x!=y,z!=w", { x: "z", z: "a" }, true],
    ["notin=in", { notin: "in" }, true],
    ["x=y", { x: "z" }, false],
    ["x=y,z=w", { x: "w", z: "w" }, false],
    ["x!=y,z!=w", { x: "z", z: "w" }, false],
    ["foo=bar", fieldset, true],
    ["baz=blah", fieldset, true],
    ["foo=bar,baz=blah", fieldset, true],
    ["foo=bar,baz=blah,complex=\\=value\\\\\\,\\\\", fieldset, true],
    ["foo=blah", fieldset, false],
    ["baz=bar", fieldset, false],
    ["foo=bar,foobar=bar,baz=blah", fieldset, false],
    ["missing=", {}, true],
    ["missing!=", {}, false],
    ["toString=", {}, true],
  ];
  for (const [selector, fields, expected] of cases) {
    it(`${JSON.stringify(selector)} ${expected ? "matches" : "does not match"} ${JSON.stringify(fields)}`, () => {
      assert.equal(matchesFields(parseFieldSelector(selector), fields), expected);
    });
  }

  it("requiresExactMatch finds the value an = term requires", () => {
    const s = parseFieldSelector("spec.nodeName=n1,status.phase!=Failed");
    assert.equal(s.requiresExactMatch("spec.nodeName"), "n1");
    assert.equal(s.requiresExactMatch("status.phase"), undefined);
  });
});

describe("fields - supported fields per kind", () => {
  const cases: [string, string, string | Error][] = [
    ["Pod", "spec.nodeName", "spec.nodeName"],
    ["Pod", "spec.host", "spec.nodeName"],
    ["Pod", "status.podIPs", "status.podIPs"],
    ["Pod", "spec.containers", new FieldSelectorError("field label not supported: spec.containers")],
    ["Node", "spec.unschedulable", "spec.unschedulable"],
    ["Node", "metadata.namespace", new FieldSelectorError("field label not supported: metadata.namespace")],
    ["Namespace", "status.phase", "status.phase"],
    ["Secret", "type", "type"],
    ["Service", "spec.clusterIP", "spec.clusterIP"],
    ["Event", "involvedObject.uid", "involvedObject.uid"],
    ["ReplicaSet", "status.replicas", "status.replicas"],
    ["StatefulSet", "status.replicas", "status.replicas"],
    ["Deployment", "status.replicas", new FieldSelectorError("field label not supported: status.replicas")],
    ["ConfigMap", "metadata.namespace", "metadata.namespace"],
    ["ConfigMap", "data", new FieldSelectorError("field label not supported: data")],
    ["ConfigMap", "constructor", new FieldSelectorError("field label not supported: constructor")],
    ["constructor", "metadata.name", "metadata.name"],
  ];
  for (const [kind, field, expected] of cases) {
    it(`${kind} ${field} → ${expected instanceof Error ? expected.message : expected}`, () => {
      if (expected instanceof Error) assert.equal(refusal(() => convertFieldLabel(kind, field)), expected.message);
      else assert.equal(convertFieldLabel(kind, field), expected);
    });
  }

  it("parseFieldSelector with a kind validates and converts fields", () => {
    assert.equal(parseFieldSelector("spec.host=n1", "Pod").toString(), "spec.nodeName=n1");
    assert.equal(refusal(() => parseFieldSelector("metadata.name=a,spec.foo=b", "Pod")), "field label not supported: spec.foo");
    assert.equal(refusal(() => parseFieldSelector("bad", "Pod")), "invalid selector: 'bad'; can't understand 'bad'");
  });

  it("supportedFields lists the fields; unknown kinds get the metadata ones", () => {
    assert.deepEqual(supportedFields("Secret"), ["metadata.name", "metadata.namespace", "type"]);
    assert.deepEqual(supportedFields("Lease"), ["metadata.name", "metadata.namespace"]);
    for (const kind of ["Pod", "Event", "Secret", "Service", "Node", "Namespace", "ReplicaSet", "StatefulSet"]) {
      const fields = fieldsOf(kind, {});
      for (const f of supportedFields(kind)) {
        if (f === "status.podIPs" || (f === "metadata.namespace" && kind === "Node")) continue;
        assert.ok(f in fields, `${kind} fieldsOf lacks ${f}`);
      }
    }
  });
});

describe("fields - fieldsOf reads Kubernetes JSON objects", () => {
  const pod = {
    metadata: { name: "web-1", namespace: "default" },
    spec: { nodeName: "node-1", restartPolicy: "Always", schedulerName: "default-scheduler", serviceAccountName: "default", hostNetwork: true },
    status: { phase: "Running", podIP: "10.0.0.9", podIPs: [{ ip: "10.0.0.5" }, { ip: "fd00::5" }], nominatedNodeName: "node-2" },
  };

  it("Pod", () => {
    assert.deepEqual(fieldsOf("Pod", pod), {
      "metadata.name": "web-1",
      "metadata.namespace": "default",
      "spec.nodeName": "node-1",
      "spec.restartPolicy": "Always",
      "spec.schedulerName": "default-scheduler",
      "spec.serviceAccountName": "default",
      "spec.hostNetwork": "true",
      "status.phase": "Running",
      "status.podIP": "10.0.0.5",
      "status.nominatedNodeName": "node-2",
    });
  });

  it("Pod defaults: hostNetwork false, podIP from status.podIP when podIPs is absent, missing fields empty", () => {
    const f = fieldsOf("Pod", { metadata: { name: "p" }, status: { podIP: "10.1.1.1" } });
    assert.equal(f["spec.hostNetwork"], "false");
    assert.equal(f["status.podIP"], "10.1.1.1");
    assert.equal(f["spec.nodeName"], "");
    assert.equal(f["metadata.namespace"], "");
  });

  it("Event: involvedObject fields; source falls back to reportingComponent", () => {
    const ev = {
      metadata: { name: "e", namespace: "default" },
      involvedObject: { kind: "Pod", namespace: "default", name: "web-1", uid: "u-1", apiVersion: "v1", resourceVersion: "42", fieldPath: "spec.containers{web}" },
      reason: "Scheduled",
      type: "Normal",
      reportingComponent: "default-scheduler",
      source: {},
    };
    const f = fieldsOf("Event", ev);
    assert.equal(f["involvedObject.kind"], "Pod");
    assert.equal(f["involvedObject.fieldPath"], "spec.containers{web}");
    assert.equal(f["involvedObject.resourceVersion"], "42");
    assert.equal(f.reason, "Scheduled");
    assert.equal(f.type, "Normal");
    assert.equal(f.source, "default-scheduler");
    assert.equal(fieldsOf("Event", { ...ev, source: { component: "kubelet" } }).source, "kubelet");
  });

  const others: [string, object, Record<string, string>][] = [
    ["Secret", { type: "Opaque" }, { type: "Opaque" }],
    ["Node", { spec: { unschedulable: true } }, { "spec.unschedulable": "true" }],
    ["Node", { spec: {} }, { "spec.unschedulable": "false" }],
    ["Namespace", { status: { phase: "Terminating" } }, { "status.phase": "Terminating" }],
    ["ReplicaSet", { status: { replicas: 3 } }, { "status.replicas": "3" }],
    ["StatefulSet", { status: {} }, { "status.replicas": "0" }],
    ["Service", { spec: { clusterIP: "10.96.0.1", type: "ClusterIP" } }, { "spec.clusterIP": "10.96.0.1", "spec.type": "ClusterIP" }],
  ];
  for (const [kind, o, expected] of others) {
    it(`${kind} ${JSON.stringify(o)}`, () => {
      const f = fieldsOf(kind, o);
      for (const [k, v] of Object.entries(expected)) assert.equal(f[k], v);
    });
  }

  it("hostile shapes read as empty fields, never throw", () => {
    for (const o of [{}, { metadata: null }, { metadata: "x", spec: [1], status: 5 }, { involvedObject: "no" }, { status: { podIPs: [null] } }]) {
      for (const kind of ["Pod", "Event", "Node", "ConfigMap"]) assert.equal(typeof fieldsOf(kind, o)["metadata.name"], "string");
    }
  });

  it("selects pods on a node, end to end", () => {
    const sel = parseFieldSelector("spec.nodeName=node-1,status.phase!=Succeeded", "Pod");
    assert.equal(matchesFields(sel, fieldsOf("Pod", pod)), true);
    assert.equal(matchesFields(sel, fieldsOf("Pod", { ...pod, spec: { ...pod.spec, nodeName: "node-2" } })), false);
    assert.equal(matchesFields(sel, fieldsOf("Pod", { ...pod, status: { phase: "Succeeded" } })), false);
  });
});
