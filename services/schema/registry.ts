/**
 * The resource registry: every kind the API serves, with the names discovery, the store and
 * the bus use. One table; lookups are O(1) maps built from it.
 */
import "./int64-as-number.js";
import { k8s } from "./gen/proto.js";
import { UnknownKindError } from "./errors.js";

/** A generated static message class (encode/decode with the fast static code). */
export interface MessageType<T = unknown> {
  new (properties?: object): T;
  encode(message: object, writer?: unknown): { finish(): Uint8Array };
  decode(reader: unknown, length?: number): T;
}

/** Kinds with their generated message types. */
export interface KindMessages {
  Namespace: k8s.core.v1.Namespace;
  Pod: k8s.core.v1.Pod;
  Node: k8s.core.v1.Node;
  Service: k8s.core.v1.Service;
  Endpoints: k8s.core.v1.Endpoints;
  ConfigMap: k8s.core.v1.ConfigMap;
  Secret: k8s.core.v1.Secret;
  PersistentVolumeClaim: k8s.core.v1.PersistentVolumeClaim;
  PersistentVolume: k8s.core.v1.PersistentVolume;
  Event: k8s.core.v1.Event;
  Binding: k8s.core.v1.Binding;
  ReplicaSet: k8s.apps.v1.ReplicaSet;
  Deployment: k8s.apps.v1.Deployment;
  StatefulSet: k8s.apps.v1.StatefulSet;
  ControllerRevision: k8s.apps.v1.ControllerRevision;
  Lease: k8s.coordination.v1.Lease;
  Scale: k8s.autoscaling.v1.Scale;
  Status: k8s.meta.v1.Status;
  NamespaceList: k8s.core.v1.NamespaceList;
  PodList: k8s.core.v1.PodList;
  NodeList: k8s.core.v1.NodeList;
  ServiceList: k8s.core.v1.ServiceList;
  EndpointsList: k8s.core.v1.EndpointsList;
  ConfigMapList: k8s.core.v1.ConfigMapList;
  SecretList: k8s.core.v1.SecretList;
  PersistentVolumeClaimList: k8s.core.v1.PersistentVolumeClaimList;
  PersistentVolumeList: k8s.core.v1.PersistentVolumeList;
  EventList: k8s.core.v1.EventList;
  ReplicaSetList: k8s.apps.v1.ReplicaSetList;
  DeploymentList: k8s.apps.v1.DeploymentList;
  StatefulSetList: k8s.apps.v1.StatefulSetList;
  ControllerRevisionList: k8s.apps.v1.ControllerRevisionList;
  LeaseList: k8s.coordination.v1.LeaseList;
}

/** Kind is any kind name the schema models (resources, their lists, Scale, Status). */
export type Kind = keyof KindMessages;

/** KindInfo: a modelled kind, its apiVersion and message type. */
export interface KindInfo<K extends Kind = Kind> {
  readonly kind: K;
  readonly group: string;
  readonly version: string;
  /** "v1" for core, "<group>/<version>" otherwise. */
  readonly apiVersion: string;
  /** Fully qualified proto name, e.g. "k8s.core.v1.Pod". */
  readonly protoName: string;
  readonly type: MessageType<KindMessages[K]>;
}

/** Subresource as discovery lists it (`deployments/scale` → name "scale", kind Scale in autoscaling/v1). */
export interface Subresource {
  readonly name: string;
  readonly kind: string;
  readonly group: string;
  readonly version: string;
  readonly verbs: readonly string[];
}

/** ResourceInfo: one API resource (a REST collection). */
export interface ResourceInfo extends KindInfo {
  /** Plural, lower case: the URL segment ("pods", "deployments"). */
  readonly resource: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly verbs: readonly string[];
  /** Store key segment: plural for core, "<plural>.<group>" otherwise ("deployments.apps"). */
  readonly storeResource: string;
  readonly subresources: readonly Subresource[];
  /** False for resources that are never persisted themselves (bindings). */
  readonly stored: boolean;
  readonly listKind: Kind | undefined;
}

const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"] as const;

const core = k8s.core.v1;
const apps = k8s.apps.v1;

