/**
 * Defaults on minimal manifests equal what `kubectl get -o yaml` shows on real Kubernetes
 * (expected objects written from pkg/apis/core/v1/defaults.go and pkg/apis/apps/v1/defaults.go;
 * server-set fields such as uid, resourceVersion, creationTimestamp are the registry's).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { KINDS } from "../../schema/index.js";
import { strategyFor } from "./index.js";

function create(obj: any): any {
  const s = strategyFor(obj.kind);
  s.defaults(obj);
  s.prepareForCreate(obj);
  return obj;
}

const defaultedContainer = (name: string, image: string, pull: string, extra: object = {}) => ({
  name, image, ...extra, imagePullPolicy: pull, terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File",
});
const templateSpecDefaults = { dnsPolicy: "ClusterFirst", restartPolicy: "Always", securityContext: {}, terminationGracePeriodSeconds: 30, schedulerName: "default-scheduler" };

test("defaults - Deployment: replicas 1, RollingUpdate 25%/25%, history 10, deadline 600, template defaults", () => {
  const got = create({
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "default" },
    spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.27", ports: [{ containerPort: 80 }] }] } } },
  });
  assert.deepEqual(got, {
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "default", generation: 1 },
    spec: {
      replicas: 1, selector: { matchLabels: { app: "web" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
      revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [defaultedContainer("nginx", "nginx:1.27", "IfNotPresent", { ports: [{ containerPort: 80, protocol: "TCP" }] })], ...templateSpecDefaults } },
    },
    status: {},
  });
});

test("defaults - Deployment keeps what the user set (Recreate has no rollingUpdate, replicas 0 stays)", () => {
  const got = create({ kind: "Deployment", metadata: { name: "w", namespace: "d" }, spec: { replicas: 0, revisionHistoryLimit: 2, strategy: { type: "Recreate" }, template: { spec: { containers: [{ name: "c", image: "i" }] } } } });
  assert.equal(got.spec.replicas, 0);
  assert.equal(got.spec.revisionHistoryLimit, 2);
  assert.deepEqual(got.spec.strategy, { type: "Recreate" });
  const partial = create({ kind: "Deployment", metadata: { name: "w", namespace: "d" }, spec: { strategy: { rollingUpdate: { maxSurge: 1 } }, template: { spec: { containers: [] } } } });
  assert.deepEqual(partial.spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: "25%" } });
});

test("defaults - ReplicaSet replicas 1 and template defaults; status replicas 0", () => {
  const got = create({ kind: "ReplicaSet", metadata: { name: "rs", namespace: "d" }, spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "busybox" }] } } } });
  assert.equal(got.spec.replicas, 1);
  assert.deepEqual(got.spec.template.spec, { containers: [defaultedContainer("c", "busybox", "Always")], ...templateSpecDefaults });
  assert.deepEqual(got.status, { replicas: 0 });
  assert.equal(got.metadata.generation, 1);
});

test("defaults - StatefulSet: OrderedReady, RollingUpdate partition 0, retention Retain/Retain, claim templates Pending/Filesystem", () => {
  const got = create({
    kind: "StatefulSet", metadata: { name: "db", namespace: "d" },
    spec: {
      serviceName: "db", selector: { matchLabels: { app: "db" } },
      template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "pg", image: "postgres:16" }] } },
      volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
    },
  });
  assert.deepEqual(got.spec, {
    serviceName: "db", replicas: 1, selector: { matchLabels: { app: "db" } }, podManagementPolicy: "OrderedReady",
    updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
    persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" }, revisionHistoryLimit: 10,
    template: { metadata: { labels: { app: "db" } }, spec: { containers: [defaultedContainer("pg", "postgres:16", "IfNotPresent")], ...templateSpecDefaults } },
    volumeClaimTemplates: [{
      apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "data" },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, volumeMode: "Filesystem" }, status: { phase: "Pending" },
    }],
  });
  assert.deepEqual(got.status, { replicas: 0, availableReplicas: 0 });
  const onDelete = create({ kind: "StatefulSet", metadata: { name: "x", namespace: "d" }, spec: { updateStrategy: { type: "OnDelete" } } });
  assert.deepEqual(onDelete.spec.updateStrategy, { type: "OnDelete" });
});

test("defaults - Pod: spec defaults, enableServiceLinks, probes, requests from limits, status Pending with QoS", () => {
  const got = create({
    apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default" },
    spec: {
      containers: [{
        name: "app", image: "registry:5000/app", resources: { limits: { cpu: "500m", memory: "128Mi" } },
        readinessProbe: { httpGet: { port: 8080 } }, livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 5 },
        env: [{ name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
      }],
      volumes: [{ name: "cfg", configMap: { name: "c" } }, { name: "scratch" }, { name: "h", hostPath: { path: "/tmp" } }],
    },
    status: { phase: "Running" },
  });
  assert.deepEqual(got, {
    apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default", generation: 1 },
    spec: {
      containers: [defaultedContainer("app", "registry:5000/app", "Always", {
        resources: { limits: { cpu: "500m", memory: "128Mi" }, requests: { cpu: "500m", memory: "128Mi" } },
        readinessProbe: { httpGet: { port: 8080, path: "/", scheme: "HTTP" }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
        livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
        env: [{ name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName", apiVersion: "v1" } } }],
      })],
      volumes: [{ name: "cfg", configMap: { name: "c", defaultMode: 420 } }, { name: "scratch", emptyDir: {} }, { name: "h", hostPath: { path: "/tmp", type: "" } }],
      ...templateSpecDefaults, enableServiceLinks: true,
    },
    status: { phase: "Pending", qosClass: "Guaranteed" },
  });
});

test("defaults - image pull policy from the tag: latest or none → Always, tag or digest → IfNotPresent", () => {
  const cases: [string, string][] = [
    ["nginx", "Always"], ["nginx:latest", "Always"], ["nginx:1.27", "IfNotPresent"], ["localhost:5000/nginx", "Always"],
    ["localhost:5000/nginx:v2", "IfNotPresent"], ["nginx@sha256:abcd", "IfNotPresent"], ["nginx:latest@sha256:abcd", "Always"],
  ];
  for (const [image, want] of cases) {
    const p = create({ kind: "Pod", metadata: { name: "p", namespace: "d" }, spec: { containers: [{ name: "c", image }] } });
    assert.equal(p.spec.containers[0].imagePullPolicy, want, image);
  }
});

test("defaults - QoS class: BestEffort, Burstable, Guaranteed", () => {
  const qos = (resources: any[]) => create({ kind: "Pod", metadata: { name: "p", namespace: "d" }, spec: { containers: resources.map((r, i) => ({ name: `c${i}`, image: "i", resources: r })) } }).status.qosClass;
  assert.equal(qos([{}]), "BestEffort");
  assert.equal(qos([{ requests: { cpu: "100m" } }]), "Burstable");
  assert.equal(qos([{ limits: { cpu: "1", memory: "1Gi" } }]), "Guaranteed");
  assert.equal(qos([{ limits: { cpu: "1", memory: "1Gi" } }, {}]), "Burstable");
  assert.equal(qos([{ requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } }]), "Burstable");
  assert.equal(qos([{ requests: { "ephemeral-storage": "1Gi" } }]), "BestEffort");
});

test("defaults - Service: ClusterIP, None affinity, TCP, targetPort = port, SingleStack IPv4, Cluster traffic policy", () => {
  const got = create({ kind: "Service", metadata: { name: "web", namespace: "d" }, spec: { selector: { app: "web" }, ports: [{ port: 80 }, { name: "m", port: 9090, targetPort: "metrics" }] } });
  assert.deepEqual(got.spec, {
    selector: { app: "web" }, type: "ClusterIP", sessionAffinity: "None",
    ports: [{ port: 80, protocol: "TCP", targetPort: 80 }, { name: "m", port: 9090, targetPort: "metrics", protocol: "TCP" }],
    internalTrafficPolicy: "Cluster", ipFamilyPolicy: "SingleStack", ipFamilies: ["IPv4"],
  });
  assert.deepEqual(got.status, { loadBalancer: {} });
  assert.equal(got.metadata.generation, undefined);
  const np = create({ kind: "Service", metadata: { name: "n", namespace: "d" }, spec: { type: "LoadBalancer", clusterIP: "10.96.0.9", sessionAffinity: "ClientIP", ports: [{ port: 443 }] } });
  assert.equal(np.spec.externalTrafficPolicy, "Cluster");
  assert.equal(np.spec.allocateLoadBalancerNodePorts, true);
  assert.deepEqual(np.spec.clusterIPs, ["10.96.0.9"]);
  assert.deepEqual(np.spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  const ext = create({ kind: "Service", metadata: { name: "e", namespace: "d" }, spec: { type: "ExternalName", externalName: "example.com" } });
  assert.deepEqual(ext.spec, { type: "ExternalName", externalName: "example.com", sessionAffinity: "None" });
});

test("defaults - Secret Opaque with stringData merged; PVC, PV, Namespace, Node, Endpoints", () => {
  const secret = create({ kind: "Secret", metadata: { name: "s", namespace: "d" }, data: { a: "YQ==" }, stringData: { b: "bee" } });
  assert.deepEqual(secret, { kind: "Secret", metadata: { name: "s", namespace: "d" }, data: { a: "YQ==", b: "YmVl" }, type: "Opaque" });
  const pvc = create({ kind: "PersistentVolumeClaim", metadata: { name: "c", namespace: "d" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } }, status: { phase: "Bound" } });
  assert.equal(pvc.spec.volumeMode, "Filesystem");
  assert.deepEqual(pvc.status, { phase: "Pending" });
  const pv = create({ kind: "PersistentVolume", metadata: { name: "v" }, spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], hostPath: { path: "/data" } } });
  assert.deepEqual(pv.spec, { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], hostPath: { path: "/data", type: "" }, persistentVolumeReclaimPolicy: "Retain", volumeMode: "Filesystem" });
  assert.deepEqual(pv.status, { phase: "Pending" });
  const ns = create({ kind: "Namespace", metadata: { name: "team-a" } });
  assert.deepEqual(ns, { kind: "Namespace", metadata: { name: "team-a", labels: { "kubernetes.io/metadata.name": "team-a" } }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } });
  const node = create({ kind: "Node", metadata: { name: "n1" }, status: { capacity: { cpu: "4", pods: "110" }, nodeInfo: { kubeletVersion: "v1.32.0" } } });
  assert.deepEqual(node.status, { capacity: { cpu: "4", pods: "110" }, allocatable: { cpu: "4", pods: "110" }, nodeInfo: { kubeletVersion: "v1.32.0" } }, "a node keeps the status it registers with");
  const ep = create({ kind: "Endpoints", metadata: { name: "e", namespace: "d" }, subsets: [{ addresses: [{ ip: "10.0.0.1" }], ports: [{ port: 80 }] }] });
  assert.equal(ep.subsets[0].ports[0].protocol, "TCP");
  const cm = create({ kind: "ConfigMap", metadata: { name: "c", namespace: "d", generation: 4 }, data: { k: "v" } });
  assert.deepEqual(cm, { kind: "ConfigMap", metadata: { name: "c", namespace: "d" }, data: { k: "v" } });
});

test("defaults - idempotent: defaulting twice changes nothing", () => {
  for (const obj of [
    { kind: "Deployment", metadata: { name: "w", namespace: "d" }, spec: { template: { spec: { containers: [{ name: "c", image: "i" }] } } } },
    { kind: "Service", metadata: { name: "s", namespace: "d" }, spec: { ports: [{ port: 80 }] } },
    { kind: "StatefulSet", metadata: { name: "s", namespace: "d" }, spec: { volumeClaimTemplates: [{ metadata: { name: "x" } }] } },
  ]) {
    const s = strategyFor(obj.kind);
    const once = s.defaults(structuredClone(obj));
    assert.deepEqual(s.defaults(structuredClone(once)), once, obj.kind);
  }
});

test("defaults - a kind without defaultStatus never writes status (a status write takes the sent status as it is)", () => {
  for (const info of KINDS.values()) {
    const s = strategyFor(info.kind);
    if (s.defaultStatus) continue;
    const status = Object.freeze({});
    const obj: any = { metadata: { name: "x", namespace: "ns" }, spec: {}, status };
    assert.doesNotThrow(() => s.defaults(obj), info.kind);
    assert.equal(obj.status, status, info.kind);
  }
  assert.deepEqual([...KINDS.values()].filter((i) => strategyFor(i.kind).defaultStatus).map((i) => i.kind).sort(), ["Namespace", "Node", "PersistentVolume", "PersistentVolumeClaim"]);
});
