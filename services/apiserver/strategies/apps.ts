/**
 * apps/v1 kinds: Deployment, ReplicaSet, StatefulSet (with their Scale subresource) and
 * ControllerRevision.
 */
import { age, ageColumn, column, containerCells, makeStrategy, nameColumn } from "./base.js";
import { forbidden, goIntOrString, goLabelSelector, goMap, invalid, notSupported, path, required } from "./field.js";
import { clone, deepEqual, validateImmutable, validateLabelSelector, validateNonnegative } from "./meta.js";
import { isValidPercent, nameIsDNSSubdomain } from "./names.js";
import { defaultPodSpec, validatePodTemplateSpec } from "./pod-spec.js";
import { defaultPersistentVolumeClaim, validatePersistentVolumeClaimSpec } from "./core.js";
import { selectorIsEmpty, selectorMatches, selectorString } from "./selector.js";
import type { FieldCause, ScaleSpec, Strategy, TableColumn } from "./types.js";

// ---- shared: selector, template, scale ---------------------------------------------

function defaultTemplate(spec: any): void {
  if (!spec.template || typeof spec.template !== "object") return;
  spec.template.spec ??= {};
  defaultPodSpec(spec.template.spec);
}

/**
 * validateSelectorAndTemplate: selector required and non-empty, valid, and matching the template
 * labels; template valid with restartPolicy Always and no activeDeadlineSeconds
 * (`ValidatePodTemplateSpecForReplicaSet`).
 */
function validateSelectorAndTemplate(spec: any, kindWord: string): FieldCause[] {
  const errs: FieldCause[] = [];
  const sel = spec?.selector;
  const selPath = path("spec", "selector");
  if (!sel) errs.push(required(selPath));
  else {
    const selErrs = validateLabelSelector(sel, selPath);
    errs.push(...selErrs);
    if (selectorIsEmpty(sel)) errs.push(invalid(selPath, goLabelSelector(sel), `empty selector is invalid for ${kindWord}`));
    if (selErrs.length > 0) {
      // As LabelSelectorAsSelector failing: the template is not checked against it.
      errs.push(invalid(selPath, goLabelSelector(sel), "invalid label selector"));
      return errs;
    }
  }
  const tplPath = path("spec", "template");
  const template = spec?.template;
  if (!template) {
    errs.push(required(tplPath));
    return errs;
  }
  const labels = template.metadata?.labels;
  if (sel && !selectorIsEmpty(sel) && !selectorMatches(sel, labels)) {
    errs.push(invalid(path(tplPath, "metadata", "labels"), goMap(labels), "`selector` does not match template `labels`"));
  }
  // A StatefulSet's containers may mount its volumeClaimTemplates: they count as volumes here.
  const claims: any[] = Array.isArray(spec?.volumeClaimTemplates) ? spec.volumeClaimTemplates : [];
  const checked = claims.length
    ? { ...template, spec: { ...template.spec, volumes: [...(template.spec?.volumes ?? []), ...claims.map((c) => ({ name: c?.metadata?.name, emptyDir: {} }))] } }
    : template;
  errs.push(...validatePodTemplateSpec(checked, tplPath));
  const restartPolicy = template.spec?.restartPolicy;
  if (restartPolicy !== "Always") {
    errs.push(notSupported(path(tplPath, "spec", "restartPolicy"), restartPolicy, ["Always"]));
  }
  if (template.spec?.activeDeadlineSeconds !== undefined && template.spec?.activeDeadlineSeconds !== null) {
    errs.push(forbidden(path(tplPath, "spec", "activeDeadlineSeconds"), "activeDeadlineSeconds in ReplicaSet is not Supported"));
  }
  return errs;
}

/** scaleFor builds the autoscaling/v1 Scale view of a Deployment, ReplicaSet or StatefulSet. */
function scaleFor(): ScaleSpec {
  return {
    toScale(obj) {
      const m = obj?.metadata ?? {};
      const metadata: Record<string, unknown> = { name: m.name };
      for (const k of ["namespace", "uid", "resourceVersion", "creationTimestamp"]) if (m[k] !== undefined) metadata[k] = m[k];
      return {
        apiVersion: "autoscaling/v1",
        kind: "Scale",
        metadata,
        spec: { replicas: obj?.spec?.replicas ?? 0 },
        status: { replicas: obj?.status?.replicas ?? 0, selector: selectorString(obj?.spec?.selector) },
      };
    },
    applyScale(obj, scale) {
      obj.spec ??= {};
      obj.spec.replicas = scale?.spec?.replicas ?? 0;
    },
    validateScale(scale) {
      return validateNonnegative(scale?.spec?.replicas ?? 0, path("spec", "replicas"));
    },
  };
}

