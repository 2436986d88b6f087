/**
 * Kubernetes JSON <-> generated messages, for every kind, driven by the reflection descriptor
 * (gen/descriptor.json). Per message type a field plan is built once, and from it two
 * converters are compiled on first use (see "compiled converters"). JSON rules (omitempty,
 * pointers, always-emitted fields, inlined embedded structs, and the special messages
 * IntOrString, RawExtension, Time, MicroTime, Duration, Quantity) are documented in
 * proto/meta.proto. The wire codec (wire.ts) compiles its one-pass decoders from the same plans.
 */
import { readFileSync } from "node:fs";
import protobuf from "protobufjs";
import "./int64-as-number.js";
import { k8s } from "./gen/proto.js";
import { SchemaError } from "./errors.js";
import { requireKind, type Kind, type KindMessages } from "./registry.js";
import { formatGoDuration, formatRFC3339, parseGoDuration, parseRFC3339 } from "./time.js";

// Resource quantity syntax, as resource.Quantity parses it (the API server's regexp).
export const QUANTITY = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+|[kMGTPE]i?|[munk]|Ki)?$/;
export const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export type ScalarKind = "string" | "bool" | "int32" | "uint32" | "int64" | "uint64" | "double" | "bytes";

/** How one element (a scalar, a nested message, or a map value / list item) converts. */
export interface ValuePlan {
  scalar?: ScalarKind;
  message?: TypePlan;
  /** The proto type of a scalar ("int32", "sint64", "float", ...), for the wire codec. */
  protoType?: string;
}

export interface FieldPlan extends ValuePlan {
  name: string;
  /** Field number. */
  id: number;
  repeated: boolean;
  map: boolean;
  /** Go pointer (proto3 optional): emitted whenever set. */
  presence: boolean;
  /** Go field without omitempty: emitted even when zero. */
  always: boolean;
  /** Go embedded struct: a nested message whose fields are the parent's in JSON. */
  inline: boolean;
  /** A repeated scalar written packed (proto3's default unless [packed = false]). */
  packed: boolean;
}

/** Where a JSON key lives: through zero or more inline messages, then the field. */
export interface JSONRoute {
  via: FieldPlan[];
  field: FieldPlan;
}

/** Adds the JSON fields of a message to `out` and returns it (specials: return the JSON value, undefined for a zero Time). */
type ToJSON = (msg: Record<string, unknown>, out?: Record<string, unknown>) => unknown;
/** A new message from its JSON form (not null); errors and warnings carry `ctx`'s path. */
type FromJSON = (v: unknown, ctx: FromJSONContext) => Record<string, unknown>;

export interface TypePlan {
  fullName: string;
  ctor: new () => Record<string, unknown>;
  /** Set for the messages with their own JSON form (Time, Quantity, ...). */
  special?: SpecialCodec;
  /** JSON key -> field, inline messages' fields included. */
  byJSON: Map<string, JSONRoute>;
  list: FieldPlan[];
  toJSON: ToJSON;
  fromJSON: FromJSON;
}

const SCALARS: Record<string, ScalarKind> = {
  string: "string", bool: "bool", bytes: "bytes", double: "double", float: "double",
  int32: "int32", sint32: "int32", sfixed32: "int32", uint32: "uint32", fixed32: "uint32",
  int64: "int64", sint64: "int64", sfixed64: "int64", uint64: "uint64", fixed64: "uint64",
};
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const EMPTY_BYTES = new Uint8Array(0);

const root = protobuf.Root.fromJSON(JSON.parse(readFileSync(new URL("./gen/descriptor.json", import.meta.url), "utf8")));
const plans = new Map<string, TypePlan>();

function staticCtor(fullName: string): new () => Record<string, unknown> {
  let ns: unknown = { k8s };
  for (const seg of fullName.split(".")) ns = (ns as Record<string, unknown>)[seg];
  if (typeof ns !== "function") throw new Error(`schema: no generated class for ${fullName}`);
  return ns as new () => Record<string, unknown>;
}

