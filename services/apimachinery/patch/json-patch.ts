/**
 * JSON patch (RFC 6902) on plain JSON values, as Kubernetes applies `application/json-patch+json`.
 */
import { PatchError } from "./errors.js";
import { cloneJson, goString, isJsonObject, jsonEqual, setMember, type JsonObject } from "./json-value.js";
import { parseArrayIndex, parseJsonPointer } from "./json-pointer.js";

/** JsonPatchOperation: one operation of a JSON patch document. */
export type JsonPatchOperation =
  | { op: "add" | "replace" | "test"; path: string; value: unknown }
  | { op: "remove"; path: string }
  | { op: "move" | "copy"; from: string; path: string };

/** MAX_JSON_PATCH_OPERATIONS: Kubernetes refuses JSON patches with more operations than this. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/**
 * applyJsonPatch: the document after applying every operation in order. All or nothing:
 * the input is never mutated, and any failing operation fails the whole patch.
 *
 * @param doc the document (any JSON value).
 * @param ops the patch: an array of operation objects (members other than op/path/from/value are ignored).
 * @throws PatchError 400 when `ops` is not an array; 422 on a malformed operation, a path the
 *   document lacks, an out-of-range index, or a failed `test`.
 *
 * @example
 * ```ts
 * applyJsonPatch({ spec: { replicas: 1 } }, [{ op: "replace", path: "/spec/replicas", value: 3 }]);
 * // → { spec: { replicas: 3 } }
 * ```
 */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError("json: cannot unmarshal object into Go value of type jsonpatch.Patch", 400);
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new PatchError(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  let result = cloneJson(doc);
  for (const raw of ops) result = applyOperation(result, readOperation(raw));
  return result;
}

function readOperation(raw: unknown): JsonPatchOperation {
  if (!isJsonObject(raw)) throw new PatchError(`invalid JSON patch operation ${goString(raw)}: not an object`);
  const op = raw.op;
  const str = (field: "path" | "from"): string => {
    const v = raw[field];
    if (typeof v !== "string") throw new PatchError(`${String(op)} operation missing "${field}" field (or not a string)`);
    return v;
  };
  switch (op) {
    case "add":
    case "replace":
    case "test":
      if (!Object.hasOwn(raw, "value")) throw new PatchError(`${op} operation missing "value" field`);
      return { op, path: str("path"), value: raw.value };
    case "remove":
      return { op, path: str("path") };
    case "move":
    case "copy":
      return { op, from: str("from"), path: str("path") };
    default:
      throw new PatchError(`Unexpected kind: ${typeof op === "string" ? op : goString(op)}`);
  }
}

/** A parent container and the token addressing a child in it. */
interface Location {
  parent: JsonObject | unknown[];
  token: string;
}

/** locate: the container holding the last token of `tokens`, or undefined when a step is missing. */
function locate(doc: unknown, tokens: string[]): Location | undefined {
  let node = doc;
  for (const token of tokens.slice(0, -1)) {
    node = child(node, token);
    if (node === undefined) return undefined;
  }
  if (!isJsonObject(node) && !Array.isArray(node)) return undefined;
  return { parent: node, token: tokens[tokens.length - 1]! };
}

function child(node: unknown, token: string): unknown {
  if (Array.isArray(node)) {
    const i = parseArrayIndex(token);
    return i === undefined || i >= node.length ? undefined : node[i];
  }
  if (isJsonObject(node)) return Object.hasOwn(node, token) ? node[token] : undefined;
  return undefined;
}

function get(doc: unknown, path: string): unknown {
  let node = doc;
  for (const token of parseJsonPointer(path)) {
    node = child(node, token);
    if (node === undefined) return undefined;
  }
  return node;
}

function arrayIndex(arr: unknown[], token: string, allowEnd: boolean): number {
  if (allowEnd && token === "-") return arr.length;
  const i = parseArrayIndex(token);
  if (i === undefined || i > arr.length || (!allowEnd && i === arr.length)) {
    throw new PatchError(`Unable to access invalid index: ${token}: invalid index referenced`);
  }
  return i;
}

function add(doc: unknown, path: string, value: unknown, opName: string): unknown {
  const tokens = parseJsonPointer(path);
  if (tokens.length === 0) return value;
  const loc = locate(doc, tokens);
  if (!loc) throw new PatchError(`${opName} operation does not apply: doc is missing path: "${path}": missing value`);
  if (Array.isArray(loc.parent)) loc.parent.splice(arrayIndex(loc.parent, loc.token, true), 0, value);
  else setMember(loc.parent, loc.token, value);
  return doc;
}

function remove(doc: unknown, path: string, opName: string): { doc: unknown; removed: unknown } {
  const tokens = parseJsonPointer(path);
  if (tokens.length === 0) throw new PatchError(`${opName} operation does not apply: cannot remove the whole document`);
  const loc = locate(doc, tokens);
  if (!loc) throw new PatchError(`${opName} operation does not apply: doc is missing path: "${path}": missing value`);
  if (Array.isArray(loc.parent)) {
    const i = arrayIndex(loc.parent, loc.token, false);
    return { doc, removed: loc.parent.splice(i, 1)[0] };
  }
  if (!Object.hasOwn(loc.parent, loc.token)) throw new PatchError(`Unable to remove nonexistent key: ${loc.token}: missing value`);
  const removed = loc.parent[loc.token];
  delete loc.parent[loc.token];
  return { doc, removed };
}

function applyOperation(doc: unknown, op: JsonPatchOperation): unknown {
  switch (op.op) {
    case "add":
      return add(doc, op.path, cloneJson(op.value), "add");
    case "remove":
      return remove(doc, op.path, "remove").doc;
    case "replace": {
      const tokens = parseJsonPointer(op.path);
      if (tokens.length === 0) return cloneJson(op.value);
      const loc = locate(doc, tokens);
      if (!loc) throw new PatchError(`replace operation does not apply: doc is missing path: ${op.path}: missing value`);
      if (Array.isArray(loc.parent)) {
        loc.parent[arrayIndex(loc.parent, loc.token, false)] = cloneJson(op.value);
      } else {
        if (!Object.hasOwn(loc.parent, loc.token)) throw new PatchError(`replace operation does not apply: doc is missing key: ${op.path}: missing value`);
        setMember(loc.parent, loc.token, cloneJson(op.value));
      }
      return doc;
    }
    case "move": {
      if (op.from === op.path) {
        if (get(doc, op.from) === undefined) throw new PatchError(`move operation does not apply: doc is missing from path: ${op.from}: missing value`);
        return doc;
      }
      if (op.path.startsWith(op.from + "/")) throw new PatchError(`move operation does not apply: "from" ${op.from} is a proper prefix of "path" ${op.path}`);
      if (get(doc, op.from) === undefined) throw new PatchError(`move operation does not apply: doc is missing from path: ${op.from}: missing value`);
      const { doc: without, removed } = remove(doc, op.from, "move");
      return add(without, op.path, removed, "move");
    }
    case "copy": {
      const value = get(doc, op.from);
      if (value === undefined) throw new PatchError(`copy operation does not apply: doc is missing from path: ${op.from}: missing value`);
      return add(doc, op.path, cloneJson(value), "copy");
    }
    case "test": {
      const actual = get(doc, op.path);
      if (actual === undefined || !jsonEqual(actual, op.value)) throw new PatchError(`testing value ${op.path} failed: test failed`);
      return doc;
    }
  }
}