const CONTAINERS_COL = column("Containers", "string", "Names of each container in the template.", 1);
const IMAGES_COL = column("Images", "string", "Images referenced by each container in the template.", 1);
const selectorCol = (d: string): TableColumn => column("Selector", "string", d, 1);

// ---- Deployment --------------------------------------------------------------------

/** intOrPercentValue reads an IntOrString as kubectl's `getIntOrPercentValue` (percent → its number). */
function intOrPercentValue(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && isValidPercent(v).length === 0) return Number(v.slice(0, -1));
  return 0;
}

function validatePositiveIntOrPercent(v: unknown, fld: string): FieldCause[] {
  if (typeof v === "string") return isValidPercent(v).map((m) => invalid(fld, goIntOrString(v), m));
  if (typeof v === "number") return validateNonnegative(v, fld);
  return [];
}

function validateDeploymentStrategy(strategy: any): FieldCause[] {
  const fld = path("spec", "strategy");
  const errs: FieldCause[] = [];
  const type = strategy?.type ?? "";
  if (type === "Recreate") {
    if (strategy.rollingUpdate) errs.push(forbidden(path(fld, "rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'"));
  } else if (type === "RollingUpdate") {
    const ru = strategy.rollingUpdate;
    if (!ru) errs.push(required(path(fld, "rollingUpdate"), "this should be defaulted and never be nil"));
    else {
      const ruPath = path(fld, "rollingUpdate");
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, path(ruPath, "maxUnavailable")));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, path(ruPath, "maxSurge")));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(invalid(path(ruPath, "maxUnavailable"), goIntOrString(ru.maxUnavailable), "may not be 0 when `maxSurge` is 0"));
      }
      if (typeof ru.maxUnavailable === "string" && isValidPercent(ru.maxUnavailable).length === 0 && intOrPercentValue(ru.maxUnavailable) > 100) {
        errs.push(invalid(path(ruPath, "maxUnavailable"), goIntOrString(ru.maxUnavailable), "must not be greater than 100%"));
      }
    }
  } else {
    errs.push(notSupported(path(fld, "type"), type, ["Recreate", "RollingUpdate"]));
  }
  return errs;
}

/** deploymentStrategy: the Deployment kind. */
export const deploymentStrategy: Strategy = makeStrategy({
  kind: "Deployment",
  namespaced: true,
  nameValidator: nameIsDNSSubdomain,
  hasStatus: true,
  tracksGeneration: true,
  generationCountsAnnotations: true,
  defaults(d) {
    const spec = (d.spec ??= {});
    if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
    spec.strategy ??= {};
    spec.strategy.type ||= "RollingUpdate";
    if (spec.strategy.type === "RollingUpdate") {
      spec.strategy.rollingUpdate ??= {};
      spec.strategy.rollingUpdate.maxUnavailable ??= "25%";
      spec.strategy.rollingUpdate.maxSurge ??= "25%";
    }
    if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
    if (spec.progressDeadlineSeconds === undefined || spec.progressDeadlineSeconds === null) spec.progressDeadlineSeconds = 600;
    defaultTemplate(spec);
  },
  initialStatus: () => ({}),
  validate(d) {
    const spec = d?.spec ?? {};
    const errs: FieldCause[] = [];
    errs.push(...validateNonnegative(spec.replicas, path("spec", "replicas")));
    errs.push(...validateSelectorAndTemplate(spec, "deployment"));
    errs.push(...validateDeploymentStrategy(spec.strategy));
    errs.push(...validateNonnegative(spec.minReadySeconds, path("spec", "minReadySeconds")));
    errs.push(...validateNonnegative(spec.revisionHistoryLimit, path("spec", "revisionHistoryLimit")));
    if (typeof spec.progressDeadlineSeconds === "number") {
      errs.push(...validateNonnegative(spec.progressDeadlineSeconds, path("spec", "progressDeadlineSeconds")));
      if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
        errs.push(invalid(path("spec", "progressDeadlineSeconds"), spec.progressDeadlineSeconds, "must be greater than minReadySeconds"));
      }
    }
    return errs;
  },
  validateUpdate: (d, old) => validateImmutable(d?.spec?.selector, old?.spec?.selector, path("spec", "selector"), goLabelSelector(d?.spec?.selector)),
  table: {
    columns: [
      nameColumn(),
      column("Ready", "string", "Number of the pod with ready state"),
      column("Up-to-date", "string", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
      column("Available", "string", "Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment."),
      ageColumn(),
      CONTAINERS_COL,
      IMAGES_COL,
      selectorCol("Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment."),
    ],
    cells(d, now) {
      const st = d?.status ?? {};
      const [names, images] = containerCells(d?.spec?.template?.spec?.containers);
      return [
        d?.metadata?.name ?? "", `${st.readyReplicas ?? 0}/${d?.spec?.replicas ?? 0}`, st.updatedReplicas ?? 0, st.availableReplicas ?? 0,
        age(d, now), names, images, selectorString(d?.spec?.selector),
      ];
    },
  },
  scale: scaleFor(),
});

