/**
 * labels: Kubernetes label selectors: the `?labelSelector=` string form, the metav1.LabelSelector
 * struct, and label key/value validation with Kubernetes' messages.
 *
 * ```ts
 * import { parseLabelSelector, matchesLabelSelector, LabelSelectorError } from "../apimachinery/index.js";
 * const sel = parseLabelSelector("app=web,tier notin (db)"); // throws LabelSelectorError → 400
 * items.filter((o) => sel.matches(o.metadata.labels));
 * matchesLabelSelector(rs.spec.selector, pod.metadata.labels);
 * ```
 */
export { LabelSelectorError, Requirement, Selector, parseLabelSelector, selectorFromSet, type Labels, type Operator } from "./selector.js";
export {
  labelSelectorAsString,
  labelSelectorFromString,
  matchesLabelSelector,
  selectorFromLabelSelector,
  validateLabelName,
  validateLabelSelector,
  validateLabelSelectorRequirement,
  validateLabels,
  type LabelSelector,
  type LabelSelectorOperator,
  type LabelSelectorRequirement,
} from "./label-selector.js";
export {
  DNS1123_LABEL_MAX_LENGTH,
  DNS1123_SUBDOMAIN_MAX_LENGTH,
  LABEL_VALUE_MAX_LENGTH,
  aggregateMessage,
  fieldForbidden,
  fieldInvalid,
  fieldRequired,
  goQuote,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  type FieldCause,
} from "./validation.js";
