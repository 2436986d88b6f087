/** JSON merge patch (RFC 7386), as Kubernetes applies `application/merge-patch+json`. */
import { cloneJson, getMember, isJsonObject, setMember, type JsonObject } from "./json-value.js";

/**
 * applyMergePatch: the document with the merge patch applied (RFC 7386): object members
 * merge recursively, `null` deletes a member, anything else (arrays included) replaces.
 * A patch that is not an object replaces the whole document. Never mutates its inputs.
 *
 * @example
 * ```ts
 * applyMergePatch({ spec: { replicas: 1, paused: true } }, { spec: { replicas: 3, paused: null } });
 * // → { spec: { replicas: 3 } }
 * ```
 */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  return mergeInto(cloneJson(doc), patch);
}

/** mergeInto: RFC 7386 MergePatch(target, patch), reusing `target` (already a private copy). */
function mergeInto(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const out: JsonObject = isJsonObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else setMember(out, key, mergeInto(getMember(out, key), value));
  }
  return out;
}
