// The one-pass wire codec against the message path it replaces (the oracle: protobufjs'
// generated decoder, then toKubeJSON): every fixture, every kind with random bytes generated
// from the field plans (random presence and order, repeated and merged occurrences, packed and
// unpacked lists, maps, specials, unknown fields and known fields with another wire type),
// and damaged bytes: the same JSON (keys in the same order) or the same typed error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { prng } from "./prng.js";
import { readFileSync, readdirSync } from "node:fs";
import YAML from "yaml";
import protobuf from "protobufjs";
import { planFor, type FieldPlan, type TypePlan } from "./json.js";
import { decodeJSON } from "./wire.js";
import {
  decodeKubeProtobuf, decodeStored, decodeStoredJSON, decodeStoredObject, encodeStored, encodeStoredJSON, fromKubeJSON, toKubeJSON, messageToKubeJSON,
  CorruptValueError, ProtobufBodyError, SchemaError, KINDS, KUBE_PROTOBUF_MAGIC, k8s,
} from "./index.js";


// ---- a random wire writer ---------------------------------------------------------------

class Bytes {
  readonly b: number[] = [];
  varint(v: number | bigint): this {
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 128n) {
      this.b.push(Number(x & 127n) | 128);
      x >>= 7n;
    }
    this.b.push(Number(x));
    return this;
  }
  tag(id: number, wt: number): this {
    return this.varint(id * 8 + wt);
  }
  lenDelim(bytes: number[]): this {
    this.varint(bytes.length);
    for (const x of bytes) this.b.push(x);
    return this;
  }
}

const WORDS = ["", "a", "web", "nginx:1.27", "kubernetes.io/hostname", "ä-ü", "日本", "x".repeat(70), "y".repeat(130) + "é", "0", "1", "100m", "25%"];

class Gen {
  constructor(readonly r: () => number) {}
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  string(): string {
    return this.r() < 0.7 ? this.pick(WORDS) : String(this.int(1e6));
  }
  /** A scalar of proto type `type` written as its wire value into `w` (tag already written). */
  scalar(type: string, w: Bytes, specialOf?: string): void {
    switch (type) {
      case "string": w.lenDelim([...Buffer.from(specialOf === "k8s.meta.v1.Quantity" && this.r() < 0.5 ? this.pick(["1", "100m", "64Mi", ""]) : this.string())]); return;
      case "bytes": {
        if (specialOf === "k8s.meta.v1.RawExtension") {
          const json = this.r() < 0.95 ? JSON.stringify(this.pick([{}, { a: 1 }, [1, "x"], "s", { "f:metadata": { "f:labels": {} } }])) : "{not json";
          w.lenDelim([...Buffer.from(this.r() < 0.1 ? "" : json)]);
        } else w.lenDelim(Array.from({ length: this.int(6) }, () => this.int(256)));
        return;
      }
      case "bool": w.varint(this.r() < 0.1 ? 2 : this.int(2)); return;
      case "int32": w.varint(this.pick([0, 1, 127, 128, 300, -1, -2147483648, 2147483647, this.int(1e6)])); return;
      case "uint32": w.varint(this.pick([0, 1, 4294967295, this.int(1e6)])); return;
      case "int64": w.varint(this.pick([0, 1, -1, 2 ** 40 + 3, -(2 ** 45), Number.MAX_SAFE_INTEGER, 1767225600, this.int(1e9)])); return;
      default: throw new Error(`no generator for ${type}`);
    }
  }
  /** The bytes of a random value of another wire type than `wt` (an unknown or mismatched field). */
  other(id: number, wt: number, w: Bytes): void {
    const choices = [0, 1, 2, 5].filter((x) => x !== wt);
    const t = this.pick(choices);
    w.tag(id, t);
    if (t === 0) w.varint(this.int(1e9));
    else if (t === 1) for (let i = 0; i < 8; i++) w.b.push(this.int(256));
    else if (t === 5) for (let i = 0; i < 4; i++) w.b.push(this.int(256));
    else w.lenDelim(Array.from({ length: this.int(5) }, () => this.int(256)));
  }
  /** A random encoding of message `plan`. */
  message(plan: TypePlan, depth: number): number[] {
    const w = new Bytes();
    const presence = depth === 0 ? 0.8 : Math.max(0.1, 0.6 - depth * 0.1);
    const fields = [...plan.list].sort(() => this.r() - 0.5);
    for (const f of fields) {
      if (this.r() > presence) continue;
      const times = this.r() < 0.1 ? 2 : 1; // a field written twice: last wins, lists append, messages merge
      for (let k = 0; k < times; k++) this.field(f, plan, depth, w);
      if (this.r() < 0.05) this.other(f.id, f.message || f.map || f.protoType === "string" || f.protoType === "bytes" ? 2 : 0, w);
    }
    if (this.r() < 0.1) this.other(900 + this.int(100), -1, w); // unknown field
    if (this.r() < 0.03) w.tag(950, 3).tag(1, 0).varint(5).tag(950, 4); // unknown group
    return w.b;
  }
  field(f: FieldPlan, plan: TypePlan, depth: number, w: Bytes): void {
    const n = f.repeated || f.map ? this.int(depth > 3 ? 2 : 4) : 1;
    if (f.map) {
      for (let i = 0; i < n; i++) {
        const e = new Bytes();
        if (this.r() < 0.95) e.tag(1, 2).lenDelim([...Buffer.from(this.pick(["k", "app", "cpu", "memory", "", "k2", "__proto__"]))]);
        if (f.message) {
          if (this.r() < 0.9) e.tag(2, 2).lenDelim(this.message(f.message, depth + 1));
        } else if (f.protoType === "bytes" || this.r() < 0.95) {
          e.tag(2, 2);
          this.scalar(f.protoType!, e);
        }
        w.tag(f.id, 2).lenDelim(e.b);
      }
      return;
    }
    if (f.message) {
      for (let i = 0; i < n; i++) w.tag(f.id, 2).lenDelim(depth > 6 ? [] : this.message(f.message, depth + 1));
      return;
    }
    const type = f.protoType!;
    if (f.repeated && type !== "string" && type !== "bytes" && this.r() < 0.5) {
      const p = new Bytes();
      for (let i = 0; i < n; i++) this.scalar(type, p);
      w.tag(f.id, 2).lenDelim(p.b);
      return;
    }
    const wt = type === "string" || type === "bytes" ? 2 : 0;
    for (let i = 0; i < n; i++) {
      w.tag(f.id, wt);
      this.scalar(type, w, plan.special ? plan.fullName : undefined);
    }
  }
}

