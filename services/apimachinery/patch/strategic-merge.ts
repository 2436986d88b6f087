/**
 * Strategic merge patch, as the Kubernetes API server applies
 * `application/strategic-merge-patch+json` (k8s.io/apimachinery/pkg/util/strategicpatch,
 * with MergeParallelList and IgnoreUnmatchedNulls as the server sets them).
 *
 * Semantics, field by field (metadata from {@link strategicPatchSchema}):
 * - objects merge recursively; `null` deletes a member;
 * - lists with strategy "merge" of objects merge item by item on the merge key (new items
 *   are inserted among the live ones as Kubernetes orders them); lists of scalars with
 *   strategy "merge" are ordered sets (union); all other lists are replaced;
 * - directives: `$patch: replace|delete|merge` in an object or as a list item,
 *   `$retainKeys`, `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`.
 *
 * Differences from Kubernetes, all on inputs Kubernetes mishandles or rejects:
 * `$patch: merge` is accepted as "merge as usual" (Kubernetes rejects it); directives inside
 * values that are taken whole from the patch are processed instead of being kept verbatim;
 * `$deleteFromPrimitiveList` on a list without merge strategy deletes instead of replacing
 * the list with the deletion list; live list items lacking the merge key are kept, not an error.
 */
import { PatchError } from "./errors.js";
import { canonicalJson, cloneJson, getMember, goString, isJsonObject, jsonEqual, jsonTypeName, setMember, type JsonObject } from "./json-value.js";
import { fieldPatchMeta, strategicPatchSchema, type PatchMeta } from "./strategic-schema.js";

/** PATCH_DIRECTIVE: the `$patch` member (replace, delete or merge an object or list). */
export const PATCH_DIRECTIVE = "$patch";
/** RETAIN_KEYS_DIRECTIVE: the `$retainKeys` member (clear every member not listed). */
export const RETAIN_KEYS_DIRECTIVE = "$retainKeys";
/** SET_ELEMENT_ORDER_PREFIX: `$setElementOrder/<list>` gives the final order of a merged list. */
export const SET_ELEMENT_ORDER_PREFIX = "$setElementOrder/";
/** DELETE_FROM_PRIMITIVE_LIST_PREFIX: `$deleteFromPrimitiveList/<list>` lists scalars to remove. */
export const DELETE_FROM_PRIMITIVE_LIST_PREFIX = "$deleteFromPrimitiveList/";

const ERR_BAD_RETAIN_KEYS = "invalid patch format of retainKeys";
const ERR_BAD_SET_ORDER = "invalid patch format of setElementOrder list";
const ERR_BAD_PRIMITIVE_LIST = "invalid patch format of primitive list";

/**
 * applyStrategicMergePatch: the document after a strategic merge patch, using the patch
 * table of `kind` ({@link strategicPatchSchema}; an unknown kind behaves like a JSON merge
 * patch that still honours directives). Never mutates its inputs.
 *
 * @param kind the object's kind (`Deployment`, `Pod`...).
 * @param doc the live object (a JSON object).
 * @param patch the patch (a JSON object).
 * @throws PatchError 400 when the patch is not an object or a directive is malformed;
 *   422 when it cannot be applied (a list item without its merge key, an unknown `$patch`
 *   value, mismatched list element types, an order list contradicting the patch list).
 *
 * @example
 * ```ts
 * applyStrategicMergePatch("Deployment", live, {
 *   spec: { template: { spec: {
 *     "$setElementOrder/containers": [{ name: "nginx" }],
 *     containers: [{ name: "nginx", image: "nginx:1.29" }],
 *   } } },
 * });
 * ```
 */
export function applyStrategicMergePatch(kind: string, doc: unknown, patch: unknown): unknown {
  return applyStrategicMergePatchWithSchema(strategicPatchSchema(kind), doc, patch);
}

/** applyStrategicMergePatchWithSchema: {@link applyStrategicMergePatch} with explicit root metadata. */
export function applyStrategicMergePatchWithSchema(schema: PatchMeta, doc: unknown, patch: unknown): JsonObject {
  if (!isJsonObject(patch)) throw new PatchError("invalid JSON document", 400);
  if (doc !== undefined && doc !== null && !isJsonObject(doc)) {
    throw new PatchError(`cannot apply a strategic merge patch to a JSON ${jsonTypeName(doc)}`);
  }
  try {
    return mergeMap(isJsonObject(doc) ? cloneJson(doc) : {}, patch, schema);
  } catch (err) {
    if (err instanceof RangeError) throw new PatchError("patch is nested too deeply", 400, { cause: err });
    throw err;
  }
}

