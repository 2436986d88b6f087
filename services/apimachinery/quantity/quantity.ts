/**
 * quantity: resource quantities (`k8s.io/apimachinery/pkg/api/resource.Quantity`): `100m` CPU,
 * `128Mi` memory, `1.5`, `2e3`. Values are held exactly as a count of nano-units (BigInt);
 * parsing rounds anything finer than 1n up (away from zero), as Kubernetes does.
 *
 * A quantity remembers its suffix family (DecimalSI `k M G…`, BinarySI `Ki Mi Gi…`,
 * DecimalExponent `e3`) and prints in Kubernetes' canonical form: no fraction, the largest
 * suffix that keeps the value exact (`1.5` → `1500m`, `1.5Gi` → `1536Mi`, `1000` → `1k`).
 * A string that is already canonical is printed back as given, as Kubernetes does.
 *
 * ```ts
 * const used = addQuantity(parseQuantity("250m"), parseQuantity("1.5"));
 * formatQuantity(used);                                   // "1750m"
 * compareQuantity(used, parseQuantity("2")) < 0;           // fits
 * parseQuantity("128Mi").value();                          // 134217728
 * ```
 */

/** QuantityError: a string that is not a quantity; messages are Kubernetes' own. */
export class QuantityError extends Error {
  override name = "QuantityError";
}

/** QuantityFormat: the suffix family a quantity prints with. */
export type QuantityFormat = "DecimalSI" | "BinarySI" | "DecimalExponent";

const SPLIT_RE = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";
/** Kubernetes' messages for the three ways parsing fails. */
export const QUANTITY_ERROR_MESSAGES = {
  formatWrong: `quantities must match the regular expression '${SPLIT_RE}'`,
  numeric: "unable to parse numeric part of quantity",
  suffix: "unable to parse quantity's suffix",
} as const;

const NANOS_PER_UNIT = 1_000_000_000n;
const NANOS_PER_MILLI = 1_000_000n;
/** Largest BinarySI value Kubernetes keeps (2^63-1); larger ones are capped at parse. */
const BINARY_MAX_NANOS = (2n ** 63n - 1n) * NANOS_PER_UNIT;
/** Longest input accepted, and largest decimal exponent; beyond these Kubernetes' own values overflow int64 anyway. */
const MAX_INPUT_LENGTH = 1024;
const MAX_EXPONENT = 1000;

const DECIMAL_SUFFIXES: ReadonlyMap<string, number> = new Map([
  ["n", -9],
  ["u", -6],
  ["m", -3],
  ["", 0],
  ["k", 3],
  ["M", 6],
  ["G", 9],
  ["T", 12],
  ["P", 15],
  ["E", 18],
]);
const BINARY_SUFFIXES: ReadonlyMap<string, number> = new Map([
  ["Ki", 10],
  ["Mi", 20],
  ["Gi", 30],
  ["Ti", 40],
  ["Pi", 50],
  ["Ei", 60],
]);
const DECIMAL_BY_EXPONENT = new Map([...DECIMAL_SUFFIXES].map(([s, e]) => [e, s]));
const BINARY_BY_POWER = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

const abs = (v: bigint) => (v < 0n ? -v : v);
const pow10 = (n: number) => 10n ** BigInt(n);

/** Division rounding the magnitude up (away from zero). */
function divAwayFromZero(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d === 0n ? q : n < 0n ? q - 1n : q + 1n;
}

/** Quantity: an exact resource amount with its print format. Immutable. */
export class Quantity {
  /**
   * @param nanos value in units of 10^-9
   * @param format suffix family used when printing
   * @param original the input text, kept when it was already canonical (printed back as is)
   */
  constructor(
    readonly nanos: bigint,
    readonly format: QuantityFormat = "DecimalSI",
    private readonly original?: string,
  ) {}

  /** Quantity.isZero: whether the amount is zero. */
  isZero(): boolean {
    return this.nanos === 0n;
  }

  /** Quantity.sign: -1, 0 or 1. */
  sign(): -1 | 0 | 1 {
    return this.nanos < 0n ? -1 : this.nanos > 0n ? 1 : 0;
  }

  /** Quantity.milliValueBig: the value in thousandths, rounded up away from zero (exact). */
  milliValueBig(): bigint {
    return divAwayFromZero(this.nanos, NANOS_PER_MILLI);
  }

  /** Quantity.valueBig: the value in units, rounded up away from zero (exact). */
  valueBig(): bigint {
    return divAwayFromZero(this.nanos, NANOS_PER_UNIT);
  }

