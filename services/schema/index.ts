/**
 * The resource schema: generated message types, the resource registry, Kubernetes JSON
 * conversion and the stored-value codec.
 *
 * @example
 * ```ts
 * import { fromKubeJSON, toKubeJSON, encodeStored, decodeStored, lookupResource } from "../schema/index.js";
 * const { message, warnings } = fromKubeJSON("Deployment", YAML.parse(text));
 * const bytes = encodeStored("Deployment", message);        // value for the store
 * const { kind, message: back } = decodeStored(bytes);      // typed errors on bad bytes
 * res.end(JSON.stringify(toKubeJSON(kind, back)));          // Kubernetes' JSON shape
 * lookupResource("apps", "deployments")?.storeResource;     // "deployments.apps"
 * const { kind: k, object } = decodeKubeProtobuf(body);     // application/vnd.kubernetes.protobuf
 * const wire = encodeKubeProtobuf("ConfigMap", object);     // and back
 * ```
 */
import "./int64-as-number.js";
export { k8s } from "./gen/proto.js";
export {
  SchemaError,
  UnknownKindError,
  StoredValueError,
  CorruptValueError,
  UnsupportedVersionError,
  ProtobufBodyError,
} from "./errors.js";
export {
  RESOURCES,
  KINDS,
  lookupKind,
  requireKind,
  lookupResource,
  lookupResourceByKind,
  lookupStoreResource,
  lookupResourceName,
  type Kind,
  type KindInfo,
  type KindMessages,
  type MessageType,
  type ResourceInfo,
  type Subresource,
} from "./registry.js";
export { fromKubeJSON, toKubeJSON, messageFromKubeJSON, messageToKubeJSON, type FromKubeJSONResult } from "./json.js";
export { encodeStored, encodeStoredJSON, decodeStored, decodeStoredJSON, decodeStoredObject, storedEnvelope, STORED_FORMAT_VERSION, STORED_MAGIC, type DecodedStored, type StoredEnvelope } from "./stored.js";
export { peekStoredPod, peekStoredPodNodeName, type PodPeek } from "./pod-peek.js";
export { decodeJSON, internedString } from "./wire.js";
export {
  encodeKubeProtobuf,
  decodeKubeProtobuf,
  KUBE_PROTOBUF_CONTENT_TYPE,
  KUBE_PROTOBUF_MAGIC,
  type DecodedKubeProtobuf,
} from "./kube-protobuf.js";

import type { k8s as api } from "./gen/proto.js";
/** Shorthand message types. */
export type ObjectMeta = api.meta.v1.ObjectMeta.$Properties;
export type ListMeta = api.meta.v1.ListMeta.$Properties;
export type OwnerReference = api.meta.v1.OwnerReference.$Properties;
export type LabelSelector = api.meta.v1.LabelSelector.$Properties;
export type IntOrString = api.meta.v1.IntOrString.$Properties;
export type Time = api.meta.v1.Time.$Properties;
export type MicroTime = api.meta.v1.MicroTime.$Properties;
export type Quantity = api.meta.v1.Quantity.$Properties;
export type Status = api.meta.v1.Status;
export type Namespace = api.core.v1.Namespace;
export type Pod = api.core.v1.Pod;
export type PodSpec = api.core.v1.PodSpec.$Properties;
export type PodStatus = api.core.v1.PodStatus.$Properties;
export type PodTemplateSpec = api.core.v1.PodTemplateSpec.$Properties;
export type Container = api.core.v1.Container.$Properties;
export type Node = api.core.v1.Node;
export type Service = api.core.v1.Service;
export type Endpoints = api.core.v1.Endpoints;
export type ConfigMap = api.core.v1.ConfigMap;
export type Secret = api.core.v1.Secret;
export type PersistentVolumeClaim = api.core.v1.PersistentVolumeClaim;
export type PersistentVolume = api.core.v1.PersistentVolume;
export type Event = api.core.v1.Event;
export type Binding = api.core.v1.Binding;
export type ReplicaSet = api.apps.v1.ReplicaSet;
export type Deployment = api.apps.v1.Deployment;
export type StatefulSet = api.apps.v1.StatefulSet;
export type ControllerRevision = api.apps.v1.ControllerRevision;
export type Lease = api.coordination.v1.Lease;
export type Scale = api.autoscaling.v1.Scale;
