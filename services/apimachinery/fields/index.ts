/**
 * fields: Kubernetes field selectors: the `?fieldSelector=` string form with its escaping, and the
 * selectable fields of each kind.
 *
 * ```ts
 * import { parseFieldSelector, fieldsOf, matchesFields, FieldSelectorError } from "../apimachinery/index.js";
 * const sel = parseFieldSelector("spec.nodeName=n1", "Pod"); // FieldSelectorError → 400
 * pods.filter((p) => matchesFields(sel, fieldsOf("Pod", p)));
 * ```
 */
export { FieldSelectorError } from "./errors.js";
export { FieldSelector, escapeFieldValue, matchesFields, parseFieldSelector, unescapeFieldValue, type FieldTerm } from "./selector.js";
export { convertFieldLabel, fieldsOf, supportedFields } from "./selectable.js";
