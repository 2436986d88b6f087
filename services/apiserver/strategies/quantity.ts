/**
 * Resource quantities read as numbers for validation (requests ≤ limits, zero or positive).
 * Parsing is apimachinery's `parseQuantity`; this only turns its result into a number and an
 * unparsable value into undefined (the caller reports it as a field error).
 */
import { parseQuantity as parse, QuantityError } from "../../apimachinery/index.js";

/** parseQuantity returns the quantity's value, or undefined when it is not a quantity. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q !== "number" && typeof q !== "string") return undefined;
  try {
    return Number(parse(q).nanos) / 1e9;
  } catch (err) {
    if (err instanceof QuantityError) return undefined;
    throw err;
  }
}