/** planFor builds (once) how to convert a message type; its converters are compiled on first use. */
export function planFor(fullName: string): TypePlan {
  const cached = plans.get(fullName);
  if (cached) return cached;
  const type = root.lookupType(fullName);
  const ctor = staticCtor(fullName);
  const special = SPECIALS[fullName];
  const plan: TypePlan = {
    fullName, ctor, special, byJSON: new Map(), list: [],
    toJSON: special ? special.toJSON : (m, out) => (plan.toJSON = compileToJSON(plan))(m, out),
    fromJSON: special
      ? (v, ctx) => {
          const m = new ctor();
          special.fromJSON(m, v, ctx);
          return m;
        }
      : (v, ctx) => (plan.fromJSON = compileFromJSON(plan))(v, ctx),
  };
  plans.set(fullName, plan); // before recursing: types may be recursive
  for (const f of type.fieldsArray) {
    f.resolve();
    if (!IDENTIFIER.test(f.name)) throw new Error(`schema: field name ${fullName}.${f.name} is not an identifier`);
    const opts = f.options ?? {};
    const fp: FieldPlan = {
      name: f.name,
      id: f.id,
      repeated: f.repeated,
      map: f.map,
      presence: opts["proto3_optional"] === true,
      always: opts["(always)"] === true,
      inline: opts["(inline)"] === true,
      packed: f.repeated && f.packed,
    };
    if (f.map && (f as unknown as protobuf.MapField).keyType !== "string") throw new Error(`schema: map keys must be strings (${fullName}.${f.name})`);
    if (f.resolvedType instanceof protobuf.Type) fp.message = planFor(f.resolvedType.fullName.replace(/^\./, ""));
    else if (f.resolvedType) throw new Error(`schema: enums are not used in Kubernetes JSON (${fullName}.${f.name})`);
    else {
      const s = SCALARS[f.type];
      if (!s) throw new Error(`schema: unsupported field type ${f.type} (${fullName}.${f.name})`);
      fp.scalar = s;
      fp.protoType = f.type;
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

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "string") return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  if (typeof v === "number" || typeof v === "boolean") return `${typeof v} ${v}`;
  return typeof v;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// ---- compiled converters --------------------------------------------------------------
//
// Each message type gets two functions, generated once on first use (new Function) from its
// field plan: straight-line code with one statement per field, so that the per-field decisions
// (scalar kind, list, map, inline, omitempty, pointer) are taken when compiling and each
// property access sees one message shape. Lists, maps and nested messages call the element
// type's compiled function; the special messages (Time, Quantity, ...) are hand-written below.
// Generated code sees only the helpers in HELPERS and the plans/constructors it names.
// For example PodCondition's toJSON holds, for `status` (no omitempty) and `reason`:
//   v = m.status; out.status = v == null ? "" : v;
//   v = m.reason; if (v != null && v !== "") out.reason = v;

/** Where fromJSON is in the document, for error and warning paths: ".field" segments, list indexes, MAP_KEY + key. */
type PathSeg = string | number | typeof MAP_KEY;
const MAP_KEY = Symbol("map key");

interface FromJSONContext {
  path: PathSeg[];
  warnings: string[];
}

/** pathOf: the Kubernetes field path of the current position plus `last` (".field", an index, or "[key]"). */
function pathOf(ctx: FromJSONContext, last: string | number): string {
  let s = "";
  const segs = ctx.path;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    if (seg === MAP_KEY) s += `[${String(segs[++i])}]`;
    else s += typeof seg === "number" ? `[${seg}]` : seg;
  }
  s += typeof last === "number" ? `[${last}]` : last;
  return s.startsWith(".") ? s.slice(1) : s;
}

function typeError(ctx: FromJSONContext, last: string | number, expected: string, v: unknown): SchemaError {
  return new SchemaError(pathOf(ctx, last), `expected ${expected}, got ${describe(v)}`);
}

/** BAD: what a scalar reader returns for a JSON value of the wrong type. */
const BAD = Symbol("bad scalar");

/** Scalar readers: the message value for a JSON value, or BAD. */
const FROM_SCALAR: Record<ScalarKind, (v: unknown) => unknown> = {
  string: (v) => (typeof v === "string" ? v : BAD),
  bool: (v) => (typeof v === "boolean" ? v : BAD),
  int32: (v) => (typeof v === "number" && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? v : BAD),
  uint32: (v) => (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 4294967295 ? v : BAD),
  int64: (v) => (typeof v === "number" && Number.isSafeInteger(v) ? v : BAD),
  uint64: (v) => (typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : BAD),
  double: (v) => (typeof v === "number" && Number.isFinite(v) ? v : BAD),
  bytes: (v) => (typeof v === "string" && BASE64.test(v) ? Buffer.from(v, "base64") : BAD),
};

const EXPECTED: Record<ScalarKind, string> = {
  string: "string", bool: "boolean", int32: "32-bit integer", uint32: "unsigned 32-bit integer",
  int64: "integer", uint64: "unsigned integer", double: "number", bytes: "base64 string",
};

function scalarError(ctx: FromJSONContext, last: string | number, kind: ScalarKind, v: unknown): SchemaError {
  if (kind === "bytes" && typeof v === "string") return new SchemaError(pathOf(ctx, last), "illegal base64 data");
  return typeError(ctx, last, EXPECTED[kind], v);
}

function unknownField(ctx: FromJSONContext, key: string): void {
  ctx.warnings.push(`unknown field "${pathOf(ctx, `.${key}`)}"`);
}

/** setKey: o[k] = v, also for the key "__proto__" (an own property, never the prototype). */
export function setKey(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === "__proto__") Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

function toNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "object" && v !== null && "toNumber" in v) return (v as { toNumber(): number }).toNumber(); // Long
  return Number(v);
}

