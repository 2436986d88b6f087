import { test } from "node:test";
import assert from "node:assert/strict";
import {
  amountOf,
  chargeUsage,
  decodeNodeUsage,
  emptyNodeUsage,
  encodeNodeUsage,
  insufficientResources,
  nodeAllocatable,
  nonZeroRequests,
  NodeUsageError,
  podRequests,
  releaseUsage,
} from "./resources.js";

const c = (requests: Record<string, string> | undefined, extra: Record<string, unknown> = {}) => ({ name: "c", ...(requests ? { resources: { requests } } : {}), ...extra });

test("resources - amountOf: cpu in millicores, the rest in units, garbage as 0", () => {
  const cases: Array<[string, unknown, number]> = [
    ["cpu", "500m", 500],
    ["cpu", "1.5", 1500],
    ["cpu", 2, 2000],
    ["cpu", "1n", 1],
    ["memory", "1Gi", 1024 ** 3],
    ["memory", "128M", 128_000_000],
    ["pods", "110", 110],
    ["nvidia.com/gpu", "2", 2],
    ["cpu", "", 0],
    ["cpu", undefined, 0],
    ["cpu", "abc", 0],
  ];
  for (const [r, q, want] of cases) assert.equal(amountOf(r, q), want, `${r}=${String(q)}`);
});

test("resources - podRequests: containers summed, init containers as a peak, sidecars added, overhead, pods 1", () => {
  const cases: Array<[string, any, Record<string, number>]> = [
    ["no requests", { containers: [c(undefined)] }, { pods: 1 }],
    ["two containers", { containers: [c({ cpu: "100m", memory: "1Mi" }), c({ cpu: "200m" })] }, { cpu: 300, memory: 1024 ** 2, pods: 1 }],
    ["init bigger than containers", { initContainers: [c({ cpu: "1" })], containers: [c({ cpu: "100m" })] }, { cpu: 1000, pods: 1 }],
    ["init smaller than containers", { initContainers: [c({ cpu: "50m" })], containers: [c({ cpu: "100m" }), c({ cpu: "100m" })] }, { cpu: 200, pods: 1 }],
    ["two inits: the max, not the sum", { initContainers: [c({ cpu: "300m" }), c({ cpu: "400m" })], containers: [c({ cpu: "100m" })] }, { cpu: 400, pods: 1 }],
    [
      "sidecar adds to containers and to later inits",
      { initContainers: [c({ cpu: "200m" }, { restartPolicy: "Always" }), c({ cpu: "500m" })], containers: [c({ cpu: "100m" })] },
      { cpu: 700, pods: 1 }, // peak during the second init: 200 sidecar + 500; running: 100 + 200 = 300
    ],
    ["overhead", { containers: [c({ cpu: "100m" })], overhead: { cpu: "10m", memory: "1Ki" } }, { cpu: 110, memory: 1024, pods: 1 }],
    ["extended resource", { containers: [c({ "example.com/foo": "3" })] }, { "example.com/foo": 3, pods: 1 }],
    ["zero request dropped", { containers: [c({ cpu: "0" })] }, { pods: 1 }],
  ];
  for (const [name, spec, want] of cases) assert.deepEqual(podRequests({ spec }), want, name);
});

test("resources - nonZeroRequests: defaults 100m / 200Mi per container without a request", () => {
  assert.deepEqual(nonZeroRequests({ spec: { containers: [c(undefined), c({ cpu: "1" })] } }), { cpu: 1100, memory: 400 * 1024 ** 2 });
  assert.deepEqual(nonZeroRequests({ spec: { containers: [c({ cpu: "0", memory: "0" })] } }), { cpu: 0, memory: 0 });
});

test("resources - nodeAllocatable: allocatable, else capacity", () => {
  assert.deepEqual(nodeAllocatable({ status: { allocatable: { cpu: "4", memory: "1Gi", pods: "110" }, capacity: { cpu: "8" } } }), { cpu: 4000, memory: 1024 ** 3, pods: 110 });
  assert.deepEqual(nodeAllocatable({ status: { capacity: { cpu: "8" } } }), { cpu: 8000 });
  assert.deepEqual(nodeAllocatable({}), {});
});

test("resources - insufficientResources: Kubernetes' fitsRequest", () => {
  const alloc = { cpu: 1000, memory: 1000, pods: 3, "example.com/gpu": 1 };
  const cases: Array<[string, Record<string, number>, Record<string, number>, string[]]> = [
    ["fits exactly", { cpu: 500, memory: 500, pods: 1 }, { cpu: 500, memory: 500, pods: 2 }, []],
    ["cpu short by one", { cpu: 501, pods: 1 }, { cpu: 500, pods: 1 }, ["Insufficient cpu"]],
    ["memory short", { memory: 600, pods: 1 }, { memory: 500 }, ["Insufficient memory"]],
    ["both, in order", { memory: 2000, cpu: 2000, pods: 1 }, {}, ["Insufficient cpu", "Insufficient memory"]],
    ["too many pods", { pods: 1 }, { pods: 3 }, ["Too many pods"]],
    ["pods first", { cpu: 2000, pods: 1 }, { pods: 3 }, ["Too many pods", "Insufficient cpu"]],
    ["no requests: only the pod count", { pods: 1 }, { cpu: 5000, memory: 5000 }, []],
    ["extended resource short", { "example.com/gpu": 2, pods: 1 }, {}, ["Insufficient example.com/gpu"]],
    ["unknown resource on the node", { "example.com/fpga": 1, pods: 1 }, {}, ["Insufficient example.com/fpga"]],
    ["overcommitted node refuses more", { cpu: 1, pods: 1 }, { cpu: 1200 }, ["Insufficient cpu"]],
  ];
  for (const [name, req, used, want] of cases) assert.deepEqual(insufficientResources(req, alloc, used), want, name);
  assert.deepEqual(insufficientResources({ pods: 1 }, {}, {}), ["Too many pods"], "a node without allocatable pods takes none");
});

test("resources - node usage: charge once, release once, never negative, round trip", () => {
  let u = emptyNodeUsage();
  u = chargeUsage(u, "a", { cpu: 100, pods: 1 });
  u = chargeUsage(u, "b", { cpu: 200, memory: 5, pods: 1 });
  assert.deepEqual(chargeUsage(u, "a", { cpu: 100, pods: 1 }), u, "charging a charged uid changes nothing");
  assert.deepEqual(u, { requested: { cpu: 300, memory: 5, pods: 2 }, pods: ["a", "b"] });
  assert.deepEqual(decodeNodeUsage(encodeNodeUsage(u)), u);
  const r = releaseUsage(u, "b", { cpu: 200, memory: 5, pods: 1 });
  assert.deepEqual(r, { requested: { cpu: 100, pods: 1 }, pods: ["a"] });
  assert.equal(releaseUsage(r!, "b", { cpu: 200, pods: 1 }), undefined, "a second release is a no-op");
  assert.equal(releaseUsage(u, "never-charged", { cpu: 1, pods: 1 }), undefined);
  assert.deepEqual(releaseUsage({ requested: { cpu: 10, pods: 1 }, pods: ["x"] }, "x", { cpu: 50, pods: 1 }), { requested: {}, pods: [] });
  assert.throws(() => decodeNodeUsage(new TextEncoder().encode("nope")), NodeUsageError);
  assert.throws(() => decodeNodeUsage(new TextEncoder().encode("{}")), NodeUsageError);
});
