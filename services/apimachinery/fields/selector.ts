/**
 * selector: field selectors as Kubernetes parses and matches them (`k8s.io/apimachinery/pkg/fields`).
 *
 * The string form (`?fieldSelector=`) is comma-separated terms `field=value`, `field==value` or
 * `field!=value`, ANDed. In a value, `\,` `\=` and `\\` stand for `,` `=` and `\`; any other
 * escape, an unescaped `=`, or a trailing `\` is an error. Terms are sorted; `toString()`
 * prints `=` for both equality spellings and re-escapes values.
 *
 * ```ts
 * const s = parseFieldSelector("spec.nodeName=node-1,status.phase!=Succeeded", "Pod");
 * matchesFields(s, fieldsOf("Pod", pod)); // true/false
 * ```
 */
import { FieldSelectorError } from "./errors.js";
import { convertFieldLabel } from "./selectable.js";

/** FieldTerm: one `field=value` (`equal`) or `field!=value` (`!equal`) term. */
export interface FieldTerm {
  readonly field: string;
  readonly operator: "=" | "!=";
  readonly value: string;
}

/** FieldSelector: an AND of field terms; immutable. */
export class FieldSelector {
  constructor(
    /** The terms, in the order Kubernetes keeps them (sorted by their source text). */
    readonly terms: readonly FieldTerm[],
  ) {}

  /** FieldSelector.everything: the empty selector. */
  static readonly everything = new FieldSelector([]);

  /** FieldSelector.empty: true when the selector restricts nothing. */
  get empty(): boolean {
    return this.terms.length === 0;
  }

  /** FieldSelector.matches: whether every term holds; a field missing from `fields` reads as "". */
  matches(fields: Readonly<Record<string, string>>): boolean {
    for (const t of this.terms) {
      const have = Object.prototype.hasOwnProperty.call(fields, t.field) ? fields[t.field]! : "";
      if ((have === t.value) !== (t.operator === "=")) return false;
    }
    return true;
  }

  /** FieldSelector.requiresExactMatch: the value an `=` term requires of `field`, or undefined. */
  requiresExactMatch(field: string): string | undefined {
    return this.terms.find((t) => t.field === field && t.operator === "=")?.value;
  }

  /** FieldSelector.transform: a copy with `fn` applied to every term's field and value. */
  transform(fn: (field: string, value: string) => { field: string; value: string }): FieldSelector {
    return new FieldSelector(this.terms.map((t) => ({ ...fn(t.field, t.value), operator: t.operator })));
  }

  /** FieldSelector.toString: the canonical string form, values escaped. */
  toString(): string {
    return this.terms.map((t) => `${t.field}${t.operator}${escapeFieldValue(t.value)}`).join(",");
  }
}

/** escapeFieldValue: a literal value made safe for a field selector (`\` `,` `=` escaped). */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** unescapeFieldValue: the literal value an escaped field selector value stands for. */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = "";
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== "\\" && c !== "," && c !== "=") throw new FieldSelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
      continue;
    }
    if (c === "\\") inSlash = true;
    else if (c === "," || c === "=") throw new FieldSelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw new FieldSelectorError("invalid field selector: invalid escape sequence: \\");
  return out;
}

/** Splits on commas that are not escaped; escapes stay in the terms. */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === "\\") inSlash = true;
    else if (c === ",") {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

const TERM_OPERATORS = ["!=", "==", "="] as const;

/** Splits a term at the first operator; the field part allows no escapes. */
function splitTerm(term: string): { lhs: string; op: (typeof TERM_OPERATORS)[number]; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/**
 * parseFieldSelector: the selector a `fieldSelector` query string means, or a
 * FieldSelectorError with Kubernetes' message (`invalid selector: '<s>'; can't understand '<term>'`).
 * With `kind`, each field must be one Kubernetes supports for that kind
 * (`field label not supported: <field>`), and legacy names are converted (Pod `spec.host`).
 */
export function parseFieldSelector(s: string, kind?: string): FieldSelector {
  if (typeof s !== "string") throw new FieldSelectorError(`field selector must be a string, not ${s === null ? "null" : typeof s}`);
  const parts = splitTerms(s).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const terms: FieldTerm[] = [];
  for (const part of parts) {
    if (part === "") continue;
    const split = splitTerm(part);
    if (!split) throw new FieldSelectorError(`invalid selector: '${s}'; can't understand '${part}'`);
    const value = unescapeFieldValue(split.rhs);
    terms.push({ field: split.lhs, operator: split.op === "!=" ? "!=" : "=", value });
  }
  const selector = new FieldSelector(terms);
  return kind === undefined ? selector : selector.transform((field, value) => ({ field: convertFieldLabel(kind, field), value }));
}

/** matchesFields: whether `fields` (from `fieldsOf`) satisfy the selector. */
export function matchesFields(selector: FieldSelector, fields: Readonly<Record<string, string>>): boolean {
  return selector.matches(fields);
}