// ---- the oracle -----------------------------------------------------------------------

type Outcome = { json: string } | { error: string };

function outcome(fn: () => unknown): Outcome {
  try {
    return { json: JSON.stringify(fn()) };
  } catch (err) {
    return { error: (err as Error).constructor.name };
  }
}

function storedValue(kind: string, object: number[] | Uint8Array): Uint8Array {
  const w = new Bytes();
  w.b.push(0x6b, 0x38, 0x73, 2);
  w.tag(1, 2).lenDelim([...Buffer.from(kind)]);
  w.tag(2, 2).lenDelim([...object]);
  return Uint8Array.from(w.b);
}

/** The message path's result for a stored value: decodeStored, then toKubeJSON. */
function oldStored(bytes: Uint8Array): Outcome {
  return outcome(() => {
    const { kind, message } = decodeStored(bytes);
    const obj = toKubeJSON(kind, message as object) as Record<string, any>;
    obj.metadata ??= {};
    obj.metadata.resourceVersion = "9";
    return obj;
  });
}

/** The typed errors of decodeStoredJSON (the message path let others through, e.g. a RangeError for a Time past year 275760). */
const TYPED = ["CorruptValueError", "UnsupportedVersionError", "SchemaError"];

function assertSame(bytes: Uint8Array, what: string): void {
  const want = oldStored(bytes);
  const got = outcome(() => decodeStoredJSON(bytes, 9));
  if ("error" in want && !TYPED.includes(want.error)) {
    // Where the message path failed untyped, the one-pass codec gives a typed error (which one
    // depends on what it meets first when the value has more than one fault).
    assert.ok("error" in got && TYPED.includes(got.error), `${what}: ${JSON.stringify(got)}`);
    return;
  }
  assert.deepEqual(got, want, what);
  if ("json" in want) assert.deepEqual(decodeStoredJSON(bytes, 9), JSON.parse(want.json), what);
}

// ---- tests ----------------------------------------------------------------------------

const here = new URL("../../../services/schema/testdata/", import.meta.url);
const fixtures: Record<string, unknown>[] = [];
for (const file of readdirSync(here).filter((f) => f.endsWith(".yaml")).sort()) {
  for (const d of YAML.parseAllDocuments(readFileSync(new URL(file, here), "utf8"))) fixtures.push(d.toJSON() as Record<string, unknown>);
}

test("wire - every fixture decodes to what the message path gives, keys in the same order", () => {
  assert.ok(fixtures.length > 10);
  for (const doc of fixtures) {
    const kind = doc.kind as string;
    const bytes = encodeStored(kind, fromKubeJSON(kind, doc).message as object);
    assertSame(bytes, `${kind} ${JSON.stringify(doc.metadata)}`);
    assertSame(Buffer.from(bytes), `${kind} from a Buffer`);
  }
});

