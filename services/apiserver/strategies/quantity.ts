/**
 * Resource quantities (`resource.Quantity`) read as numbers, enough to compare requests with
 * limits and tell zero from positive. Not a full Quantity implementation (no canonical form).
 */

const QUANTITY = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))([eE][+-]?[0-9]+|[kMGTPE]i?|[munk]|Ki)?$/;

const SUFFIX: Record<string, number> = {
  "": 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** parseQuantity returns the quantity's value, or undefined when it is not a quantity. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === "number") return Number.isFinite(q) ? q : undefined;
  if (typeof q !== "string") return undefined;
  const m = QUANTITY.exec(q.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const s = m[2] ?? "";
  if (/^[eE]/.test(s)) return n * 10 ** Number(s.slice(1));
  return n * SUFFIX[s];
}
