/** Create/update preparation: generation, status handling, update-only rules. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { strategyFor } from "./index.js";

function stored(obj: any): any {
  const s = strategyFor(obj.kind);
  s.defaults(obj);
  s.prepareForCreate(obj);
  obj.metadata.uid = "u-1";
  obj.metadata.resourceVersion = "7";
  obj.metadata.creationTimestamp = "2024-05-01T00:00:00Z";
  return obj;
}

const deployment = () => stored({
  kind: "Deployment", metadata: { name: "web", namespace: "d" },
  spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx:1" }] } } },
});

function update(old: any, change: (o: any) => void): any {
  const obj = structuredClone(old);
  change(obj);
  const s = strategyFor(old.kind);
  s.prepareForUpdate(obj, old);
  s.defaults(obj);
  return obj;
}

test("generation - 1 on create, whatever the client sent; not for kinds without generation", () => {
  const d = stored({ kind: "Deployment", metadata: { name: "w", namespace: "d", generation: 9 }, spec: {} });
  assert.equal(d.metadata.generation, 1);
  const cm = stored({ kind: "ConfigMap", metadata: { name: "c", namespace: "d", generation: 9 } });
  assert.equal(cm.metadata.generation, undefined);
});

test("generation - bumped on spec change, kept on metadata-only or status change", () => {
  const old = deployment();
  old.metadata.generation = 3;
  assert.equal(update(old, (o) => (o.spec.template.spec.containers[0].image = "nginx:2")).metadata.generation, 4);
  assert.equal(update(old, (o) => (o.spec.replicas = 5)).metadata.generation, 4);
  assert.equal(update(old, (o) => (o.metadata.labels = { tier: "web" })).metadata.generation, 3);
  assert.equal(update(old, (o) => (o.status = { replicas: 3 })).metadata.generation, 3);
  assert.equal(update(old, (o) => (o.metadata.generation = 100)).metadata.generation, 3, "clients cannot set generation");
  assert.equal(update(old, (o) => (o.metadata.annotations = { "kubernetes.io/change-cause": "x" })).metadata.generation, 4, "Deployment annotations bump generation");
});

test("generation - a PUT of the minimal manifest (defaults missing) is not a spec change", () => {
  const old = deployment();
  const minimal = {
    kind: "Deployment", metadata: { name: "web", namespace: "d", resourceVersion: "7" },
    spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx:1" }] } } },
  };
  const s = strategyFor("Deployment");
  s.prepareForUpdate(minimal, old);
  assert.equal((minimal.metadata as any).generation, 1);
});

test("generation - ReplicaSet and StatefulSet bump on spec, not on annotations", () => {
  const rs = stored({ kind: "ReplicaSet", metadata: { name: "r", namespace: "d" }, spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "i" }] } } } });
  assert.equal(update(rs, (o) => (o.spec.replicas = 2)).metadata.generation, 2);
  assert.equal(update(rs, (o) => (o.metadata.annotations = { a: "b" })).metadata.generation, 1);
});

test("update - main resource keeps the stored status", () => {
  const old = deployment();
  old.status = { replicas: 1, readyReplicas: 1 };
  const next = update(old, (o) => { o.status = { replicas: 99 }; o.spec.replicas = 3; });
  assert.deepEqual(next.status, { replicas: 1, readyReplicas: 1 });
  assert.equal(next.spec.replicas, 3);
  const podOld = stored({ kind: "Pod", metadata: { name: "p", namespace: "d" }, spec: { containers: [{ name: "c", image: "i" }] } });
  const pod = update(podOld, (o) => delete o.status);
  assert.deepEqual(pod.status, { phase: "Pending", qosClass: "BestEffort" });
});

test("namespace - create adds the kubernetes finalizer; update keeps finalizers and status", () => {
  const ns = stored({ kind: "Namespace", metadata: { name: "a" }, spec: { finalizers: ["example.com/x"] } });
  assert.deepEqual(ns.spec.finalizers, ["example.com/x", "kubernetes"]);
  const next = update(ns, (o) => { o.spec.finalizers = []; o.status = { phase: "Terminating" }; });
  assert.deepEqual(next.spec.finalizers, ["example.com/x", "kubernetes"]);
  assert.equal(next.status.phase, "Active");
});

test("service - update keeps the allocated clusterIP and nodePorts when the request leaves them out", () => {
  const old = stored({ kind: "Service", metadata: { name: "s", namespace: "d" }, spec: { type: "NodePort", clusterIP: "10.96.0.10", ports: [{ port: 80, nodePort: 30080 }] } });
  const next = update(old, (o) => { delete o.spec.clusterIP; delete o.spec.clusterIPs; delete o.spec.ports[0].nodePort; });
  assert.equal(next.spec.clusterIP, "10.96.0.10");
  assert.deepEqual(next.spec.clusterIPs, ["10.96.0.10"]);
  assert.equal(next.spec.ports[0].nodePort, 30080);
});

test("validateUpdate - identity and immutable fields", () => {
  const check = (old: any, change: (o: any) => void) => {
    const obj = update(old, change);
    return strategyFor(old.kind).validateUpdate(obj, old).map((c) => `${c.field}: ${c.message}`);
  };
  const d = deployment();
  assert.deepEqual(check(d, (o) => (o.spec.replicas = 4)), []);
  assert.deepEqual(check(d, (o) => { o.spec.selector = { matchLabels: { app: "web2" } }; o.spec.template.metadata.labels = { app: "web2" }; }), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  ]);
  assert.deepEqual(check(d, (o) => (o.metadata.uid = "other")), ['metadata.uid: Invalid value: "other": field is immutable']);
  assert.deepEqual(check(d, (o) => (o.metadata.name = "x")), ['metadata.name: Invalid value: "x": field is immutable']);
  const deleting = structuredClone(d);
  deleting.metadata.deletionTimestamp = "2024-05-02T00:00:00Z";
  deleting.metadata.finalizers = ["a.io/x"];
  assert.deepEqual(check(deleting, (o) => o.metadata.finalizers.push("b.io/y")), [
    'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}',
  ]);

  const sts = stored({ kind: "StatefulSet", metadata: { name: "s", namespace: "d" }, spec: { serviceName: "s", selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "i" }] } } } });
  assert.deepEqual(check(sts, (o) => { o.spec.replicas = 3; o.spec.template.spec.containers[0].image = "j"; o.spec.updateStrategy = { type: "OnDelete" }; }), []);
  assert.deepEqual(check(sts, (o) => (o.spec.serviceName = "other")), [
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  ]);

  const pvc = stored({ kind: "PersistentVolumeClaim", metadata: { name: "c", namespace: "d" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } });
  assert.deepEqual(check(pvc, (o) => (o.spec.volumeName = "pv-1")), [], "binding sets volumeName once");
  assert.deepEqual(check(pvc, (o) => (o.spec.accessModes = ["ReadWriteMany"])), ["spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"]);
  assert.equal(check(pvc, (o) => (o.spec.resources.requests.storage = "2Gi")).length, 1, "unbound claims cannot resize");
  const bound = structuredClone(pvc);
  bound.status = { phase: "Bound" };
  assert.deepEqual(check(bound, (o) => (o.spec.resources.requests.storage = "2Gi")), []);

  const svc = stored({ kind: "Service", metadata: { name: "s", namespace: "d" }, spec: { clusterIP: "10.96.0.10", ports: [{ port: 80 }] } });
  assert.deepEqual(check(svc, (o) => { o.spec.clusterIP = "10.96.0.11"; o.spec.clusterIPs = ["10.96.0.11"]; }), ['spec.clusterIPs[0]: Invalid value: "10.96.0.11": may not change once set']);

  const cm = stored({ kind: "ConfigMap", metadata: { name: "c", namespace: "d" }, immutable: true, data: { a: "1" } });
  assert.deepEqual(check(cm, (o) => (o.data.a = "2")), ["data: Forbidden: field is immutable when `immutable` is set"]);
  assert.deepEqual(check(cm, (o) => (o.metadata.labels = { x: "y" })), []);
  const secret = stored({ kind: "Secret", metadata: { name: "s", namespace: "d" }, data: { a: "YQ==" } });
  assert.deepEqual(check(secret, (o) => (o.type = "kubernetes.io/basic-auth")), ['type: Invalid value: "kubernetes.io/basic-auth": field is immutable']);

  const pod = stored({ kind: "Pod", metadata: { name: "p", namespace: "d" }, spec: { containers: [{ name: "c", image: "i:1" }] } });
  assert.deepEqual(check(pod, (o) => (o.spec.containers[0].image = "i:2")), []);
  assert.deepEqual(check(pod, (o) => (o.spec.activeDeadlineSeconds = 30)), []);
  assert.deepEqual(check(pod, (o) => (o.spec.containers[0].command = ["sh"])).map((m) => m.split(":")[0]), ["spec"]);

  const cr = stored({ kind: "ControllerRevision", metadata: { name: "r", namespace: "d" }, data: { a: 1 }, revision: 1 });
  assert.deepEqual(check(cr, (o) => (o.data = { a: 2 })), ['data: Invalid value: {"a":2}: field is immutable']);

  const node = stored({ kind: "Node", metadata: { name: "n" }, spec: { podCIDR: "10.244.1.0/24", podCIDRs: ["10.244.1.0/24"] } });
  assert.deepEqual(check(node, (o) => { o.spec.podCIDR = "10.244.2.0/24"; o.spec.podCIDRs = ["10.244.2.0/24"]; }), ['spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid']);
});
