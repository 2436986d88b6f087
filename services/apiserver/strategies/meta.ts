/**
 * ObjectMeta, label, annotation and label-selector validation as `apimachinery` validates them,
 * plus small numeric helpers every kind uses.
 */
import { duplicate, forbidden, goQuote, GoValue, invalid, path, required, tooLong } from "./field.js";
import { isDNS1123Label, isQualifiedName, isValidLabelValue, type NameValidator } from "./names.js";
import type { FieldCause } from "./types.js";

/** Total size of all annotations of one object (keys + values), as Kubernetes limits it. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

const utf8Length = (s: string) => Buffer.byteLength(s, "utf8");

/** validateLabels: `ValidateLabels` — keys are qualified names, values label values. */
export function validateLabels(labels: Record<string, string> | undefined | null, fld: string): FieldCause[] {
  const errs: FieldCause[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const msg of isQualifiedName(k)) errs.push(invalid(fld, k, msg));
    for (const msg of isValidLabelValue(String(v))) errs.push(invalid(fld, String(v), msg));
  }
  return errs;
}

/** validateAnnotations: keys are qualified names (any case); total size ≤ 256 KiB. */
export function validateAnnotations(annotations: Record<string, string> | undefined | null, fld: string): FieldCause[] {
  const errs: FieldCause[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(invalid(fld, k, msg));
    size += utf8Length(k) + utf8Length(String(v));
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(fld, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

/** validateNonnegative: `ValidateNonnegativeField`. */
export function validateNonnegative(value: unknown, fld: string): FieldCause[] {
  return typeof value === "number" && value < 0 ? [invalid(fld, value, "must be greater than or equal to 0")] : [];
}

/** validatePositive: a number that must be greater than 0 when set. */
export function validatePositive(value: unknown, fld: string): FieldCause[] {
  return typeof value === "number" && value <= 0 ? [invalid(fld, value, "must be greater than 0")] : [];
}

/** validateImmutable: `ValidateImmutableField` ("field is immutable"). `shown` overrides the rendered value. */
export function validateImmutable(next: unknown, prev: unknown, fld: string, shown?: unknown): FieldCause[] {
  return deepEqual(next, prev) ? [] : [invalid(fld, shown ?? next, "field is immutable")];
}

function validateOwnerReferences(refs: any[] | undefined, fld: string): FieldCause[] {
  const errs: FieldCause[] = [];
  let controller: string | undefined;
  for (const ref of refs ?? []) {
    if (!ref?.apiVersion) errs.push(invalid(path(fld, "apiVersion"), ref?.apiVersion ?? "", "version must not be empty"));
    if (!ref?.kind) errs.push(invalid(path(fld, "kind"), ref?.kind ?? "", "kind must not be empty"));
    if (!ref?.name) errs.push(invalid(path(fld, "name"), ref?.name ?? "", "name must not be empty"));
    if (!ref?.uid) errs.push(invalid(path(fld, "uid"), ref?.uid ?? "", "uid must not be empty"));
    if (ref?.controller === true) {
      const here = `${ref.kind}/${ref.name}`;
      if (controller !== undefined) {
        errs.push(invalid(fld, refs, `Only one reference can have Controller set to true. Found "true" in references for ${controller} and ${here}`));
      } else controller = here;
    }
  }
  return errs;
}

/** MetaRules: how one kind's metadata is checked. */
export interface MetaRules {
  namespaced: boolean;
  nameValidator: NameValidator;
}

/** validateObjectName: the checks of `metadata.name` in {@link validateObjectMeta} (every cause has field `<fld>.name`). */
export function validateObjectName(name: unknown, rules: MetaRules, fld = "metadata"): FieldCause[] {
  if (!name) return [required(path(fld, "name"), "name or generateName is required")];
  return rules.nameValidator(name as string, false).map((msg) => invalid(path(fld, "name"), name, msg));
}

/** validateObjectMeta: `ValidateObjectMeta` at path `metadata`. */
export function validateObjectMeta(meta: any, rules: MetaRules, fld = "metadata"): FieldCause[] {
  const errs: FieldCause[] = [];
  const m = meta ?? {};
  if (m.generateName) for (const msg of rules.nameValidator(m.generateName, true)) errs.push(invalid(path(fld, "generateName"), m.generateName, msg));
  errs.push(...validateObjectName(m.name, rules, fld));
  if (rules.namespaced) {
    if (!m.namespace) errs.push(required(path(fld, "namespace")));
    else for (const msg of isDNS1123Label(m.namespace)) errs.push(invalid(path(fld, "namespace"), m.namespace, msg));
  } else if (m.namespace) {
    errs.push(forbidden(path(fld, "namespace"), "not allowed on this type"));
  }
  errs.push(...validateNonnegative(m.generation, path(fld, "generation")));
  errs.push(...validateLabels(m.labels, path(fld, "labels")));
  errs.push(...validateAnnotations(m.annotations, path(fld, "annotations")));
  errs.push(...validateOwnerReferences(m.ownerReferences, path(fld, "ownerReferences")));
  for (const f of m.finalizers ?? []) for (const msg of isQualifiedName(String(f))) errs.push(invalid(path(fld, "finalizers"), f, msg));
  return errs;
}

/** validateObjectMetaUpdate: `ValidateObjectMetaUpdate` — name, namespace, uid, creationTimestamp immutable; no new finalizers while deleting. */
export function validateObjectMetaUpdate(meta: any, old: any, fld = "metadata"): FieldCause[] {
  const n = meta ?? {};
  const o = old ?? {};
  const errs: FieldCause[] = [];
  if (o.deletionTimestamp) {
    const extra = (n.finalizers ?? []).filter((f: string) => !(o.finalizers ?? []).includes(f));
    if (extra.length) {
      errs.push(forbidden(path(fld, "finalizers"), `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((f: string) => goQuote(f)).join(", ")}}`));
    }
  }
  if (typeof n.generation === "number" && typeof o.generation === "number" && n.generation < o.generation) {
    errs.push(invalid(path(fld, "generation"), n.generation, "must not be decremented"));
  }
  errs.push(...validateImmutable(n.name ?? "", o.name ?? "", path(fld, "name")));
  errs.push(...validateImmutable(n.namespace ?? "", o.namespace ?? "", path(fld, "namespace")));
  errs.push(...validateImmutable(n.uid ?? "", o.uid ?? "", path(fld, "uid")));
  if (o.creationTimestamp) errs.push(...validateImmutable(n.creationTimestamp ?? "", o.creationTimestamp, path(fld, "creationTimestamp")));
  return errs;
}

/** validateLabelSelector: `ValidateLabelSelector` (operators, values, keys, matchLabels). */
export function validateLabelSelector(sel: any, fld: string): FieldCause[] {
  if (!sel) return [];
  const errs: FieldCause[] = [];
  (sel.matchExpressions ?? []).forEach((e: any, i: number) => {
    const p = path(fld, "matchExpressions", i);
    const values: unknown[] = e?.values ?? [];
    switch (e?.operator) {
      case "In":
      case "NotIn":
        if (values.length === 0) errs.push(required(path(p, "values"), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length > 0) errs.push(forbidden(path(p, "values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(path(p, "operator"), e?.operator ?? "", "not a valid selector operator"));
    }
    for (const msg of isQualifiedName(String(e?.key ?? ""))) errs.push(invalid(path(p, "key"), e?.key ?? "", msg));
  });
  errs.push(...validateLabels(sel.matchLabels, path(fld, "matchLabels")));
  return errs;
}

/** validateUniqueNames reports `Duplicate value` for repeated names of list items (path `<list>[i].<field>`). */
export function validateUniqueNames(items: any[] | undefined, listPath: string, fieldName = "name", seen = new Set<string>()): FieldCause[] {
  const errs: FieldCause[] = [];
  (items ?? []).forEach((it, i) => {
    const n = it?.[fieldName];
    if (!n) return;
    if (seen.has(n)) errs.push(duplicate(path(listPath, i, fieldName), n));
    else seen.add(n);
  });
  return errs;
}

/** deepEqual compares JSON values; a missing key equals an undefined one. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof GoValue || b instanceof GoValue) return false;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}

/** clone deep-copies a JSON value. */
export function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}
