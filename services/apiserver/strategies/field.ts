/**
 * Field errors as Kubernetes' `k8s.io/apimachinery/pkg/util/validation/field` builds them:
 * the same paths, types and message bodies (`ErrorBody`), so a Status cause reads as on a
 * real API server.
 */
import type { FieldCause } from "./types.js";

/** path joins field path segments: `path("spec", "containers", 0, "image")` → `spec.containers[0].image`. */
export function path(...segments: (string | number)[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else if (s.startsWith("[")) out += s;
    else out += out ? `.${s}` : s;
  }
  return out;
}

/** key renders a map key segment: `path("data", key("a.b"))` → `data[a.b]`. */
export function key(k: string): string {
  return `[${k}]`;
}

/** goQuote quotes a string as Go's %q does for printable text. */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, "\\x$1");
}

/** GoValue marks a value whose Go rendering (%#v) is given verbatim. */
export class GoValue {
  constructor(readonly text: string) {}
}

/** goMap renders a map[string]string as Go's %#v does (keys sorted; nil when absent). */
export function goMap(m: Record<string, string> | undefined | null): GoValue {
  if (!m) return new GoValue("map[string]string(nil)");
  const keys = Object.keys(m).sort();
  return new GoValue(`map[string]string{${keys.map((k) => `${goQuote(k)}:${goQuote(String(m[k]))}`).join(", ")}}`);
}

/** goIntOrString renders an intstr.IntOrString as Go's %#v does. */
export function goIntOrString(v: unknown): GoValue {
  if (typeof v === "string") return new GoValue(`intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v)}}`);
  return new GoValue(`intstr.IntOrString{Type:0, IntVal:${Number(v ?? 0)}, StrVal:""}`);
}

/** goLabelSelector renders a *metav1.LabelSelector as Go's %#v does in "field is immutable" errors. */
export function goLabelSelector(sel: any): GoValue {
  if (!sel) return new GoValue("null");
  const labels = sel.matchLabels && Object.keys(sel.matchLabels).length ? goMap(sel.matchLabels).text : "map[string]string(nil)";
  const exprs: any[] = sel.matchExpressions ?? [];
  const exprText = exprs.length
    ? `[]v1.LabelSelectorRequirement{${exprs
        .map((e) => `v1.LabelSelectorRequirement{Key:${goQuote(e.key ?? "")}, Operator:${goQuote(e.operator ?? "")}, Values:${e.values?.length ? `[]string{${e.values.map((x: string) => goQuote(x)).join(", ")}}` : "[]string(nil)"}}`)
        .join(", ")}}`
    : "[]v1.LabelSelectorRequirement(nil)";
  return new GoValue(`v1.LabelSelector{MatchLabels:${labels}, MatchExpressions:${exprText}}`);
}

/** formatBadValue renders a bad value as `field.Error.ErrorBody` does. */
export function formatBadValue(v: unknown): string {
  if (v instanceof GoValue) return v.text;
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return goQuote(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return `[]string{${v.map((x) => goQuote(x)).join(", ")}}`;
  return JSON.stringify(v);
}

function withDetail(s: string, detail?: string): string {
  return detail ? `${s}: ${detail}` : s;
}

/** required: `field.Required` ("Required value"). */
export function required(field: string, detail = ""): FieldCause {
  return { type: "FieldValueRequired", field, message: withDetail("Required value", detail) };
}

/** invalid: `field.Invalid` ("Invalid value: <value>: <detail>"). */
export function invalid(field: string, value: unknown, detail: string): FieldCause {
  return { type: "FieldValueInvalid", field, message: withDetail(`Invalid value: ${formatBadValue(value)}`, detail) };
}

/** notSupported: `field.NotSupported` ("Unsupported value: "x": supported values: "a", "b""). */
export function notSupported(field: string, value: unknown, supported: readonly string[]): FieldCause {
  const detail = supported.length ? `supported values: ${supported.map((s) => goQuote(s)).join(", ")}` : "";
  return { type: "FieldValueNotSupported", field, message: withDetail(`Unsupported value: ${formatBadValue(value)}`, detail) };
}

/** duplicate: `field.Duplicate` ("Duplicate value: "x""). */
export function duplicate(field: string, value: unknown): FieldCause {
  return { type: "FieldValueDuplicate", field, message: `Duplicate value: ${formatBadValue(value)}` };
}

/** forbidden: `field.Forbidden` ("Forbidden: <detail>"). */
export function forbidden(field: string, detail: string): FieldCause {
  return { type: "FieldValueForbidden", field, message: withDetail("Forbidden", detail) };
}

/** tooLong: `field.TooLong` ("Too long: may not be more than N bytes"). */
export function tooLong(field: string, maxLength: number): FieldCause {
  return { type: "FieldValueTooLong", field, message: `Too long: may not be more than ${maxLength} ${maxLength === 1 ? "byte" : "bytes"}` };
}

/** notFound: `field.NotFound` ("Not found: "x""). */
export function notFound(field: string, value: unknown): FieldCause {
  return { type: "FieldValueNotFound", field, message: `Not found: ${formatBadValue(value)}` };
}

/** typeInvalid: `field.TypeInvalid`. */
export function typeInvalid(field: string, value: unknown, detail: string): FieldCause {
  return { type: "FieldValueTypeInvalid", field, message: withDetail(`Invalid value: ${formatBadValue(value)}`, detail) };
}

/** causeString is one cause as `field.Error.Error()` prints it: `<field>: <message>`. */
export function causeString(c: FieldCause): string {
  return c.field ? `${c.field}: ${c.message}` : c.message;
}

/**
 * invalidMessage is the Status message of a 422 Invalid error, as `errors.NewInvalid` writes it:
 * `Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: ...`, several causes in brackets.
 */
export function invalidMessage(qualifiedKind: string, name: string, causes: readonly FieldCause[]): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const c of causes) {
    const s = causeString(c);
    if (!seen.has(s)) { seen.add(s); parts.push(s); }
  }
  const agg = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
  return `${qualifiedKind} ${goQuote(name)} is invalid: ${agg}`;
}
