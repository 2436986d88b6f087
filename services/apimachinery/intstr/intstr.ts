/**
 * intstr: IntOrString values such as a Deployment's `maxSurge: 25%` / `maxUnavailable: 1`
 * (`k8s.io/apimachinery/pkg/util/intstr`). A JSON number is the int form, a JSON string the
 * string form; only strings ending in `%` are usable as scaled values.
 *
 * ```ts
 * scaledValueFromIntOrPercent("25%", 10, true);  // 3 (maxSurge rounds up)
 * scaledValueFromIntOrPercent("25%", 10, false); // 2 (maxUnavailable rounds down)
 * scaledValueFromIntOrPercent(1, 10, true);      // 1
 * ```
 */

/** IntOrStringError: an IntOrString that is not an int or a percentage; messages are Kubernetes' own. */
export class IntOrStringError extends Error {
  override name = "IntOrStringError";
}

/** IntOrString: the JSON forms of an intstr.IntOrString. */
export type IntOrString = number | string;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const PERCENT_FMT = "[0-9]+%";
const PERCENT_RE = /^[0-9]+%$/;

/** isPercent: whether `v` is the string form ending in `%` (what scaling treats as a percentage). */
export function isPercent(v: unknown): v is string {
  return typeof v === "string" && v.endsWith("%");
}

/**
 * isValidPercent: problems with `s` as a percentage for validation (`[0-9]+%`), with
 * Kubernetes' message; empty when valid.
 */
export function isValidPercent(s: string): string[] {
  if (PERCENT_RE.test(s)) return [];
  return [
    `a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '${PERCENT_FMT}')`,
  ];
}

/** Go's strconv.Atoi (64-bit), failing with Go's message. */
function atoi(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new IntOrStringError(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  const v = BigInt(s);
  if (v < INT64_MIN || v > INT64_MAX) throw new IntOrStringError(`strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`);
  return Number(v);
}

/** The int value and whether it is a percentage, as Kubernetes' getIntOrPercentValueSafely. */
function intOrPercentValue(v: unknown): { value: number; percent: boolean } {
  if (typeof v === "number") {
    if (!Number.isInteger(v)) throw new IntOrStringError("invalid type: neither int nor percentage");
    return { value: v, percent: false };
  }
  if (typeof v === "string") {
    if (!v.endsWith("%")) throw new IntOrStringError("invalid type: string is not a percentage");
    try {
      return { value: atoi(v.slice(0, -1)), percent: true };
    } catch (err) {
      throw new IntOrStringError(`invalid value ${JSON.stringify(v)}: ${(err as Error).message}`);
    }
  }
  throw new IntOrStringError("invalid type: neither int nor percentage");
}

/**
 * scaledValueFromIntOrPercent: Kubernetes' `GetScaledValueFromIntOrPercent`: an int is
 * returned as is; `"N%"` is N% of `total`, rounded up (`roundUp`, as for maxSurge) or down
 * (as for maxUnavailable). Anything else throws an IntOrStringError such as
 * `invalid value for IntOrString: invalid type: string is not a percentage`.
 */
export function scaledValueFromIntOrPercent(v: IntOrString | null | undefined, total: number, roundUp: boolean): number {
  if (v === null || v === undefined) throw new IntOrStringError("nil value for IntOrString");
  let parsed: { value: number; percent: boolean };
  try {
    parsed = intOrPercentValue(v);
  } catch (err) {
    throw new IntOrStringError(`invalid value for IntOrString: ${(err as Error).message}`, { cause: err });
  }
  if (!parsed.percent) return parsed.value;
  const scaled = (parsed.value * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}
