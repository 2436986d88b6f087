/**
 * selector: label selectors as Kubernetes parses and matches them (`k8s.io/apimachinery/pkg/labels`).
 *
 * Grammar of the string form (`?labelSelector=`), requirements ANDed by commas:
 * ```
 *   <requirement> ::= [!] KEY [ ("in" | "notin") "(" VALUE {"," VALUE} ")" | ("=" | "==" | "!=" | ">" | "<") VALUE ]
 * ```
 * `KEY` alone means "exists", `!KEY` "does not exist"; an empty VALUE is allowed. Whitespace
 * (space, tab, CR, LF) separates tokens. Keys and values are validated as label keys and values.
 * Requirements are sorted by key, values deduplicated and sorted, so `toString()` is canonical.
 *
 * ```ts
 * const s = parseLabelSelector("app=web,tier in (front,back),!canary");
 * s.matches({ app: "web", tier: "front" }); // true
 * s.toString(); // "!canary,app=web,tier in (back,front)"
 * ```
 */
import { aggregateMessage, fieldInvalid, isQualifiedName, isValidLabelValue, type FieldCause } from "./validation.js";

/** LabelSelectorError: a label selector that cannot be parsed or built (HTTP 400 when it came from a query). */
export class LabelSelectorError extends Error {
  override name = "LabelSelectorError";
  /** Field-level causes when the error came from validating a requirement. */
  readonly causes: FieldCause[];
  constructor(message: string, causes: FieldCause[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.causes = causes;
  }
}

/** Operator: a requirement's operator, spelled as Kubernetes' `selection.Operator`. */
export type Operator = "in" | "notin" | "=" | "==" | "!=" | "exists" | "!" | "gt" | "lt";

/** Labels: a label set, as `metadata.labels` holds it (absent means no labels). */
export type Labels = Readonly<Record<string, string>> | null | undefined;

const BINARY_OPERATORS = ["in", "notin", "=", "==", "!=", "gt", "lt"];
const VALID_OPERATORS = [...BINARY_OPERATORS, "exists", "!"];
const INTEGER_RE = /^[+-]?[0-9]+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function hasOwn(labels: Labels, key: string): labels is Readonly<Record<string, string>> {
  return labels != null && Object.prototype.hasOwnProperty.call(labels, key);
}

/** Go's strconv.ParseInt(s, 10, 64), or undefined when it fails. */
function parseInt64(s: string): bigint | undefined {
  if (!INTEGER_RE.test(s)) return undefined;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}

/** Requirement: one term of a selector: a key, an operator and its values. */
export class Requirement {
  private constructor(
    readonly key: string,
    readonly operator: Operator,
    /** Values as given (for In/NotIn from a string selector: sorted and deduplicated). */
    readonly values: readonly string[],
  ) {}

  /**
   * Requirement.create validates like Kubernetes' `NewRequirement` and throws a
   * LabelSelectorError listing every problem (`path` prefixes the field names, e.g.
   * `spec.selector.matchExpressions[0]`).
   */
  static create(key: string, operator: Operator, values: readonly string[], path = ""): Requirement {
    const causes = requirementCauses(key, operator, values, path);
    if (causes.length > 0) throw new LabelSelectorError(aggregateMessage(causes), causes);
    return new Requirement(key, operator, [...values]);
  }

  /** Requirement.matches: whether the label set satisfies this requirement. */
  matches(labels: Labels): boolean {
    switch (this.operator) {
      case "in":
      case "=":
      case "==":
        return hasOwn(labels, this.key) && this.values.includes(labels[this.key]!);
      case "notin":
      case "!=":
        return !hasOwn(labels, this.key) || !this.values.includes(labels[this.key]!);
      case "exists":
        return hasOwn(labels, this.key);
      case "!":
        return !hasOwn(labels, this.key);
      case "gt":
      case "lt": {
        if (!hasOwn(labels, this.key) || this.values.length !== 1) return false;
        const have = parseInt64(labels[this.key]!);
        const want = parseInt64(this.values[0]!);
        if (have === undefined || want === undefined) return false;
        return this.operator === "gt" ? have > want : have < want;
      }
    }
  }