export function base64(v: Uint8Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
}

const HELPERS = { BAD, MAP_KEY, FROM_SCALAR, typeError, scalarError, unknownField, setKey, isObject, toNumber, base64 };

/** The identifiers generated code uses for plans and constructors, with their values. */
class CodeEnv {
  readonly values = new Map<string, unknown>(Object.entries(HELPERS));
  plan(p: TypePlan): string {
    const id = `T_${p.fullName.replace(/\./g, "_")}`;
    this.values.set(id, p);
    return id;
  }
  ctor(p: TypePlan): string {
    const id = `C_${p.fullName.replace(/\./g, "_")}`;
    this.values.set(id, p.ctor);
    return id;
  }
  /** compile: the function `source` (a function expression) with this environment in scope. */
  compile<F>(source: string): F {
    const names = [...this.values.keys()];
    return new Function(...names, `"use strict"; return ${source};`)(...this.values.values()) as F;
  }
}

/** The JSON form of a zero scalar (Go's zero value), as a JS literal. */
export function zeroJSONLiteral(kind: ScalarKind): string {
  return kind === "string" || kind === "bytes" ? '""' : kind === "bool" ? "false" : "0";
}

/** A JS expression for the JSON form of scalar `v` (not null). */
function scalarToJSONExpr(kind: ScalarKind, v: string): string {
  return kind === "int64" || kind === "uint64" ? `toNumber(${v})` : kind === "bytes" ? `base64(${v})` : v;
}

/** A JS expression for the JSON form of list item / map value `e` (Go's zero value for null). */
function elemToJSONExpr(p: ValuePlan, e: string, env: CodeEnv): string {
  if (p.message?.special) return `(${env.plan(p.message)}.toJSON(${e} ?? new ${env.ctor(p.message)}()) ?? null)`;
  if (p.message) return `${env.plan(p.message)}.toJSON(${e} ?? new ${env.ctor(p.message)}(), {})`;
  return `(${e} == null ? ${zeroJSONLiteral(p.scalar!)} : ${scalarToJSONExpr(p.scalar!, e)})`;
}

