import { test } from "node:test";
import assert from "node:assert/strict";
import {
  failedSchedulingMessage,
  fitsResources,
  filterNode,
  firstUntoleratedTaint,
  isNodeReady,
  matchesNodeAffinity,
  matchesRequirement,
  nodeInfoOf,
  podInfoOf,
  REASONS,
  type Taint,
  type Toleration,
} from "./filters.js";
import { insufficientResources } from "./resources.js";

function node(name: string, opts: { labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean; ready?: string | null; alloc?: Record<string, string> } = {}): any {
  return {
    metadata: { name, labels: opts.labels ?? {} },
    spec: { ...(opts.taints ? { taints: opts.taints } : {}), ...(opts.unschedulable ? { unschedulable: true } : {}) },
    status: {
      allocatable: opts.alloc ?? { cpu: "4", memory: "8Gi", pods: "110" },
      conditions: opts.ready === null ? [] : [{ type: "Ready", status: opts.ready ?? "True" }],
    },
  };
}

function pod(spec: Record<string, unknown> = {}): any {
  return { metadata: { name: "p", namespace: "default", uid: "u" }, spec: { containers: [{ name: "c", resources: { requests: { cpu: "100m" } } }], ...spec } };
}


test("filters - firstUntoleratedTaint: only the given effects count", () => {
  const taints: Taint[] = [
    { key: "soft", effect: "PreferNoSchedule" },
    { key: "a", value: "1", effect: "NoSchedule" },
    { key: "b", effect: "NoExecute" },
  ];
  assert.deepEqual(firstUntoleratedTaint(taints, [], ["NoSchedule", "NoExecute"]), taints[1]);
  assert.deepEqual(firstUntoleratedTaint(taints, [{ key: "a", value: "1" }], ["NoSchedule", "NoExecute"]), taints[2]);
  assert.equal(firstUntoleratedTaint(taints, [{ key: "a", value: "1" }, { key: "b", operator: "Exists" }], ["NoSchedule", "NoExecute"]), undefined);
  assert.equal(firstUntoleratedTaint(undefined, undefined, ["NoSchedule"]), undefined);
});

test("filters - matchesRequirement: In/NotIn/Exists/DoesNotExist/Gt/Lt", () => {
  const labels = { zone: "a", cores: "16", bad: "x1" };
  const cases: Array<[string, string, string[] | undefined, boolean]> = [
    ["zone", "In", ["a", "b"], true],
    ["zone", "In", ["b"], false],
    ["missing", "In", ["a"], false],
    ["zone", "NotIn", ["b"], true],
    ["zone", "NotIn", ["a"], false],
    ["missing", "NotIn", ["a"], true],
    ["zone", "Exists", undefined, true],
    ["missing", "Exists", undefined, false],
    ["missing", "DoesNotExist", undefined, true],
    ["zone", "DoesNotExist", undefined, false],
    ["cores", "Gt", ["8"], true],
    ["cores", "Gt", ["16"], false],
    ["cores", "Lt", ["32"], true],
    ["cores", "Lt", ["16"], false],
    ["missing", "Gt", ["1"], false],
    ["bad", "Gt", ["1"], false],
    ["cores", "Gt", ["1", "2"], false],
    ["cores", "Gt", ["x"], false],
    ["zone", "Bogus", ["a"], false],
  ];
  for (const [key, operator, values, want] of cases) assert.equal(matchesRequirement({ key, operator, ...(values ? { values } : {}) }, labels), want, `${key} ${operator} ${values}`);
});

test("filters - matchesNodeAffinity: nodeSelector and required terms (ORed terms, ANDed requirements, matchFields)", () => {
  const n = node("n1", { labels: { zone: "a", disk: "ssd" } });
  const req = (...terms: unknown[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });
  const cases: Array<[string, Record<string, unknown>, boolean]> = [
    ["no constraints", {}, true],
    ["nodeSelector matches", { nodeSelector: { zone: "a" } }, true],
    ["nodeSelector one of two differs", { nodeSelector: { zone: "a", disk: "hdd" } }, false],
    ["nodeSelector missing label", { nodeSelector: { gpu: "yes" } }, false],
    ["term matches", req({ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }), true],
    ["terms ORed", req({ matchExpressions: [{ key: "zone", operator: "In", values: ["b"] }] }, { matchExpressions: [{ key: "disk", operator: "Exists" }] }), true],
    ["requirements ANDed", req({ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }, { key: "disk", operator: "In", values: ["hdd"] }] }), false],
    ["empty term matches nothing", req({}), false],
    ["no terms match nothing", req(), false],
    ["matchFields on the name", req({ matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }] }), true],
    ["matchFields NotIn the name", req({ matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["n1"] }] }), false],
    ["selector and affinity both needed", { nodeSelector: { zone: "b" }, ...req({ matchExpressions: [{ key: "zone", operator: "Exists" }] }) }, false],
  ];
  for (const [name, spec, want] of cases) assert.equal(matchesNodeAffinity({ spec }, n), want, name);
});

test("filters - isNodeReady", () => {
  assert.equal(isNodeReady(node("a")), true);
  assert.equal(isNodeReady(node("a", { ready: "False" })), false);
  assert.equal(isNodeReady(node("a", { ready: "Unknown" })), false);
  assert.equal(isNodeReady(node("a", { ready: null })), false);
});

