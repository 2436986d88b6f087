/**
 * hash: the pod-template-hash of a Deployment's template, and template equality ignoring it.
 *
 * Kubernetes hashes the Go struct (`ComputeHash`: FNV-1a 32 over a deep print of the template,
 * then the collision count as 4 little-endian bytes, the decimal of the sum encoded with
 * `rand.SafeEncodeString`). Here the template is hashed as canonical JSON (object members
 * sorted; nulls, empty arrays and empty objects dropped, as Kubernetes' semantic equality
 * treats nil and empty alike), so the same template always gives the same hash, and a
 * collision count changes it. Values differ from a real cluster's; the shape is the same
 * (`5d8f7b9c6`: consonants and digits that never spell words).
 */
import type { PodTemplateSpec } from "./types.js";
import { POD_TEMPLATE_HASH_LABEL } from "./types.js";

/** Kubernetes' `rand.SafeEncodeString` alphabet: no vowels, no look-alike characters. */
const SAFE_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

/** safeEncodeString: each character of `s` mapped into the safe alphabet (Kubernetes' SafeEncodeString). */
export function safeEncodeString(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHANUMS[s.charCodeAt(i) % SAFE_ALPHANUMS.length];
  return out;
}

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

/** fnv1a32: FNV-1a 32-bit of `bytes`, continuing from `seed` (for several writes). */
export function fnv1a32(bytes: Uint8Array, seed = FNV32_OFFSET): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, FNV32_PRIME) >>> 0;
  }
  return h >>> 0;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** normalizeJson: `v` without nulls, empty arrays and empty objects (recursively), members sorted. */
export function normalizeJson(v: unknown): unknown {
  if (Array.isArray(v)) {
    const items = v.map(normalizeJson);
    return items.length === 0 ? undefined : items.map((i) => (i === undefined ? null : i));
  }
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const n = normalizeJson(v[k]);
      if (n !== undefined) out[k] = n;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return v === null ? undefined : v;
}

/** canonicalJson: the normalized JSON text two semantically equal values share. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(normalizeJson(v)) ?? "null";
}

/**
 * computeHash: the pod-template-hash of `template` with `collisionCount` (Kubernetes'
 * `controller.ComputeHash`): FNV-1a over the canonical JSON, then the count as 4 little-endian
 * bytes when set, the decimal sum safe-encoded.
 */
export function computeHash(template: PodTemplateSpec, collisionCount?: number | null): string {
  let h = fnv1a32(new TextEncoder().encode(canonicalJson(template)));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv1a32(b, h);
  }
  return safeEncodeString(String(h));
}

/** withoutHashLabel: a copy of `template` without the pod-template-hash label. */
function withoutHashLabel(template: PodTemplateSpec | undefined): unknown {
  if (!template) return undefined;
  const labels = { ...(template.metadata?.labels ?? {}) };
  delete labels[POD_TEMPLATE_HASH_LABEL];
  return { ...template, metadata: { ...(template.metadata ?? {}), labels } };
}

/**
 * equalIgnoreHash: whether two pod templates are the same apart from the pod-template-hash
 * label (Kubernetes' `EqualIgnoreHash`, semantic equality: nil and empty alike).
 */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonicalJson(withoutHashLabel(a)) === canonicalJson(withoutHashLabel(b));
}
