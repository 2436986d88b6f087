/**
 * Server-side apply, simplified: what `kubectl apply --server-side` (PATCH
 * `application/apply-patch+yaml`) needs from the API server.
 *
 * - Absent object: the applied configuration is the new object.
 * - Present object: fields this manager applied last time and omits now are removed (unless
 *   another manager's managedFields entry also holds them); then the applied configuration
 *   is merged in with strategic-merge semantics: objects merge, lists with a merge key merge
 *   by key and take the applied order, lists of scalars with merge strategy are sets, other
 *   lists are replaced whole. List order follows structured-merge-diff: live items keep their
 *   place, applied items the applied order, and items new to the list come after.
 * - The manager's fields are recorded in `metadata.managedFields` as Kubernetes does
 *   (`{manager, operation: "Apply", apiVersion, time, fieldsType: "FieldsV1", fieldsV1}`).
 *
 * Not implemented: conflict detection between managers (`force=false` never fails; two
 * managers applying one field share it, and the last write wins), ownership transfer on
 * `force=true`, tracking of fields set by Update operations, list keys made of several fields
 * (Kubernetes keys container ports by containerPort+protocol; here by the merge-patch key).
 */
import { PatchError } from "./errors.js";
import { canonicalJson, cloneJson, getMember, isJsonObject, jsonEqual, setMember, type JsonObject } from "./json-value.js";
import { fieldSetDifference, fieldSetOf, fieldSetUnion, isFieldSet, removeFields, type FieldSet } from "./field-set.js";
import { fieldPatchMeta, strategicPatchSchema, type PatchMeta } from "./strategic-schema.js";
import { applyStrategicMergePatchWithSchema } from "./strategic-merge.js";

/** ManagedFieldsEntry: one entry of `metadata.managedFields`. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion?: string;
  time?: string;
  fieldsType: "FieldsV1";
  fieldsV1: FieldSet;
  subresource?: string;
}

/** ApplyResult: the object to store, and whether it is new. */
export interface ApplyResult {
  object: JsonObject;
  created: boolean;
}

/** ApplyOptions: the clock, passed in (defaults to the current time). */
export interface ApplyOptions {
  now?: Date;
}

/**
 * applyServerSide: the object after `manager` applies `applied` (a partial object: the
 * fields this manager wants, with apiVersion, kind and metadata.name) to `live`.
 * Never mutates its inputs.
 *
 * @throws PatchError 400 when the manager is empty, the configuration is not an object,
 *   carries managedFields, `$` directives, or a kind other than `kind`; 422 when a keyed
 *   list item lacks its merge key.
 *
 * @example
 * ```ts
 * const { object, created } = applyServerSide("Deployment", live, yamlBody, "kubectl", { now });
 * ```
 */
export function applyServerSide(kind: string, live: JsonObject | undefined, applied: unknown, manager: string, options: ApplyOptions = {}): ApplyResult {
  if (!manager) throw new PatchError('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', 400);
  if (!isJsonObject(applied)) throw new PatchError("apply configuration must be a JSON object", 400);
  if (applied.kind !== undefined && applied.kind !== kind) {
    throw new PatchError(`apply configuration has kind ${JSON.stringify(applied.kind)}, expected ${JSON.stringify(kind)}`, 400);
  }
  const appliedMeta = getMember(applied, "metadata");
  if (isJsonObject(appliedMeta) && appliedMeta.managedFields !== undefined && appliedMeta.managedFields !== null) {
    throw new PatchError("metadata.managedFields must be nil", 400);
  }

  const schema = strategicPatchSchema(kind);
  const patch = toApplyPatch(applied, schema, "");
  const fields = fieldSetOf(applied, schema);
  const entry: ManagedFieldsEntry = {
    manager,
    operation: "Apply",
    apiVersion: typeof applied.apiVersion === "string" ? applied.apiVersion : typeof live?.apiVersion === "string" ? live.apiVersion : undefined,
    time: formatTime(options.now ?? new Date()),
    fieldsType: "FieldsV1",
    fieldsV1: fields,
  };
  if (entry.apiVersion === undefined) delete entry.apiVersion;

  if (live === undefined) {
    const object = applyStrategicMergePatchWithSchema(schema, {}, patch);
    setManagedFields(object, [entry]);
    return { object, created: true };
  }

  const entries = readManagedFields(live);
  const mine = entries.findIndex((e) => isOwnApplyEntry(e, manager));
  const previous = mine >= 0 && isFieldSet(entries[mine]!.fieldsV1) ? entries[mine]!.fieldsV1 as FieldSet : {};
  let othersOwn: FieldSet = {};
  entries.forEach((e, i) => {
    if (i !== mine && isFieldSet(e.fieldsV1)) othersOwn = fieldSetUnion(othersOwn, e.fieldsV1 as FieldSet);
  });

  const base = cloneJson(live);
  removeFields(base, fieldSetDifference(previous, fields), othersOwn);
  const object = applyStrategicMergePatchWithSchema(schema, base, patch);
  orderLikeApply(object, base, patch, schema);
  const next = entries.map((e) => cloneJson(e) as unknown);
  if (mine >= 0) next[mine] = entry;
  else next.push(entry);
  setManagedFields(object, next);
  return { object, created: false };
}

/** isOwnApplyEntry: the managedFields entry recording this manager's applies to the main resource. */
function isOwnApplyEntry(entry: JsonObject, manager: string): boolean {
  return entry.manager === manager && entry.operation === "Apply" && !entry.subresource;
}

function readManagedFields(obj: JsonObject): JsonObject[] {
  const meta = getMember(obj, "metadata");
  const list = isJsonObject(meta) ? getMember(meta, "managedFields") : undefined;
  return Array.isArray(list) ? list.filter(isJsonObject) : [];
}