test("filters - filterNode: first failing filter's reason, in Kubernetes' order", () => {
  const full = nodeInfoOf(node("full", { alloc: { cpu: "1", memory: "1Gi", pods: "2" } }));
  full.requested = { cpu: 950, pods: 1 };
  const cases: Array<[string, any, any, string[]]> = [
    ["fits", pod(), nodeInfoOf(node("n")), []],
    ["not ready", pod(), nodeInfoOf(node("n", { ready: "False", unschedulable: true })), [REASONS.notReady]],
    ["unschedulable", pod(), nodeInfoOf(node("n", { unschedulable: true })), [REASONS.unschedulable]],
    ["unschedulable tolerated", pod({ tolerations: [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" }] }), nodeInfoOf(node("n", { unschedulable: true })), []],
    ["nodeName mismatch", pod({ nodeName: "other" }), nodeInfoOf(node("n")), [REASONS.nodeName]],
    ["NoSchedule taint", pod(), nodeInfoOf(node("n", { taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] })), ["node(s) had untolerated taint {dedicated: gpu}"]],
    ["NoExecute taint", pod(), nodeInfoOf(node("n", { taints: [{ key: "node.kubernetes.io/unreachable", effect: "NoExecute" }] })), ["node(s) had untolerated taint {node.kubernetes.io/unreachable: }"]],
    ["PreferNoSchedule is not a filter", pod(), nodeInfoOf(node("n", { taints: [{ key: "soft", effect: "PreferNoSchedule" }] })), []],
    ["tolerated taint", pod({ tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }] }), nodeInfoOf(node("n", { taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] })), []],
    ["taint before affinity", pod({ nodeSelector: { x: "y" } }), nodeInfoOf(node("n", { taints: [{ key: "t", effect: "NoSchedule" }] })), ["node(s) had untolerated taint {t: }"]],
    ["selector", pod({ nodeSelector: { zone: "b" } }), nodeInfoOf(node("n", { labels: { zone: "a" } })), [REASONS.affinity]],
    ["insufficient cpu", pod(), full, ["Insufficient cpu"]],
    ["too many pods and cpu", pod(), (() => ({ ...full, requested: { cpu: 950, pods: 2 } }))(), ["Too many pods", "Insufficient cpu"]],
  ];
  for (const [name, p, n, want] of cases) assert.deepEqual(filterNode(podInfoOf(p), n), want, name);
});

test("filters - failedSchedulingMessage: Kubernetes' FitError text", () => {
  const m = new Map<string, string[]>([
    ["a", ["Insufficient cpu"]],
    ["b", [REASONS.affinity]],
    ["c", [REASONS.affinity]],
  ]);
  assert.equal(failedSchedulingMessage(3, m), "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector.");
  assert.equal(
    failedSchedulingMessage(2, new Map([["a", ["Too many pods", "Insufficient cpu"]], ["b", ["Insufficient cpu"]]])),
    "0/2 nodes are available: 1 Too many pods, 2 Insufficient cpu.",
  );
  assert.equal(failedSchedulingMessage(0, new Map()), "no nodes available to schedule pods");
});

test("fitsResources - agrees with insufficientResources being empty", () => {
  const alloc = { cpu: 1000, memory: 1000, pods: 2, "example.com/gpu": 1 };
  const cases: Array<[string, Record<string, number>, Record<string, number>, boolean]> = [
    ["fits empty node", { cpu: 100, pods: 1 }, {}, true],
    ["exactly full", { cpu: 500, pods: 1 }, { cpu: 500, pods: 1 }, true],
    ["cpu over", { cpu: 501, pods: 1 }, { cpu: 500 }, false],
    ["too many pods", { pods: 1 }, { pods: 2 }, false],
    ["extended resource missing on node", { "example.com/fpga": 1, pods: 1 }, {}, false],
    ["extended resource fits", { "example.com/gpu": 1, pods: 1 }, {}, true],
    ["zero request never checked", { "example.com/fpga": 0, pods: 1 }, {}, true],
  ];
  for (const [name, req, used, want] of cases) {
    assert.equal(fitsResources(req, alloc, used), want, name);
    assert.equal(insufficientResources(req, alloc, used).length === 0, want, `${name} (insufficientResources)`);
  }
});

test("filters - podInfoOf: a frozen (shared) spec's requests and flags are computed once and shared; others each time", () => {
  const spec = Object.freeze({ containers: Object.freeze([Object.freeze({ name: "c", resources: Object.freeze({ requests: Object.freeze({ cpu: "250m", memory: "1Ki" }) }) })]) });
  const a = podInfoOf({ metadata: { name: "a" }, spec });
  const b = podInfoOf({ metadata: { name: "b" }, spec });
  assert.equal(a.pod.metadata.name, "a");
  assert.equal(b.pod.metadata.name, "b");
  assert.equal(a.requests, b.requests, "one requests object");
  assert.deepEqual(a.requests, { cpu: 250, memory: 1024, pods: 1 });
  assert.ok(Object.isFrozen(a.requests) && Object.isFrozen(a.nonZero));
  assert.ok(a.plain);
  const bound = podInfoOf({ metadata: { name: "a" }, spec: Object.freeze({ ...spec, nodeName: "n" }) });
  assert.ok(!bound.plain, "another spec object: its own info");
  const loose = { containers: [{ name: "c", resources: { requests: { cpu: "250m" } } }] };
  const c = podInfoOf({ metadata: { name: "c" }, spec: loose });
  loose.containers[0]!.resources.requests.cpu = "500m";
  assert.equal(podInfoOf({ metadata: { name: "c" }, spec: loose }).requests.cpu, 500, "an unfrozen spec is read again");
  assert.equal(c.requests.cpu, 250);
});
