import { test } from "node:test";
import assert from "node:assert/strict";
import { CorruptValueError, decodeStoredJSON, encodeStoredJSON } from "../schema/index.js";
import { PodViews } from "./pod-view.js";

const views = new PodViews();
const decodePodView = (bytes: Uint8Array, rev: number) => views.decode(bytes, rev);

/** What a view holds of decodeStoredJSON's pod (see pod-view.ts). */
function expectedView(full: Record<string, any>): Record<string, any> {
  const spec: Record<string, unknown> = {};
  if (full.spec?.nodeName) spec.nodeName = full.spec.nodeName;
  if (full.spec?.tolerations) spec.tolerations = full.spec.tolerations;
  const out: Record<string, any> = { apiVersion: full.apiVersion, kind: full.kind, metadata: full.metadata, spec };
  if (full.status) {
    const { phase, conditions, containerStatuses } = full.status;
    out.status = {
      ...(phase ? { phase } : {}),
      ...(conditions ? { conditions } : {}),
      ...(containerStatuses ? { containerStatuses: containerStatuses.map((c: { restartCount: number }) => ({ restartCount: c.restartCount })) } : {}),
    };
  }
  return out;
}

const stored = (kind: string, obj: object) => encodeStoredJSON(kind, obj).value;

const POD = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name: "web-1",
    namespace: "ns",
    uid: "u-1",
    labels: { app: "web" },
    annotations: { "controller.kubernetes.io/pod-deletion-cost": "5" },
    creationTimestamp: "2024-01-01T00:00:00Z",
    ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: "rs-1", controller: true, blockOwnerDeletion: true }],
    finalizers: ["x/y"],
  },
  spec: {
    nodeName: "node-7",
    containers: [{ name: "c", image: "nginx", resources: { requests: { cpu: "1m", memory: "1Mi" } } }],
    tolerations: [
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      { key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" },
    ],
    restartPolicy: "Always",
    priority: 7,
  },
  status: {
    phase: "Running",
    conditions: [{ type: "Ready", status: "True", lastTransitionTime: "2024-01-01T00:00:05Z" }],
    containerStatuses: [{ name: "c", image: "nginx", imageID: "", ready: true, restartCount: 2, state: { running: { startedAt: "2024-01-01T00:00:04Z" } } }],
    podIP: "10.0.0.7",
  },
};

test("pod view - metadata as decodeStoredJSON makes it; of the spec nodeName and tolerations, of the status phase, conditions and restart counts", () => {
  const bytes = stored("Pod", POD);
  const full = decodeStoredJSON(bytes, 42);
  const view = decodePodView(bytes, 42);
  assert.equal(view.metadata.resourceVersion, "42");
  assert.equal(view.spec.tolerations.length, 2);
  assert.equal(view.spec.containers, undefined, "the containers are not decoded");
  assert.deepEqual(view, expectedView(full));
  assert.deepEqual(view.status, { phase: "Running", conditions: full.status.conditions, containerStatuses: [{ restartCount: 2 }] });
});

test("pod view - an unbound pod without tolerations or status has an empty spec and no status", () => {
  const bytes = stored("Pod", { ...POD, spec: { containers: POD.spec.containers }, status: undefined });
  const full = decodeStoredJSON(bytes, 3);
  const view = decodePodView(bytes, 3);
  assert.deepEqual(view, expectedView(full));
  assert.deepEqual(view.spec, {});
});

test("pod view - other kinds decode whole; bad bytes throw the stored codec's typed error", () => {
  const cm = stored("ConfigMap", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "ns" }, data: { a: "b" } });
  assert.deepEqual(decodePodView(cm, 9), decodeStoredJSON(cm, 9));
  const bytes = stored("Pod", POD);
  assert.throws(() => decodePodView(bytes.subarray(0, bytes.length - 20), 1), CorruptValueError);
  assert.throws(() => decodePodView(Uint8Array.of(1, 2, 3, 4, 5), 1), CorruptValueError);
});

test("pod view - the metadata of the previous view is reused when its bytes are the same; tolerations are shared", () => {
  const v = new PodViews();
  const added = v.decode(stored("Pod", { ...POD, spec: { ...POD.spec, nodeName: undefined }, status: { phase: "Pending" } }), 10);
  const boundBytes = stored("Pod", POD);
  const bound = v.decode(boundBytes, 11, added);
  assert.deepEqual(v.stats, { metadataDecoded: 1, metadataReused: 1 });
  assert.deepEqual(bound, expectedView(decodeStoredJSON(boundBytes, 11)));
  assert.equal(bound.metadata.resourceVersion, "11");
  assert.equal(added.metadata.resourceVersion, "10", "the previous view is left as it was");
  assert.equal(bound.metadata.ownerReferences, added.metadata.ownerReferences, "unchanged parts are shared");
  assert.equal(bound.spec.tolerations[0], added.spec.tolerations[0]);
  assert.ok(Object.isFrozen(bound.spec.tolerations[0]));

  const relabeled = stored("Pod", { ...POD, metadata: { ...POD.metadata, labels: { app: "other" } } });
  const after = v.decode(relabeled, 12, bound);
  assert.deepEqual(after.metadata, decodeStoredJSON(relabeled, 12).metadata, "changed metadata is decoded");
  assert.equal(v.stats.metadataDecoded, 2);
  const unrelated = v.decode(boundBytes, 13, undefined);
  assert.equal(v.stats.metadataDecoded, 3, "no previous view: decoded");
  assert.deepEqual(unrelated.metadata, { ...bound.metadata, resourceVersion: "13" });
  const other = v.decode(stored("Pod", { ...POD, metadata: { ...POD.metadata, name: "web-2", uid: "u-2" } }), 20);
  assert.equal(other.status.conditions[0], bound.status.conditions[0], "a condition with the same bytes is one shared object");
  assert.ok(Object.isFrozen(other.status.conditions[0]) && Object.isFrozen(other.status.containerStatuses));
});

test("pod view - the previous view's spec and status are reused when what the view holds of them is the same", () => {
  const v = new PodViews();
  const bound = v.decode(stored("Pod", POD), 10);
  // A status write the view does not see (podIP) and one it does (phase).
  const ipBytes = stored("Pod", { ...POD, status: { ...POD.status, podIP: "10.0.0.8" } });
  const ip = v.decode(ipBytes, 11, bound);
  assert.deepEqual(ip, expectedView(decodeStoredJSON(ipBytes, 11)));
  assert.equal(ip.spec, bound.spec);
  assert.equal(ip.status, bound.status);
  const doneBytes = stored("Pod", { ...POD, status: { ...POD.status, phase: "Succeeded" } });
  const done = v.decode(doneBytes, 12, ip);
  assert.deepEqual(done, expectedView(decodeStoredJSON(doneBytes, 12)));
  assert.equal(done.spec, bound.spec);
  assert.notEqual(done.status, ip.status);
  const movedBytes = stored("Pod", { ...POD, spec: { ...POD.spec, nodeName: "node-8" } });
  const moved = v.decode(movedBytes, 13, bound);
  assert.deepEqual(moved, expectedView(decodeStoredJSON(movedBytes, 13)));
  assert.notEqual(moved.spec, bound.spec);
  assert.equal(moved.spec.tolerations[1], bound.spec.tolerations[1]);
});
