/**
 * Kubernetes JSON <-> generated messages, for every kind, by walking the reflection
 * descriptor (gen/descriptor.json). One generic converter; the per-type field plans are
 * compiled once and cached. JSON rules (omitempty, pointers, always-emitted fields, inlined
 * embedded structs, and the special messages IntOrString, RawExtension, Time, MicroTime,
 * Duration, Quantity) are documented in proto/meta.proto.
 */
import { readFileSync } from "node:fs";
import protobuf from "protobufjs";
import "./int64-as-number.js";
import { k8s } from "./gen/proto.js";
import { SchemaError } from "./errors.js";
import { requireKind, type Kind, type KindMessages } from "./registry.js";
import { formatGoDuration, formatRFC3339, parseGoDuration, parseRFC3339 } from "./time.js";

/** Messages with their own JSON form, by proto name. */
const SPECIALS: Record<string, Special> = {
  "k8s.meta.v1.IntOrString": "IntOrString",
  "k8s.meta.v1.RawExtension": "RawExtension",
  "k8s.meta.v1.Time": "Time",
  "k8s.meta.v1.MicroTime": "MicroTime",
  "k8s.meta.v1.Duration": "Duration",
  "k8s.meta.v1.Quantity": "Quantity",
};
type Special = "IntOrString" | "RawExtension" | "Time" | "MicroTime" | "Duration" | "Quantity";

// Resource quantity syntax, as resource.Quantity parses it (the API server's regexp).
const QUANTITY = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+|[kMGTPE]i?|[munk]|Ki)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

type ScalarKind = "string" | "bool" | "int32" | "uint32" | "int64" | "uint64" | "double" | "bytes";

/** How one element (a scalar, a nested message, or a map value / list item) converts. */
interface ValuePlan {
  scalar?: ScalarKind;
  message?: TypePlan;
}

interface FieldPlan extends ValuePlan {
  name: string;
  repeated: boolean;
  map: boolean;
  /** Go pointer (proto3 optional): emitted whenever set. */
  presence: boolean;
  /** Go field without omitempty: emitted even when zero. */
  always: boolean;
  /** Go embedded struct: a nested message whose fields are the parent's in JSON. */
  inline: boolean;
}

/** Where a JSON key lives: through zero or more inline messages, then the field. */
interface JSONRoute {
  via: FieldPlan[];
  field: FieldPlan;
}

interface TypePlan {
  fullName: string;
  ctor: new () => Record<string, unknown>;
  special?: Special;
  /** JSON key -> field, inline messages' fields included. */
  byJSON: Map<string, JSONRoute>;
  list: FieldPlan[];
}

const SCALARS: Record<string, ScalarKind> = {
  string: "string", bool: "bool", bytes: "bytes", double: "double", float: "double",
  int32: "int32", sint32: "int32", sfixed32: "int32", uint32: "uint32", fixed32: "uint32",
  int64: "int64", sint64: "int64", sfixed64: "int64", uint64: "uint64", fixed64: "uint64",
};

const root = protobuf.Root.fromJSON(JSON.parse(readFileSync(new URL("./gen/descriptor.json", import.meta.url), "utf8")));
const plans = new Map<string, TypePlan>();

function staticCtor(fullName: string): new () => Record<string, unknown> {
  let ns: unknown = { k8s };
  for (const seg of fullName.split(".")) ns = (ns as Record<string, unknown>)[seg];
  if (typeof ns !== "function") throw new Error(`schema: no generated class for ${fullName}`);
  return ns as new () => Record<string, unknown>;
}

/** planFor compiles (once) how to convert a message type. */
function planFor(fullName: string): TypePlan {
  const cached = plans.get(fullName);
  if (cached) return cached;
  const type = root.lookupType(fullName);
  const plan: TypePlan = { fullName, ctor: staticCtor(fullName), special: SPECIALS[fullName], byJSON: new Map(), list: [] };
  plans.set(fullName, plan); // before recursing: types may be recursive
  for (const f of type.fieldsArray) {
    f.resolve();
    const opts = f.options ?? {};
    const fp: FieldPlan = {
      name: f.name,
      repeated: f.repeated,
      map: f.map,
      presence: opts["proto3_optional"] === true,
      always: opts["(always)"] === true,
      inline: opts["(inline)"] === true,
    };
    if (f.resolvedType instanceof protobuf.Type) fp.message = planFor(f.resolvedType.fullName.replace(/^\./, ""));
    else if (f.resolvedType) throw new Error(`schema: enums are not used in Kubernetes JSON (${fullName}.${f.name})`);
    else {
      const s = SCALARS[f.type];
      if (!s) throw new Error(`schema: unsupported field type ${f.type} (${fullName}.${f.name})`);
      fp.scalar = s;
    }
    plan.list.push(fp);
  }
  // Direct fields win over fields of embedded structs, as in Go.
  for (const f of plan.list) if (!f.inline) plan.byJSON.set(f.name, { via: [], field: f });
  for (const f of plan.list) {
    if (!f.inline) continue;
    if (!f.message || f.repeated || f.map) throw new Error(`schema: (inline) needs a singular message field (${fullName}.${f.name})`);
    for (const [key, route] of f.message.byJSON) if (!plan.byJSON.has(key)) plan.byJSON.set(key, { via: [f, ...route.via], field: route.field });
  }
  return plan;
}