function setManagedFields(obj: JsonObject, entries: unknown[]): void {
  let meta = getMember(obj, "metadata");
  if (!isJsonObject(meta)) {
    meta = {};
    obj.metadata = meta;
  }
  (meta as JsonObject).managedFields = entries;
}

/** formatTime: RFC 3339 with second precision, as metav1.Time serializes. */
function formatTime(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * toApplyPatch: the applied configuration as a strategic merge patch: nulls dropped,
 * directives refused, every item of a keyed list checked for its merge key.
 */
function toApplyPatch(obj: JsonObject, meta: PatchMeta, path: string): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(obj)) {
    const here = path ? `${path}.${key}` : key;
    if (key.startsWith("$")) throw new PatchError(`${here}: directives are not allowed in an apply configuration`, 400);
    if (value === null) continue;
    const fieldMeta = fieldPatchMeta(meta, key);
    if (isJsonObject(value)) {
      setMember(out, key, toApplyPatch(value, fieldMeta, here));
    } else if (Array.isArray(value) && fieldMeta.strategy === "merge") {
      const mergeKey = fieldMeta.mergeKey;
      setMember(out, key, value.map((item, i) => {
        if (mergeKey === undefined) return cloneJson(item);
        if (!isJsonObject(item) || !Object.hasOwn(item, mergeKey)) throw new PatchError(`${here}[${i}]: ${mergeKey}: Required value: the merge key of ${key}`);
        return toApplyPatch(item, fieldMeta, `${here}[${i}]`);
      }));
    } else {
      setMember(out, key, cloneJson(value));
    }
  }
  return out;
}

/**
 * orderLikeApply: puts the items of every merged list the configuration sets in the order
 * server-side apply gives them (structured-merge-diff's list merge): live items keep their
 * place, applied items take the applied order, and new applied items come after the live
 * items before them, so an item another manager adds lands at the end.
 *
 * @param merged the merge result (reordered in place); @param base the live object after
 * removals; @param applied the configuration.
 */
function orderLikeApply(merged: unknown, base: unknown, applied: JsonObject, meta: PatchMeta): void {
  if (!isJsonObject(merged)) return;
  for (const [key, value] of Object.entries(applied)) {
    const fieldMeta = fieldPatchMeta(meta, key);
    const mergedValue = getMember(merged, key);
    const baseValue = isJsonObject(base) ? getMember(base, key) : undefined;
    if (isJsonObject(value)) {
      orderLikeApply(mergedValue, baseValue, value, fieldMeta);
      continue;
    }
    if (!Array.isArray(value) || !Array.isArray(mergedValue) || fieldMeta.strategy !== "merge") continue;
    const keyOf = (item: unknown): unknown => (fieldMeta.mergeKey === undefined ? item : isJsonObject(item) ? getMember(item, fieldMeta.mergeKey) : undefined);
    const baseList = Array.isArray(baseValue) ? baseValue : [];
    const order = applyListOrder(baseList.map(keyOf), value.map(keyOf));
    const byKey = new Map<string, unknown[]>();
    const keyless: unknown[] = [];
    for (const item of mergedValue) {
      const k = keyOf(item);
      if (k === undefined) keyless.push(item);
      else byKey.set(canonicalJson(k), [...(byKey.get(canonicalJson(k)) ?? []), item]);
    }
    const reordered: unknown[] = [];
    for (const k of order) {
      const id = canonicalJson(k);
      reordered.push(...(byKey.get(id) ?? []));
      byKey.delete(id);
    }
    for (const rest of byKey.values()) reordered.push(...rest);
    reordered.push(...keyless);
    setMember(merged, key, reordered);
    if (fieldMeta.mergeKey === undefined) continue;
    const firstByKey = (list: unknown[]) => {
      const m = new Map<string, unknown>();
      for (const x of list) {
        const id = canonicalJson(keyOf(x));
        if (!m.has(id)) m.set(id, x);
      }
      return m;
    };
    const mergedByKey = firstByKey(reordered);
    const baseByKey = firstByKey(baseList);
    for (const item of value) {
      if (!isJsonObject(item)) continue;
      const id = canonicalJson(keyOf(item));
      orderLikeApply(mergedByKey.get(id), baseByKey.get(id), item, fieldMeta);
    }
  }
}

/** applyListOrder: the merged order of list keys: `live` and `applied` zipped as structured-merge-diff does. */
function applyListOrder(live: readonly unknown[], applied: readonly unknown[]): unknown[] {
  const appliedIds = new Set(applied.map(canonicalJson));
  const liveIds = new Set(live.map(canonicalJson));
  const inApplied = (k: unknown) => appliedIds.has(canonicalJson(k));
  const shared = applied.filter((a) => liveIds.has(canonicalJson(a)));
  let nextShared = 0;
  const out: unknown[] = [];
  let l = 0;
  let a = 0;
  while (l < live.length || a < applied.length) {
    if (l < live.length && a < applied.length) {
      if (jsonEqual(live[l], applied[a])) {
        out.push(applied[a]);
        l++;
        a++;
        nextShared++;
        continue;
      }
      if (inApplied(live[l]) && nextShared < shared.length && !jsonEqual(shared[nextShared], live[l])) {
        l++; // a shared item, placed when the applied side reaches it
        continue;
      }
    }
    if (l < live.length && !inApplied(live[l])) {
      out.push(live[l++]);
      continue;
    }
    if (a < applied.length) {
      const k = applied[a++];
      out.push(k);
      if (nextShared < shared.length && jsonEqual(shared[nextShared], k)) nextShared++;
      continue;
    }
    l++; // a live item already placed from the applied side
  }
  return out;
}
