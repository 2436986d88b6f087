/**
 * patch: the patch formats of the Kubernetes API on plain JSON objects (no I/O):
 * JSON patch (RFC 6902), JSON merge patch (RFC 7386), strategic merge patch with a per-kind
 * table of merge keys, and a simplified server-side apply that records managedFields.
 * Every function returns a new value and never mutates its inputs; failures are {@link PatchError}.
 *
 * @example
 * ```ts
 * import { applyStrategicMergePatch, applyJsonPatch, applyMergePatch, applyServerSide, PatchError } from "../apimachinery/index.js";
 * switch (contentType) {
 *   case "application/json-patch+json": next = applyJsonPatch(live, body); break;
 *   case "application/merge-patch+json": next = applyMergePatch(live, body); break;
 *   case "application/strategic-merge-patch+json": next = applyStrategicMergePatch(kind, live, body); break;
 *   case "application/apply-patch+yaml": ({ object: next } = applyServerSide(kind, live, body, fieldManager, { now })); break;
 * }
 * // catch (e) { if (e instanceof PatchError) reply Status with e.code and e.reason }
 * ```
 */
export { PatchError } from "./errors.js";
export { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS, type JsonPatchOperation } from "./json-patch.js";
export { parseJsonPointer, formatJsonPointer, escapeJsonPointerToken } from "./json-pointer.js";
export { applyMergePatch } from "./merge-patch.js";
export {
  applyStrategicMergePatch,
  applyStrategicMergePatchWithSchema,
  PATCH_DIRECTIVE,
  RETAIN_KEYS_DIRECTIVE,
  SET_ELEMENT_ORDER_PREFIX,
  DELETE_FROM_PRIMITIVE_LIST_PREFIX,
} from "./strategic-merge.js";
export {
  strategicPatchSchema,
  fieldPatchMeta,
  STRATEGIC_PATCH_SCHEMAS,
  type PatchMeta,
  type PatchStrategy,
} from "./strategic-schema.js";
export { applyServerSide, type ApplyResult, type ApplyOptions, type ManagedFieldsEntry } from "./server-side-apply.js";
export { fieldSetOf, fieldSetDifference, fieldSetUnion, type FieldSet } from "./field-set.js";