const isDirectiveKey = (key: string): boolean =>
  key === PATCH_DIRECTIVE || key === RETAIN_KEYS_DIRECTIVE ||
  key.startsWith(SET_ELEMENT_ORDER_PREFIX) || key.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX);

function withoutMember(obj: JsonObject, key: string): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) if (k !== key) setMember(out, k, v);
  return out;
}

/**
 * mergeMap: `patch` merged into `original`. `original` is a private copy and is reused;
 * `patch` is only read.
 */
function mergeMap(original: JsonObject, patch: JsonObject, meta: PatchMeta): JsonObject {
  if (Object.hasOwn(patch, PATCH_DIRECTIVE)) {
    const directive = patch[PATCH_DIRECTIVE];
    const rest = withoutMember(patch, PATCH_DIRECTIVE);
    switch (directive) {
      case "replace":
        return mergeMap({}, rest, meta);
      case "delete":
        return {};
      case "merge":
        return mergeMap(original, rest, meta);
      default:
        throw new PatchError(`unknown patch type: ${goString(directive)} in map: ${goString(patch)}`);
    }
  }

  applyRetainKeys(original, patch);
  const ordered = applySetElementOrder(original, patch, meta);

  const deletions: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX)) {
      deletions.push([key, value]);
      continue;
    }
    if (isDirectiveKey(key) || ordered.has(key)) continue;
    if (value === null) {
      delete original[key];
      continue;
    }
    const fieldMeta = fieldPatchMeta(meta, key);
    const live = getMember(original, key);
    let merged: unknown;
    if (isJsonObject(live) && isJsonObject(value)) {
      merged = fieldMeta.strategy === "replace" ? mergeMap({}, value, fieldMeta) : mergeMap(live, value, fieldMeta);
    } else if (Array.isArray(live) && Array.isArray(value)) {
      merged = mergeList(live, value, fieldMeta, key);
    } else {
      merged = freshValue(value, fieldMeta, key);
    }
    setMember(original, key, merged);
  }

  for (const [key, value] of deletions) deleteFromPrimitiveList(original, key, value);
  return original;
}

/** freshValue: a patch value for a member the live object lacks (or holds with another type). */
function freshValue(value: unknown, meta: PatchMeta, key: string): unknown {
  if (isJsonObject(value)) return mergeMap({}, value, meta);
  if (Array.isArray(value)) return mergeList([], value, meta, key);
  return value;
}

/** applyRetainKeys: `$retainKeys` clears live members it does not list; the patch may only set listed members. */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS_DIRECTIVE)) return;
  const retain = patch[RETAIN_KEYS_DIRECTIVE];
  if (!Array.isArray(retain)) throw new PatchError(ERR_BAD_RETAIN_KEYS, 400);
  const keep = new Set(retain.filter((k): k is string => typeof k === "string"));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || isDirectiveKey(key)) continue;
    if (!keep.has(key)) throw new PatchError(ERR_BAD_RETAIN_KEYS, 400);
  }
  for (const key of Object.keys(original)) if (!keep.has(key)) delete original[key];
}

function deleteFromPrimitiveList(original: JsonObject, directiveKey: string, toDelete: unknown): void {
  const key = directiveKey.slice(DELETE_FROM_PRIMITIVE_LIST_PREFIX.length);
  if (key === "") throw new PatchError(ERR_BAD_PRIMITIVE_LIST, 400);
  if (toDelete === null) {
    delete original[key]; // as Kubernetes: a null deletion list deletes the field
    return;
  }
  if (!Array.isArray(toDelete)) throw new PatchError(ERR_BAD_PRIMITIVE_LIST, 400);
  const live = getMember(original, key);
  if (!Array.isArray(live)) return;
  const doomed = new Set(toDelete.map(canonicalJson));
  setMember(original, key, live.filter((item) => !doomed.has(canonicalJson(item))));
}

// ---- lists ------------------------------------------------------------------------------

type ElementKind = "object" | "scalar";

