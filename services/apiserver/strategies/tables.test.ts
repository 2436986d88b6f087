/** kubectl tables (columns and cells) and the Scale subresource. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { strategyFor, STRATEGIES } from "./index.js";

const NOW = Date.parse("2024-05-01T12:00:00Z");
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const MIN = 60_000;
const created = { creationTimestamp: ago(5 * MIN) };

const names = (kind: string) => strategyFor(kind).table.columns.map((c) => (c.priority ? `${c.name}*` : c.name));

test("tables - column names and priorities as kubectl shows them", () => {
  assert.deepEqual(names("Pod"), ["Name", "Ready", "Status", "Restarts", "Age", "IP*", "Node*", "Nominated Node*", "Readiness Gates*"]);
  assert.deepEqual(names("Deployment"), ["Name", "Ready", "Up-to-date", "Available", "Age", "Containers*", "Images*", "Selector*"]);
  assert.deepEqual(names("ReplicaSet"), ["Name", "Desired", "Current", "Ready", "Age", "Containers*", "Images*", "Selector*"]);
  assert.deepEqual(names("StatefulSet"), ["Name", "Ready", "Age", "Containers*", "Images*"]);
  assert.deepEqual(names("Service"), ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector*"]);
  assert.deepEqual(names("Node"), ["Name", "Status", "Roles", "Age", "Version", "Internal-IP*", "External-IP*", "OS-Image*", "Kernel-Version*", "Container-Runtime*"]);
  assert.deepEqual(names("Namespace"), ["Name", "Status", "Age"]);
  assert.deepEqual(names("ConfigMap"), ["Name", "Data", "Age"]);
  assert.deepEqual(names("Secret"), ["Name", "Type", "Data", "Age"]);
  assert.deepEqual(names("Event"), ["Last Seen", "Type", "Reason", "Object", "Subobject*", "Source*", "Message", "First Seen*", "Count*", "Name*"]);
  assert.deepEqual(names("ControllerRevision"), ["Name", "Controller", "Revision", "Age"]);
  assert.deepEqual(names("Lease"), ["Name", "Holder", "Age"]);
  assert.deepEqual(names("Widget"), ["Name", "Age"]);
  for (const s of [...STRATEGIES.values(), strategyFor("Widget")]) {
    const nameCol = s.table.columns.find((c) => c.format === "name");
    assert.deepEqual({ name: nameCol?.name, type: nameCol?.type }, { name: "Name", type: "string" }, s.kind);
    if (s.kind !== "Event") assert.equal(s.table.columns[0].format, "name", `${s.kind}: Name first`);
  }
});

const running = (name: string, extra: object = {}) => ({ name, ready: true, restartCount: 0, image: "i", imageID: "", state: { running: { startedAt: ago(MIN) } }, ...extra });

const podCases: { name: string; pod: any; ready: string; status: string; restarts: string }[] = [
  { name: "Pending (unscheduled)", pod: { spec: { containers: [{ name: "c" }] }, status: { phase: "Pending" } }, ready: "0/1", status: "Pending", restarts: "0" },
  { name: "ContainerCreating", pod: { spec: { containers: [{ name: "c" }] }, status: { phase: "Pending", containerStatuses: [{ name: "c", ready: false, restartCount: 0, state: { waiting: { reason: "ContainerCreating" } } }] } }, ready: "0/1", status: "ContainerCreating", restarts: "0" },
  { name: "Running", pod: { spec: { containers: [{ name: "a" }, { name: "b" }] }, status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }], containerStatuses: [running("a"), running("b")] } }, ready: "2/2", status: "Running", restarts: "0" },
  { name: "CrashLoopBackOff with restarts", pod: { spec: { containers: [{ name: "c" }] }, status: { phase: "Running", containerStatuses: [{ name: "c", ready: false, restartCount: 5, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(2 * MIN) } } }] } }, ready: "0/1", status: "CrashLoopBackOff", restarts: "5 (2m ago)" },
  { name: "Completed", pod: { spec: { containers: [{ name: "c" }] }, status: { phase: "Succeeded", containerStatuses: [{ name: "c", ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: "Completed" } } }] } }, ready: "0/1", status: "Completed", restarts: "0" },
  { name: "Error exit code without reason", pod: { spec: { containers: [{ name: "c" }] }, status: { phase: "Failed", containerStatuses: [{ name: "c", restartCount: 0, state: { terminated: { exitCode: 2 } } }] } }, ready: "0/1", status: "ExitCode:2", restarts: "0" },
  { name: "Terminating", pod: { metadata: { deletionTimestamp: ago(0) }, spec: { containers: [{ name: "c" }] }, status: { phase: "Running", containerStatuses: [running("c")] } }, ready: "1/1", status: "Terminating", restarts: "0" },
  { name: "terminal pod being deleted keeps its status", pod: { metadata: { deletionTimestamp: ago(0) }, spec: { containers: [{ name: "c" }] }, status: { phase: "Succeeded", containerStatuses: [{ name: "c", state: { terminated: { exitCode: 0, reason: "Completed" } } }] } }, ready: "0/1", status: "Completed", restarts: "0" },
  { name: "Unknown when node lost", pod: { metadata: { deletionTimestamp: ago(0) }, spec: { containers: [{ name: "c" }] }, status: { phase: "Running", reason: "NodeLost" } }, ready: "0/1", status: "Unknown", restarts: "0" },
  { name: "Init:0/1", pod: { spec: { initContainers: [{ name: "init" }], containers: [{ name: "c" }] }, status: { phase: "Pending", initContainerStatuses: [{ name: "init", restartCount: 0, state: { running: {} } }], containerStatuses: [{ name: "c", state: { waiting: { reason: "PodInitializing" } } }] } }, ready: "0/1", status: "Init:0/1", restarts: "0" },
  { name: "Init:CrashLoopBackOff", pod: { spec: { initContainers: [{ name: "init" }], containers: [{ name: "c" }] }, status: { phase: "Pending", initContainerStatuses: [{ name: "init", restartCount: 3, state: { waiting: { reason: "CrashLoopBackOff" } } }] } }, ready: "0/1", status: "Init:CrashLoopBackOff", restarts: "3" },
  { name: "Init:Error", pod: { spec: { initContainers: [{ name: "init" }], containers: [{ name: "c" }] }, status: { phase: "Pending", initContainerStatuses: [{ name: "init", restartCount: 0, state: { terminated: { exitCode: 1, reason: "Error" } } }] } }, ready: "0/1", status: "Init:Error", restarts: "0" },
  { name: "sidecar counts as a container", pod: { spec: { initContainers: [{ name: "side", restartPolicy: "Always" }], containers: [{ name: "c" }] }, status: { phase: "Running", conditions: [{ type: "Initialized", status: "True" }, { type: "Ready", status: "True" }], initContainerStatuses: [{ name: "side", ready: true, started: true, restartCount: 1, state: { running: {} } }], containerStatuses: [running("c")] } }, ready: "2/2", status: "Running", restarts: "1" },
  { name: "status reason wins over phase", pod: { spec: { containers: [{ name: "c" }] }, status: { phase: "Failed", reason: "Evicted" } }, ready: "0/1", status: "Evicted", restarts: "0" },
  { name: "SchedulingGated", pod: { spec: { containers: [{ name: "c" }] }, status: { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "SchedulingGated" }] } }, ready: "0/1", status: "SchedulingGated", restarts: "0" },
  { name: "NotReady when completed with a running container and no Ready", pod: { spec: { containers: [{ name: "a" }, { name: "b" }] }, status: { phase: "Running", containerStatuses: [{ name: "a", state: { terminated: { exitCode: 0, reason: "Completed" } } }, running("b")] } }, ready: "1/2", status: "NotReady", restarts: "0" },
];

for (const c of podCases) {
  test(`tables - pod status ${c.name}`, () => {
    const pod = { metadata: { name: "p", ...created, ...(c.pod.metadata ?? {}) }, spec: c.pod.spec, status: c.pod.status };
    const cells = strategyFor("Pod").table.cells(pod, NOW);
    assert.deepEqual(cells.slice(0, 5), ["p", c.ready, c.status, c.restarts, "5m"]);
  });
}

test("tables - pod wide cells", () => {
  const pod = { metadata: { name: "p", ...created }, spec: { nodeName: "n1", readinessGates: [{ conditionType: "x.io/ok" }], containers: [{ name: "c" }] }, status: { phase: "Running", podIP: "10.1.0.4", podIPs: [{ ip: "10.1.0.4" }], conditions: [{ type: "x.io/ok", status: "True" }] } };
  assert.deepEqual(strategyFor("Pod").table.cells(pod, NOW).slice(5), ["10.1.0.4", "n1", "<none>", "1/1"]);
  const bare = { metadata: { name: "p" }, spec: { containers: [] }, status: {} };
  assert.deepEqual(strategyFor("Pod").table.cells(bare, NOW).slice(4), ["<unknown>", "<none>", "<none>", "<none>", "<none>"]);
});

test("tables - workloads, services, nodes and the rest", () => {
  const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:1" }, { name: "side", image: "envoy" }] } };
  assert.deepEqual(strategyFor("Deployment").table.cells({ metadata: { name: "web", ...created }, spec: { replicas: 3, selector: { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["b", "a"] }] }, template }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } }, NOW),
    ["web", "2/3", 3, 2, "5m", "nginx,side", "nginx:1,envoy", "app=web,tier in (a,b)"]);
  assert.deepEqual(strategyFor("ReplicaSet").table.cells({ metadata: { name: "web-1", ...created }, spec: { replicas: 3, selector: { matchLabels: { app: "web" } }, template }, status: { replicas: 3, readyReplicas: 1 } }, NOW),
    ["web-1", 3, 3, 1, "5m", "nginx,side", "nginx:1,envoy", "app=web"]);
  assert.deepEqual(strategyFor("StatefulSet").table.cells({ metadata: { name: "db", ...created }, spec: { replicas: 2, template }, status: { readyReplicas: 1 } }, NOW), ["db", "1/2", "5m", "nginx,side", "nginx:1,envoy"]);
  const svc = (spec: any, status: any = {}) => strategyFor("Service").table.cells({ metadata: { name: "s", ...created }, spec, status }, NOW);
  assert.deepEqual(svc({ type: "ClusterIP", clusterIPs: ["10.96.0.10"], ports: [{ port: 80, protocol: "TCP" }, { port: 53, protocol: "UDP" }], selector: { b: "2", a: "1" } }), ["s", "ClusterIP", "10.96.0.10", "<none>", "80/TCP,53/UDP", "5m", "a=1,b=2"]);
  assert.deepEqual(svc({ type: "NodePort", clusterIPs: ["10.96.0.11"], ports: [{ port: 80, nodePort: 30080, protocol: "TCP" }] }).slice(1, 5), ["NodePort", "10.96.0.11", "<none>", "80:30080/TCP"]);
  assert.deepEqual(svc({ type: "LoadBalancer", clusterIPs: ["10.96.0.12"], ports: [] }).slice(3, 5), ["<pending>", "<none>"]);
  assert.equal(svc({ type: "LoadBalancer", ports: [] }, { loadBalancer: { ingress: [{ ip: "1.2.3.4" }] } })[3], "1.2.3.4");
  assert.deepEqual(svc({ type: "ExternalName", externalName: "example.com" }).slice(2, 4), ["<none>", "example.com"]);
  assert.equal(svc({ type: "ClusterIP", clusterIPs: ["None"], ports: [] })[2], "None");
  const node = { metadata: { name: "n1", ...created, labels: { "node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "worker" } }, spec: { unschedulable: true }, status: { conditions: [{ type: "Ready", status: "True" }], addresses: [{ type: "InternalIP", address: "10.0.0.5" }], nodeInfo: { kubeletVersion: "v1.32.0" } } };
  assert.deepEqual(strategyFor("Node").table.cells(node, NOW), ["n1", "Ready,SchedulingDisabled", "control-plane,worker", "5m", "v1.32.0", "10.0.0.5", "<none>", "<unknown>", "<unknown>", "<unknown>"]);
  assert.deepEqual(strategyFor("Node").table.cells({ metadata: { name: "n2" }, status: { conditions: [{ type: "Ready", status: "Unknown" }] } }, NOW).slice(1, 3), ["NotReady", "<none>"]);
  assert.deepEqual(strategyFor("Node").table.cells({ metadata: { name: "n3" } }, NOW)[1], "Unknown");
  assert.deepEqual(strategyFor("Namespace").table.cells({ metadata: { name: "default", ...created }, status: { phase: "Active" } }, NOW), ["default", "Active", "5m"]);
  assert.deepEqual(strategyFor("ConfigMap").table.cells({ metadata: { name: "c", ...created }, data: { a: "1", b: "2" }, binaryData: { c: "AA==" } }, NOW), ["c", 3, "5m"]);
  assert.deepEqual(strategyFor("Secret").table.cells({ metadata: { name: "s", ...created }, type: "Opaque", data: { a: "YQ==" } }, NOW), ["s", "Opaque", 1, "5m"]);
  const addrs = (n: number) => Array.from({ length: n }, (_, i) => ({ ip: `10.0.0.${i + 1}` }));
  const ep = (subsets: any) => strategyFor("Endpoints").table.cells({ metadata: { name: "e", ...created }, subsets }, NOW)[1];
  assert.equal(ep([]), "<none>");
  assert.equal(ep([{ addresses: addrs(2), ports: [{ port: 80 }] }]), "10.0.0.1:80,10.0.0.2:80");
  assert.equal(ep([{ addresses: addrs(5), ports: [{ port: 80 }] }]), "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...");
  assert.equal(ep([{ addresses: [{ ip: "fd00::1" }], ports: [{ port: 80 }] }]), "[fd00::1]:80");
  assert.equal(ep([{ notReadyAddresses: addrs(1), ports: [{ port: 80 }] }]), "");
  const pvc = { metadata: { name: "data", ...created }, spec: { volumeName: "pv-1", storageClassName: "standard", volumeMode: "Filesystem" }, status: { phase: "Bound", capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce", "ReadOnlyMany"] } };
  assert.deepEqual(strategyFor("PersistentVolumeClaim").table.cells(pvc, NOW), ["data", "Bound", "pv-1", "1Gi", "RWO,ROX", "standard", "<unset>", "5m", "Filesystem"]);
  const pv = { metadata: { name: "pv-1", ...created }, spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], persistentVolumeReclaimPolicy: "Retain", claimRef: { namespace: "d", name: "data" }, storageClassName: "standard", volumeMode: "Filesystem" }, status: { phase: "Bound" } };
  assert.deepEqual(strategyFor("PersistentVolume").table.cells(pv, NOW), ["pv-1", "1Gi", "RWO", "Retain", "Bound", "d/data", "standard", "<unset>", "", "5m", "Filesystem"]);
  const event = { metadata: { name: "web.17", namespace: "d" }, involvedObject: { kind: "Pod", name: "web", fieldPath: "spec.containers{c}" }, reason: "Pulled", message: " Pulled image \n", type: "Normal", source: { component: "kubelet", host: "n1" }, firstTimestamp: ago(10 * MIN), lastTimestamp: ago(30_000), count: 4 };
  assert.deepEqual(strategyFor("Event").table.cells(event, NOW), ["30s", "Normal", "Pulled", "pod/web", "spec.containers{c}", "kubelet, n1", "Pulled image", "10m", 4, "web.17"]);
  assert.deepEqual(strategyFor("Event").table.cells({ metadata: { name: "e" }, involvedObject: { kind: "Node" }, eventTime: ago(MIN) }, NOW).slice(0, 4), ["60s", "", "", "node"]);
  const cr = { metadata: { name: "db-5f6", ...created, ownerReferences: [{ apiVersion: "apps/v1", kind: "StatefulSet", name: "db", uid: "u", controller: true }] }, revision: 2 };
  assert.deepEqual(strategyFor("ControllerRevision").table.cells(cr, NOW), ["db-5f6", "statefulset.apps/db", 2, "5m"]);
  assert.deepEqual(strategyFor("Lease").table.cells({ metadata: { name: "n1", ...created }, spec: { holderIdentity: "n1" } }, NOW), ["n1", "n1", "5m"]);
  assert.deepEqual(strategyFor("Widget").table.cells({ metadata: { name: "w", ...created } }, NOW), ["w", "5m"]);
});

test("scale - Deployment, ReplicaSet and StatefulSet to autoscaling/v1 Scale and back", () => {
  for (const kind of ["Deployment", "ReplicaSet", "StatefulSet"]) {
    const obj: any = {
      kind, metadata: { name: "web", namespace: "d", uid: "u-1", resourceVersion: "42", creationTimestamp: "2024-05-01T00:00:00Z", labels: { x: "y" } },
      spec: { replicas: 3, selector: { matchLabels: { app: "web" }, matchExpressions: [{ key: "env", operator: "NotIn", values: ["dev"] }] } }, status: { replicas: 2 },
    };
    const scale = strategyFor(kind).scale!;
    assert.deepEqual(scale.toScale(obj), {
      apiVersion: "autoscaling/v1", kind: "Scale",
      metadata: { name: "web", namespace: "d", uid: "u-1", resourceVersion: "42", creationTimestamp: "2024-05-01T00:00:00Z" },
      spec: { replicas: 3 }, status: { replicas: 2, selector: "app=web,env notin (dev)" },
    }, kind);
    scale.applyScale(obj, { spec: { replicas: 7 } });
    assert.equal(obj.spec.replicas, 7);
    scale.applyScale(obj, { spec: {} });
    assert.equal(obj.spec.replicas, 0, "an omitted replicas is 0");
    assert.deepEqual(scale.validateScale({ spec: { replicas: 2 } }), []);
    assert.deepEqual(scale.validateScale({ spec: { replicas: -1 } }).map((c) => `${c.field}: ${c.message}`), ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"]);
  }
  assert.equal(strategyFor("Pod").scale, undefined);
  assert.deepEqual(strategyFor("Deployment").scale!.toScale({ metadata: { name: "x" }, spec: {} }).status, { replicas: 0, selector: "" });
});