/** The statements that add field `f` of message `m` to `out` (v and j are scratch variables). */
function fieldToJSON(f: FieldPlan, env: CodeEnv): string {
  const get = `v = m.${f.name};`;
  const set = `out.${f.name}`;
  if (f.inline) return `${get} if (v != null) ${env.plan(f.message!)}.toJSON(v, out);`;
  if (f.map) {
    return `${get} if (v != null) { let o; for (const k in v) { const e = v[k]; setKey(o ??= {}, k, ${elemToJSONExpr(f, "e", env)}); } if (o !== undefined) ${set} = o; }`;
  }
  if (f.repeated) {
    return `${get} if (v && v.length !== 0) { const o = new Array(v.length); for (let i = 0; i < v.length; i++) { const e = v[i]; o[i] = ${elemToJSONExpr(f, "e", env)}; } ${set} = o; }`;
  }
  if (f.message?.special) return `${get} if (v != null && (j = ${env.plan(f.message)}.toJSON(v)) !== undefined) ${set} = j;`;
  if (f.message) return `${get} if (v != null) ${set} = ${env.plan(f.message)}.toJSON(v, {});`;
  const kind = f.scalar!;
  if (f.presence) return `${get} if (v != null) ${set} = ${scalarToJSONExpr(kind, "v")};`;
  if (f.always) return `${get} ${set} = v == null ? ${zeroJSONLiteral(kind)} : ${scalarToJSONExpr(kind, "v")};`;
  switch (kind) {
    case "string": return `${get} if (v != null && v !== "") ${set} = v;`;
    case "bool": return `${get} if (v != null && v !== false) ${set} = v;`;
    case "bytes": return `${get} if (v != null && v.length !== 0) ${set} = base64(v);`;
    case "int64":
    case "uint64": return `${get} if (v != null && (j = toNumber(v)) !== 0) ${set} = j;`;
    default: return `${get} if (v != null && v !== 0) ${set} = v;`;
  }
}

/** compileToJSON: `(m, out) => out` adding the JSON fields of message `m` to `out`, in schema order. */
function compileToJSON(plan: TypePlan): ToJSON {
  const env = new CodeEnv();
  const body = plan.list.map((f) => `  ${fieldToJSON(f, env)}`).join("\n");
  return env.compile(`function ${plan.fullName.replace(/\./g, "_")}_toJSON(m, out) {\n  let v, j;\n${body}\n  return out;\n}`);
}

/** The JS literal/expression of Go's zero value of a scalar, as a message value. */
function zeroValueExpr(kind: ScalarKind): string {
  return kind === "bytes" ? "Buffer.alloc(0)" : zeroJSONLiteral(kind);
}

/**
 * The statements that convert list item / map value `e` (at path segment `seg`, an expression)
 * into `target` (an assignable expression): zero values for null, as Go decodes them.
 */
function elemFromJSON(p: ValuePlan, e: string, target: string, pushSeg: string, errSeg: string, popSeg: string, env: CodeEnv): string {
  if (p.message) {
    return `if (${e} == null) ${target} = new ${env.ctor(p.message)}(); else { ctx.path.push(${pushSeg}); ${target} = ${env.plan(p.message)}.fromJSON(${e}, ctx); ${popSeg}; }`;
  }
  const kind = p.scalar!;
  return `if (${e} == null) ${target} = ${zeroValueExpr(kind)}; else if ((${target} = FROM_SCALAR.${kind}(${e})) === BAD) throw scalarError(ctx, ${errSeg}, "${kind}", ${e});`;
}

