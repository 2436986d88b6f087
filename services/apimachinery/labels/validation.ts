/**
 * validation: Kubernetes' string-format checks for label keys and values (and the DNS names
 * a key prefix must be), with Kubernetes' own error texts, plus the small field-error model
 * (`FieldCause`) that 422 responses carry. Mirrors `k8s.io/apimachinery/pkg/util/validation`
 * and `.../util/validation/field`.
 */

/** FieldCause: one field-level problem, shaped like metav1.StatusCause (`reason` is `type`). */
export interface FieldCause {
  /** Kubernetes cause type: "FieldValueInvalid", "FieldValueRequired", "FieldValueForbidden"... */
  type: string;
  /** The message without the field, e.g. `Invalid value: "a b": ...` (Kubernetes' ErrorBody). */
  message: string;
  /** Path of the field, e.g. `spec.selector.matchExpressions[0].key`. */
  field: string;
}

const LABEL_KEY_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_KEY_NAME_RE = new RegExp(`^${LABEL_KEY_NAME_FMT}$`);
const LABEL_KEY_NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${LABEL_KEY_NAME_FMT})?`;
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

/** Longest label value and label-key name part (bytes). */
export const LABEL_VALUE_MAX_LENGTH = 63;
/** Longest DNS-1123 subdomain (bytes), e.g. a label key prefix. */
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
/** Longest DNS-1123 label (bytes). */
export const DNS1123_LABEL_MAX_LENGTH = 63;

/** utf8Length: length in bytes, as Go's len() counts a string. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** regexError: Kubernetes' wording for a failed format check, examples included. */
export function regexError(msg: string, re: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${re}')`;
  let out = `${msg} (e.g. `;
  examples.forEach((example, i) => {
    if (i > 0) out += " or ";
    out += `'${example}', `;
  });
  return `${out}regex used for validation is '${re}')`;
}

/** maxLenError: Kubernetes' wording for a string that is too long. */
export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

const EMPTY_ERROR = "must be non-empty";

/** isDNS1123Label: problems with `value` as an RFC 1123 label (empty list when valid). */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!DNS1123_LABEL_RE.test(value)) {
    if (DNS1123_SUBDOMAIN_RE.test(value)) errs.push("must not contain dots");
    else errs.push(regexError(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, "my-name", "123-abc"));
  }
  return errs;
}

/** isDNS1123Subdomain: problems with `value` as an RFC 1123 subdomain (empty list when valid). */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!DNS1123_SUBDOMAIN_RE.test(value)) errs.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, "example.com"));
  return errs;
}

/**
 * isQualifiedName: problems with `value` as a label key, `[prefix/]name` where the optional
 * prefix is a DNS subdomain (≤253) and the name ≤63 alphanumerics with `-_.` inside.
 */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split("/");
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push(`prefix part ${EMPTY_ERROR}`);
    else for (const msg of isDNS1123Subdomain(prefix)) errs.push(`prefix part ${msg}`);
  } else {
    return [
      `a qualified name ${regexError(LABEL_KEY_NAME_MSG, LABEL_KEY_NAME_FMT, "MyName", "my.name", "123-abc")}` +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push(`name part ${EMPTY_ERROR}`);
  else if (utf8Length(name) > LABEL_VALUE_MAX_LENGTH) errs.push(`name part ${maxLenError(LABEL_VALUE_MAX_LENGTH)}`);
  if (!LABEL_KEY_NAME_RE.test(name)) errs.push(`name part ${regexError(LABEL_KEY_NAME_MSG, LABEL_KEY_NAME_FMT, "MyName", "my.name", "123-abc")}`);
  return errs;
}

/** isValidLabelValue: problems with `value` as a label value (empty list when valid; "" is valid). */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > LABEL_VALUE_MAX_LENGTH) errs.push(maxLenError(LABEL_VALUE_MAX_LENGTH));
  if (!LABEL_VALUE_RE.test(value)) errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
  return errs;
}

/** goQuote: a string quoted the way Go's `%q` prints it (how Kubernetes shows bad values). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else if (c >= 0xd800 && c <= 0xdfff) out += "\\ufffd";
    else out += ch;
  }
  return `${out}"`;
}

/** Go-style rendering of a bad value inside a field error. */
function renderValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return goQuote(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (Array.isArray(value)) return `[]string{${value.map((v) => (typeof v === "string" ? goQuote(v) : String(v))).join(", ")}}`;
  return JSON.stringify(value) ?? "null";
}

/** fieldInvalid: a FieldValueInvalid cause (`Invalid value: <value>: <detail>`). */
export function fieldInvalid(field: string, value: unknown, detail: string): FieldCause {
  return { type: "FieldValueInvalid", field, message: `Invalid value: ${renderValue(value)}${detail ? `: ${detail}` : ""}` };
}

/** fieldRequired: a FieldValueRequired cause (`Required value: <detail>`). */
export function fieldRequired(field: string, detail: string): FieldCause {
  return { type: "FieldValueRequired", field, message: `Required value${detail ? `: ${detail}` : ""}` };
}

/** fieldForbidden: a FieldValueForbidden cause (`Forbidden: <detail>`). */
export function fieldForbidden(field: string, detail: string): FieldCause {
  return { type: "FieldValueForbidden", field, message: `Forbidden${detail ? `: ${detail}` : ""}` };
}

/** causeToString: `<field>: <message>`, as Kubernetes prints one field error. */
export function causeToString(cause: FieldCause): string {
  return `${cause.field}: ${cause.message}`;
}

/**
 * aggregateMessage: several field errors as one message, Kubernetes' aggregate form
 * (one error alone; otherwise `[a, b]` without duplicates).
 */
export function aggregateMessage(causes: FieldCause[]): string {
  const seen = new Set<string>();
  const msgs: string[] = [];
  for (const c of causes) {
    const m = causeToString(c);
    if (seen.has(m)) continue;
    seen.add(m);
    msgs.push(m);
  }
  return msgs.length === 1 ? msgs[0]! : `[${msgs.join(", ")}]`;
}