  /** Requirement.toString: Kubernetes' string form (`!a`, `a`, `a=b`, `a in (x,y)`, values sorted). */
  toString(): string {
    const key = this.key;
    const values = () => (this.values.length === 1 ? this.values[0]! : [...this.values].sort(compareBytes).join(","));
    switch (this.operator) {
      case "exists":
        return key;
      case "!":
        return `!${key}`;
      case "in":
        return `${key} in (${values()})`;
      case "notin":
        return `${key} notin (${values()})`;
      case "gt":
        return `${key}>${values()}`;
      case "lt":
        return `${key}<${values()}`;
      default:
        return `${key}${this.operator}${values()}`;
    }
  }
}

/** compareBytes: Go's string order (byte-wise) for the strings selectors hold. */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function requirementCauses(key: string, operator: Operator, values: readonly string[], path: string): FieldCause[] {
  const child = (name: string) => (path ? `${path}.${name}` : name);
  const causes: FieldCause[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length > 0) causes.push(fieldInvalid(child("key"), key, keyErrs.join("; ")));
  const valuesPath = child("values");
  switch (operator) {
    case "in":
    case "notin":
      if (values.length === 0) causes.push(fieldInvalid(valuesPath, values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case "=":
    case "==":
    case "!=":
      if (values.length !== 1) causes.push(fieldInvalid(valuesPath, values, "exact-match compatibility requires one single value"));
      break;
    case "exists":
    case "!":
      if (values.length !== 0) causes.push(fieldInvalid(valuesPath, values, "values set must be empty for exists and does not exist"));
      break;
    case "gt":
    case "lt":
      if (values.length !== 1) causes.push(fieldInvalid(valuesPath, values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) causes.push(fieldInvalid(`${valuesPath}[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default:
      causes.push({
        type: "FieldValueNotSupported",
        field: child("operator"),
        message: `Unsupported value: ${JSON.stringify(operator)}: supported values: ${VALID_OPERATORS.map((o) => JSON.stringify(o)).join(", ")}`,
      });
  }
  values.forEach((v, i) => {
    const errs = isValidLabelValue(v);
    if (errs.length > 0) causes.push(fieldInvalid(`${valuesPath}[${i}][${key}]`, v, errs.join("; ")));
  });
  return causes;
}

/**
 * Selector: an AND of requirements (or, for `Selector.nothing`, a selector matching nothing).
 * Immutable.
 */
export class Selector {
  private constructor(
    /** Requirements sorted by key. */
    readonly requirements: readonly Requirement[],
    private readonly matchesNothing: boolean,
  ) {}

  /** Selector.everything: matches every label set (the empty selector). */
  static readonly everything = new Selector([], false);
  /** Selector.nothing: matches no label set (what an absent metav1 LabelSelector means). */
  static readonly nothing = new Selector([], true);

  /** Selector.of: a selector from requirements, sorted by key as Kubernetes does. */
  static of(requirements: readonly Requirement[]): Selector {
    if (requirements.length === 0) return Selector.everything;
    return new Selector(
      requirements.map((r, i) => [r, i] as const).sort((a, b) => compareBytes(a[0].key, b[0].key) || a[1] - b[1]).map(([r]) => r),
      false,
    );
  }

  /** Selector.empty: true when this selector does not restrict anything (false for `nothing`). */
  get empty(): boolean {
    return !this.matchesNothing && this.requirements.length === 0;
  }

  /** Selector.isNothing: true for the selector that matches nothing. */
  get isNothing(): boolean {
    return this.matchesNothing;
  }

  /** Selector.matches: whether every requirement holds for `labels`. */
  matches(labels: Labels): boolean {
    if (this.matchesNothing) return false;
    for (const r of this.requirements) if (!r.matches(labels)) return false;
    return true;
  }

  /** Selector.add: a new selector with more requirements. */
  add(...requirements: Requirement[]): Selector {
    if (this.matchesNothing) return this;
    return Selector.of([...this.requirements, ...requirements]);
  }

  /**
   * Selector.requiresExactMatch: the one value `label` must have (from `=`, `==`, or `in` with
   * one value), or undefined.
   */
  requiresExactMatch(label: string): string | undefined {
    for (const r of this.requirements) {
      if (r.key !== label) continue;
      if ((r.operator === "=" || r.operator === "==" || r.operator === "in") && r.values.length === 1) return r.values[0];
      return undefined;
    }
    return undefined;
  }

  /** Selector.toString: the canonical string form (`""` for everything and for nothing). */
  toString(): string {
    return this.requirements.map((r) => r.toString()).join(",");
  }
}

/** selectorFromSet: a selector requiring each label to equal its value (empty set → everything). */
export function selectorFromSet(set: Labels): Selector {
  if (!set) return Selector.everything;
  return Selector.of(Object.entries(set).map(([k, v]) => Requirement.create(k, "=", [v])));
}

// ---------------------------------------------------------------------------------------------
// Lexer and parser

const enum Tok {
  Error,
  EndOfString,
  ClosedPar,
  Comma,
  DoesNotExist,
  DoubleEquals,
  Equals,
  GreaterThan,
  Identifier,
  In,
  LessThan,
  NotEquals,
  NotIn,
  OpenPar,
}

const LITERAL_TOKENS: ReadonlyMap<string, Tok> = new Map([
  [")", Tok.ClosedPar],
  [",", Tok.Comma],
  ["!", Tok.DoesNotExist],
  ["==", Tok.DoubleEquals],
  ["=", Tok.Equals],
  [">", Tok.GreaterThan],
  ["in", Tok.In],
  ["<", Tok.LessThan],
  ["!=", Tok.NotEquals],
  ["notin", Tok.NotIn],
  ["(", Tok.OpenPar],
]);

interface Item {
  tok: Tok;
  lit: string;
}

const isWhitespace = (ch: string) => ch === " " || ch === "\t" || ch === "\r" || ch === "\n";
const isSpecial = (ch: string) => ch === "=" || ch === "!" || ch === "(" || ch === ")" || ch === "," || ch === ">" || ch === "<";
/** What the lexer reads past the end (Go reads a 0 byte; a NUL in the input reads the same). */
const END = "\0";

/** Tokenizes the whole selector, exactly as Kubernetes' lexer splits it. */
function lex(s: string): Item[] {
  let pos = 0;
  const read = (): string => (pos < s.length ? s[pos++]! : END);
  const unread = () => {
    pos--;
  };
  const items: Item[] = [];
  for (;;) {
    let ch = read();
    while (isWhitespace(ch)) ch = read();
    let item: Item;
    if (ch === END) {
      item = { tok: Tok.EndOfString, lit: "" };
    } else if (isSpecial(ch)) {
      unread();
      let buffer = "";
      let last: Item | undefined;
      for (;;) {
        const c = read();
        if (c === END) break;
        if (!isSpecial(c)) {
          unread();
          break;
        }
        buffer += c;
        const tok = LITERAL_TOKENS.get(buffer);
        if (tok !== undefined) last = { tok, lit: buffer };
        else if (last) {
          unread();
          break;
        }
      }
      item = last ?? { tok: Tok.Error, lit: `error expected: keyword found '${buffer}'` };
    } else {
      unread();
      let buffer = "";
      for (;;) {
        const c = read();
        if (c === END) break;
        if (isSpecial(c) || isWhitespace(c)) {
          unread();
          break;
        }
        buffer += c;
      }
      item = { tok: LITERAL_TOKENS.get(buffer) ?? Tok.Identifier, lit: buffer };
    }
    items.push(item);
    if (item.tok === Tok.EndOfString) return items;
  }
}

/** Where a token is read: in values, the words `in` and `notin` are plain identifiers. */
const enum Context {
  KeyAndOperator,
  Values,
}

class Parser {
  private position = 0;
  constructor(private readonly items: Item[]) {}

  private lookahead(ctx: Context): Item {
    return this.asContext(this.items[this.position]!, ctx);
  }

  private consume(ctx: Context): Item {
    return this.asContext(this.items[this.position++]!, ctx);
  }

  private asContext(item: Item, ctx: Context): Item {
    if (ctx === Context.Values && (item.tok === Tok.In || item.tok === Tok.NotIn)) return { tok: Tok.Identifier, lit: item.lit };
    return item;
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(Context.Values);
      switch (tok) {
        case Tok.Identifier:
        case Tok.DoesNotExist: {
          let r: Requirement;
          try {
            r = this.parseRequirement();
          } catch (err) {
            if (err instanceof LabelSelectorError) {
              throw new LabelSelectorError(`unable to parse requirement: ${err.message}`, err.causes, { cause: err });
            }
            throw err;
          }
          requirements.push(r);
          const next = this.consume(Context.Values);
          if (next.tok === Tok.EndOfString) return requirements;
          if (next.tok === Tok.Comma) {
            const after = this.lookahead(Context.Values);
            if (after.tok !== Tok.Identifier && after.tok !== Tok.DoesNotExist) {
              throw new LabelSelectorError(`found '${after.lit}', expected: identifier after ','`);
            }
            break;
          }
          throw new LabelSelectorError(`found '${next.lit}', expected: ',' or 'end of string'`);
        }
        case Tok.EndOfString:
          return requirements;
        default:
          throw new LabelSelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): Requirement {
    const { key, operator: inferred } = this.parseKeyAndInferOperator();
    if (inferred) return Requirement.create(key, inferred, []);
    const operator = this.parseOperator();
    const values = operator === "in" || operator === "notin" ? this.parseValues() : this.parseExactValue();
    return Requirement.create(key, operator, [...values].sort(compareBytes));
  }

  private parseKeyAndInferOperator(): { key: string; operator?: "exists" | "!" } {
    let operator: "exists" | "!" | undefined;
    let item = this.consume(Context.Values);
    if (item.tok === Tok.DoesNotExist) {
      operator = "!";
      item = this.consume(Context.Values);
    }
    if (item.tok !== Tok.Identifier) throw new LabelSelectorError(`found '${item.lit}', expected: identifier`);
    const errs = isQualifiedName(item.lit);
    if (errs.length > 0) {
      const cause = fieldInvalid("<nil>", item.lit, errs.join("; "));
      throw new LabelSelectorError(aggregateMessage([cause]), [cause]);
    }
    const next = this.lookahead(Context.Values).tok;
    if ((next === Tok.EndOfString || next === Tok.Comma) && operator !== "!") operator = "exists";
    return operator ? { key: item.lit, operator } : { key: item.lit };
  }

  private parseOperator(): Operator {
    const { tok, lit } = this.consume(Context.KeyAndOperator);
    switch (tok) {
      case Tok.In:
        return "in";
      case Tok.Equals:
        return "=";
      case Tok.DoubleEquals:
        return "==";
      case Tok.GreaterThan:
        return "gt";
      case Tok.LessThan:
        return "lt";
      case Tok.NotIn:
        return "notin";
      case Tok.NotEquals:
        return "!=";
      default:
        throw new LabelSelectorError(`found '${lit}', expected: ${BINARY_OPERATORS.join(", ")}`);
    }
  }

  private parseValues(): Set<string> {
    const open = this.consume(Context.Values);
    if (open.tok !== Tok.OpenPar) throw new LabelSelectorError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead(Context.Values);
    switch (tok) {
      case Tok.Identifier:
      case Tok.Comma: {
        const values = this.parseIdentifiersList();
        if (this.consume(Context.Values).tok !== Tok.ClosedPar) throw new LabelSelectorError(`found '${lit}', expected: ')'`);
        return values;
      }
      case Tok.ClosedPar:
        this.consume(Context.Values);
        return new Set([""]);
      default:
        throw new LabelSelectorError(`found '${lit}', expected: ',', ')' or identifier`);
    }
  }

  private parseIdentifiersList(): Set<string> {
    const values = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume(Context.Values);
      if (tok === Tok.Identifier) {
        values.add(lit);
        const next = this.lookahead(Context.Values);
        if (next.tok === Tok.Comma) continue;
        if (next.tok === Tok.ClosedPar) return values;
        throw new LabelSelectorError(`found '${next.lit}', expected: ',' or ')'`);
      } else if (tok === Tok.Comma) {
        // "(," ",," and ",)" each stand for an empty value
        if (values.size === 0) values.add("");
        const next = this.lookahead(Context.Values).tok;
        if (next === Tok.ClosedPar) {
          values.add("");
          return values;
        }
        if (next === Tok.Comma) values.add("");
      } else {
        throw new LabelSelectorError(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): Set<string> {
    const ahead = this.lookahead(Context.Values).tok;
    if (ahead === Tok.EndOfString || ahead === Tok.Comma) return new Set([""]);
    const { tok, lit } = this.consume(Context.Values);
    if (tok === Tok.Identifier) return new Set([lit]);
    throw new LabelSelectorError(`found '${lit}', expected: identifier`);
  }
}

/**
 * parseLabelSelector: the selector a `labelSelector` query string means, or a
 * LabelSelectorError with Kubernetes' message (e.g. `found ')', expected: identifier`,
 * `unable to parse requirement: ...`). `""` gives `Selector.everything`.
 */
export function parseLabelSelector(s: string): Selector {
  if (typeof s !== "string") throw new LabelSelectorError(`label selector must be a string, not ${s === null ? "null" : typeof s}`);
  return Selector.of(new Parser(lex(s)).parse());
}