/** The statements of the `case` for JSON key `key`: value `x` (not null) into field `route.field`. */
function routeFromJSON(key: string, route: JSONRoute, env: CodeEnv): string {
  const f = route.field;
  // The message holding the field: the embedded structs on the way are created when first needed.
  let holder = "m";
  for (const step of route.via) holder = `(${holder}.${step.name} ??= new ${env.ctor(step.message!)}())`;
  const seg = JSON.stringify(`.${key}`);
  if (f.map) {
    const elem = elemFromJSON(f, "e", "y", "MAP_KEY, k", '"[" + k + "]"', "ctx.path.length -= 2", env);
    return `if (!isObject(x)) throw typeError(ctx, ${seg}, "object", x); ctx.path.push(${seg}); { const o = {}; for (const k in x) { const e = x[k]; ${elem} setKey(o, k, y); } ${holder}.${f.name} = o; } ctx.path.pop();`;
  }
  if (f.repeated) {
    const elem = elemFromJSON(f, "e", "o[i]", "i", "i", "ctx.path.pop()", env);
    return `if (!Array.isArray(x)) throw typeError(ctx, ${seg}, "array", x); ctx.path.push(${seg}); { const o = new Array(x.length); for (let i = 0; i < x.length; i++) { const e = x[i]; ${elem} } ${holder}.${f.name} = o; } ctx.path.pop();`;
  }
  if (f.message) return `ctx.path.push(${seg}); ${holder}.${f.name} = ${env.plan(f.message)}.fromJSON(x, ctx); ctx.path.pop();`;
  return `if ((y = FROM_SCALAR.${f.scalar}(x)) === BAD) throw scalarError(ctx, ${seg}, "${f.scalar}", x); ${holder}.${f.name} = y;`;
}

/**
 * compileFromJSON: `(v, ctx) => message` for a JSON object: known keys converted (nulls are
 * absent), unknown keys reported as warnings, keys handled in the object's order.
 */
function compileFromJSON(plan: TypePlan): FromJSON {
  const env = new CodeEnv();
  const cases = [...plan.byJSON].map(([key, route]) => `      case ${JSON.stringify(key)}: if (x != null) { ${routeFromJSON(key, route, env)} } break;`);
  return env.compile(`function ${plan.fullName.replace(/\./g, "_")}_fromJSON(v, ctx) {
  if (!isObject(v)) throw typeError(ctx, "", "object", v);
  const m = new ${env.ctor(plan)}();
  let y;
  for (const key in v) {
    const x = v[key];
    switch (key) {
${cases.join("\n")}
      default: unknownField(ctx, key);
    }
  }
  return m;
}`);
}

// ---- special messages -------------------------------------------------------------------

export type SpecialCodec = {
  /** The JSON form; undefined for a zero Time/MicroTime (left out). */
  toJSON(msg: Record<string, unknown>): unknown;
  /**
   * The JSON form from the field values in schema order (unset: Go's zero value, but
   * undefined for an unset pointer): what the wire codec (wire.ts) calls, without a message.
   */
  fromFields(...fields: any[]): unknown;
  /** Fills `msg` from the JSON form `v` (not null). */
  fromJSON(msg: Record<string, unknown>, v: unknown, ctx: FromJSONContext): void;
};

function timeCodec(micro: boolean): SpecialCodec {
  const fromFields = (seconds: number | undefined, nanos: number) => (seconds === undefined ? undefined : formatRFC3339(seconds, nanos, micro));
  return {
    toJSON: (msg) => fromFields(msg.seconds == null ? undefined : toNumber(msg.seconds), toNumber(msg.nanos ?? 0)),
    fromFields,
    fromJSON(msg, v, ctx) {
      if (typeof v !== "string") throw typeError(ctx, "", "RFC3339 time string", v);
      const t = parseRFC3339(v);
      if (!t) throw typeError(ctx, "", "RFC3339 time", v);
      msg.seconds = t.seconds;
      // Time keeps whole seconds (what Kubernetes' decoders keep); MicroTime microseconds.
      msg.nanos = micro ? t.nanos - (t.nanos % 1000) : 0;
    },
  };
}