// ---- ReplicaSet --------------------------------------------------------------------

/** replicaSetStrategy: the ReplicaSet kind. */
export const replicaSetStrategy: Strategy = makeStrategy({
  kind: "ReplicaSet",
  namespaced: true,
  nameValidator: nameIsDNSSubdomain,
  hasStatus: true,
  tracksGeneration: true,
  defaults(rs) {
    const spec = (rs.spec ??= {});
    if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
    defaultTemplate(spec);
  },
  initialStatus: () => ({ replicas: 0 }),
  validate(rs) {
    const spec = rs?.spec ?? {};
    return [
      ...validateNonnegative(spec.replicas, path("spec", "replicas")),
      ...validateNonnegative(spec.minReadySeconds, path("spec", "minReadySeconds")),
      ...validateSelectorAndTemplate(spec, "deployment"),
    ];
  },
  validateUpdate: (rs, old) => validateImmutable(rs?.spec?.selector, old?.spec?.selector, path("spec", "selector"), goLabelSelector(rs?.spec?.selector)),
  table: {
    columns: [
      nameColumn(),
      column("Desired", "integer", "Replicas is the number of desired pods."),
      column("Current", "integer", "Replicas is the most recently observed number of non-terminating pods."),
      column("Ready", "integer", "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition."),
      ageColumn(),
      CONTAINERS_COL,
      IMAGES_COL,
      selectorCol("Selector is a label query over pods that should match the replica count."),
    ],
    cells(rs, now) {
      const [names, images] = containerCells(rs?.spec?.template?.spec?.containers);
      return [
        rs?.metadata?.name ?? "", rs?.spec?.replicas ?? 0, rs?.status?.replicas ?? 0, rs?.status?.readyReplicas ?? 0,
        age(rs, now), names, images, selectorString(rs?.spec?.selector) || "<none>",
      ];
    },
  },
  scale: scaleFor(),
});

// ---- StatefulSet -------------------------------------------------------------------

const STS_UPDATABLE = ["replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"];
const STS_FORBIDDEN_MESSAGE =
  "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";
const RETENTION = ["Delete", "Retain"];