test("wire - random bytes of every kind decode as the message path decodes them", () => {
  const gen = new Gen(prng(4));
  for (const [kind, info] of KINDS) {
    const plan = planFor(info.protoName);
    for (let i = 0; i < 60; i++) assertSame(storedValue(kind, gen.message(plan, 0)), `${kind} #${i}`);
  }
});

test("wire - random bytes of every nested type decode as the message path decodes them", () => {
  const gen = new Gen(prng(11));
  const root = protobuf.Root.fromJSON(JSON.parse(readFileSync(new URL("../../../services/schema/gen/descriptor.json", import.meta.url), "utf8")));
  const types: protobuf.Type[] = [];
  const walk = (ns: protobuf.NamespaceBase) => {
    for (const n of ns.nestedArray) {
      if (n instanceof protobuf.Type) types.push(n);
      if (n instanceof protobuf.Namespace || n instanceof protobuf.Type) walk(n);
    }
  };
  walk(root.lookup("k8s") as protobuf.Namespace);
  for (const t of types) {
    const name = t.fullName.slice(1);
    if (name.startsWith("k8s.bus.") || name.startsWith("k8s.stored.") || name.startsWith("k8s.runtime.")) continue;
    const plan = planFor(name);
    let ctor: unknown = { k8s };
    for (const seg of name.split(".")) ctor = (ctor as Record<string, unknown>)[seg];
    const type = ctor as { decode(b: Uint8Array): object };
    for (let i = 0; i < 30; i++) {
      const bytes = Uint8Array.from(gen.message(plan, 1));
      const want = outcome(() => messageToKubeJSON(name, type.decode(bytes)));
      const got = outcome(() => decodeJSON(name, bytes, 0, bytes.length));
      // Any error but a SchemaError (a RawExtension that is not JSON) is about the bytes.
      const bytesError = (o: Outcome) => ("error" in o && o.error !== "SchemaError" ? { error: "bytes" } : o);
      assert.deepEqual(bytesError(got), bytesError(want), `${name} #${i}`);
    }
  }
});

test("wire - truncated and damaged bytes give the message path's typed error, never another", () => {
  const gen = new Gen(prng(7));
  const r = prng(8);
  for (const kind of ["Pod", "Node", "Deployment", "ConfigMap", "Secret", "Event", "PodList"]) {
    const plan = planFor(KINDS.get(kind)!.protoName);
    for (let i = 0; i < 20; i++) {
      const bytes = storedValue(kind, gen.message(plan, 0));
      for (let n = 4; n < bytes.length; n += 1 + Math.floor(r() * 7)) assertSame(bytes.subarray(0, n), `${kind} #${i} truncated to ${n}`);
      for (let k = 0; k < 30; k++) {
        const b = Uint8Array.from(bytes);
        for (let j = 0; j < 1 + Math.floor(r() * 3); j++) b[8 + Math.floor(r() * (b.length - 8))] = Math.floor(r() * 256);
        assertSame(b, `${kind} #${i} damaged ${k}`);
        const got = outcome(() => decodeStoredJSON(b, 9));
        if ("error" in got) assert.ok(["CorruptValueError", "SchemaError"].includes(got.error), got.error);
      }
    }
  }
});

test("wire - a RawExtension that is not JSON is a SchemaError; with corrupt bytes after it a CorruptValueError", () => {
  const entry = new Bytes().tag(7, 2).lenDelim(new Bytes().tag(1, 2).lenDelim([...Buffer.from("{nope")]).b);
  const meta = new Bytes().tag(17, 2).lenDelim(entry.b);
  const pod = new Bytes().tag(1, 2).lenDelim(meta.b);
  assert.throws(() => decodeStoredJSON(storedValue("Pod", pod.b), 1), SchemaError);
  assert.throws(() => decodeStoredJSON(storedValue("Pod", [...pod.b, 0x12, 0x05, 0x0a]), 1), CorruptValueError);
});

test("wire - decodeStoredObject gives the kind and the object without a resourceVersion", () => {
  const bytes = encodeStored("ConfigMap", { metadata: { name: "c", namespace: "d" }, data: { k: "v" } });
  assert.deepEqual(decodeStoredObject(bytes), {
    kind: "ConfigMap",
    object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "d" }, data: { k: "v" } },
  });
});