// ---- JSON -> message ---------------------------------------------------------------

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "string") return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  if (typeof v === "number" || typeof v === "boolean") return `${typeof v} ${v}`;
  return typeof v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function scalarFromJSON(p: ValuePlan, v: unknown, path: string): unknown {
  switch (p.scalar) {
    case "string":
      if (typeof v === "string") return v;
      throw new SchemaError(path, `expected string, got ${describe(v)}`);
    case "bool":
      if (typeof v === "boolean") return v;
      throw new SchemaError(path, `expected boolean, got ${describe(v)}`);
    case "int32":
      if (typeof v === "number" && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) return v;
      throw new SchemaError(path, `expected 32-bit integer, got ${describe(v)}`);
    case "uint32":
      if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 4294967295) return v;
      throw new SchemaError(path, `expected unsigned 32-bit integer, got ${describe(v)}`);
    case "int64":
      if (typeof v === "number" && Number.isSafeInteger(v)) return v;
      throw new SchemaError(path, `expected integer, got ${describe(v)}`);
    case "uint64":
      if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
      throw new SchemaError(path, `expected unsigned integer, got ${describe(v)}`);
    case "double":
      if (typeof v === "number" && Number.isFinite(v)) return v;
      throw new SchemaError(path, `expected number, got ${describe(v)}`);
    case "bytes":
      if (typeof v === "string" && BASE64.test(v)) return Buffer.from(v, "base64");
      throw new SchemaError(path, typeof v === "string" ? "illegal base64 data" : `expected base64 string, got ${describe(v)}`);
  }
  throw new Error("unreachable");
}

/** zeroValue is what Go decodes a JSON null into (used for null list items and map values). */
function zeroValue(p: ValuePlan): unknown {
  if (p.message) return new p.message.ctor();
  switch (p.scalar) {
    case "string": return "";
    case "bool": return false;
    case "bytes": return Buffer.alloc(0);
    default: return 0;
  }
}

function valueFromJSON(p: ValuePlan, v: unknown, path: string, warnings: string[]): unknown {
  if (v === null || v === undefined) return zeroValue(p);
  return p.message ? messageFromJSON(p.message, v, path, warnings) : scalarFromJSON(p, v, path);
}

/** specialFromJSON fills `msg` (a special message) from its JSON form. */
function specialFromJSON(special: Special, msg: Record<string, unknown>, v: unknown, path: string): void {
  switch (special) {
    case "IntOrString":
      if (typeof v === "number" && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) msg.intVal = v;
      else if (typeof v === "string") { msg.type = 1; msg.strVal = v; }
      else throw new SchemaError(path, `expected integer or string, got ${describe(v)}`);
      return;
    case "RawExtension":
      msg.raw = Buffer.from(JSON.stringify(v), "utf8");
      return;
    case "Quantity":
      if (typeof v === "number" && Number.isFinite(v)) msg.string = String(v);
      else if (typeof v === "string" && QUANTITY.test(v)) msg.string = v;
      else if (typeof v === "string") throw new SchemaError(path, `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$', got ${JSON.stringify(v)}`);
      else throw new SchemaError(path, `expected quantity string, got ${describe(v)}`);
      return;
    case "Time":
    case "MicroTime": {
      if (typeof v !== "string") throw new SchemaError(path, `expected RFC3339 time string, got ${describe(v)}`);
      const t = parseRFC3339(v);
      if (!t) throw new SchemaError(path, `expected RFC3339 time, got ${describe(v)}`);
      msg.seconds = t.seconds;
      // Time keeps whole seconds (what Kubernetes' decoders keep); MicroTime microseconds.
      msg.nanos = special === "Time" ? 0 : t.nanos - (t.nanos % 1000);
      return;
    }
    case "Duration": {
      const d = typeof v === "string" ? parseGoDuration(v) : undefined;
      if (d === undefined) throw new SchemaError(path, `expected duration string like "1h2m3s", got ${describe(v)}`);
      msg.duration = d;
      return;
    }
  }
}