function kindInfo<K extends Kind>(kind: K, group: string, version: string, pkg: string, type: unknown): KindInfo<K> {
  return {
    kind,
    group,
    version,
    apiVersion: group ? `${group}/${version}` : version,
    protoName: `${pkg}.${kind}`,
    type: type as MessageType<KindMessages[K]>,
  };
}

const statusSub = (kind: string, group: string): Subresource => ({ name: "status", kind, group, version: "v1", verbs: ["get", "patch", "update"] });
const scaleSub: Subresource = { name: "scale", kind: "Scale", group: "autoscaling", version: "v1", verbs: ["get", "patch", "update"] };

interface ResourceSpec {
  kind: Kind;
  listKind?: Kind;
  resource: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: readonly string[];
  subresources?: Subresource[];
  stored?: boolean;
}

function group(groupName: string, version: string, pkg: string, ns: Record<string, unknown>, specs: ResourceSpec[]): ResourceInfo[] {
  return specs.map((s) => {
    const base = kindInfo(s.kind, groupName, version, pkg, ns[s.kind]);
    return Object.freeze({
      ...base,
      resource: s.resource,
      singular: s.kind.toLowerCase(),
      namespaced: s.namespaced,
      shortNames: Object.freeze(s.shortNames ?? []),
      categories: Object.freeze(s.categories ?? []),
      verbs: Object.freeze([...(s.verbs ?? ALL_VERBS)]),
      storeResource: groupName ? `${s.resource}.${groupName}` : s.resource,
      subresources: Object.freeze(s.subresources ?? []),
      stored: s.stored ?? true,
      listKind: s.listKind,
    });
  });
}

/** RESOURCES: every API resource, in discovery order. */
export const RESOURCES: readonly ResourceInfo[] = Object.freeze([
  ...group("", "v1", "k8s.core.v1", core as unknown as Record<string, unknown>, [
    { kind: "Namespace", listKind: "NamespaceList", resource: "namespaces", namespaced: false, shortNames: ["ns"],
      subresources: [statusSub("Namespace", ""), { name: "finalize", kind: "Namespace", group: "", version: "v1", verbs: ["update"] }] },
    { kind: "Pod", listKind: "PodList", resource: "pods", namespaced: true, shortNames: ["po"], categories: ["all"],
      subresources: [statusSub("Pod", ""), { name: "binding", kind: "Binding", group: "", version: "v1", verbs: ["create"] },
        { name: "log", kind: "Pod", group: "", version: "v1", verbs: ["get"] }] },
    { kind: "Node", listKind: "NodeList", resource: "nodes", namespaced: false, shortNames: ["no"], subresources: [statusSub("Node", "")] },
    { kind: "Service", listKind: "ServiceList", resource: "services", namespaced: true, shortNames: ["svc"], categories: ["all"],
      subresources: [statusSub("Service", "")] },
    { kind: "Endpoints", listKind: "EndpointsList", resource: "endpoints", namespaced: true, shortNames: ["ep"] },
    { kind: "ConfigMap", listKind: "ConfigMapList", resource: "configmaps", namespaced: true, shortNames: ["cm"] },
    { kind: "Secret", listKind: "SecretList", resource: "secrets", namespaced: true },
    { kind: "PersistentVolumeClaim", listKind: "PersistentVolumeClaimList", resource: "persistentvolumeclaims", namespaced: true,
      shortNames: ["pvc"], subresources: [statusSub("PersistentVolumeClaim", "")] },
    { kind: "PersistentVolume", listKind: "PersistentVolumeList", resource: "persistentvolumes", namespaced: false,
      shortNames: ["pv"], subresources: [statusSub("PersistentVolume", "")] },
    { kind: "Event", listKind: "EventList", resource: "events", namespaced: true, shortNames: ["ev"] },
    { kind: "Binding", resource: "bindings", namespaced: true, verbs: ["create"], stored: false },
  ]),
  ...group("apps", "v1", "k8s.apps.v1", apps as unknown as Record<string, unknown>, [
    { kind: "Deployment", listKind: "DeploymentList", resource: "deployments", namespaced: true, shortNames: ["deploy"],
      categories: ["all"], subresources: [statusSub("Deployment", "apps"), scaleSub] },
    { kind: "ReplicaSet", listKind: "ReplicaSetList", resource: "replicasets", namespaced: true, shortNames: ["rs"],
      categories: ["all"], subresources: [statusSub("ReplicaSet", "apps"), scaleSub] },
    { kind: "StatefulSet", listKind: "StatefulSetList", resource: "statefulsets", namespaced: true, shortNames: ["sts"],
      categories: ["all"], subresources: [statusSub("StatefulSet", "apps"), scaleSub] },
    { kind: "ControllerRevision", listKind: "ControllerRevisionList", resource: "controllerrevisions", namespaced: true },
  ]),
  ...group("coordination.k8s.io", "v1", "k8s.coordination.v1", k8s.coordination.v1 as unknown as Record<string, unknown>, [
    { kind: "Lease", listKind: "LeaseList", resource: "leases", namespaced: true },
  ]),
]);

