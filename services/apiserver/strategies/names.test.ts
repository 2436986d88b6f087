import { test } from "node:test";
import assert from "node:assert/strict";
import {
  isConfigMapKey, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isQualifiedName, isValidIP,
  isValidLabelValue, isValidPercent, isValidPortName, isValidPortNum, nameIsDNSSubdomain,
} from "./names.js";
import { formatBadValue, goIntOrString, goLabelSelector, goMap, invalid, invalidMessage, notSupported, path, key, required, tooLong, duplicate, forbidden } from "./field.js";

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

test("names - DNS-1123 subdomain, label and DNS-1035 label with Kubernetes' messages", () => {
  for (const ok of ["a", "web", "web-1", "a.b.c", "0abc", `${"a".repeat(63)}.${"b".repeat(63)}`]) assert.deepEqual(isDNS1123Subdomain(ok), [], ok);
  assert.deepEqual(isDNS1123Subdomain("Web"), [SUBDOMAIN_MSG]);
  assert.deepEqual(isDNS1123Subdomain("web-"), [SUBDOMAIN_MSG]);
  assert.deepEqual(isDNS1123Subdomain("a".repeat(254)), ["must be no more than 253 characters"]);
  assert.deepEqual(isDNS1123Label("a.b"), [LABEL_MSG]);
  assert.deepEqual(isDNS1123Label("a".repeat(64)), ["must be no more than 63 characters"]);
  assert.deepEqual(isDNS1123Label("my-ns"), []);
  assert.deepEqual(isDNS1035Label("1abc"), [
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
  ]);
  assert.deepEqual(nameIsDNSSubdomain("web-", true), [], "generateName prefix may end with '-'");
  assert.deepEqual(nameIsDNSSubdomain("web-", false), [SUBDOMAIN_MSG]);
});

test("names - qualified names, label values, config keys, env names, ports, percents, IPs", () => {
  assert.deepEqual(isQualifiedName("app"), []);
  assert.deepEqual(isQualifiedName("example.com/app_Name.1"), []);
  assert.deepEqual(isQualifiedName("/app"), ["prefix part must be non-empty"]);
  assert.deepEqual(isQualifiedName("a/b/c").length, 1);
  assert.match(isQualifiedName("a/b/c")[0], /^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
  assert.deepEqual(isQualifiedName("-bad"), [
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  ]);
  assert.deepEqual(isQualifiedName("Example.com/x"), [`prefix part ${SUBDOMAIN_MSG}`]);
  assert.deepEqual(isQualifiedName("x".repeat(64)), ["name part must be no more than 63 characters"]);
  assert.deepEqual(isValidLabelValue(""), []);
  assert.deepEqual(isValidLabelValue("v1.2_b-c"), []);
  assert.equal(isValidLabelValue("bad value").length, 1);
  assert.deepEqual(isConfigMapKey("app.properties"), []);
  assert.deepEqual(isConfigMapKey(".."), ["must not be '..'"]);
  assert.deepEqual(isConfigMapKey("..x"), ["must not start with '..'"]);
  assert.equal(isConfigMapKey("a/b").length, 1);
  assert.deepEqual(isEnvVarName("MY_VAR"), []);
  assert.equal(isEnvVarName("1VAR").length, 1);
  assert.deepEqual(isValidPortNum(80), []);
  assert.deepEqual(isValidPortNum(0), ["must be between 1 and 65535, inclusive"]);
  assert.deepEqual(isValidPortNum(65536), ["must be between 1 and 65535, inclusive"]);
  assert.deepEqual(isValidPortName("http"), []);
  assert.deepEqual(isValidPortName("a--b"), ["must not contain consecutive hyphens"]);
  assert.deepEqual(isValidPortName("123"), ["must contain at least one letter (a-z)"]);
  assert.deepEqual(isValidPercent("25%"), []);
  assert.deepEqual(isValidPercent("25"), ["a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"]);
  for (const ip of ["10.0.0.1", "::1", "2001:db8::ffff", "::ffff:10.0.0.1", "fe80:0:0:0:0:0:0:1"]) assert.deepEqual(isValidIP(ip), [], ip);
  for (const ip of ["10.0.0", "256.1.1.1", "1:2:3:4:5:6:7:8:9", "abc", "1::2::3"]) assert.equal(isValidIP(ip).length, 1, ip);
});

test("field - causes carry Kubernetes' reason, path and error body", () => {
  assert.equal(path("spec", "template", "spec", "containers", 0, "image"), "spec.template.spec.containers[0].image");
  assert.equal(path("data", key("a.b")), "data[a.b]");
  assert.deepEqual(required("spec.containers"), { type: "FieldValueRequired", field: "spec.containers", message: "Required value" });
  assert.deepEqual(invalid("spec.replicas", -1, "must be greater than or equal to 0").message, "Invalid value: -1: must be greater than or equal to 0");
  assert.equal(notSupported("spec.type", "Foo", ["ClusterIP", "NodePort"]).message, 'Unsupported value: "Foo": supported values: "ClusterIP", "NodePort"');
  assert.equal(duplicate("x", "a").message, 'Duplicate value: "a"');
  assert.equal(forbidden("x", "nope").message, "Forbidden: nope");
  assert.equal(tooLong("metadata.annotations", 262144).message, "Too long: may not be more than 262144 bytes");
  assert.equal(formatBadValue(goMap({ b: "2", a: "1" })), 'map[string]string{"a":"1", "b":"2"}');
  assert.equal(formatBadValue(goMap(undefined)), "map[string]string(nil)");
  assert.equal(formatBadValue(goIntOrString("abc")), 'intstr.IntOrString{Type:1, IntVal:0, StrVal:"abc"}');
  assert.equal(formatBadValue(goLabelSelector({ matchLabels: { app: "y" } })), 'v1.LabelSelector{MatchLabels:map[string]string{"app":"y"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}');
  const one = [invalid("spec.replicas", -1, "must be greater than or equal to 0")];
  assert.equal(invalidMessage("Deployment.apps", "web", one), 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  assert.equal(invalidMessage("Pod", "p", [required("spec.containers"), required("spec.containers"), required("metadata.namespace")]),
    'Pod "p" is invalid: [spec.containers: Required value, metadata.namespace: Required value]');
});
