/**
 * label-selector: the metav1.LabelSelector struct (`{matchLabels, matchExpressions}`) that
 * Deployments, ReplicaSets, StatefulSets and Services' owners carry: conversion to a Selector,
 * validation with field paths (for 422 causes), and the string kubectl shows.
 *
 * Kubernetes' rule for controllers: an empty selector `{}` matches everything, an absent
 * (null/undefined) one matches nothing.
 *
 * ```ts
 * matchesLabelSelector({ matchLabels: { app: "web" } }, pod.metadata.labels); // true/false
 * labelSelectorAsString({ matchExpressions: [{ key: "tier", operator: "In", values: ["a"] }] }); // "tier in (a)"
 * validateLabelSelector(spec.selector, "spec.selector"); // FieldCause[]
 * ```
 */
import { LabelSelectorError, Requirement, Selector, parseLabelSelector, type Labels, type Operator } from "./selector.js";
import { fieldForbidden, fieldInvalid, fieldRequired, isQualifiedName, isValidLabelValue, type FieldCause } from "./validation.js";

/** LabelSelectorOperator: the operators a metav1.LabelSelectorRequirement may use. */
export type LabelSelectorOperator = "In" | "NotIn" | "Exists" | "DoesNotExist";

/** LabelSelectorRequirement: one `matchExpressions` entry. */
export interface LabelSelectorRequirement {
  key: string;
  operator: LabelSelectorOperator | string;
  values?: string[] | null;
}

/** LabelSelector: metav1.LabelSelector as Kubernetes JSON carries it. */
export interface LabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirement[] | null;
}

const OPERATORS: Readonly<Record<LabelSelectorOperator, Operator>> = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" };

/**
 * selectorFromLabelSelector: the Selector a metav1.LabelSelector means (Kubernetes'
 * `LabelSelectorAsSelector`): null/undefined → `Selector.nothing`; no labels and no
 * expressions → `Selector.everything`. Invalid keys, values or operators throw a
 * LabelSelectorError with Kubernetes' message.
 */
export function selectorFromLabelSelector(ls: LabelSelector | null | undefined): Selector {
  if (ls === null || ls === undefined) return Selector.nothing;
  if (typeof ls !== "object" || Array.isArray(ls)) throw new LabelSelectorError("label selector must be an object");
  const labels = ls.matchLabels ?? {};
  const expressions = ls.matchExpressions ?? [];
  if (typeof labels !== "object" || Array.isArray(labels)) throw new LabelSelectorError("matchLabels must be an object");
  if (!Array.isArray(expressions)) throw new LabelSelectorError("matchExpressions must be an array");
  const entries = Object.entries(labels);
  if (entries.length + expressions.length === 0) return Selector.everything;
  const requirements: Requirement[] = [];
  for (const [k, v] of entries) {
    if (typeof v !== "string") throw new LabelSelectorError(`matchLabels[${JSON.stringify(k)}] must be a string`);
    requirements.push(Requirement.create(k, "=", [v]));
  }
  for (const expr of expressions) {
    if (expr === null || typeof expr !== "object") throw new LabelSelectorError("matchExpressions entries must be objects");
    const op = Object.prototype.hasOwnProperty.call(OPERATORS, expr.operator) ? OPERATORS[expr.operator as LabelSelectorOperator] : undefined;
    if (!op) throw new LabelSelectorError(`${JSON.stringify(String(expr.operator))} is not a valid pod selector operator`);
    const values = expr.values ?? [];
    if (!Array.isArray(values) || values.some((v) => typeof v !== "string")) throw new LabelSelectorError("matchExpressions values must be strings");
    requirements.push(Requirement.create(String(expr.key ?? ""), op, values));
  }
  return Selector.of(requirements);
}

/**
 * matchesLabelSelector: whether `labels` satisfy the metav1.LabelSelector. An absent selector
 * matches nothing, `{}` everything; an invalid selector matches nothing (it never throws).
 */
export function matchesLabelSelector(ls: LabelSelector | null | undefined, labels: Labels): boolean {
  try {
    return selectorFromLabelSelector(ls).matches(labels);
  } catch (err) {
    if (err instanceof LabelSelectorError) return false;
    throw err;
  }
}

/**
 * labelSelectorAsString: the selector as kubectl and `describe` print it (Kubernetes'
 * `FormatLabelSelector`): canonical string, `<none>` when empty or absent, `<error>` when invalid.
 */
export function labelSelectorAsString(ls: LabelSelector | null | undefined): string {
  let s: string;
  try {
    s = selectorFromLabelSelector(ls).toString();
  } catch (err) {
    if (err instanceof LabelSelectorError) return "<error>";
    throw err;
  }
  return s.length === 0 ? "<none>" : s;
}

/**
 * labelSelectorFromString: a metav1.LabelSelector from the string form (Kubernetes'
 * `ParseToLabelSelector`): `=`/`==` become matchLabels, set operators matchExpressions;
 * `!=`, `>` and `<` are refused with a LabelSelectorError.
 */