  /** Quantity.milliValue: Kubernetes' `MilliValue()` (`1.5` → 1500, `1n` → 1) as a number (exact below 2^53). */
  milliValue(): number {
    return Number(this.milliValueBig());
  }

  /** Quantity.value: Kubernetes' `Value()` (`100m` → 1, `1Ki` → 1024) as a number (exact below 2^53). */
  value(): number {
    return Number(this.valueBig());
  }

  /** Quantity.toString: the canonical form (or the input, when that was canonical). */
  toString(): string {
    return this.original ?? canonicalize(this.nanos, this.format);
  }

  /** Quantity.toJSON: quantities are strings in Kubernetes JSON. */
  toJSON(): string {
    return this.toString();
  }
}

/** Scans `[sign] digits [. digits] suffix` the way Kubernetes' scanner does. */
function scan(str: string): { positive: boolean; num: string; denom: string; suffix: string } {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (pos < end && (str[0] === "-" || str[0] === "+")) {
    positive = str[0] !== "-";
    pos++;
  }
  while (pos < end && str[pos] === "0") pos++;
  if (pos >= end) return { positive, num: "0", denom: "", suffix: "" };
  const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
  let start = pos;
  while (pos < end && isDigit(str[pos])) pos++;
  const num = pos > start ? str.slice(start, pos) : "0";
  let denom = "";
  if (pos < end && str[pos] === ".") {
    pos++;
    start = pos;
    while (pos < end && isDigit(str[pos])) pos++;
    denom = str.slice(start, pos);
  }
  const suffixStart = pos;
  while (pos < end && "eEinumkKMGTP".includes(str[pos]!)) pos++;
  if (pos < end && (str[pos] === "-" || str[pos] === "+")) pos++;
  while (pos < end && isDigit(str[pos])) pos++;
  if (pos < end) throw new QuantityError(QUANTITY_ERROR_MESSAGES.formatWrong);
  return { positive, num, denom, suffix: str.slice(suffixStart) };
}

function interpretSuffix(suffix: string): { base: 2 | 10; exponent: number; format: QuantityFormat } {
  const dec = DECIMAL_SUFFIXES.get(suffix);
  if (dec !== undefined) return { base: 10, exponent: dec, format: "DecimalSI" };
  const bin = BINARY_SUFFIXES.get(suffix);
  if (bin !== undefined) return { base: 2, exponent: bin, format: "BinarySI" };
  if (suffix.length > 1 && (suffix[0] === "e" || suffix[0] === "E") && /^[+-]?[0-9]+$/.test(suffix.slice(1))) {
    const exponent = Number(suffix.slice(1));
    if (Math.abs(exponent) <= MAX_EXPONENT) return { base: 10, exponent, format: "DecimalExponent" };
  }
  throw new QuantityError(QUANTITY_ERROR_MESSAGES.suffix);
}

/**
 * parseQuantity: the Quantity a string (or a JSON number) denotes, or a QuantityError with
 * Kubernetes' message. Accepts `[+-]digits[.digits]` with a suffix among `n u m "" k M G T P E`,
 * `Ki Mi Gi Ti Pi Ei`, or an exponent `e<int>`/`E<int>`. Whitespace is not trimmed.
 */
export function parseQuantity(input: string | number): Quantity {
  if (typeof input === "number") {
    if (!Number.isFinite(input)) throw new QuantityError(QUANTITY_ERROR_MESSAGES.formatWrong);
    input = String(input);
  }
  if (typeof input !== "string" || input.length === 0) throw new QuantityError(QUANTITY_ERROR_MESSAGES.formatWrong);
  if (input === "0") return new Quantity(0n, "DecimalSI", "0");
  if (input.length > MAX_INPUT_LENGTH) throw new QuantityError(QUANTITY_ERROR_MESSAGES.numeric);

  const { positive, num, denom, suffix } = scan(input);
  const { base, exponent, format: parsedFormat } = interpretSuffix(suffix);
  let format = parsedFormat;
  const digits = BigInt(num + denom);

  let nanos: bigint;
  if (base === 10) {
    const shift = exponent - denom.length + 9; // digits × 10^shift nanos
    nanos = shift >= 0 ? digits * pow10(shift) : divAwayFromZero(digits, pow10(-shift));
  } else {
    nanos = divAwayFromZero(digits * (1n << BigInt(exponent)) * NANOS_PER_UNIT, pow10(denom.length));
    if (nanos > BINARY_MAX_NANOS) nanos = BINARY_MAX_NANOS;
    if (nanos > 0n && nanos < NANOS_PER_UNIT) format = "DecimalSI";
  }
  if (!positive) nanos = -nanos;
  return new Quantity(nanos, format, keepsOriginal(input, num, denom, base, exponent) ? input : undefined);
}