/** statefulSetStrategy: the StatefulSet kind. */
export const statefulSetStrategy: Strategy = makeStrategy({
  kind: "StatefulSet",
  namespaced: true,
  nameValidator: nameIsDNSSubdomain,
  hasStatus: true,
  tracksGeneration: true,
  defaults(sts) {
    const spec = (sts.spec ??= {});
    spec.podManagementPolicy ||= "OrderedReady";
    spec.updateStrategy ??= {};
    spec.updateStrategy.type ||= "RollingUpdate";
    if (spec.updateStrategy.type === "RollingUpdate") {
      spec.updateStrategy.rollingUpdate ??= {};
      spec.updateStrategy.rollingUpdate.partition ??= 0;
    }
    spec.persistentVolumeClaimRetentionPolicy ??= {};
    spec.persistentVolumeClaimRetentionPolicy.whenDeleted ||= "Retain";
    spec.persistentVolumeClaimRetentionPolicy.whenScaled ||= "Retain";
    if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
    if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
    for (const t of spec.volumeClaimTemplates ?? []) {
      if (!t || typeof t !== "object") continue;
      t.apiVersion ||= "v1";
      t.kind ||= "PersistentVolumeClaim";
      defaultPersistentVolumeClaim(t);
    }
    defaultTemplate(spec);
  },
  initialStatus: () => ({ replicas: 0, availableReplicas: 0 }),
  validate(sts) {
    const spec = sts?.spec ?? {};
    const errs: FieldCause[] = [];
    const pmp = spec.podManagementPolicy ?? "";
    if (!pmp) errs.push(required(path("spec", "podManagementPolicy")));
    else if (!["OrderedReady", "Parallel"].includes(pmp)) errs.push(invalid(path("spec", "podManagementPolicy"), pmp, "must be 'OrderedReady' or 'Parallel'"));
    const us = spec.updateStrategy ?? {};
    const usPath = path("spec", "updateStrategy");
    switch (us.type ?? "") {
      case "":
        errs.push(required(usPath));
        break;
      case "OnDelete":
        if (us.rollingUpdate) errs.push(invalid(path(usPath, "rollingUpdate"), "OnDelete", "only allowed for updateStrategy 'RollingUpdate'"));
        break;
      case "RollingUpdate":
        errs.push(...validateNonnegative(us.rollingUpdate?.partition, path(usPath, "rollingUpdate", "partition")));
        break;
      default:
        errs.push(invalid(path(usPath, "type"), us.type, "must be 'RollingUpdate' or 'OnDelete'"));
    }
    const policy = spec.persistentVolumeClaimRetentionPolicy;
    if (policy) {
      const pp = path("spec", "persistentVolumeClaimRetentionPolicy");
      for (const f of ["whenDeleted", "whenScaled"]) {
        if (policy[f] && !RETENTION.includes(policy[f])) errs.push(notSupported(path(pp, f), policy[f], RETENTION));
      }
    }
    errs.push(...validateNonnegative(spec.replicas, path("spec", "replicas")));
    errs.push(...validateNonnegative(spec.minReadySeconds, path("spec", "minReadySeconds")));
    errs.push(...validateNonnegative(spec.revisionHistoryLimit, path("spec", "revisionHistoryLimit")));
    errs.push(...validateNonnegative(spec.ordinals?.start, path("spec", "ordinals", "start")));
    errs.push(...validateSelectorAndTemplate(spec, "statefulset"));
    (spec.volumeClaimTemplates ?? []).forEach((t: any, i: number) => {
      const tp = path("spec", "volumeClaimTemplates", i);
      if (!t?.metadata?.name) errs.push(required(path(tp, "metadata", "name")));
      errs.push(...validatePersistentVolumeClaimSpec(t?.spec, path(tp, "spec")));
    });
    return errs;
  },
  validateUpdate(sts, old) {
    const next = clone(sts?.spec ?? {});
    const prev = clone(old?.spec ?? {});
    for (const f of STS_UPDATABLE) { delete next[f]; delete prev[f]; }
    return deepEqual(next, prev) ? [] : [forbidden("spec", STS_FORBIDDEN_MESSAGE)];
  },
  table: {
    columns: [nameColumn(), column("Ready", "string", "Number of the pod with ready state"), ageColumn(), CONTAINERS_COL, IMAGES_COL],
    cells(sts, now) {
      const [names, images] = containerCells(sts?.spec?.template?.spec?.containers);
      return [sts?.metadata?.name ?? "", `${sts?.status?.readyReplicas ?? 0}/${sts?.spec?.replicas ?? 0}`, age(sts, now), names, images];
    },
  },
  scale: scaleFor(),
});

// ---- ControllerRevision ------------------------------------------------------------

/** controllerName is kubectl's CONTROLLER cell: `statefulset.apps/web`, `<none>` without a controller. */
export function controllerName(obj: any): string {
  const ref = (obj?.metadata?.ownerReferences ?? []).find((r: any) => r?.controller === true);
  if (!ref) return "<none>";
  const apiVersion = String(ref.apiVersion ?? "");
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  const kind = String(ref.kind ?? "");
  if (!kind && !group) return ref.name ?? "";
  return `${(group ? `${kind}.${group}` : kind).toLowerCase()}/${ref.name ?? ""}`;
}

/** controllerRevisionStrategy: the ControllerRevision kind (data immutable). */
export const controllerRevisionStrategy: Strategy = makeStrategy({
  kind: "ControllerRevision",
  namespaced: true,
  nameValidator: nameIsDNSSubdomain,
  validate(cr) {
    const errs: FieldCause[] = [];
    if (cr?.data === undefined || cr?.data === null) errs.push(required("data", "data is mandatory"));
    errs.push(...validateNonnegative(cr?.revision, "revision"));
    return errs;
  },
  validateUpdate: (cr, old) => (deepEqual(cr?.data, old?.data) ? [] : [invalid("data", cr?.data ?? null, "field is immutable")]),
  table: {
    columns: [
      nameColumn(),
      column("Controller", "string", "Controller of the object"),
      column("Revision", "string", "Revision indicates the revision of the state represented by Data."),
      ageColumn(),
    ],
    cells: (cr, now) => [cr?.metadata?.name ?? "", controllerName(cr), cr?.revision ?? 0, age(cr, now)],
  },
});
