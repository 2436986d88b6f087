// Field numbers and wire types of our protos against Kubernetes' generated.proto, transcribed by
// hand from k8s.io/api (core/v1, apps/v1, coordination/v1, autoscaling/v1) and
// k8s.io/apimachinery (meta/v1, runtime, util/intstr, api/resource). Each row lists every field
// we model in that message as name=number:type; the test fails on a missing, extra, renumbered
// or retyped field. Types: scalars by proto name, messages by short name, "rep:X" repeated,
// "map:K:V" maps. metav1.FieldsV1 is our RawExtension (same wire: bytes = 1).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import protobuf from "protobufjs";

const KUBERNETES: Record<string, string> = {
  // k8s.io/apimachinery/pkg/apis/meta/v1
  "meta.v1.ObjectMeta": "name=1:string generateName=2:string namespace=3:string selfLink=4:string uid=5:string resourceVersion=6:string generation=7:int64 creationTimestamp=8:Time deletionTimestamp=9:Time deletionGracePeriodSeconds=10:int64 labels=11:map:string:string annotations=12:map:string:string ownerReferences=13:rep:OwnerReference finalizers=14:rep:string managedFields=17:rep:ManagedFieldsEntry",
  "meta.v1.OwnerReference": "apiVersion=5:string kind=1:string name=3:string uid=4:string controller=6:bool blockOwnerDeletion=7:bool",
  "meta.v1.ManagedFieldsEntry": "manager=1:string operation=2:string apiVersion=3:string time=4:Time fieldsType=6:string fieldsV1=7:RawExtension subresource=8:string",
  "meta.v1.ListMeta": "selfLink=1:string resourceVersion=2:string continue=3:string remainingItemCount=4:int64",
  "meta.v1.LabelSelector": "matchLabels=1:map:string:string matchExpressions=2:rep:LabelSelectorRequirement",
  "meta.v1.LabelSelectorRequirement": "key=1:string operator=2:string values=3:rep:string",
  "meta.v1.Condition": "type=1:string status=2:string observedGeneration=3:int64 lastTransitionTime=4:Time reason=5:string message=6:string",
  "meta.v1.Status": "metadata=1:ListMeta status=2:string message=3:string reason=4:string details=5:StatusDetails code=6:int32",
  "meta.v1.StatusDetails": "name=1:string group=2:string kind=3:string uid=6:string causes=4:rep:StatusCause retryAfterSeconds=5:int32",
  "meta.v1.StatusCause": "reason=1:string message=2:string field=3:string",
  "meta.v1.Time": "seconds=1:int64 nanos=2:int32",
  "meta.v1.MicroTime": "seconds=1:int64 nanos=2:int32",
  "meta.v1.Duration": "duration=1:int64",
  // util/intstr, runtime, api/resource
  "meta.v1.IntOrString": "type=1:int64 intVal=2:int32 strVal=3:string",
  "meta.v1.RawExtension": "raw=1:bytes",
  "meta.v1.Quantity": "string=1:string",
  "runtime.TypeMeta": "apiVersion=1:string kind=2:string",
  "runtime.Unknown": "typeMeta=1:TypeMeta raw=2:bytes contentEncoding=3:string contentType=4:string",
  // k8s.io/api/core/v1
  "core.v1.PodSpec": "volumes=1:rep:Volume initContainers=20:rep:Container containers=2:rep:Container restartPolicy=3:string terminationGracePeriodSeconds=4:int64 activeDeadlineSeconds=5:int64 dnsPolicy=6:string nodeSelector=7:map:string:string serviceAccountName=8:string serviceAccount=9:string automountServiceAccountToken=21:bool nodeName=10:string hostNetwork=11:bool hostPID=12:bool hostIPC=13:bool shareProcessNamespace=27:bool securityContext=14:PodSecurityContext imagePullSecrets=15:rep:LocalObjectReference hostname=16:string subdomain=17:string affinity=18:Affinity schedulerName=19:string tolerations=22:rep:Toleration hostAliases=23:rep:HostAlias priorityClassName=24:string priority=25:int32 dnsConfig=26:PodDNSConfig readinessGates=28:rep:PodReadinessGate runtimeClassName=29:string enableServiceLinks=30:bool preemptionPolicy=31:string overhead=32:map:string:Quantity topologySpreadConstraints=33:rep:TopologySpreadConstraint setHostnameAsFQDN=35:bool",
  "core.v1.Container": "name=1:string image=2:string command=3:rep:string args=4:rep:string workingDir=5:string ports=6:rep:ContainerPort envFrom=19:rep:EnvFromSource env=7:rep:EnvVar resources=8:ResourceRequirements restartPolicy=24:string volumeMounts=9:rep:VolumeMount livenessProbe=10:Probe readinessProbe=11:Probe startupProbe=22:Probe lifecycle=12:Lifecycle terminationMessagePath=13:string terminationMessagePolicy=20:string imagePullPolicy=14:string securityContext=15:SecurityContext stdin=16:bool stdinOnce=17:bool tty=18:bool",
  "core.v1.Probe": "handler=1:ProbeHandler initialDelaySeconds=2:int32 timeoutSeconds=3:int32 periodSeconds=4:int32 successThreshold=5:int32 failureThreshold=6:int32 terminationGracePeriodSeconds=7:int64",
  "core.v1.ProbeHandler": "exec=1:ExecAction httpGet=2:HTTPGetAction tcpSocket=3:TCPSocketAction grpc=4:GRPCAction",
  "core.v1.LifecycleHandler": "exec=1:ExecAction httpGet=2:HTTPGetAction tcpSocket=3:TCPSocketAction sleep=4:SleepAction",
  "core.v1.HTTPGetAction": "path=1:string port=2:IntOrString host=3:string scheme=4:string httpHeaders=5:rep:HTTPHeader",
  "core.v1.TCPSocketAction": "port=1:IntOrString host=2:string",
  "core.v1.ContainerPort": "name=1:string hostPort=2:int32 containerPort=3:int32 protocol=4:string hostIP=5:string",
  "core.v1.EnvVar": "name=1:string value=2:string valueFrom=3:EnvVarSource",
  "core.v1.EnvVarSource": "fieldRef=1:ObjectFieldSelector resourceFieldRef=2:ResourceFieldSelector configMapKeyRef=3:ConfigMapKeySelector secretKeyRef=4:SecretKeySelector",
  "core.v1.ConfigMapKeySelector": "localObjectReference=1:LocalObjectReference key=2:string optional=3:bool",
  "core.v1.SecretKeySelector": "localObjectReference=1:LocalObjectReference key=2:string optional=3:bool",
  "core.v1.ConfigMapEnvSource": "localObjectReference=1:LocalObjectReference optional=2:bool",
  "core.v1.SecretEnvSource": "localObjectReference=1:LocalObjectReference optional=2:bool",
  "core.v1.ResourceRequirements": "limits=1:map:string:Quantity requests=2:map:string:Quantity",
  "core.v1.ResourceFieldSelector": "containerName=1:string resource=2:string divisor=3:Quantity",
  "core.v1.VolumeMount": "name=1:string readOnly=2:bool mountPath=3:string subPath=4:string mountPropagation=5:string subPathExpr=6:string",
  "core.v1.Volume": "name=1:string volumeSource=2:VolumeSource",
  "core.v1.VolumeSource": "hostPath=1:HostPathVolumeSource emptyDir=2:EmptyDirVolumeSource secret=6:SecretVolumeSource persistentVolumeClaim=10:PersistentVolumeClaimVolumeSource downwardAPI=16:DownwardAPIVolumeSource configMap=19:ConfigMapVolumeSource projected=26:ProjectedVolumeSource",
  "core.v1.ConfigMapVolumeSource": "localObjectReference=1:LocalObjectReference items=2:rep:KeyToPath defaultMode=3:int32 optional=4:bool",
  "core.v1.SecretVolumeSource": "secretName=1:string items=2:rep:KeyToPath defaultMode=3:int32 optional=4:bool",
  "core.v1.ConfigMapProjection": "localObjectReference=1:LocalObjectReference items=2:rep:KeyToPath optional=4:bool",
  "core.v1.SecretProjection": "localObjectReference=1:LocalObjectReference items=2:rep:KeyToPath optional=4:bool",
  "core.v1.EmptyDirVolumeSource": "medium=1:string sizeLimit=2:Quantity",
  "core.v1.PodSecurityContext": "runAsUser=2:int64 runAsNonRoot=3:bool supplementalGroups=4:rep:int64 fsGroup=5:int64 runAsGroup=6:int64 fsGroupChangePolicy=9:string seccompProfile=10:SeccompProfile",
  "core.v1.SecurityContext": "capabilities=1:Capabilities privileged=2:bool runAsUser=4:int64 runAsNonRoot=5:bool readOnlyRootFilesystem=6:bool allowPrivilegeEscalation=7:bool runAsGroup=8:int64 seccompProfile=11:SeccompProfile",
  "core.v1.PodStatus": "observedGeneration=17:int64 phase=1:string conditions=2:rep:PodCondition message=3:string reason=4:string nominatedNodeName=11:string hostIP=5:string hostIPs=16:rep:HostIP podIP=6:string podIPs=12:rep:PodIP startTime=7:Time initContainerStatuses=10:rep:ContainerStatus containerStatuses=8:rep:ContainerStatus qosClass=9:string",
  "core.v1.PodCondition": "type=1:string observedGeneration=7:int64 status=2:string lastProbeTime=3:Time lastTransitionTime=4:Time reason=5:string message=6:string",
  "core.v1.ContainerStatus": "name=1:string state=2:ContainerState lastState=3:ContainerState ready=4:bool restartCount=5:int32 image=6:string imageID=7:string containerID=8:string started=9:bool allocatedResources=10:map:string:Quantity resources=11:ResourceRequirements",
  "core.v1.ContainerStateTerminated": "exitCode=1:int32 signal=2:int32 reason=3:string message=4:string startedAt=5:Time finishedAt=6:Time containerID=7:string",
  "core.v1.NodeStatus": "capacity=1:map:string:Quantity allocatable=2:map:string:Quantity phase=3:string conditions=4:rep:NodeCondition addresses=5:rep:NodeAddress daemonEndpoints=6:NodeDaemonEndpoints nodeInfo=7:NodeSystemInfo images=8:rep:ContainerImage",
  "core.v1.Taint": "key=1:string value=2:string effect=3:string timeAdded=4:Time",
  "core.v1.ServiceSpec": "ports=1:rep:ServicePort selector=2:map:string:string clusterIP=3:string clusterIPs=18:rep:string type=4:string externalIPs=5:rep:string sessionAffinity=7:string loadBalancerIP=8:string loadBalancerSourceRanges=9:rep:string externalName=10:string externalTrafficPolicy=11:string healthCheckNodePort=12:int32 publishNotReadyAddresses=13:bool sessionAffinityConfig=14:SessionAffinityConfig ipFamilies=19:rep:string ipFamilyPolicy=17:string allocateLoadBalancerNodePorts=20:bool loadBalancerClass=21:string internalTrafficPolicy=22:string",
  "core.v1.ServicePort": "name=1:string protocol=2:string appProtocol=6:string port=3:int32 targetPort=4:IntOrString nodePort=5:int32",
  "core.v1.EndpointAddress": "ip=1:string hostname=3:string nodeName=4:string targetRef=2:ObjectReference",
  "core.v1.ConfigMap": "metadata=1:ObjectMeta immutable=4:bool data=2:map:string:string binaryData=3:map:string:bytes",
  "core.v1.Secret": "metadata=1:ObjectMeta immutable=5:bool data=2:map:string:bytes stringData=4:map:string:string type=3:string",
  "core.v1.PersistentVolumeSpec": "capacity=1:map:string:Quantity persistentVolumeSource=2:PersistentVolumeSource accessModes=3:rep:string claimRef=4:ObjectReference persistentVolumeReclaimPolicy=5:string storageClassName=6:string mountOptions=7:rep:string volumeMode=8:string nodeAffinity=9:VolumeNodeAffinity",
  "core.v1.PersistentVolumeSource": "hostPath=3:HostPathVolumeSource nfs=5:NFSVolumeSource local=20:LocalVolumeSource csi=22:CSIPersistentVolumeSource",
  "core.v1.PersistentVolumeClaimSpec": "accessModes=1:rep:string selector=4:LabelSelector resources=2:VolumeResourceRequirements volumeName=3:string storageClassName=5:string volumeMode=6:string dataSource=7:TypedLocalObjectReference",
  "core.v1.PersistentVolumeClaimStatus": "phase=1:string accessModes=2:rep:string capacity=3:map:string:Quantity conditions=4:rep:PersistentVolumeClaimCondition",
  "core.v1.Event": "metadata=1:ObjectMeta involvedObject=2:ObjectReference reason=3:string message=4:string source=5:EventSource firstTimestamp=6:Time lastTimestamp=7:Time count=8:int32 type=9:string eventTime=10:MicroTime series=11:EventSeries action=12:string related=13:ObjectReference reportingComponent=14:string reportingInstance=15:string",
  "core.v1.EventSeries": "count=1:int32 lastObservedTime=2:MicroTime",
  "core.v1.ObjectReference": "kind=1:string namespace=2:string name=3:string uid=4:string apiVersion=5:string resourceVersion=6:string fieldPath=7:string",
  "core.v1.Namespace": "metadata=1:ObjectMeta spec=2:NamespaceSpec status=3:NamespaceStatus",
  "core.v1.NamespaceCondition": "type=1:string status=2:string lastTransitionTime=4:Time reason=5:string message=6:string",
  "core.v1.Binding": "metadata=1:ObjectMeta target=2:ObjectReference",
  "core.v1.PodList": "metadata=1:ListMeta items=2:rep:Pod",
  // k8s.io/api/apps/v1
  "apps.v1.DeploymentSpec": "replicas=1:int32 selector=2:LabelSelector template=3:PodTemplateSpec strategy=4:DeploymentStrategy minReadySeconds=5:int32 revisionHistoryLimit=6:int32 paused=7:bool progressDeadlineSeconds=9:int32",
  "apps.v1.DeploymentStatus": "observedGeneration=1:int64 replicas=2:int32 updatedReplicas=3:int32 readyReplicas=7:int32 availableReplicas=4:int32 unavailableReplicas=5:int32 terminatingReplicas=9:int32 conditions=6:rep:DeploymentCondition collisionCount=8:int32",
  "apps.v1.DeploymentCondition": "type=1:string status=2:string lastUpdateTime=6:Time lastTransitionTime=7:Time reason=4:string message=5:string",
  "apps.v1.RollingUpdateDeployment": "maxUnavailable=1:IntOrString maxSurge=2:IntOrString",
  "apps.v1.ReplicaSetSpec": "replicas=1:int32 minReadySeconds=4:int32 selector=2:LabelSelector template=3:PodTemplateSpec",
  "apps.v1.ReplicaSetStatus": "replicas=1:int32 fullyLabeledReplicas=2:int32 readyReplicas=4:int32 availableReplicas=5:int32 terminatingReplicas=7:int32 observedGeneration=3:int64 conditions=6:rep:ReplicaSetCondition",
  "apps.v1.StatefulSetSpec": "replicas=1:int32 selector=2:LabelSelector template=3:PodTemplateSpec volumeClaimTemplates=4:rep:PersistentVolumeClaim serviceName=5:string podManagementPolicy=6:string updateStrategy=7:StatefulSetUpdateStrategy revisionHistoryLimit=8:int32 minReadySeconds=9:int32 persistentVolumeClaimRetentionPolicy=10:StatefulSetPersistentVolumeClaimRetentionPolicy ordinals=11:StatefulSetOrdinals",
  "apps.v1.StatefulSetStatus": "observedGeneration=1:int64 replicas=2:int32 readyReplicas=3:int32 currentReplicas=4:int32 updatedReplicas=5:int32 currentRevision=6:string updateRevision=7:string collisionCount=9:int32 conditions=10:rep:StatefulSetCondition availableReplicas=11:int32",
  "apps.v1.ControllerRevision": "metadata=1:ObjectMeta data=2:RawExtension revision=3:int64",
  // k8s.io/api/coordination/v1, autoscaling/v1
  "coordination.v1.LeaseSpec": "holderIdentity=1:string leaseDurationSeconds=2:int32 acquireTime=3:MicroTime renewTime=4:MicroTime leaseTransitions=5:int32 strategy=6:string preferredHolder=7:string",
  "autoscaling.v1.ScaleSpec": "replicas=1:int32",
  "autoscaling.v1.ScaleStatus": "replicas=1:int32 selector=2:string",
};