/** KINDS: every modelled kind: the resources plus list kinds, Scale and Status. */
export const KINDS: ReadonlyMap<string, KindInfo> = (() => {
  const m = new Map<string, KindInfo>();
  for (const r of RESOURCES) {
    m.set(r.kind, r);
    if (r.listKind) {
      const pkg = r.protoName.slice(0, r.protoName.lastIndexOf("."));
      const ns = pkg.split(".").slice(1).reduce<Record<string, unknown>>((o, seg) => o[seg] as Record<string, unknown>, k8s as unknown as Record<string, unknown>);
      m.set(r.listKind, Object.freeze(kindInfo(r.listKind, r.group, r.version, pkg, ns[r.listKind])));
    }
  }
  m.set("Scale", Object.freeze(kindInfo("Scale", "autoscaling", "v1", "k8s.autoscaling.v1", k8s.autoscaling.v1.Scale)));
  m.set("Status", Object.freeze(kindInfo("Status", "", "v1", "k8s.meta.v1", k8s.meta.v1.Status)));
  for (const [kind, info] of m) if (typeof info.type !== "function") throw new Error(`schema: no generated type for ${kind}`);
  return m;
})();

const byResource = new Map(RESOURCES.map((r) => [`${r.group}/${r.resource}`, r]));
const byStoreResource = new Map(RESOURCES.filter((r) => r.stored).map((r) => [r.storeResource, r]));
const byShortOrName = new Map<string, ResourceInfo>();
for (const r of RESOURCES) for (const n of [r.resource, r.singular, ...r.shortNames]) if (!byShortOrName.has(n)) byShortOrName.set(n, r);

/** kindInfo: the modelled kind (resource, list, Scale or Status), or undefined. */
export function lookupKind(kind: string): KindInfo | undefined {
  return KINDS.get(kind);
}

/** requireKind: like {@link lookupKind} but throws {@link UnknownKindError}. */
export function requireKind(kind: string): KindInfo {
  const info = KINDS.get(kind);
  if (!info) throw new UnknownKindError(kind);
  return info;
}

/** lookupResourceByKind: the API resource whose kind this is (lists, Scale, Status: undefined). */
export function lookupResourceByKind(kind: string): ResourceInfo | undefined {
  const info = KINDS.get(kind);
  return info && "resource" in info ? (info as ResourceInfo) : undefined;
}

/** lookupResource: by API group ("" for core) and plural resource name. */
export function lookupResource(group: string, resource: string): ResourceInfo | undefined {
  return byResource.get(`${group}/${resource}`);
}

/** lookupStoreResource: by store key segment ("pods", "deployments.apps"); persisted resources only. */
export function lookupStoreResource(storeResource: string): ResourceInfo | undefined {
  return byStoreResource.get(storeResource);
}

/**
 * lookupResourceName: what a user types (`kubectl get deploy`): plural, singular or short
 * name, optionally qualified with a group (`deployments.apps`).
 */
export function lookupResourceName(name: string): ResourceInfo | undefined {
  const n = name.toLowerCase();
  const dot = n.indexOf(".");
  if (dot > 0) {
    const r = byShortOrName.get(n.slice(0, dot));
    return r && r.group === n.slice(dot + 1) ? r : byStoreResource.get(n);
  }
  return byShortOrName.get(n);
}