/** elementKind: what the lists hold; all items must share one JSON type, and lists of lists are refused. */
function elementKind(key: string, ...lists: unknown[][]): ElementKind | undefined {
  let seen: string | undefined;
  for (const list of lists) {
    for (const item of list) {
      const type = jsonTypeName(item);
      if (type === "array") throw new PatchError("lists of lists are not supported");
      if (seen === undefined) seen = type;
      else if (seen !== type) throw new PatchError(`list element types are not identical in ${key}: ${goString(lists)}`);
    }
  }
  if (seen === undefined) return undefined;
  return seen === "object" ? "object" : "scalar";
}

function isDirectiveItem(item: unknown): item is JsonObject {
  return isJsonObject(item) && Object.hasOwn(item, PATCH_DIRECTIVE);
}

/**
 * inferMergeKey: for a list without table metadata, the merge key the patch implies: the
 * single member of every `$setElementOrder` item, or the one member beside `$patch: delete`.
 */
function inferMergeKey(patchList: readonly unknown[], orderList: readonly unknown[] | undefined): string | undefined {
  const singleKey = (item: unknown, ignore?: string): string | undefined => {
    if (!isJsonObject(item)) return undefined;
    const keys = Object.keys(item).filter((k) => k !== ignore);
    return keys.length === 1 ? keys[0] : undefined;
  };
  if (orderList && orderList.length > 0) {
    const keys = new Set(orderList.map((item) => singleKey(item)));
    if (keys.size === 1 && !keys.has(undefined)) return [...keys][0];
  }
  for (const item of patchList) {
    if (isDirectiveItem(item) && item[PATCH_DIRECTIVE] === "delete") {
      const key = singleKey(item, PATCH_DIRECTIVE);
      if (key !== undefined) return key;
    }
  }
  return undefined;
}

/** How a list field combines with the patch: replaced, an ordered set of scalars, or merged by key. */
type ListMode = { mode: "replace" } | { mode: "merge"; mergeKey?: string };

function listMode(meta: PatchMeta, patchList: readonly unknown[], orderList?: readonly unknown[]): ListMode {
  if (meta.strategy === "merge") return { mode: "merge", mergeKey: meta.mergeKey };
  if (meta.inferred) {
    const mergeKey = inferMergeKey(patchList, orderList);
    if (mergeKey !== undefined) return { mode: "merge", mergeKey };
    const items = [...patchList, ...(orderList ?? [])];
    if (orderList && items.length > 0 && items.every((i) => !isJsonObject(i) && !Array.isArray(i))) return { mode: "merge" };
  }
  return { mode: "replace" };
}

/** mergeList: a live list combined with a patch list according to the field's metadata. */
function mergeList(live: unknown[], patchList: unknown[], meta: PatchMeta, key: string): unknown[] {
  const mode = listMode(meta, patchList);
  if (mode.mode === "replace") return replacementList(patchList, meta);
  return mergeSlice(live, patchList, mode.mergeKey, meta, key);
}

/** replacementList: a patch list that replaces the live one, with directive items dropped and objects cleaned. */
function replacementList(patchList: unknown[], meta: PatchMeta): unknown[] {
  const out: unknown[] = [];
  for (const item of patchList) {
    if (isDirectiveItem(item)) {
      const rest = withoutMember(item, PATCH_DIRECTIVE);
      if (Object.keys(rest).length > 0) out.push(mergeMap({}, rest, meta));
    } else if (isJsonObject(item)) {
      out.push(mergeMap({}, item, meta));
    } else {
      out.push(cloneJson(item));
    }
  }
  return out;
}

function keyValue(item: unknown, mergeKey: string | undefined): unknown {
  if (mergeKey === undefined) return item;
  return isJsonObject(item) ? getMember(item, mergeKey) : undefined;
}

function requireMergeKey(item: unknown, mergeKey: string): unknown {
  if (!isJsonObject(item)) throw new PatchError(`expected a map in the merging list, but received a ${jsonTypeName(item)}: ${goString(item)}`);
  if (!Object.hasOwn(item, mergeKey)) throw new PatchError(`map: ${goString(item)} does not contain declared merge key: ${mergeKey}`);
  return item[mergeKey];
}

/** KeyIndex: the first position of each merge-key value (or scalar) in a list; items without the key are not indexed. */
class KeyIndex {
  private readonly first = new Map<string, number>();
  constructor(list: readonly unknown[], private readonly mergeKey: string | undefined) {
    list.forEach((item, i) => this.add(item, i));
  }