/**
 * Whether Kubernetes keeps the input text as the printed form: only on its int64 fast path,
 * and only when the text has no trailing zeros to move into the suffix.
 */
function keepsOriginal(input: string, num: string, denom: string, base: 2 | 10, exponent: number): boolean {
  const shifted = num + denom;
  if (base === 10) {
    const scale = exponent - denom.length;
    const fastPath = 18 - shifted.length >= 0 && scale >= -9;
    return fastPath && scale % 3 === 0 && !shifted.endsWith("000") && shifted[0] !== "0";
  }
  const precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
  if (denom.length > 0 || precision < 0) return false;
  const value = BigInt(shifted);
  if (value << BigInt(exponent) > 2n ** 63n - 1n) return false;
  return exponent % 10 === 0 && (value & 7n) !== 0n;
}

/** Kubernetes' canonical text for an amount: exact, no fraction, largest suffix. */
function canonicalize(nanos: bigint, format: QuantityFormat): string {
  if (nanos === 0n) return "0";
  let fmt = format;
  if (fmt === "BinarySI" && (abs(nanos) < 1024n * NANOS_PER_UNIT || nanos % NANOS_PER_UNIT !== 0n)) fmt = "DecimalSI";
  if (fmt === "BinarySI") {
    let mantissa = nanos / NANOS_PER_UNIT;
    let power = 0;
    while (power < BINARY_BY_POWER.length - 1 && abs(mantissa) >= 1024n && mantissa % 1024n === 0n) {
      mantissa /= 1024n;
      power++;
    }
    return `${mantissa}${BINARY_BY_POWER[power]}`;
  }
  let mantissa = nanos;
  let exponent = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  while (exponent % 3 !== 0) {
    mantissa *= 10n;
    exponent--;
  }
  if (fmt === "DecimalExponent") return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  if (exponent > 18) {
    mantissa *= pow10(exponent - 18);
    exponent = 18;
  }
  return `${mantissa}${DECIMAL_BY_EXPONENT.get(exponent)}`;
}

/** formatQuantity: the text Kubernetes prints for `q` (e.g. in JSON). */
export function formatQuantity(q: Quantity): string {
  return q.toString();
}

/** compareQuantity: -1, 0 or 1 as `a` is less than, equal to or greater than `b`. */
export function compareQuantity(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

/** addQuantity: `a + b`, exactly; the format is `a`'s, or `b`'s when `a` is zero (as Kubernetes' Add). */
export function addQuantity(a: Quantity, b: Quantity): Quantity {
  return new Quantity(a.nanos + b.nanos, a.isZero() ? b.format : a.format);
}

/** subtractQuantity: `a - b`, exactly; the format is `a`'s, or `b`'s when `a` is zero (as Kubernetes' Sub). */
export function subtractQuantity(a: Quantity, b: Quantity): Quantity {
  return new Quantity(a.nanos - b.nanos, a.isZero() ? b.format : a.format);
}

/** negateQuantity: `-q`. */
export function negateQuantity(q: Quantity): Quantity {
  return new Quantity(-q.nanos, q.format);
}

/** sumQuantities: the sum of all `qs` (zero when empty), formats as repeated `addQuantity`. */
export function sumQuantities(qs: Iterable<Quantity>): Quantity {
  let total = new Quantity(0n);
  for (const q of qs) total = addQuantity(total, q);
  return total;
}

/** quantityFromMilli: a quantity of `milli` thousandths (Kubernetes' NewMilliQuantity). */
export function quantityFromMilli(milli: number | bigint, format: QuantityFormat = "DecimalSI"): Quantity {
  return new Quantity(toBigInt(milli, "milli") * NANOS_PER_MILLI, format);
}

/** quantityFromValue: a quantity of `value` units (Kubernetes' NewQuantity). */
export function quantityFromValue(value: number | bigint, format: QuantityFormat = "DecimalSI"): Quantity {
  return new Quantity(toBigInt(value, "value") * NANOS_PER_UNIT, format);
}

function toBigInt(v: number | bigint, what: string): bigint {
  if (typeof v === "bigint") return v;
  if (!Number.isSafeInteger(v)) throw new QuantityError(`${what} must be a safe integer, not ${v}`);
  return BigInt(v);
}
