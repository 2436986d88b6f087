/** FieldSelectorError: a field selector that cannot be parsed, or names a field the kind does not support (HTTP 400). */
export class FieldSelectorError extends Error {
  override name = "FieldSelectorError";
}