test("wire - Kubernetes protobuf bodies: random objects and damaged bodies as the message path", () => {
  const gen = new Gen(prng(21));
  const r = prng(22);
  for (const kind of ["Pod", "Deployment", "Node", "Status", "Scale"]) {
    const info = KINDS.get(kind)!;
    for (let i = 0; i < 30; i++) {
      const raw = gen.message(planFor(info.protoName), 0);
      const unknown = new Bytes().tag(1, 2).lenDelim(new Bytes().tag(1, 2).lenDelim([...Buffer.from(info.apiVersion)]).tag(2, 2).lenDelim([...Buffer.from(kind)]).b).tag(2, 2).lenDelim(raw);
      const body = Uint8Array.from([...KUBE_PROTOBUF_MAGIC, ...unknown.b]);
      const old = (b: Uint8Array) => outcome(() => {
        const u = k8s.runtime.Unknown.decode(b.subarray(4));
        return toKubeJSON(kind, info.type.decode(u.raw));
      });
      const want = old(body);
      const got = outcome(() => decodeKubeProtobuf(body).object);
      assert.deepEqual(got, "error" in want ? { error: "ProtobufBodyError" } : want, `${kind} #${i}`);
      for (let n = 5; n < body.length; n += 1 + Math.floor(r() * 9)) {
        const cut = outcome(() => decodeKubeProtobuf(body.subarray(0, n)).object);
        assert.ok("json" in cut || cut.error === "ProtobufBodyError", `${kind} #${i} cut at ${n}: ${JSON.stringify(cut)}`);
      }
      assert.throws(() => decodeKubeProtobuf(body.subarray(0, body.length - 1)), ProtobufBodyError);
    }
  }
});

// ---- encoding -------------------------------------------------------------------------

/** The message path's stored value and warnings for a JSON object (resourceVersion left out), or its error. */
function oldEncode(kind: string, obj: unknown): { hex: string; warnings: string[] } | { error: string } {
  try {
    let input = obj;
    const meta = (obj as { metadata?: unknown })?.metadata;
    if (meta && typeof meta === "object" && !Array.isArray(meta)) input = { ...(obj as object), metadata: { ...meta, resourceVersion: undefined } };
    const { message, warnings } = fromKubeJSON(kind, input);
    return { hex: Buffer.from(encodeStored(kind, message as object)).toString("hex"), warnings };
  } catch (err) {
    return { error: `${(err as Error).constructor.name}: ${(err as Error).message}` };
  }
}

function newEncode(kind: string, obj: unknown): { hex: string; warnings: string[] } | { error: string } {
  try {
    const { value, warnings } = encodeStoredJSON(kind, obj);
    return { hex: Buffer.from(value).toString("hex"), warnings };
  } catch (err) {
    return { error: `${(err as Error).constructor.name}: ${(err as Error).message}` };
  }
}

test("wire encode - every fixture encodes to the message path's bytes", () => {
  for (const doc of fixtures) {
    const kind = doc.kind as string;
    const want = oldEncode(kind, doc);
    assert.ok("hex" in want, JSON.stringify(want));
    assert.deepEqual(newEncode(kind, doc), want, kind);
  }
});

/** A random edit of a JSON object: an unknown key, a null, a wrong type, a bad quantity or time, an undefined. */
function damage(gen: Gen, obj: Record<string, unknown>): void {
  const objects: Record<string, unknown>[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      objects.push(v as Record<string, unknown>);
      Object.values(v).forEach(walk);
    }
  };
  walk(obj);
  const o = gen.pick(objects);
  const keys = Object.keys(o);
  const k = keys.length ? gen.pick(keys) : "x";
  const edits = [
    () => (o.zzUnknown = 1),
    () => (o[k] = null),
    () => (o[k] = undefined),
    () => (o.zzUnknown = undefined),
    () => (o[k] = 7),
    () => (o[k] = "bad quantity or time"),
    () => (o[k] = true),
    () => (o[k] = [1]),
    () => (o[k] = { q: 1 }),
    () => (o[k] = 2 ** 40),
    () => (o[k] = 1.5),
    () => (o[k] = ""),
    () => (o[k] = "2026-01-02T03:04:05.123456Z"),
    () => (o[k] = "10m"),
    () => (o[k] = "AAEC"),
    () => (o[k] = "\ud800x"),
  ];
  gen.pick(edits)();
}

test("wire encode - random objects of every kind, also damaged: the message path's bytes, warnings and errors", () => {
  const gen = new Gen(prng(31));
  for (const [kind, info] of KINDS) {
    const plan = planFor(info.protoName);
    for (let i = 0; i < 40; i++) {
      let obj: Record<string, unknown>;
      try {
        obj = toKubeJSON(kind, info.type.decode(Uint8Array.from(gen.message(plan, 0))) as object);
      } catch {
        continue; // bytes the decoder rejects (e.g. a RawExtension that is not JSON)
      }
      (obj.metadata as Record<string, unknown> | undefined) && ((obj.metadata as Record<string, unknown>).resourceVersion = "12");
      assert.deepEqual(newEncode(kind, obj), oldEncode(kind, obj), `${kind} #${i}`);
      for (let d = 0; d < 3; d++) {
        const copy = structuredClone(obj);
        damage(gen, copy);
        assert.deepEqual(newEncode(kind, copy), oldEncode(kind, copy), `${kind} #${i} damaged ${d}: ${JSON.stringify(copy).slice(0, 300)}`);
      }
    }
  }
});
