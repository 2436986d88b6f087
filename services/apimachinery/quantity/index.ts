/**
 * quantity: Kubernetes resource quantities (`100m`, `128Mi`, `1.5`, `2e3`): exact parsing,
 * arithmetic and canonical printing.
 *
 * ```ts
 * import { parseQuantity, addQuantity, compareQuantity, formatQuantity } from "../apimachinery/index.js";
 * const requested = addQuantity(parseQuantity("500m"), parseQuantity("1"));
 * compareQuantity(requested, parseQuantity(node.status.allocatable.cpu)) <= 0;
 * formatQuantity(requested); // "1500m"
 * ```
 */
export {
  QUANTITY_ERROR_MESSAGES,
  Quantity,
  QuantityError,
  addQuantity,
  compareQuantity,
  formatQuantity,
  negateQuantity,
  parseQuantity,
  quantityFromMilli,
  quantityFromValue,
  subtractQuantity,
  sumQuantities,
  type QuantityFormat,
} from "./quantity.js";