  add(item: unknown, at: number): void {
    if (!this.hasKey(item)) return;
    const id = canonicalJson(keyValue(item, this.mergeKey));
    if (!this.first.has(id)) this.first.set(id, at);
  }

  /** indexOfItem: where an item with the same key sits, or -1. */
  indexOfItem(item: unknown): number {
    return this.hasKey(item) ? this.indexOfValue(keyValue(item, this.mergeKey)) : -1;
  }

  indexOfValue(value: unknown): number {
    return this.first.get(canonicalJson(value)) ?? -1;
  }

  private hasKey(item: unknown): boolean {
    return this.mergeKey === undefined || (isJsonObject(item) && Object.hasOwn(item, this.mergeKey));
  }
}

/** mergeSlice: Kubernetes' mergeSlice: merge by key (or as a set of scalars), then order the result. */
function mergeSlice(live: unknown[], patchList: unknown[], mergeKey: string | undefined, meta: PatchMeta, key: string): unknown[] {
  if (live.length === 0 && patchList.length === 0) return [];
  const kind = elementKind(key, live, patchList);

  if (kind === "scalar") {
    const merged: unknown[] = [];
    const seen = new Set<string>();
    for (const item of [...live, ...patchList]) {
      const id = canonicalJson(item);
      if (!seen.has(id)) {
        seen.add(id);
        merged.push(cloneJson(item));
      }
    }
    const [inPatch, serverOnly] = partition(merged, patchList, undefined);
    return normalizeElementOrder(inPatch, serverOnly, patchList, live, undefined);
  }

  if (mergeKey === undefined) throw new PatchError(`cannot merge lists without merge key for ${key}`);
  const special = applySpecialElements(live, patchList, mergeKey);
  if (special.replaced) return replacementList(special.patch, meta);
  const base = special.live;
  const items = special.patch;

  const merged = [...base];
  const index = new KeyIndex(merged, mergeKey);
  for (const item of items) {
    const at = index.indexOfValue(requireMergeKey(item, mergeKey));
    if (at >= 0) merged[at] = mergeMap(merged[at] as JsonObject, item as JsonObject, meta);
    else {
      index.add(item, merged.length);
      merged.push(mergeMap({}, item as JsonObject, meta));
    }
  }
  const [inPatch, serverOnly] = partition(merged, items, mergeKey);
  return normalizeElementOrder(inPatch, serverOnly, items, base, mergeKey);
}

/**
 * applySpecialElements: the list items carrying `$patch`: `delete` removes the live items with
 * that key, `replace` makes the other items replace the list, `merge` is the default.
 */
function applySpecialElements(live: unknown[], patchList: unknown[], mergeKey: string): { live: unknown[]; patch: unknown[]; replaced: boolean } {
  const doomed = new Set<string>();
  const rest: unknown[] = [];
  let replaced = false;
  for (const item of patchList) {
    if (!isDirectiveItem(item)) {
      rest.push(item);
      continue;
    }
    const directive = item[PATCH_DIRECTIVE];
    switch (directive) {
      case "delete": {
        doomed.add(canonicalJson(requireMergeKey(item, mergeKey)));
        break;
      }
      case "replace":
        replaced = true;
        break;
      case "merge": {
        const others = withoutMember(item, PATCH_DIRECTIVE);
        if (Object.keys(others).length > 0) rest.push(others);
        break;
      }
      default:
        throw new PatchError(`unknown patch type: ${goString(directive)} in map: ${goString(item)}`);
    }
  }
  const base = doomed.size === 0 ? live : live.filter((b) => !(isJsonObject(b) && Object.hasOwn(b, mergeKey) && doomed.has(canonicalJson(b[mergeKey]))));
  return { live: base, patch: rest, replaced };
}

/** partition: the items whose key appears in `by`, and the others (server-only), each in list order. */
function partition(items: unknown[], by: readonly unknown[], mergeKey: string | undefined): [unknown[], unknown[]] {
  const inBy: unknown[] = [];
  const others: unknown[] = [];
  const index = new KeyIndex(by, mergeKey);
  for (const item of items) (index.indexOfItem(item) >= 0 ? inBy : others).push(item);
  return [inBy, others];
}