function messageFromJSON(plan: TypePlan, v: unknown, path: string, warnings: string[]): Record<string, unknown> {
  const root = new plan.ctor();
  if (plan.special) {
    specialFromJSON(plan.special, root, v, path);
    return root;
  }
  if (!isObject(v)) throw new SchemaError(path, `expected object, got ${describe(v)}`);
  for (const key in v) {
    const value = v[key];
    const route = plan.byJSON.get(key);
    const fpath = join(path, key);
    if (!route) {
      warnings.push(`unknown field "${fpath}"`);
      continue;
    }
    if (value === null || value === undefined) continue;
    const f = route.field;
    let msg = root;
    for (const step of route.via) msg = ((msg[step.name] as Record<string, unknown> | null) ??= new step.message!.ctor());
    if (f.map) {
      if (!isObject(value)) throw new SchemaError(fpath, `expected object, got ${describe(value)}`);
      const out: Record<string, unknown> = {};
      for (const k in value) {
        const ev = valueFromJSON(f, value[k], `${fpath}[${k}]`, warnings);
        if (k === "__proto__") Object.defineProperty(out, k, { value: ev, enumerable: true, writable: true, configurable: true });
        else out[k] = ev;
      }
      msg[key] = out;
    } else if (f.repeated) {
      if (!Array.isArray(value)) throw new SchemaError(fpath, `expected array, got ${describe(value)}`);
      const out = new Array(value.length);
      for (let i = 0; i < value.length; i++) out[i] = valueFromJSON(f, value[i], `${fpath}[${i}]`, warnings);
      msg[key] = out;
    } else {
      msg[key] = f.message ? messageFromJSON(f.message, value, fpath, warnings) : scalarFromJSON(f, value, fpath);
    }
  }
  return root;
}

// ---- message -> JSON ---------------------------------------------------------------

function toNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "object" && v !== null && "toNumber" in v) return (v as { toNumber(): number }).toNumber(); // Long
  return Number(v);
}

function scalarToJSON(p: ValuePlan, v: unknown): unknown {
  switch (p.scalar) {
    case "int64":
    case "uint64":
      return toNumber(v);
    case "bytes":
      return Buffer.from((v as Uint8Array).buffer, (v as Uint8Array).byteOffset, (v as Uint8Array).byteLength).toString("base64");
    default:
      return v;
  }
}

function isZero(p: ValuePlan, v: unknown): boolean {
  if (v == null) return true;
  switch (p.scalar) {
    case "string": return v === "";
    case "bool": return v === false;
    case "bytes": return (v as Uint8Array).length === 0;
    case "int64":
    case "uint64": return toNumber(v) === 0;
    default: return v === 0;
  }
}

/** valueToJSON renders a list item or map value (Go's zero value for null; a zero time is null). */
function valueToJSON(p: ValuePlan, v: unknown): unknown {
  if (p.message) return messageToJSON(p.message, (v ?? new p.message.ctor()) as Record<string, unknown>) ?? null;
  return v == null ? scalarToJSON(p, zeroValue(p)) : scalarToJSON(p, v);
}

/** specialToJSON: the JSON form of a special message; undefined for a zero Time/MicroTime (left out). */
function specialToJSON(special: Special, msg: Record<string, unknown>): unknown {
  switch (special) {
    case "IntOrString":
      return toNumber(msg.type ?? 0) === 1 ? (msg.strVal ?? "") : (msg.intVal ?? 0);
    case "RawExtension": {
      const raw = msg.raw as Uint8Array | undefined;
      if (!raw || raw.length === 0) return {};
      const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("utf8");
      try {
        return JSON.parse(text);
      } catch (err) {
        throw new SchemaError("", "RawExtension does not hold valid JSON", { cause: err });
      }
    }
    case "Quantity":
      return (msg.string as string | undefined) || "0";
    case "Time":
    case "MicroTime":
      if (msg.seconds == null) return undefined;
      return formatRFC3339(toNumber(msg.seconds), toNumber(msg.nanos ?? 0), special === "MicroTime");
    case "Duration":
      return formatGoDuration(toNumber(msg.duration ?? 0));
  }
}