const root = protobuf.Root.fromJSON(JSON.parse(readFileSync(new URL("./gen/descriptor.json", import.meta.url), "utf8")));
const short = (t: string) => t.slice(t.lastIndexOf(".") + 1);

function describeField(f: protobuf.Field): string {
  if (f instanceof protobuf.MapField) return `map:${f.keyType}:${short(f.type)}`;
  return f.repeated ? `rep:${short(f.type)}` : short(f.type);
}

for (const [name, row] of Object.entries(KUBERNETES)) {
  test(`kubernetes fields - ${name} matches generated.proto`, () => {
    const type = root.lookupType(`k8s.${name}`);
    const expected = new Map<string, string>();
    for (const cell of row.split(" ")) {
      const m = /^(\w+)=(\d+):(.+)$/.exec(cell);
      assert.ok(m, `bad table cell ${cell}`);
      expected.set(m[1]!, `${m[2]}:${m[3]}`);
    }
    const ours = new Map<string, string>();
    for (const f of type.fieldsArray) if (f.id !== 100 && f.id !== 101) ours.set(f.name, `${f.id}:${describeField(f)}`);
    assert.deepEqual(Object.fromEntries([...ours].sort()), Object.fromEntries([...expected].sort()));
  });
}

test("kubernetes fields - apiVersion/kind are only ever fields 100/101 (never on Kubernetes' wire)", () => {
  const walk = (ns: protobuf.NamespaceBase) => {
    for (const o of ns.nestedArray) {
      if (o instanceof protobuf.Type && !o.fullName.startsWith(".k8s.runtime.") && !o.fullName.startsWith(".k8s.bus.")) {
        for (const f of o.fieldsArray) if (f.id >= 100) assert.ok((f.id === 100 && f.name === "apiVersion") || (f.id === 101 && f.name === "kind"), `${o.fullName}.${f.name} = ${f.id}`);
      }
      if (o instanceof protobuf.Namespace) walk(o);
    }
  };
  walk(root);
});

test("kubernetes fields - repeated numeric fields are unpacked, as proto2 writes them", () => {
  const f = root.lookupType("k8s.core.v1.PodSecurityContext").fields.supplementalGroups!;
  assert.equal(f.packed, false);
});
