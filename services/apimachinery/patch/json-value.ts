/** Helpers on plain JSON values shared by the patch algorithms. */

/** JsonObject: a JSON object as JSON.parse returns it. */
export type JsonObject = { [key: string]: unknown };

/** isJsonObject: a plain object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** cloneJson: a deep copy of a JSON value (objects and arrays are copied; scalars shared). */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) setMember(out, k, cloneJson(v));
    return out as T;
  }
  return value;
}

/**
 * setMember: `obj[key] = value` as an own data property, also for the key `__proto__`
 * (which JSON.parse yields as a plain member, and plain assignment would treat as the prototype).
 */
export function setMember(obj: JsonObject, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

/** getMember: an own member of an object, or undefined (never an inherited property). */
export function getMember(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** jsonEqual: JSON equality: numbers by value, objects by member set, arrays in order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const ak = Object.keys(a);
    if (ak.length !== Object.keys(b).length) return false;
    return ak.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** jsonTypeName: the JSON type of a value, for messages ("object", "array", "string"...). */
export function jsonTypeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/**
 * goString: a value printed as Go's `%v` prints decoded JSON (`map[a:1 b:[x y]]`), so that
 * error messages read like Kubernetes'.
 */
export function goString(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  if (Array.isArray(value)) return `[${value.map(goString).join(" ")}]`;
  if (isJsonObject(value)) {
    const keys = Object.keys(value).sort();
    return `map[${keys.map((k) => `${k}:${goString(value[k])}`).join(" ")}]`;
  }
  return String(value);
}

/**
 * canonicalJson: a string that is equal for two values exactly when {@link jsonEqual} holds
 * (object members sorted), for use as a Map/Set key.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isJsonObject(value)) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  return value === undefined ? "undefined" : JSON.stringify(value);
}