export function labelSelectorFromString(s: string): LabelSelector {
  let selector: Selector;
  try {
    selector = parseLabelSelector(s);
  } catch (err) {
    if (err instanceof LabelSelectorError) {
      throw new LabelSelectorError(`couldn't parse the selector string "${s}": ${err.message}`, err.causes, { cause: err });
    }
    throw err;
  }
  const out: Required<{ matchLabels: Record<string, string>; matchExpressions: LabelSelectorRequirement[] }> = { matchLabels: {}, matchExpressions: [] };
  for (const r of selector.requirements) {
    switch (r.operator) {
      case "=":
      case "==":
        out.matchLabels[r.key] = r.values[0]!;
        break;
      case "in":
        out.matchExpressions.push({ key: r.key, operator: "In", values: [...r.values] });
        break;
      case "notin":
        out.matchExpressions.push({ key: r.key, operator: "NotIn", values: [...r.values] });
        break;
      case "exists":
        out.matchExpressions.push({ key: r.key, operator: "Exists", values: [] });
        break;
      case "!":
        out.matchExpressions.push({ key: r.key, operator: "DoesNotExist", values: [] });
        break;
      case "gt":
      case "lt":
        throw new LabelSelectorError(`"${r.operator}" isn't supported in label selectors`);
      default:
        throw new LabelSelectorError(`"${r.operator}" is not a valid label selector operator`);
    }
  }
  return out;
}

/**
 * validateLabelSelector: every problem with a metav1.LabelSelector, as 422 causes with field
 * paths under `path` (Kubernetes' `ValidateLabelSelector`, label values in expressions
 * checked). Null/undefined is valid here; whether a selector is required is the caller's rule.
 */
export function validateLabelSelector(ls: LabelSelector | null | undefined, path: string): FieldCause[] {
  const causes: FieldCause[] = [];
  if (ls === null || ls === undefined) return causes;
  if (typeof ls !== "object" || Array.isArray(ls)) return [fieldInvalid(path, ls, "must be an object")];
  const labelsPath = `${path}.matchLabels`;
  const labels = ls.matchLabels ?? {};
  if (typeof labels !== "object" || Array.isArray(labels)) {
    causes.push(fieldInvalid(labelsPath, labels, "must be an object"));
  } else {
    causes.push(...validateLabels(labels, labelsPath));
  }
  const expressions = ls.matchExpressions ?? [];
  if (!Array.isArray(expressions)) {
    causes.push(fieldInvalid(`${path}.matchExpressions`, expressions, "must be an array"));
    return causes;
  }
  expressions.forEach((expr, i) => causes.push(...validateLabelSelectorRequirement(expr, `${path}.matchExpressions[${i}]`)));
  return causes;
}

/** validateLabelSelectorRequirement: problems with one `matchExpressions` entry. */
export function validateLabelSelectorRequirement(expr: LabelSelectorRequirement, path: string): FieldCause[] {
  if (expr === null || typeof expr !== "object") return [fieldInvalid(path, expr, "must be an object")];
  const causes: FieldCause[] = [];
  const values = expr.values ?? [];
  const valuesPath = `${path}.values`;
  switch (expr.operator) {
    case "In":
    case "NotIn":
      if (!Array.isArray(values) || values.length === 0) causes.push(fieldRequired(valuesPath, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case "Exists":
    case "DoesNotExist":
      if (Array.isArray(values) && values.length > 0) causes.push(fieldForbidden(valuesPath, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    default:
      causes.push(fieldInvalid(`${path}.operator`, expr.operator, "not a valid selector operator"));
  }
  causes.push(...validateLabelName(typeof expr.key === "string" ? expr.key : "", `${path}.key`));
  if (Array.isArray(values)) {
    values.forEach((v, i) => {
      if (typeof v !== "string") {
        causes.push(fieldInvalid(`${valuesPath}[${i}]`, v, "must be a string"));
        return;
      }
      for (const msg of isValidLabelValue(v)) causes.push(fieldInvalid(`${valuesPath}[${i}]`, v, msg));
    });
  }
  return causes;
}

/** validateLabelName: problems with a label key at `path`, one cause per message. */
export function validateLabelName(name: string, path: string): FieldCause[] {
  return isQualifiedName(name).map((msg) => fieldInvalid(path, name, msg));
}

/**
 * validateLabels: problems with a label map at `path` (as `metadata.labels` is validated):
 * each bad key and each bad value gives a cause on `path` itself, as Kubernetes reports them.
 */
export function validateLabels(labels: Readonly<Record<string, unknown>>, path: string): FieldCause[] {
  const causes: FieldCause[] = [];
  for (const [k, v] of Object.entries(labels)) {
    causes.push(...validateLabelName(k, path));
    if (typeof v !== "string") {
      causes.push(fieldInvalid(path, v, "label values must be strings"));
      continue;
    }
    for (const msg of isValidLabelValue(v)) causes.push(fieldInvalid(path, v, msg));
  }
  return causes;
}
