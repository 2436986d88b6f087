/**
 * The strategic-merge-patch table: for each kind, the fields whose lists merge (and by which
 * key) instead of being replaced. Kubernetes reads this from Go struct tags
 * (`patchStrategy:"merge" patchMergeKey:"name"`); here it is data, written from those tags
 * for every kind of our schema. A field not in the table merges recursively if it is an
 * object and is replaced if it is a list.
 */

/** PatchStrategy: how a list or object field combines with the patch. */
export type PatchStrategy = "merge" | "replace";

/**
 * PatchMeta: the patch metadata of one field (or of a kind's root object).
 * - `strategy: "merge"` on a list: items merge by `mergeKey` (lists of objects) or as an
 *   ordered set (lists of scalars); without it a list is replaced.
 * - `strategy: "replace"` on an object: the patch's object replaces the live one.
 * - `retainKeys`: the field may carry `$retainKeys` (union types); informational, the
 *   directive is honoured wherever it appears.
 * - `fields`: the metadata of the object's members (for a list: of each item's members).
 * - `inferred`: no table (unknown kind): merge keys are inferred from the patch's directives.
 */
export interface PatchMeta {
  readonly strategy?: PatchStrategy;
  readonly mergeKey?: string;
  readonly retainKeys?: boolean;
  readonly fields?: Readonly<Record<string, PatchMeta>>;
  readonly inferred?: boolean;
}

/** PLAIN_FIELD: a field the table does not list: objects merge, lists are replaced. */
export const PLAIN_FIELD: PatchMeta = Object.freeze({});

/** INFERRED_FIELD: a field of an unknown kind: like PLAIN_FIELD, but directives may imply merge keys. */
export const INFERRED_FIELD: PatchMeta = Object.freeze({ inferred: true });

/** fieldPatchMeta: the metadata of member `key` of an object described by `meta`. */
export function fieldPatchMeta(meta: PatchMeta, key: string): PatchMeta {
  const fields = meta.fields;
  if (fields && Object.hasOwn(fields, key)) return fields[key]!;
  return meta.inferred ? INFERRED_FIELD : PLAIN_FIELD;
}

const struct = (fields: Record<string, PatchMeta>): PatchMeta => ({ fields });
const mergeList = (mergeKey: string, fields?: Record<string, PatchMeta>): PatchMeta => ({ strategy: "merge", mergeKey, ...(fields ? { fields } : {}) });
const mergeRetainList = (mergeKey: string): PatchMeta => ({ strategy: "merge", mergeKey, retainKeys: true });
/** A list of scalars with set semantics (`finalizers`, `podCIDRs`). */
const scalarSet: PatchMeta = { strategy: "merge" };

const conditionsByType = mergeList("type");

const objectMeta = struct({
  finalizers: scalarSet,
  ownerReferences: mergeList("uid"),
});

const container = {
  ports: mergeList("containerPort"),
  env: mergeList("name"),
  volumeMounts: mergeList("mountPath"),
  volumeDevices: mergeList("devicePath"),
  // envFrom, resizePolicy, command, args: replaced.
};

const podSpec = struct({
  volumes: mergeRetainList("name"),
  initContainers: mergeList("name", container),
  containers: mergeList("name", container),
  ephemeralContainers: mergeList("name", container),
  imagePullSecrets: mergeList("name"),
  hostAliases: mergeList("ip"),
  topologySpreadConstraints: mergeList("topologyKey"),
  resourceClaims: mergeRetainList("name"),
  schedulingGates: mergeList("name"),
  // tolerations, readinessGates, affinity terms: replaced.
});

const podStatus = struct({
  conditions: conditionsByType,
  podIPs: mergeList("ip"),
  hostIPs: mergeList("ip"),
  resourceClaimStatuses: mergeRetainList("name"),
  // containerStatuses, initContainerStatuses: replaced.
});

const podTemplateSpec = struct({ metadata: objectMeta, spec: podSpec });

const withMeta = (fields: Record<string, PatchMeta> = {}): PatchMeta => struct({ metadata: objectMeta, ...fields });
const statusWithConditions = struct({ conditions: conditionsByType });

/** STRATEGIC_PATCH_SCHEMAS: the table, by kind. */
export const STRATEGIC_PATCH_SCHEMAS: Readonly<Record<string, PatchMeta>> = {
  Pod: withMeta({ spec: podSpec, status: podStatus }),
  PodTemplate: withMeta({ template: podTemplateSpec }),
  Deployment: withMeta({
    spec: struct({ template: podTemplateSpec, strategy: { retainKeys: true } }),
    status: statusWithConditions,
  }),
  ReplicaSet: withMeta({ spec: struct({ template: podTemplateSpec }), status: statusWithConditions }),
  // volumeClaimTemplates: replaced (atomic in Kubernetes).
  StatefulSet: withMeta({ spec: struct({ template: podTemplateSpec }), status: statusWithConditions }),
  // spec.taints is replaced, as in Kubernetes (no patch strategy): `kubectl taint k-` sends the
  // remaining taints, which must replace the list.
  Node: withMeta({
    spec: struct({ podCIDRs: scalarSet }),
    status: struct({ conditions: conditionsByType, addresses: mergeList("type") }),
  }),
  Service: withMeta({ spec: struct({ ports: mergeList("port") }), status: statusWithConditions }),
  Endpoints: withMeta(), // subsets: replaced
  PersistentVolumeClaim: withMeta({ status: statusWithConditions }),
  PersistentVolume: withMeta(),
  ConfigMap: withMeta(),
  Secret: withMeta(),
  Namespace: withMeta({ status: statusWithConditions }), // spec.finalizers: replaced
  Lease: withMeta(),
  Event: withMeta(),
  ControllerRevision: withMeta(), // data: arbitrary JSON
  Scale: withMeta(),
  Binding: withMeta(),
};

const UNKNOWN_KIND: PatchMeta = Object.freeze({ inferred: true, fields: { metadata: objectMeta } });

/**
 * strategicPatchSchema: the patch metadata of a kind's root object. For a kind not in the
 * table: object metadata as usual, every other list replaced unless the patch's own
 * directives (`$setElementOrder`, `$patch: delete` items) name a merge key.
 */
export function strategicPatchSchema(kind: string): PatchMeta {
  return Object.hasOwn(STRATEGIC_PATCH_SCHEMAS, kind) ? STRATEGIC_PATCH_SCHEMAS[kind]! : UNKNOWN_KIND;
}
