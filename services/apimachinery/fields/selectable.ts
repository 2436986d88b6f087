/**
 * selectable: which fields a field selector may name for each kind, and their values on an
 * object (Kubernetes JSON), as Kubernetes' field label conversion functions and registry
 * `ToSelectableFields` define them. Kinds not listed support `metadata.name` and
 * `metadata.namespace` only.
 */
import { FieldSelectorError } from "./errors.js";

const META = ["metadata.name", "metadata.namespace"] as const;

const SUPPORTED: Readonly<Record<string, readonly string[]>> = {
  Pod: [
    ...META,
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "spec.hostNetwork",
    "status.phase",
    "status.podIP",
    "status.podIPs",
    "status.nominatedNodeName",
  ],
  Event: [
    ...META,
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
  ],
  Secret: [...META, "type"],
  Service: [...META, "spec.clusterIP", "spec.type"],
  Node: ["metadata.name", "spec.unschedulable"],
  Namespace: ["metadata.name", "status.phase"],
  ReplicaSet: [...META, "status.replicas"],
  StatefulSet: [...META, "status.replicas"],
  ReplicationController: [...META, "status.replicas"],
};

/** Old field names Kubernetes still accepts, per kind. */
const ALIASES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Pod: { "spec.host": "spec.nodeName" },
};

/** supportedFields: the fields a field selector may name for `kind` (aliases not included). */
export function supportedFields(kind: string): readonly string[] {
  return Object.prototype.hasOwnProperty.call(SUPPORTED, kind) ? SUPPORTED[kind]! : META;
}

/**
 * convertFieldLabel: the field name to match for `field` on `kind` (aliases resolved), or a
 * FieldSelectorError `field label not supported: <field>`.
 */
export function convertFieldLabel(kind: string, field: string): string {
  const aliases = Object.prototype.hasOwnProperty.call(ALIASES, kind) ? ALIASES[kind]! : {};
  if (Object.prototype.hasOwnProperty.call(aliases, field)) return aliases[field]!;
  if (!supportedFields(kind).includes(field)) throw new FieldSelectorError(`field label not supported: ${field}`);
  return field;
}

function obj(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function str(v: unknown): string {
  return typeof v === "string" ? v : typeof v === "number" || typeof v === "bigint" ? String(v) : "";
}

/**
 * fieldsOf: the selectable fields of `obj` (a Kubernetes JSON object of `kind`) with their
 * values as strings; absent fields are "" (booleans "true"/"false", counts in decimal).
 */
export function fieldsOf(kind: string, object: unknown): Record<string, string> {
  const o = obj(object);
  const meta = obj(o.metadata);
  const spec = obj(o.spec);
  const status = obj(o.status);
  const fields: Record<string, string> = { "metadata.name": str(meta.name), "metadata.namespace": str(meta.namespace) };
  switch (kind) {
    case "Pod": {
      const podIPs = Array.isArray(status.podIPs) ? status.podIPs : [];
      fields["spec.nodeName"] = str(spec.nodeName);
      fields["spec.restartPolicy"] = str(spec.restartPolicy);
      fields["spec.schedulerName"] = str(spec.schedulerName);
      fields["spec.serviceAccountName"] = str(spec.serviceAccountName);
      fields["spec.hostNetwork"] = spec.hostNetwork === true ? "true" : "false";
      fields["status.phase"] = str(status.phase);
      fields["status.podIP"] = podIPs.length > 0 ? str(obj(podIPs[0]).ip) : str(status.podIP);
      fields["status.nominatedNodeName"] = str(status.nominatedNodeName);
      break;
    }
    case "Event": {
      const involved = obj(o.involvedObject);
      const source = str(obj(o.source).component) || str(o.reportingComponent);
      for (const k of ["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"]) fields[`involvedObject.${k}`] = str(involved[k]);
      fields.reason = str(o.reason);
      fields.reportingComponent = str(o.reportingComponent);
      fields.source = source;
      fields.type = str(o.type);
      break;
    }
    case "Secret":
      fields.type = str(o.type);
      break;
    case "Service":
      fields["spec.clusterIP"] = str(spec.clusterIP);
      fields["spec.type"] = str(spec.type);
      break;
    case "Node":
      fields["spec.unschedulable"] = spec.unschedulable === true ? "true" : "false";
      break;
    case "Namespace":
      fields["status.phase"] = str(status.phase);
      break;
    case "ReplicaSet":
    case "StatefulSet":
    case "ReplicationController":
      fields["status.replicas"] = str(status.replicas) || "0";
      break;
  }
  return fields;
}
