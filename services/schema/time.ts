/**
 * The JSON forms of metav1.Time / MicroTime (RFC3339) and metav1.Duration (Go duration
 * strings), as Go's time package reads and writes them. Pure functions, no Date parsing of
 * free text: the grammar is checked exactly.
 */

/** An instant as protobuf Timestamp parts: whole seconds since the Unix epoch and 0..999999999 nanos. */
export interface Instant {
  seconds: number;
  nanos: number;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):(\d{2}))$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
// 400 Gregorian years are exactly 146097 days: used to move years 0-99 out of Date.UTC's 19xx mapping.
const GREGORIAN_CYCLE_MS = 146097 * 86400 * 1000;

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/**
 * parseRFC3339 reads "2006-01-02T15:04:05[.999999999](Z|±07:00)" (what Go's time.RFC3339
 * parsing accepts, fractional seconds included); undefined when the text is not such a time.
 */
export function parseRFC3339(text: string): Instant | undefined {
  // Objects written together share their timestamps: remember recent answers.
  let parsed = parsedMemo.get(text);
  if (parsed === undefined) {
    parsed = parseRFC3339Uncached(text);
    if (!parsed) return undefined; // not remembered: only valid (short) texts are kept
    if (parsedMemo.size >= MEMO_SIZE) parsedMemo.clear();
    parsedMemo.set(text, parsed);
  }
  return { seconds: parsed.seconds, nanos: parsed.nanos };
}

/** How many recent timestamps each memo keeps (cleared when full). */
const MEMO_SIZE = 1024;
const parsedMemo = new Map<string, Instant>();

function parseRFC3339Uncached(text: string): Instant | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const dim = month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  if (day < 1 || day > dim) return undefined;
  let offset = 0;
  if (m[8] !== "Z") {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offset = (m[9] === "-" ? -1 : 1) * (oh * 3600 + om * 60);
  }
  const ms = Date.UTC(year + 400, month - 1, day, hour, minute, second) - GREGORIAN_CYCLE_MS;
  const nanos = m[7] ? Number(m[7].padEnd(9, "0")) : 0;
  return { seconds: ms / 1000 - offset, nanos };
}

/**
 * formatRFC3339 writes an instant in UTC as Kubernetes does: "2006-01-02T15:04:05Z" for Time,
 * "2006-01-02T15:04:05.000000Z" (microseconds) for MicroTime.
 */
export function formatRFC3339(seconds: number, nanos: number, micro: boolean): string {
  // The date part is the costly one and repeats (objects written in the same second): remember
  // recent ones, as Time writes them (one string per second, not a new one per object).
  let whole = formattedMemo.get(seconds);
  if (whole === undefined) {
    const iso = new Date(seconds * 1000).toISOString(); // "...T15:04:05.000Z"
    whole = `${iso.slice(0, iso.length - 5)}Z`;
    if (formattedMemo.size >= MEMO_SIZE) formattedMemo.clear();
    formattedMemo.set(seconds, whole);
  }
  if (!micro) return whole;
  return `${whole.slice(0, whole.length - 1)}.${String(Math.floor(nanos / 1000)).padStart(6, "0")}Z`;
}

const formattedMemo = new Map<number, string>();

const UNIT_NS: Record<string, number> = {
  ns: 1, us: 1e3, "\u00b5s": 1e3, "\u03bcs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9,
};
const DURATION = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+$/;
const DURATION_PART = /(\d*)(?:\.(\d*))?(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/g;

/**
 * parseGoDuration reads a Go duration string ("300ms", "-1.5h", "2h45m", "0") into
 * nanoseconds, as time.ParseDuration does (fractions of a nanosecond dropped); undefined when
 * the text is not a duration or does not fit a safe integer.
 */
export function parseGoDuration(text: string): number | undefined {
  if (text === "0" || text === "+0" || text === "-0") return 0;
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, whole, frac, unit] of text.matchAll(DURATION_PART)) {
    const scale = UNIT_NS[unit!]!;
    total += Number(whole || "0") * scale;
    if (frac) total += Math.floor(Number(`0.${frac}`) * scale);
  }
  if (!Number.isSafeInteger(total)) return undefined;
  return text.startsWith("-") ? -total : total;
}

/** formatGoDuration writes nanoseconds as Go's Duration.String does ("1h2m3.5s", "1.5µs", "0s"). */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return "0s";
  const sign = ns < 0 ? "-" : "";
  let n = Math.abs(ns);
  if (n < 1e9) {
    const [unit, scale] = n < 1e3 ? ["ns", 1] : n < 1e6 ? ["\u00b5s", 1e3] : ["ms", 1e6];
    return `${sign}${decimal(n, scale)}${unit}`;
  }
  const h = Math.floor(n / 3600e9);
  n -= h * 3600e9;
  const m = Math.floor(n / 60e9);
  n -= m * 60e9;
  const s = `${decimal(n, 1e9)}s`;
  if (h > 0) return `${sign}${h}h${m}m${s}`;
  if (m > 0) return `${sign}${m}m${s}`;
  return `${sign}${s}`;
}

/** decimal writes n/scale with the fraction's trailing zeros removed (scale a power of ten). */
function decimal(n: number, scale: number): string {
  const whole = Math.floor(n / scale);
  const frac = n - whole * scale;
  if (frac === 0) return String(whole);
  const digits = String(scale).length - 1;
  return `${whole}.${String(frac).padStart(digits, "0").replace(/0+$/, "")}`;
}