const intOrStringJSON = (type: number, intVal: number, strVal: string) => (type === 1 ? strVal : intVal);

function rawExtensionJSON(raw: Uint8Array): unknown {
  if (raw.length === 0) return {};
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("utf8");
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SchemaError("", "RawExtension does not hold valid JSON", { cause: err });
  }
}

const quantityJSON = (string: string) => string || "0";

const SPECIALS: Record<string, SpecialCodec> = {
  "k8s.meta.v1.IntOrString": {
    toJSON: (msg) => intOrStringJSON(toNumber(msg.type ?? 0), (msg.intVal as number | undefined) ?? 0, (msg.strVal as string | undefined) ?? ""),
    fromFields: intOrStringJSON,
    fromJSON(msg, v, ctx) {
      if (typeof v === "number" && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) msg.intVal = v;
      else if (typeof v === "string") { msg.type = 1; msg.strVal = v; }
      else throw typeError(ctx, "", "integer or string", v);
    },
  },
  "k8s.meta.v1.RawExtension": {
    toJSON: (msg) => rawExtensionJSON((msg.raw as Uint8Array | undefined) ?? EMPTY_BYTES),
    fromFields: rawExtensionJSON,
    fromJSON(msg, v) {
      msg.raw = Buffer.from(JSON.stringify(v), "utf8");
    },
  },
  "k8s.meta.v1.Quantity": {
    toJSON: (msg) => quantityJSON((msg.string as string | undefined) ?? ""),
    fromFields: quantityJSON,
    fromJSON(msg, v, ctx) {
      if (typeof v === "number" && Number.isFinite(v)) msg.string = String(v);
      else if (typeof v === "string" && QUANTITY.test(v)) msg.string = v;
      else if (typeof v === "string") throw new SchemaError(pathOf(ctx, ""), `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$', got ${JSON.stringify(v)}`);
      else throw typeError(ctx, "", "quantity string", v);
    },
  },
  "k8s.meta.v1.Time": timeCodec(false),
  "k8s.meta.v1.MicroTime": timeCodec(true),
  "k8s.meta.v1.Duration": {
    toJSON: (msg) => formatGoDuration(toNumber(msg.duration ?? 0)),
    fromFields: formatGoDuration,
    fromJSON(msg, v, ctx) {
      const d = typeof v === "string" ? parseGoDuration(v) : undefined;
      if (d === undefined) throw typeError(ctx, "", 'duration string like "1h2m3s"', v);
      msg.duration = d;
    },
  },
};

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
  const ctx: FromJSONContext = { path: [], warnings: [] };
  const message = planFor(info.protoName).fromJSON(obj, ctx);
  message.apiVersion = info.apiVersion;
  message.kind = info.kind;
  return { message, warnings: ctx.warnings };
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
  planFor(info.protoName).toJSON(message as Record<string, unknown>, out);
  out.apiVersion = info.apiVersion;
  out.kind = info.kind;
  return out;
}

/**
 * messageFromKubeJSON / messageToKubeJSON convert a nested type by proto name
 * (e.g. "k8s.core.v1.PodSpec"), for patches and subresources.
 */
export function messageFromKubeJSON(protoName: string, obj: unknown, path = ""): FromKubeJSONResult<unknown> {
  const plan = planFor(protoName);
  const ctx: FromJSONContext = { path: path ? [`.${path}`] : [], warnings: [] };
  return { message: obj == null ? new plan.ctor() : plan.fromJSON(obj, ctx), warnings: ctx.warnings };
}

/** See {@link messageFromKubeJSON}. */
export function messageToKubeJSON(protoName: string, message: object): unknown {
  return planFor(protoName).toJSON(message as Record<string, unknown>, {});
}
