/**
 * Field sets in Kubernetes' `FieldsV1` form, as stored in `metadata.managedFields[].fieldsV1`:
 * a tree whose keys are path elements and whose leaves are `{}`:
 * - `f:<name>`: an object member;
 * - `k:<json>`: the item of a keyed list whose merge key has that value (`k:{"name":"nginx"}`);
 * - `v:<json>`: a scalar in a set-like list (`v:"example.com/finalizer"`);
 * - `.`: the list item itself (beside its members).
 */
import { PatchError } from "./errors.js";
import { canonicalJson, getMember, isJsonObject, setMember, type JsonObject } from "./json-value.js";
import { fieldPatchMeta, type PatchMeta } from "./strategic-schema.js";

/** FieldSet: a set of field paths in FieldsV1 form. */
export type FieldSet = { [pathElement: string]: FieldSet };

/** SERVER_OWNED_METADATA: members of `metadata` that identify or are set by the server, never tracked as owned. */
export const SERVER_OWNED_METADATA: readonly string[] = [
  "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
  "deletionGracePeriodSeconds", "selfLink", "managedFields",
];

/**
 * fieldSetOf: the fields an object sets, as FieldsV1. Lists with strategy "merge" track
 * their items (by merge key, or by value for scalars); other lists are one leaf (atomic).
 * `apiVersion`, `kind` and {@link SERVER_OWNED_METADATA} are left out; `null` members are
 * not fields.
 */
export function fieldSetOf(obj: JsonObject, meta: PatchMeta): FieldSet {
  const set = objectFields(obj, meta);
  delete set["f:apiVersion"];
  delete set["f:kind"];
  const metadata = set["f:metadata"];
  if (metadata) {
    for (const name of SERVER_OWNED_METADATA) delete metadata[`f:${name}`];
    if (isEmptyFieldSet(metadata)) delete set["f:metadata"];
  }
  return set;
}

function objectFields(obj: JsonObject, meta: PatchMeta): FieldSet {
  const set: FieldSet = {};
  for (const [key, value] of Object.entries(obj)) {
    if (value === null) continue;
    const fieldMeta = fieldPatchMeta(meta, key);
    setMember(set, `f:${key}`, valueFields(value, fieldMeta, key));
  }
  return set;
}

function valueFields(value: unknown, meta: PatchMeta, key: string): FieldSet {
  if (isJsonObject(value)) return objectFields(value, meta);
  if (Array.isArray(value) && meta.strategy === "merge") {
    const set: FieldSet = {};
    for (const item of value) {
      if (meta.mergeKey !== undefined) {
        if (!isJsonObject(item) || !Object.hasOwn(item, meta.mergeKey)) {
          throw new PatchError(`${key}: every item needs its merge key "${meta.mergeKey}"`);
        }
        setMember(set, `k:${JSON.stringify({ [meta.mergeKey]: item[meta.mergeKey] })}`, { ".": {}, ...objectFields(item, meta) });
      } else {
        setMember(set, `v:${JSON.stringify(item)}`, {});
      }
    }
    return set;
  }
  return {};
}

/** isFieldSet: a value shaped like FieldsV1 (objects all the way down). */
export function isFieldSet(value: unknown): value is FieldSet {
  return isJsonObject(value) && Object.values(value).every(isFieldSet);
}

/** isEmptyFieldSet: a set with no paths. */
export function isEmptyFieldSet(set: FieldSet): boolean {
  return Object.keys(set).length === 0;
}

/**
 * fieldSetDifference: the paths of `a` that `b` lacks. A leaf of `a` that is a parent in
 * `b` (the field became an object) is not in the difference.
 */
export function fieldSetDifference(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = {};
  for (const [pe, sub] of Object.entries(a)) {
    const other = getMember(b, pe) as FieldSet | undefined;
    if (other === undefined) setMember(out, pe, sub);
    else if (!isEmptyFieldSet(sub)) {
      const d = fieldSetDifference(sub, other);
      if (!isEmptyFieldSet(d)) setMember(out, pe, d);
    }
  }
  return out;
}

/** fieldSetUnion: the paths in either set. */
export function fieldSetUnion(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { ...a };
  for (const [pe, sub] of Object.entries(b)) {
    const mine = getMember(out, pe) as FieldSet | undefined;
    setMember(out, pe, mine === undefined ? sub : fieldSetUnion(mine, sub));
  }
  return out;
}

/**
 * removeFields: deletes from `node` (mutated) the fields of `removed`, except those that
 * `keep` (fields other managers own) also holds. Objects left empty by a removal are pruned
 * below the top level; list items go when their `.` is removed and nobody else owns part of them.
 */
export function removeFields(node: unknown, removed: FieldSet, keep: FieldSet | undefined, depth = 0): void {
  if (Array.isArray(node)) {
    removeListItems(node, removed, keep, depth);
    return;
  }
  if (!isJsonObject(node)) return;
  for (const [pe, sub] of Object.entries(removed)) {
    if (!pe.startsWith("f:")) continue;
    const name = pe.slice(2);
    if (!Object.hasOwn(node, name)) continue;
    const kept = keep ? (getMember(keep, pe) as FieldSet | undefined) : undefined;
    if (isEmptyFieldSet(sub)) {
      if (kept === undefined) delete node[name];
      continue;
    }
    const child = node[name];
    removeFields(child, sub, kept, depth + 1);
    if (isJsonObject(child) && Object.keys(child).length === 0 && kept === undefined && depth > 0) delete node[name];
  }
}

/** removeListItems: the `k:` and `v:` elements of `removed` applied to a list, in one pass. */
function removeListItems(list: unknown[], removed: FieldSet, keep: FieldSet | undefined, depth: number): void {
  const drop = new Set<number>();
  const indexes = new Map<string, Map<string, number>>(); // key fields → key value → first index
  const indexFor = (fields: string[]): Map<string, number> => {
    const sig = JSON.stringify(fields);
    let index = indexes.get(sig);
    if (!index) {
      index = new Map();
      list.forEach((item, i) => {
        if (!isJsonObject(item) || !fields.every((f) => Object.hasOwn(item, f))) return;
        const id = canonicalJson(Object.fromEntries(fields.map((f) => [f, item[f]])));
        if (!index!.has(id)) index!.set(id, i);
      });
      indexes.set(sig, index);
    }
    return index;
  };
  let values: Map<string, number[]> | undefined;
  for (const [pe, sub] of Object.entries(removed)) {
    const kept = keep ? (getMember(keep, pe) as FieldSet | undefined) : undefined;
    const element = parseElement(pe.slice(2));
    if (pe.startsWith("k:") && isJsonObject(element)) {
      const at = indexFor(Object.keys(element).sort()).get(canonicalJson(element));
      if (at === undefined) continue;
      if (Object.hasOwn(sub, ".") && kept === undefined) drop.add(at);
      else removeFields(list[at], sub, kept, depth + 1);
    } else if (pe.startsWith("v:") && element !== undefined && kept === undefined) {
      if (!values) {
        values = new Map();
        list.forEach((item, i) => values!.set(canonicalJson(item), [...(values!.get(canonicalJson(item)) ?? []), i]));
      }
      for (const i of values.get(canonicalJson(element)) ?? []) drop.add(i);
    }
  }
  if (drop.size === 0) return;
  const kept = list.filter((_, i) => !drop.has(i));
  list.length = 0;
  list.push(...kept);
}

function parseElement(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return undefined;
  }
}
