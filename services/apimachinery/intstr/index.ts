/**
 * intstr: IntOrString helpers (`maxSurge`, `maxUnavailable`, `partition`-style fields).
 *
 * ```ts
 * import { scaledValueFromIntOrPercent } from "../apimachinery/index.js";
 * const maxSurge = scaledValueFromIntOrPercent(strategy.rollingUpdate.maxSurge ?? "25%", replicas, true);
 * ```
 */
export { IntOrStringError, isPercent, isValidPercent, scaledValueFromIntOrPercent, type IntOrString } from "./intstr.js";
