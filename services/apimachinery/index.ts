/**
 * apimachinery: pure libraries on plain Kubernetes JSON objects, shared by the API server
 * and controllers (patch formats, label and field selectors, quantities, IntOrString, taints and tolerations, deepFreeze). The only public entry of `services/apimachinery`.
 */
export * from "./patch/index.js";
export * from "./labels/index.js";
export * from "./fields/index.js";
export * from "./quantity/index.js";
export * from "./intstr/index.js";
export * from "./taints/index.js";
export * from "./freeze/index.js";
