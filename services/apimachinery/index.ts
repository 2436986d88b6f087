/**
 * apimachinery: pure libraries on plain Kubernetes JSON objects, shared by the API server
 * and controllers (patch formats, ...). The only public entry of `services/apimachinery`.
 */
export * from "./patch/index.js";