/**
 * normalizeElementOrder: patch items sorted by `patchOrder`, server-only items sorted by
 * `serverOrder`, then interleaved: a server-only item goes before a patch item when both
 * are in the live list and it came first there; otherwise the patch item goes first.
 */
function normalizeElementOrder(patchItems: unknown[], serverOnly: unknown[], patchOrder: readonly unknown[], serverOrder: readonly unknown[], mergeKey: string | undefined): unknown[] {
  const liveIndex = new KeyIndex(serverOrder, mergeKey);
  const sortBy = (items: unknown[], order: KeyIndex): unknown[] => {
    const rank = (item: unknown) => {
      const i = order.indexOfItem(item);
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    return items.map((item) => ({ item, r: rank(item) })).sort((a, b) => a.r - b.r).map((x) => x.item);
  };
  const left = sortBy(serverOnly, liveIndex);
  const right = sortBy(patchItems, new KeyIndex(patchOrder, mergeKey));

  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length) out.push(left[i++]);
    else if (i >= left.length) out.push(right[j++]);
    else {
      const li = liveIndex.indexOfItem(left[i]);
      const ri = liveIndex.indexOfItem(right[j]);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

// ---- $setElementOrder -------------------------------------------------------------------

/**
 * applySetElementOrder: for each `$setElementOrder/<list>`, merges the patch's list (if any)
 * into the live one and orders the result: listed items in the given order, the others
 * (server-only) kept in live order among them. Returns the lists it handled.
 */
function applySetElementOrder(original: JsonObject, patch: JsonObject, meta: PatchMeta): Set<string> {
  const handled = new Set<string>();
  for (const [directiveKey, order] of Object.entries(patch)) {
    if (!directiveKey.startsWith(SET_ELEMENT_ORDER_PREFIX)) continue;
    const key = directiveKey.slice(SET_ELEMENT_ORDER_PREFIX.length);
    if (key === "" || !Array.isArray(order)) throw new PatchError(ERR_BAD_SET_ORDER, 400);

    const hasLive = Object.hasOwn(original, key);
    const hasPatch = Object.hasOwn(patch, key);
    const live = hasLive ? original[key] : undefined;
    const patchList = hasPatch ? patch[key] : undefined;
    if (hasLive && !Array.isArray(live)) throw new PatchError(`expected a list in ${key}, but received a ${jsonTypeName(live)}`);
    if (hasPatch && !Array.isArray(patchList)) throw new PatchError(`expected a list in ${key}, but received a ${jsonTypeName(patchList)}`);
    if (!hasLive && !hasPatch) continue;
    handled.add(key);

    const fieldMeta = fieldPatchMeta(meta, key);
    const liveList = (live as unknown[] | undefined) ?? [];
    const patchItems = (patchList as unknown[] | undefined) ?? [];
    const mode = listMode(fieldMeta, patchItems, order);
    if (mode.mode === "replace") {
      setMember(original, key, hasPatch ? replacementList(patchItems, fieldMeta) : liveList);
      continue;
    }
    validateOrderList(patchItems, order, mode.mergeKey);
    const merged = hasPatch ? mergeSlice(liveList, patchItems, mode.mergeKey, fieldMeta, key) : liveList;
    if (mode.mergeKey !== undefined) for (const item of order) requireMergeKey(item, mode.mergeKey);
    const [listed, serverOnly] = partition(merged, order, mode.mergeKey);
    setMember(original, key, normalizeElementOrder(listed, serverOnly, order, liveList, mode.mergeKey));
  }
  return handled;
}

/** validateOrderList: the patch list's items (deletions aside) must appear in the order list, in the same order. */
function validateOrderList(patchList: readonly unknown[], order: readonly unknown[], mergeKey: string | undefined): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = patchList.filter((item) => !isDirectiveItem(item));
  let p = 0;
  for (let o = 0; o < order.length && p < items.length; o++) {
    const a = mergeKey === undefined ? items[p] : requireMergeKey(items[p], mergeKey);
    const b = mergeKey === undefined ? order[o] : requireMergeKey(order[o], mergeKey);
    if (jsonEqual(a, b)) p++;
  }
  if (p < items.length) {
    throw new PatchError(`The order in patch list:\n${goString(patchList)}\n doesn't match ${SET_ELEMENT_ORDER_PREFIX.slice(0, -1)} list:\n${goString(order)}\n`);
  }
}