/** messageToJSON: the JSON of `msg`, its fields added to `out` when given (a fresh object otherwise). */
function messageToJSON(plan: TypePlan, msg: Record<string, unknown>, out: Record<string, unknown> = {}): unknown {
  if (plan.special) return specialToJSON(plan.special, msg);
  for (const f of plan.list) {
    const v = msg[f.name];
    if (f.inline) {
      if (v != null) messageToJSON(f.message!, v as Record<string, unknown>, out);
    } else if (f.map) {
      if (v == null) continue;
      const keys = Object.keys(v as object);
      if (keys.length === 0) continue;
      const o: Record<string, unknown> = {};
      for (const k of keys) {
        const ev = valueToJSON(f, (v as Record<string, unknown>)[k]);
        if (k === "__proto__") Object.defineProperty(o, k, { value: ev, enumerable: true, writable: true, configurable: true });
        else o[k] = ev;
      }
      out[f.name] = o;
    } else if (f.repeated) {
      const a = v as unknown[] | undefined;
      if (!a || a.length === 0) continue;
      const o = new Array(a.length);
      for (let i = 0; i < a.length; i++) o[i] = valueToJSON(f, a[i]);
      out[f.name] = o;
    } else if (f.message) {
      if (v == null) continue;
      const j = messageToJSON(f.message, v as Record<string, unknown>);
      if (j !== undefined) out[f.name] = j;
    } else if (f.presence) {
      if (v != null) out[f.name] = scalarToJSON(f, v);
    } else if (f.always || !isZero(f, v)) {
      out[f.name] = scalarToJSON(f, v ?? zeroValue(f));
    }
  }
  return out;
}

// ---- public --------------------------------------------------------------------------

/** Result of {@link fromKubeJSON}. */
export interface FromKubeJSONResult<T> {
  message: T;
  /** One `unknown field "<path>"` per field the schema does not model (dropped). */
  warnings: string[];
}

/**
 * fromKubeJSON converts Kubernetes JSON (as parsed from a manifest; nulls allowed and treated
 * as absent) into the generated message of `kind`. Unknown fields are dropped and reported
 * as warnings. `apiVersion`/`kind` are filled in from the registry when absent.
 *
 * @throws {@link SchemaError} with the field path when a value has the wrong JSON type, or
 *   `kind`/`apiVersion` in the object contradict `kind`; {@link UnknownKindError} for an unknown kind.
 */
export function fromKubeJSON<K extends Kind>(kind: K, obj: unknown): FromKubeJSONResult<KindMessages[K]>;
export function fromKubeJSON(kind: string, obj: unknown): FromKubeJSONResult<unknown>;
export function fromKubeJSON(kind: string, obj: unknown): FromKubeJSONResult<unknown> {
  const info = requireKind(kind);
  if (!isObject(obj)) throw new SchemaError("", `expected object, got ${describe(obj)}`);
  if (obj.kind != null && obj.kind !== info.kind) throw new SchemaError("kind", `expected ${JSON.stringify(info.kind)}, got ${describe(obj.kind)}`);
  if (obj.apiVersion != null && obj.apiVersion !== info.apiVersion) {
    throw new SchemaError("apiVersion", `expected ${JSON.stringify(info.apiVersion)} for kind ${info.kind}, got ${describe(obj.apiVersion)}`);
  }
  const warnings: string[] = [];
  const message = messageFromJSON(planFor(info.protoName), obj, "", warnings);
  message.apiVersion = info.apiVersion;
  message.kind = info.kind;
  return { message, warnings };
}

/**
 * toKubeJSON renders a message of `kind` (a generated instance or a plain object of the same
 * shape) as Kubernetes JSON: omitempty fields left out when zero, pointers kept when set,
 * int64 as numbers, IntOrString as number or string, RawExtension as the embedded JSON,
 * bytes as base64. `apiVersion` and `kind` always come first and are filled in from the registry.
 */
export function toKubeJSON(kind: string, message: object): Record<string, unknown> {
  const info = requireKind(kind);
  // apiVersion and kind first, then the fields in schema order; the message's own apiVersion
  // and kind (if any) land on the existing keys and are overwritten with the registry's.
  const out: Record<string, unknown> = { apiVersion: info.apiVersion, kind: info.kind };
  messageToJSON(planFor(info.protoName), message as Record<string, unknown>, out);
  out.apiVersion = info.apiVersion;
  out.kind = info.kind;
  return out;
}

/**
 * messageFromKubeJSON / messageToKubeJSON convert a nested type by proto name
 * (e.g. "k8s.core.v1.PodSpec"), for patches and subresources.
 */
export function messageFromKubeJSON(protoName: string, obj: unknown, path = ""): FromKubeJSONResult<unknown> {
  const warnings: string[] = [];
  return { message: valueFromJSON({ message: planFor(protoName) }, obj, path, warnings), warnings };
}

/** See {@link messageFromKubeJSON}. */
export function messageToKubeJSON(protoName: string, message: object): unknown {
  return messageToJSON(planFor(protoName), message as Record<string, unknown>);
}
