import { test } from "node:test";
import assert from "node:assert/strict";
import * as subjects from "./subjects.js";
import { decodeToken, encodeToken, SubjectError } from "./subjects.js";

const HOSTILE = [
  "",
  "_",
  "__",
  "deployments.apps",
  "a b\tc\nd\r",
  "*",
  ">",
  "a.*.>",
  "%",
  "%2E",
  "100%",
  "k8s.api.>",
  "ünïcødé-名前-🚀",
  "\u0000nul",
  "networking.k8s.io",
  "..",
  "a%5Fb",
];

test("subjects - encodeToken round-trips hostile names and yields one safe token", () => {
  for (const s of HOSTILE) {
    const t = encodeToken(s);
    assert.equal(decodeToken(t), s, `round trip of ${JSON.stringify(s)}`);
    assert.ok(t.length > 0, "never an empty token");
    assert.doesNotMatch(t, /[.*>\s]/, `token ${t} has no separator, wildcard or whitespace`);
    assert.ok(/^[!-~]+$/.test(t), `token ${t} is printable ASCII`);
  }
});

test("subjects - distinct names give distinct tokens", () => {
  const tokens = HOSTILE.map(encodeToken);
  assert.equal(new Set(tokens).size, HOSTILE.length);
  assert.notEqual(encodeToken("_"), subjects.NONE_TOKEN);
});

test("subjects - decodeToken rejects malformed escapes", () => {
  for (const bad of ["%G1", "abc%", "%1", "%2e"]) assert.throws(() => decodeToken(bad), SubjectError, bad);
});

test("subjects - builders", () => {
  assert.equal(subjects.api("", "pods", "get"), "k8s.api.core.pods.get");
  assert.equal(subjects.api("apps", "deployments", "create"), "k8s.api.apps.deployments.create");
  assert.equal(subjects.api("networking.k8s.io", "ingresses", "list"), "k8s.api.networking%2Ek8s%2Eio.ingresses.list");
  assert.equal(subjects.changes("deployments.apps", "default"), "k8s.changes.deployments%2Eapps.default");
  assert.equal(subjects.changes("nodes", ""), "k8s.changes.nodes._");
  assert.equal(subjects.changesAll("deployments.apps"), "k8s.changes.deployments%2Eapps.>");
  assert.equal(subjects.node("node-1.example", "pods"), "k8s.node.node-1%2Eexample.pods");
  assert.equal(subjects.actor("scheduler-1", "health"), "k8s.actor.scheduler-1.health");
  assert.equal(subjects.apiAll(), "k8s.api.>");
  assert.notEqual(subjects.actorHealthAll(), subjects.actor("*", "health"));
  assert.equal(subjects.QUEUE_APISERVER, "apiserver");
});

test("subjects - parse reverses api and changes", () => {
  assert.deepEqual(subjects.parseApi(subjects.api("", "pods", "get")), { group: "", resource: "pods", verb: "get" });
  assert.deepEqual(subjects.parseApi(subjects.api("networking.k8s.io", "a.b", "list")), { group: "networking.k8s.io", resource: "a.b", verb: "list" });
  assert.deepEqual(subjects.parseChanges(subjects.changes("deployments.apps", "")), { resource: "deployments.apps", namespace: "" });
  assert.deepEqual(subjects.parseChanges(subjects.changes("pods", "_")), { resource: "pods", namespace: "_" });
  assert.throws(() => subjects.parseApi("k8s.changes.pods._"), SubjectError);
  assert.throws(() => subjects.parseChanges("k8s.changes.pods"), SubjectError);
});

test("subjects - api subjects are remembered without mixing up group, resource and verb", () => {
  const pairs: Array<[string, string, string]> = [
    ["a1", "b", "get"],
    ["a", "1b", "get"],
    ["", "pods", "get"],
    ["", "pods", "list"],
    ["apps", "deployments", "update"],
  ];
  for (let round = 0; round < 2; round++) {
    const seen = new Set(pairs.map(([g, r, v]) => subjects.api(g, r, v)));
    assert.equal(seen.size, pairs.length, "distinct inputs, distinct subjects (also when answered from memory)");
  }
  assert.equal(subjects.api("apps", "deployments", "update"), "k8s.api.apps.deployments.update");
});
