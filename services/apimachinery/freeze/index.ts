/**
 * deepFreeze freezes a plain JSON value and everything it holds (objects already frozen are
 * taken as frozen throughout), and returns it: for objects shared read-only by many readers,
 * such as one decoded pod spec for every pod of a template.
 */
export function deepFreeze<T>(v: T): T {
  if (v && typeof v === "object" && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}
