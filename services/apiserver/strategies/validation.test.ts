/** Validation: good objects give no causes; each bad case gives Kubernetes' field path and message. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { strategyFor } from "./index.js";
import type { FieldCause } from "./types.js";

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

function prepared(obj: any): any {
  const s = strategyFor(obj.kind);
  s.defaults(obj);
  s.prepareForCreate(obj);
  return obj;
}

const pod = () => ({ kind: "Pod", metadata: { name: "p", namespace: "default" }, spec: { containers: [{ name: "app", image: "nginx" }] } });
const deployment = () => ({
  kind: "Deployment", metadata: { name: "web", namespace: "default" },
  spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx" }] } } },
});
const statefulSet = () => ({
  kind: "StatefulSet", metadata: { name: "db", namespace: "default" },
  spec: { serviceName: "db", selector: { matchLabels: { app: "db" } }, template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "pg", image: "postgres" }] } } },
});
const good: any[] = [
  pod(), deployment(), statefulSet(),
  { kind: "ReplicaSet", metadata: { name: "rs", namespace: "d" }, spec: { selector: { matchExpressions: [{ key: "app", operator: "In", values: ["a"] }] }, template: { metadata: { labels: { app: "a" } }, spec: { containers: [{ name: "c", image: "i" }] } } } },
  { kind: "Namespace", metadata: { name: "team-a" } },
  { kind: "Node", metadata: { name: "node-1.example" }, spec: { taints: [{ key: "k", effect: "NoSchedule" }] } },
  { kind: "Service", metadata: { name: "web", namespace: "d" }, spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80 }, { name: "https", port: 443, targetPort: "https" }] } },
  { kind: "Service", metadata: { name: "headless", namespace: "d" }, spec: { clusterIP: "None", selector: { app: "db" } } },
  { kind: "Endpoints", metadata: { name: "web", namespace: "d" }, subsets: [{ addresses: [{ ip: "10.1.0.5" }], ports: [{ port: 80 }] }] },
  { kind: "ConfigMap", metadata: { name: "cfg", namespace: "d" }, data: { "app.properties": "x=1" }, binaryData: { "blob.bin": "AAEC" } },
  { kind: "Secret", metadata: { name: "tls", namespace: "d" }, type: "kubernetes.io/tls", data: { "tls.crt": "YQ==", "tls.key": "Yg==" } },
  { kind: "PersistentVolumeClaim", metadata: { name: "data", namespace: "d" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } },
  { kind: "PersistentVolume", metadata: { name: "pv1" }, spec: { capacity: { storage: "5Gi" }, accessModes: ["ReadWriteMany"], nfs: { server: "nfs", path: "/x" } } },
  { kind: "Event", metadata: { name: "web.1", namespace: "d" }, involvedObject: { kind: "Pod", name: "web", namespace: "d" }, reason: "Started" },
  { kind: "ControllerRevision", metadata: { name: "db-7d9f", namespace: "d" }, data: { spec: {} }, revision: 1 },
  { kind: "Lease", metadata: { name: "node-1", namespace: "kube-node-lease" }, spec: { holderIdentity: "node-1", leaseDurationSeconds: 40 } },
  { kind: "Widget", metadata: { name: "w", namespace: "d" } },
];

test("validation - well-formed objects of every kind give no causes", () => {
  for (const obj of good) assert.deepEqual(strategyFor(obj.kind).validate(prepared(obj)), [], obj.kind);
});

interface Case { name: string; obj: any; want: Partial<FieldCause>[] }

const mutate = (base: () => any, f: (o: any) => void) => { const o = base(); f(o); return o; };

const cases: Case[] = [
  { name: "name required", obj: mutate(pod, (o) => delete o.metadata.name), want: [{ type: "FieldValueRequired", field: "metadata.name", message: "Required value: name or generateName is required" }] },
  { name: "bad name", obj: mutate(pod, (o) => (o.metadata.name = "Web_1")), want: [{ field: "metadata.name", message: `Invalid value: "Web_1": ${SUBDOMAIN_MSG}` }] },
  { name: "namespace required", obj: mutate(pod, (o) => delete o.metadata.namespace), want: [{ type: "FieldValueRequired", field: "metadata.namespace", message: "Required value" }] },
  { name: "namespace on cluster-scoped kind", obj: { kind: "Node", metadata: { name: "n", namespace: "x" } }, want: [{ type: "FieldValueForbidden", field: "metadata.namespace", message: "Forbidden: not allowed on this type" }] },
  { name: "bad label value", obj: mutate(pod, (o) => (o.metadata.labels = { app: "a b" })), want: [{ field: "metadata.labels", message: `Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')` }] },
  { name: "annotations over 256 KiB", obj: mutate(pod, (o) => (o.metadata.annotations = { big: "x".repeat(262142) })), want: [{ type: "FieldValueTooLong", field: "metadata.annotations", message: "Too long: may not be more than 262144 bytes" }] },
  { name: "two controller owners", obj: mutate(pod, (o) => (o.metadata.ownerReferences = [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "a", uid: "1", controller: true }, { apiVersion: "apps/v1", kind: "ReplicaSet", name: "b", uid: "2", controller: true }])), want: [{ field: "metadata.ownerReferences" }] },
  { name: "pod without containers", obj: mutate(pod, (o) => (o.spec.containers = [])), want: [{ type: "FieldValueRequired", field: "spec.containers", message: "Required value" }] },
  { name: "container image required", obj: mutate(pod, (o) => delete o.spec.containers[0].image), want: [{ type: "FieldValueRequired", field: "spec.containers[0].image", message: "Required value" }] },
  { name: "duplicate container name", obj: mutate(pod, (o) => o.spec.containers.push({ name: "app", image: "x" })), want: [{ type: "FieldValueDuplicate", field: "spec.containers[1].name", message: 'Duplicate value: "app"' }] },
  { name: "restartPolicy value", obj: mutate(pod, (o) => (o.spec.restartPolicy = "Sometimes")), want: [{ type: "FieldValueNotSupported", field: "spec.restartPolicy", message: 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"' }] },
  { name: "container port range", obj: mutate(pod, (o) => (o.spec.containers[0].ports = [{ containerPort: 70000 }])), want: [{ field: "spec.containers[0].ports[0].containerPort", message: "Invalid value: 70000: must be between 1 and 65535, inclusive" }] },
  { name: "requests above limits", obj: mutate(pod, (o) => (o.spec.containers[0].resources = { requests: { cpu: "2" }, limits: { cpu: "500m" } })), want: [{ field: "spec.containers[0].resources.requests[cpu]", message: 'Invalid value: "2": must be less than or equal to cpu limit of 500m' }] },
  { name: "volume mount of unknown volume", obj: mutate(pod, (o) => (o.spec.containers[0].volumeMounts = [{ name: "nope", mountPath: "/x" }])), want: [{ type: "FieldValueNotFound", field: "spec.containers[0].volumeMounts[0].name", message: 'Not found: "nope"' }] },
  { name: "probe without handler", obj: mutate(pod, (o) => (o.spec.containers[0].livenessProbe = { periodSeconds: 5 })), want: [{ field: "spec.containers[0].livenessProbe", message: "Required value: must specify a handler type" }] },
  { name: "deployment selector required", obj: mutate(deployment, (o) => delete o.spec.selector), want: [{ type: "FieldValueRequired", field: "spec.selector", message: "Required value" }] },
  { name: "deployment empty selector", obj: mutate(deployment, (o) => (o.spec.selector = {})), want: [{ field: "spec.selector", message: "Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment" }] },
  { name: "selector does not match template", obj: mutate(deployment, (o) => (o.spec.template.metadata.labels = { app: "other" })), want: [{ type: "FieldValueInvalid", field: "spec.template.metadata.labels", message: 'Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`' }] },
  { name: "negative replicas", obj: mutate(deployment, (o) => (o.spec.replicas = -1)), want: [{ field: "spec.replicas", message: "Invalid value: -1: must be greater than or equal to 0" }] },
  { name: "maxSurge and maxUnavailable both 0", obj: mutate(deployment, (o) => (o.spec.strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: "0%" } })), want: [{ field: "spec.strategy.rollingUpdate.maxUnavailable", message: 'Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"0%"}: may not be 0 when `maxSurge` is 0' }] },
  { name: "bad percent", obj: mutate(deployment, (o) => (o.spec.strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: "10", maxUnavailable: 1 } })), want: [{ field: "spec.strategy.rollingUpdate.maxSurge", message: `Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"10"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')` }] },
  { name: "maxUnavailable over 100%", obj: mutate(deployment, (o) => (o.spec.strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: "150%" } })), want: [{ field: "spec.strategy.rollingUpdate.maxUnavailable", message: 'Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%' }] },
  { name: "strategy type", obj: mutate(deployment, (o) => (o.spec.strategy = { type: "BlueGreen" })), want: [{ type: "FieldValueNotSupported", field: "spec.strategy.type", message: 'Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"' }] },
  { name: "Recreate with rollingUpdate", obj: mutate(deployment, (o) => (o.spec.strategy = { type: "Recreate", rollingUpdate: {} })), want: [{ type: "FieldValueForbidden", field: "spec.strategy.rollingUpdate", message: "Forbidden: may not be specified when strategy `type` is 'Recreate'" }] },
  { name: "template restartPolicy must be Always", obj: mutate(deployment, (o) => (o.spec.template.spec.restartPolicy = "Never")), want: [{ type: "FieldValueNotSupported", field: "spec.template.spec.restartPolicy", message: 'Unsupported value: "Never": supported values: "Always"' }] },
  { name: "template container image", obj: mutate(deployment, (o) => delete o.spec.template.spec.containers[0].image), want: [{ field: "spec.template.spec.containers[0].image", message: "Required value" }] },
  { name: "selector operator", obj: mutate(deployment, (o) => (o.spec.selector = { matchExpressions: [{ key: "app", operator: "Like", values: ["web"] }] })), want: [{ field: "spec.selector.matchExpressions[0].operator", message: 'Invalid value: "Like": not a valid selector operator' }, { field: "spec.selector", message: 'Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"Like", Values:[]string{"web"}}}}: invalid label selector' }] },
  { name: "statefulset empty selector", obj: mutate(statefulSet, (o) => (o.spec.selector = { matchLabels: {} })), want: [{ field: "spec.selector", message: "Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for statefulset" }] },
  { name: "statefulset podManagementPolicy", obj: mutate(statefulSet, (o) => (o.spec.podManagementPolicy = "Random")), want: [{ field: "spec.podManagementPolicy", message: `Invalid value: "Random": must be 'OrderedReady' or 'Parallel'` }] },
  { name: "statefulset claim template storage", obj: mutate(statefulSet, (o) => (o.spec.volumeClaimTemplates = [{ metadata: { name: "d" }, spec: { accessModes: ["ReadWriteOnce"] } }])), want: [{ field: "spec.volumeClaimTemplates[0].spec.resources[storage]", message: "Required value" }] },
  { name: "service ports required", obj: { kind: "Service", metadata: { name: "s", namespace: "d" }, spec: { selector: { a: "b" } } }, want: [{ type: "FieldValueRequired", field: "spec.ports", message: "Required value" }] },
  { name: "service name is a DNS-1035 label", obj: { kind: "Service", metadata: { name: "1web", namespace: "d" }, spec: { ports: [{ port: 80 }] } }, want: [{ field: "metadata.name" }] },
  { name: "service port range", obj: { kind: "Service", metadata: { name: "s", namespace: "d" }, spec: { ports: [{ port: 0 }] } }, want: [{ field: "spec.ports[0].port", message: "Invalid value: 0: must be between 1 and 65535, inclusive" }, { field: "spec.ports[0].targetPort", message: "Invalid value: 0: must be between 1 and 65535, inclusive" }] },
  { name: "service port names required when several", obj: { kind: "Service", metadata: { name: "s", namespace: "d" }, spec: { ports: [{ name: "a", port: 80 }, { port: 81 }] } }, want: [{ type: "FieldValueRequired", field: "spec.ports[1].name", message: "Required value" }] },
  { name: "service port names unique", obj: { kind: "Service", metadata: { name: "s", namespace: "d" }, spec: { ports: [{ name: "a", port: 80 }, { name: "a", port: 81 }] } }, want: [{ type: "FieldValueDuplicate", field: "spec.ports[1].name", message: 'Duplicate value: "a"' }] },
  { name: "service type", obj: { kind: "Service", metadata: { name: "s", namespace: "d" }, spec: { type: "Magic", ports: [{ port: 80 }] } }, want: [{ type: "FieldValueNotSupported", field: "spec.type", message: 'Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"' }] },
  { name: "nodePort on ClusterIP", obj: { kind: "Service", metadata: { name: "s", namespace: "d" }, spec: { ports: [{ port: 80, nodePort: 30080 }] } }, want: [{ type: "FieldValueForbidden", field: "spec.ports[0].nodePort", message: "Forbidden: may not be used when `type` is 'ClusterIP'" }] },
  { name: "configmap key", obj: { kind: "ConfigMap", metadata: { name: "c", namespace: "d" }, data: { "a/b": "x" } }, want: [{ field: "data[a/b]", message: `Invalid value: "a/b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')` }] },
  { name: "configmap over 1 MiB", obj: { kind: "ConfigMap", metadata: { name: "c", namespace: "d" }, data: { a: "x".repeat(1024 * 1024 + 1) } }, want: [{ type: "FieldValueTooLong", field: "", message: "Too long: may not be more than 1048576 bytes" }] },
  { name: "secret over 1 MiB", obj: { kind: "Secret", metadata: { name: "s", namespace: "d" }, data: { a: Buffer.alloc(1024 * 1024 + 3).toString("base64") } }, want: [{ type: "FieldValueTooLong", field: "data", message: "Too long: may not be more than 1048576 bytes" }] },
  { name: "tls secret keys", obj: { kind: "Secret", metadata: { name: "s", namespace: "d" }, type: "kubernetes.io/tls", data: { "tls.crt": "YQ==" } }, want: [{ type: "FieldValueRequired", field: "data[tls.key]", message: "Required value" }] },
  { name: "pvc access modes", obj: { kind: "PersistentVolumeClaim", metadata: { name: "c", namespace: "d" }, spec: { resources: { requests: { storage: "1Gi" } } } }, want: [{ type: "FieldValueRequired", field: "spec.accessModes", message: "Required value: at least 1 access mode is required" }] },
  { name: "pvc storage request", obj: { kind: "PersistentVolumeClaim", metadata: { name: "c", namespace: "d" }, spec: { accessModes: ["ReadWriteOnce"] } }, want: [{ type: "FieldValueRequired", field: "spec.resources[storage]", message: "Required value" }] },
  { name: "pv needs a source", obj: { kind: "PersistentVolume", metadata: { name: "v" }, spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"] } }, want: [{ type: "FieldValueRequired", field: "spec", message: "Required value: must specify a volume type" }] },
  { name: "event namespace mismatch", obj: { kind: "Event", metadata: { name: "e", namespace: "a" }, involvedObject: { kind: "Pod", name: "p", namespace: "b" } }, want: [{ field: "involvedObject.namespace", message: 'Invalid value: "b": does not match event.namespace' }] },
  { name: "lease duration", obj: { kind: "Lease", metadata: { name: "l", namespace: "d" }, spec: { leaseDurationSeconds: 0 } }, want: [{ field: "spec.leaseDurationSeconds", message: "Invalid value: 0: must be greater than 0" }] },
  { name: "namespace name is a DNS label", obj: { kind: "Namespace", metadata: { name: "a.b" } }, want: [{ field: "metadata.name" }] },
  { name: "node taint effect", obj: { kind: "Node", metadata: { name: "n" }, spec: { taints: [{ key: "k", effect: "Maybe" }] } }, want: [{ type: "FieldValueNotSupported", field: "spec.taints[0].effect", message: 'Unsupported value: "Maybe": supported values: "NoExecute", "NoSchedule", "PreferNoSchedule"' }] },
  { name: "controller revision data", obj: { kind: "ControllerRevision", metadata: { name: "r", namespace: "d" }, revision: -1 }, want: [{ field: "data", message: "Required value: data is mandatory" }, { field: "revision", message: "Invalid value: -1: must be greater than or equal to 0" }] },
];

for (const c of cases) {
  test(`validation - ${c.name}`, () => {
    const got = strategyFor(c.obj.kind).validate(prepared(c.obj));
    assert.equal(got.length, c.want.length, JSON.stringify(got, null, 1));
    c.want.forEach((w, i) => {
      for (const [k, v] of Object.entries(w)) assert.equal((got[i] as any)[k], v, `${c.name}: cause ${i} ${k}`);
    });
  });
}
