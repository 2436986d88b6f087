// Fuzz (issue 3): more than 10,000 malformed or hostile HTTP requests against one API server.
// Every refusal is a 4xx metav1.Status (never a 5xx, never a dropped connection or a hang),
// the process survives, and a refused request never writes the store.
//
// The requests come from a seeded PRNG: the seed is printed, and FUZZ_SEED=<seed> replays a run.
// Phase 1 (concurrent): requests that must all be refused, plus dry-run random mutations of valid
// manifests and read-only oddities (which may succeed but must not write): the store revision
// before and after the phase must be equal.
// Phase 2 (one at a time): random mutations of valid manifests without dryRun; any refusal must
// leave the store revision where it was.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import YAML from "yaml";
import { RedisStore } from "../services/store/index.js";
import { startCluster } from "./harness/cluster.js";

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 32);
const CONCURRENCY = 16;
const PHASE1_REQUESTS = 10_400;
const PHASE2_REQUESTS = 500;
const RAW_SOCKET_PROBES = 60;
const REQUEST_TIMEOUT_MS = 20_000;
const MiB = 1024 * 1024;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Rand: a small seeded PRNG (mulberry32) with the helpers the generators need. */
class Rand {
  private a: number;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  chars(alphabet: string, n: number): string {
    const cs = [...alphabet];
    let s = "";
    for (let i = 0; i < n; i++) s += cs[this.int(cs.length)];
    return s;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

/** One request and what it must get back. */
interface Probe {
  what: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body without Content-Length (chunked). */
  chunked?: boolean;
  /** "reject": a 4xx Status; "any": anything but a 5xx (a 4xx must still be a Status). */
  expect: "reject" | "any";
  /** The exact status required, when the category fixes it (404, 405, 413, 415). */
  code?: number;
}

interface Reply {
  status: number;
  body: Buffer;
}

const JSON_CT = { "Content-Type": "application/json" };
const YAML_CT = { "Content-Type": "application/yaml" };
const PATCH_CT = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
} as const;

/** The kinds the fuzzer writes, each with a collection path, an existing target and a valid manifest. */
interface KindCase {
  kind: string;
  apiVersion: string;
  collection: string;
  target: string;
  manifest(name: string): { [k: string]: Json };
  /** Fields where some value types are always refused, with such values. */
  typed: Array<[path: string[], bad: Json[]]>;
}

const LABELS = { app: "fuzz", tier: "x" };
const COMMON_TYPED: KindCase["typed"] = [
  [["metadata"], ["meta", 5, [1], true]],
  [["metadata", "name"], [5, { a: "b" }, ["x"], true]],
  [["metadata", "labels"], ["labels", [1], 7, true]],
  [["metadata", "labels", "app"], [5, { a: 1 }, ["x"], false]],
  [["metadata", "annotations"], ["notes", [1], 7]],
  [["metadata", "annotations", "note"], [5, { a: 1 }, [1]]],
  [["kind"], [5, { a: 1 }, ["x"], true, "Nope"]],
  [["apiVersion"], [5, { a: 1 }, ["x"], true, "v9", "nope/v1"]],
];

const KIND_CASES: KindCase[] = [
  {
    kind: "ConfigMap",
    apiVersion: "v1",
    collection: "/api/v1/namespaces/default/configmaps",
    target: "fuzz-cm",
    manifest: (name) => ({
      kind: "ConfigMap",
      apiVersion: "v1",
      data: { a: "1", b: "two" },
      metadata: { labels: { ...LABELS }, annotations: { note: "n" }, name },
    }),
    typed: [...COMMON_TYPED, [["data"], ["d", [1], 5, true]], [["data", "a"], [1, { x: "y" }, ["x"], true]]],
  },
  {
    kind: "Secret",
    apiVersion: "v1",
    collection: "/api/v1/namespaces/default/secrets",
    target: "fuzz-secret",
    manifest: (name) => ({
      kind: "Secret",
      apiVersion: "v1",
      type: "Opaque",
      data: { k: Buffer.from("secret").toString("base64") },
      metadata: { labels: { ...LABELS }, annotations: { note: "n" }, name },
    }),
    typed: [...COMMON_TYPED, [["data"], ["d", [1], 5]], [["data", "k"], [1, { x: "y" }, ["x"], true]], [["type"], [5, { a: 1 }, [1]]]],
  },
  {
    kind: "Deployment",
    apiVersion: "apps/v1",
    collection: "/apis/apps/v1/namespaces/default/deployments",
    target: "fuzz-deploy",
    manifest: (name) => ({
      kind: "Deployment",
      apiVersion: "apps/v1",
      spec: {
        replicas: 2,
        selector: { matchLabels: { ...LABELS } },
        template: { metadata: { labels: { ...LABELS } }, spec: { containers: [{ name: "c", image: "nginx", ports: [{ containerPort: 80 }] }] } },
      },
      metadata: { labels: { ...LABELS }, annotations: { note: "n" }, name },
    }),
    typed: [
      ...COMMON_TYPED,
      [["spec"], ["s", [1], 5, true]],
      [["spec", "replicas"], ["abc", "3", { a: 1 }, [1], true, 1.5]],
      [["spec", "selector"], ["sel", [1], 5]],
      [["spec", "template", "spec", "containers"], ["c", { a: 1 }, 5]],
      [["spec", "template", "spec", "containers", "0", "ports", "0", "containerPort"], ["eighty", { a: 1 }, [80], 1.5]],
    ],
  },
  {
    kind: "Namespace",
    apiVersion: "v1",
    collection: "/api/v1/namespaces",
    target: "fuzz-ns",
    manifest: (name) => ({ kind: "Namespace", apiVersion: "v1", metadata: { labels: { ...LABELS }, annotations: { note: "n" }, name } }),
    typed: COMMON_TYPED,
  },
];

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** setPath: sets obj at path (creating nothing: the path exists in the manifest). */
function setPath(obj: { [k: string]: Json }, path: string[], value: Json): void {
  let cur: Json = obj;
  for (const p of path.slice(0, -1)) cur = (cur as Record<string, Json>)[p]!;
  (cur as Record<string, Json>)[path[path.length - 1]!] = value;
}

/** Every path in a JSON value (objects and arrays), for random mutation. */
function allPaths(v: Json, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  if (v !== null && typeof v === "object") {
    for (const [k, child] of Object.entries(v)) {
      out.push([...prefix, k]);
      out.push(...allPaths(child, [...prefix, k]));
    }
  }
  return out;
}

function randomValue(r: Rand, depth = 0): Json {
  switch (r.int(depth > 2 ? 6 : 8)) {
    case 0:
      return r.chars("abcXYZ019-._ /:%\u00e9\u4e2d", r.int(12));
    case 1:
      return r.pick([0, -1, 1.5, 2 ** 31, -(2 ** 63), 1e308, 42, Number.MAX_SAFE_INTEGER]);
    case 2:
      return r.chance(0.5);
    case 3:
      return null;
    case 4:
      return r.pick(["", "true", "1", "null", "[]", "{}", "100Mi", "-1"]);
    case 5:
      return r.chars("abcdefghijklmnopqrstuvwxyz", r.range(250, 400));
    case 6:
      return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
    default: {
      const o: { [k: string]: Json } = {};
      for (let i = r.int(4); i > 0; i--) o[r.chars("abcxyz$/", r.range(1, 6))] = randomValue(r, depth + 1);
      return o;
    }
  }
}

/** A manifest with one random field replaced by a random value of a random type. */
function mutated(r: Rand, kc: KindCase, name: string): { [k: string]: Json } {
  const m = kc.manifest(name);
  const path = r.pick(allPaths(m));
  setPath(m, path, randomValue(r));
  return m;
}

function deepJson(levels: number, open = "[", close = "]"): string {
  return open.repeat(levels) + close.repeat(levels);
}

function deepObject(levels: number): string {
  return '{"a":'.repeat(levels) + "1" + "}".repeat(levels);
}

/** A billion-laughs alias bomb, `levels` deep with 9 aliases per level. */
function aliasBomb(levels: number): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(",")}]`);
  return lines.join("\n") + "\n";
}

function blockYamlNested(levels: number): string {
  let s = "";
  for (let i = 0; i < levels; i++) s += "  ".repeat(i) + "k:\n";
  return s + "  ".repeat(levels) + "v\n";
}

const BAD_LABEL_SELECTORS = ["a==b==c", "!!", "a in (", "a in b", "=b", "a=b,", ",", "a notin", "a!=b!=c", "(a)", "a in (b,", "a b", "a=(b)", "a>b>c", "!", "a=b c", "x/y/z=1", "-a=b"];
const BAD_FIELD_SELECTORS = ["foo=bar", "metadata.nope=x", "spec.x=y", "metadata.name===x", "=x", "metadata.name!x", ",=", "status.phase>1"];
const BAD_INTS = ["abc", "1.5", "1e3", "0x10", "99999999999999999999", "-", " 1", "1 ", "NaN", "Infinity", "１"];
const BAD_RVS = ["abc", "-1", "1.5", "1e3", "0x10", " 1", "NaN", "-0"];
const BAD_DRYRUN = ["x", "all", "ALL", "None", "true", "1", "", "All,x"];
const UNSUPPORTED_TYPES = ["text/plain", "application/xml", "text/html", "application/x-www-form-urlencoded", "multipart/form-data", "application/cbor", "image/png", "application/octet-stream", "text/csv", "application/javascript"];
const BAD_NAME_CHARS = "ABCXYZ_ !@#$%^&*()+=[]{};:'\",<>?\\|`~\u00e9\u4e2d\t";
const UNKNOWN_METHODS = ["PROPFIND", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "TRACE", "SEARCH", "REPORT", "PURGE", "LINK", "UNLINK"];

function q(params: Record<string, string>): string {
  return "?" + new URLSearchParams(params).toString();
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

/** generators: each returns one probe; the fuzzer picks among them at random (by weight). */
function generators(r: Rand, oversized: Buffer): Array<[weight: number, gen: () => Probe]> {
  const kc = () => r.pick(KIND_CASES);
  const item = (k: KindCase, name = k.target) => `${k.collection}/${enc(name)}`;
  const newName = () => `fz-${r.chars("abcdefghijklmnopqrstuvwxyz0123456789", 10)}`;
  const reject = (p: Omit<Probe, "expect">): Probe => ({ ...p, expect: "reject" });
  const hugeName = () => r.chars("abcdefghijklmnopqrstuvwxyz", r.range(254, 1500));
  const badName = () => {
    const pool = [".", "..", "-a", "a-", "a..b", "a_b", "A", " ", "a/b", "a%b", "\u00e9", "a.", ".a"];
    if (r.chance(0.4)) return r.pick(pool);
    const s = r.chars("abc-." + BAD_NAME_CHARS, r.range(1, 40));
    return /[^a-z0-9.-]/.test(s) ? s : s + r.pick([..."_A!%"]);
  };
  const writeTarget = () => {
    const k = kc();
    return r.chance(0.5) ? { method: "POST", path: k.collection, k } : { method: "PUT", path: item(k), k };
  };
  return [
    // Bad JSON: a proper prefix of a valid manifest is never valid JSON.
    [8, () => {
      const w = writeTarget();
      const text = JSON.stringify(w.k.manifest(w.method === "PUT" ? w.k.target : newName()));
      return reject({ what: "truncated JSON", method: w.method, path: w.path, headers: JSON_CT, body: text.slice(0, r.int(text.length)) });
    }],
    [4, () => {
      const w = writeTarget();
      const body = r.pick(["{", "}", "[", "{\"kind\":", "{'kind':'ConfigMap'}", "{kind: ConfigMap}", "nul", "tru", "{\"a\":1,}", "{\"a\" 1}", "\"unterminated", "{\"a\":\"\\x\"}", "{\"a\":01}", "\u0000", "{\"a\":NaN}", "[1,]"]);
      return reject({ what: "invalid JSON", method: w.method, path: w.path, headers: JSON_CT, body });
    }],
    // Bad YAML: a PUT of a prefix of a manifest whose name comes last never names the target.
    [6, () => {
      const k = kc();
      const text = YAML.stringify(k.manifest(k.target));
      return reject({ what: "truncated YAML", method: "PUT", path: item(k), headers: YAML_CT, body: text.slice(0, r.int(text.length - 1)) });
    }],
    [5, () => {
      const w = writeTarget();
      const body = r.pick([
        "a: [b",
        "a: {b",
        "\tkind: ConfigMap",
        "kind: ConfigMap\n  apiVersion: v1\n bad: indent",
        "- a\nb: c",
        "a: *nope",
        "key: 'unterminated",
        ": :",
        "? [a\n",
        "kind: ConfigMap\n---\nkind: ConfigMap\n",
        "---\na: 1\n---\nb: 2\n",
        `${YAML.stringify(w.k.manifest(newName()))}---\n${YAML.stringify(w.k.manifest(newName()))}`,
        "5",
        "- a\n- b\n",
        "!!binary aGVsbG8=",
        "~",
        "kind: ConfigMap\napiVersion: v1\nmetadata: [a]\n",
        "kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: 0x1F\n",
        "kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: ~\n",
        "%YAML 9.9\n---\na: 1\n",
        "a: !!nope x\n",
      ]);
      return reject({ what: "invalid YAML", method: w.method, path: w.path, headers: YAML_CT, body });
    }],
    [2, () => {
      const w = writeTarget();
      return reject({ what: "YAML alias bomb", method: w.method, path: w.path, headers: YAML_CT, body: aliasBomb(r.range(4, 12)) });
    }],
    // Wrong types where a type is fixed.
    [14, () => {
      const k = kc();
      const [path, bad] = r.pick(k.typed);
      const m = k.manifest(newName());
      setPath(m, path, clone(r.pick(bad)));
      const yaml = r.chance(0.3);
      return reject({ what: `wrong type at ${path.join(".")}`, method: "POST", path: k.collection, headers: yaml ? YAML_CT : JSON_CT, body: yaml ? YAML.stringify(m) : JSON.stringify(m) });
    }],
    [4, () => {
      const body = r.pick(["[]", "null", "5", "\"s\"", "true", "[{\"kind\":\"ConfigMap\"}]", "{}"]);
      const w = writeTarget();
      return reject({ what: "not an object", method: w.method, path: w.path, headers: JSON_CT, body });
    }],
    // Kinds and apiVersions that do not belong to the URL.
    [8, () => {
      const k = kc();
      const other = r.pick(KIND_CASES.filter((x) => x !== k));
      const m = k.manifest(newName());
      const how = r.int(4);
      if (how === 0) m.kind = other.kind;
      else if (how === 1) m.apiVersion = other.apiVersion === k.apiVersion ? "apps/v1" : other.apiVersion;
      else if (how === 2) (m.kind = other.kind), (m.apiVersion = other.apiVersion);
      else m.apiVersion = r.pick(["v2", "apps/v2", "extensions/v1beta1", "batch/v1", "/v1", "v1/", "a/b/c"]);
      const put = r.chance(0.3);
      return reject({ what: "wrong kind/apiVersion", method: put ? "PUT" : "POST", path: put ? item(k) : k.collection, headers: JSON_CT, body: JSON.stringify(put ? { ...m, metadata: { name: k.target } } : m) });
    }],
    // Huge names (> 253), in bodies and in paths.
    [6, () => {
      const k = kc();
      const name = hugeName();
      switch (r.int(4)) {
        case 0:
          return reject({ what: "huge name in body", method: "POST", path: k.collection, headers: JSON_CT, body: JSON.stringify(k.manifest(name)) });
        case 1:
          return reject({ what: "huge name in path", method: r.pick(["GET", "DELETE"]), path: item(k, name) });
        case 2:
          return reject({ what: "huge name in PUT", method: "PUT", path: item(k, name), headers: JSON_CT, body: JSON.stringify(k.manifest(name)) });
        default:
          return reject({ what: "huge namespace", method: "POST", path: `/api/v1/namespaces/${name}/configmaps`, headers: JSON_CT, body: JSON.stringify(KIND_CASES[0]!.manifest(newName())) });
      }
    }],
    [4, () => {
      const k = kc();
      const m = k.manifest(newName());
      const labels = (m.metadata as { labels: Record<string, Json> }).labels;
      if (r.chance(0.5)) labels[r.chars("abc", r.range(64, 400))] = "x";
      else labels.app = r.chars("abc", r.range(64, 400));
      return reject({ what: "huge label", method: "POST", path: k.collection, headers: JSON_CT, body: JSON.stringify(m) });
    }],
    // Names with bad characters.
    [8, () => {
      const k = kc();
      const name = badName();
      switch (r.int(3)) {
        case 0:
          return reject({ what: "bad name in body", method: "POST", path: k.collection, headers: JSON_CT, body: JSON.stringify(k.manifest(name)) });
        case 1:
          return reject({ what: "bad name in path", method: r.pick(["GET", "DELETE"]), path: item(k, name) });
        default:
          return reject({ what: "bad name in PUT", method: "PUT", path: item(k, name), headers: JSON_CT, body: JSON.stringify(k.manifest(name)) });
      }
    }],
    // Deep nesting.
    [4, () => {
      const w = writeTarget();
      const levels = r.pick([101, 1000, 10_000, 100_000]);
      const m = w.k.manifest(w.method === "PUT" ? w.k.target : newName());
      const deep = r.chance(0.5) ? deepJson(levels) : deepObject(levels);
      const body = r.chance(0.3) ? deep : JSON.stringify(m).replace(/\}$/, `,"deep":${deep}}`);
      return reject({ what: `JSON nested ${levels} deep`, method: w.method, path: w.path, headers: JSON_CT, body });
    }],
    [0.3, () => {
      const w = writeTarget();
      return reject({ what: "YAML flow nested 10000 deep", method: w.method, path: w.path, headers: YAML_CT, body: "a: " + deepJson(10_000) });
    }],
    [1, () => {
      const w = writeTarget();
      return reject({ what: "YAML blocks nested 150 deep", method: w.method, path: w.path, headers: YAML_CT, body: blockYamlNested(150) });
    }],
    // Oversized bodies.
    [0.5, () => {
      const k = kc();
      const method = r.pick(["POST", "PUT", "PATCH"]);
      const headers = { "Content-Type": method === "PATCH" ? PATCH_CT.merge : "application/json" };
      return { what: "oversized body", method, path: method === "POST" ? k.collection : item(k), headers, body: oversized, chunked: r.chance(0.5), expect: "reject", code: 413 };
    }],
    // Bad selectors on list, watch and deletecollection.
    [8, () => {
      const k = kc();
      const label = r.chance(0.6);
      const sel: Record<string, string> = label ? { labelSelector: r.pick(BAD_LABEL_SELECTORS) } : { fieldSelector: r.pick(BAD_FIELD_SELECTORS) };
      const how = r.int(3);
      if (how === 0) return reject({ what: "bad selector (list)", method: "GET", path: k.collection + q(sel) });
      if (how === 1) return reject({ what: "bad selector (watch)", method: "GET", path: k.collection + q({ ...sel, watch: "1", timeoutSeconds: "1" }) });
      return reject({ what: "bad selector (deletecollection)", method: "DELETE", path: k.collection + q(sel) });
    }],
    // Bad limit / continue / resourceVersion / timeoutSeconds.
    [8, () => {
      const k = kc();
      switch (r.int(5)) {
        case 0:
          return reject({ what: "bad limit", method: "GET", path: k.collection + q({ limit: r.pick(BAD_INTS) }) });
        case 1: {
          const token = r.chance(0.5) ? r.chars("abcXYZ012-_=+/!", r.range(1, 80)) : r.bytes(r.range(1, 60)).toString("base64url");
          return reject({ what: "bad continue", method: "GET", path: k.collection + q({ limit: "5", continue: token }) });
        }
        case 2:
          return reject({ what: "bad watch resourceVersion", method: "GET", path: k.collection + q({ watch: "true", resourceVersion: r.pick(BAD_RVS), timeoutSeconds: "1" }) });
        case 3:
          return reject({ what: "bad timeoutSeconds", method: "GET", path: k.collection + q({ watch: "true", timeoutSeconds: r.pick(BAD_INTS) }) });
        default: {
          const token = Buffer.from(JSON.stringify({ k: r.pick(["/secrets/default/", "/nope/", "", "/configmaps/other/"]), rv: 1 })).toString("base64url");
          return reject({ what: "foreign continue", method: "GET", path: KIND_CASES[0]!.collection + q({ limit: "5", continue: token }) });
        }
      }
    }],
    // JSON patch.
    [10, () => {
      const k = r.pick(KIND_CASES.filter((x) => x.kind !== "Namespace"));
      const body = r.pick<Json>([
        {},
        5,
        "ops",
        null,
        [{ op: "bogus", path: "/metadata" }],
        [{ path: "/metadata/labels/x", value: "y" }],
        [{ op: "add", value: "y" }],
        [{ op: "add", path: "metadata/labels/x", value: "y" }],
        [{ op: "add", path: "/metadata/labels/x/y/z", value: "y" }],
        [{ op: "remove", path: "/metadata/nope" }],
        [{ op: "replace", path: "/metadata/nope/deeper", value: 1 }],
        [{ op: "test", path: "/metadata/name", value: "not-the-name" }],
        [{ op: "test", path: "/metadata/labels/app", value: 5 }],
        [{ op: "add", path: "/metadata/labels/x", value: "y" }, { op: "test", path: "/metadata/labels/x", value: "z" }],
        [{ op: "move", from: "/nope", path: "/metadata/labels/x" }],
        [{ op: "copy", from: "/metadata/nope", path: "/metadata/labels/x" }],
        [{ op: "move", from: "/metadata", path: "/metadata/labels/x" }],
        [{ op: "add", path: "/metadata/finalizers/99", value: "x" }],
        [{ op: "add", path: "/metadata/labels/~2", value: "x" }],
        [{ op: "replace", path: "/metadata/name", value: "renamed" }],
        [{ op: "replace", path: "/kind", value: "Nope" }],
        [{ op: "replace", path: "/apiVersion", value: "v9" }],
        [{ op: "replace", path: "/metadata", value: "m" }],
        [{ op: "add", path: "/metadata/labels", value: 5 }],
        [{ op: "remove", path: "" }],
        [{ op: "replace", path: "", value: [] }],
        [{ op: "add", path: "/metadata/labels/x", value: "y" }, { op: "remove", path: "/metadata/labels/nope" }],
        [{ op: "replace", path: "/metadata/resourceVersion", value: "1" }],
        [5],
        ["op"],
        [null],
      ]);
      return reject({ what: "bad json patch", method: "PATCH", path: item(k), headers: { "Content-Type": PATCH_CT.json }, body: JSON.stringify(body) });
    }],
    // Merge patch.
    [8, () => {
      const k = kc();
      const body = r.pick<string>([
        "[]", "5", "\"x\"", "null", "true", "[{\"op\":\"add\"}]",
        JSON.stringify({ metadata: { name: "renamed" } }),
        // (a cluster-scoped object ignores metadata.namespace, as in Kubernetes)
        JSON.stringify(k.kind === "Namespace" ? { metadata: { labels: [1] } } : { metadata: { namespace: "elsewhere" } }),
        JSON.stringify({ metadata: { resourceVersion: "1" } }),
        JSON.stringify({ metadata: { labels: 5 } }),
        JSON.stringify({ metadata: { labels: { x: 5 } } }),
        JSON.stringify({ metadata: "m" }),
        JSON.stringify({ kind: "Nope" }),
        JSON.stringify({ apiVersion: "v9" }),
        JSON.stringify({ metadata: { labels: { "bad key!": "x" } } }),
        "{", "{\"metadata\":",
      ]);
      return reject({ what: "bad merge patch", method: "PATCH", path: item(k), headers: { "Content-Type": PATCH_CT.merge }, body });
    }],
    // Strategic merge patch.
    [8, () => {
      const d = KIND_CASES.find((x) => x.kind === "Deployment")!;
      const body = r.pick<Json>([
        { spec: { $patch: "bogus" } },
        { spec: { $patch: 5 } },
        { metadata: { labels: { $patch: "nope" } } },
        { spec: { template: { spec: { containers: [{ image: "no-merge-key" }] } } } },
        { spec: { template: { spec: { containers: [{ name: "c", $patch: "bogus" }] } } } },
        { spec: { template: { spec: { "$setElementOrder/containers": "x" } } } },
        { spec: { template: { spec: { "$setElementOrder/containers": [{ noname: 1 }] } } } },
        { spec: { $retainKeys: "x" } },
        { spec: { $retainKeys: [5] } },
        { metadata: { "$deleteFromPrimitiveList/finalizers": "x" } },
        { spec: { template: { spec: { containers: "c" } } } },
        { spec: { replicas: "many" } },
        { metadata: { name: "renamed" } },
        [1, 2],
        5,
      ]);
      return reject({ what: "bad strategic merge patch", method: "PATCH", path: item(d), headers: { "Content-Type": PATCH_CT.strategic }, body: JSON.stringify(body) });
    }],
    // Server-side apply.
    [7, () => {
      const k = kc();
      const full = YAML.stringify(k.manifest(k.target));
      const body = r.pick([
        "a: [b", "kind: x\n  bad: indent\n z", "5", "- a\n", "~", "a: *nope",
        aliasBomb(8),
        `${full}---\n${full}`,
        YAML.stringify({ ...k.manifest("renamed") }),
        YAML.stringify({ ...k.manifest(k.target), kind: "Nope" }),
        YAML.stringify({ ...k.manifest(k.target), apiVersion: "v9" }),
      ]);
      const fm: Record<string, string> = r.chance(0.85) ? { fieldManager: "fuzz" } : {};
      return reject({ what: "bad apply", method: "PATCH", path: item(k) + q(fm), headers: { "Content-Type": PATCH_CT.apply }, body });
    }],
    [2, () => {
      const k = kc();
      return reject({ what: "apply without fieldManager", method: "PATCH", path: item(k), headers: { "Content-Type": PATCH_CT.apply }, body: YAML.stringify(k.manifest(k.target)) });
    }],
    // Unknown content types.
    [6, () => {
      const w = writeTarget();
      const type = r.pick(UNSUPPORTED_TYPES);
      return { what: `unsupported content type ${type}`, method: w.method, path: w.path, headers: { "Content-Type": type }, body: JSON.stringify(w.k.manifest(newName())), expect: "reject", code: 415 };
    }],
    [4, () => {
      const k = kc();
      const type = r.pick(["application/json", "application/yaml", "text/plain", "application/apply-patch+cbor", "application/patch", "application/xml"]);
      return { what: `unsupported patch type ${type}`, method: "PATCH", path: item(k), headers: { "Content-Type": type }, body: "{}", expect: "reject", code: 415 };
    }],
    // Unknown paths, verbs and subresources.
    [8, () => {
      const k = kc();
      const seg = () => "zz" + r.chars("abcdefghijklmnopqrstuvwxyz0123456789", r.range(3, 12));
      const path = r.pick([
        `/api/v2/namespaces/default/configmaps`,
        `/api/v1/namespaces/default/${seg()}`,
        `/api/v1/${seg()}`,
        `/apis/${seg()}.io/v1/namespaces/default/things`,
        `/apis/apps/v2/namespaces/default/deployments`,
        `/apis/apps/v1/namespaces/default/${seg()}`,
        `${item(k)}/${seg()}`,
        `${item(k)}/status/${seg()}`,
        `${item(k)}/a/b/c`,
        `/api/v1/namespaces/default/configmaps/fuzz-cm/status`,
        `/api/v1/namespaces/default/configmaps/fuzz-cm/scale`,
        `/${seg()}`,
        `/${seg()}/${seg()}/${seg()}`,
        `/apis/${seg()}`,
        `/apis/apps/${seg()}`,
      ]);
      return { what: "unknown path", method: r.pick(["GET", "POST", "PUT", "PATCH", "DELETE"]), path, headers: JSON_CT, body: "{}", expect: "reject", code: 404 };
    }],
    [3, () => {
      const k = kc();
      return { what: "POST to a named object", method: "POST", path: item(k), headers: JSON_CT, body: JSON.stringify(k.manifest(k.target)), expect: "reject", code: 405 };
    }],
    [3, () => {
      const path = r.pick(["/api", "/apis", "/version", "/api/v1", "/apis/apps/v1", "/healthz", "/readyz"]);
      return { what: "write to a discovery path", method: r.pick(["POST", "PUT", "PATCH", "DELETE"]), path, headers: JSON_CT, body: "{}", expect: "reject", code: 405 };
    }],
    [3, () => {
      const k = kc();
      return reject({ what: "unknown method", method: r.pick(UNKNOWN_METHODS), path: r.chance(0.5) ? item(k) : k.collection });
    }],
    // Delete with bad DeleteOptions (against existing objects: a wrong acceptance deletes one).
    [10, () => {
      const k = kc();
      const pre = r.pick<Json>([
        "[]", "\"x\"", "5", "null", "true", "{", "[{}]",
        { gracePeriodSeconds: -1 }, { gracePeriodSeconds: "x" }, { gracePeriodSeconds: 1.5 }, { gracePeriodSeconds: {} }, { gracePeriodSeconds: [] },
        { propagationPolicy: "bogus" }, { propagationPolicy: 5 }, { propagationPolicy: {} }, { propagationPolicy: "" },
        { orphanDependents: true, propagationPolicy: "Background" },
        { orphanDependents: "yes" }, { orphanDependents: 5 }, { orphanDependents: {} },
        { preconditions: "x" }, { preconditions: 5 }, { preconditions: [] },
        { preconditions: { uid: "not-the-uid" } }, { preconditions: { resourceVersion: "1" } }, { preconditions: { uid: 5 } }, { preconditions: { resourceVersion: {} } },
        { dryRun: "x" }, { dryRun: ["x"] }, { dryRun: 5 }, { dryRun: {} }, { dryRun: ["All", "x"] }, { dryRun: [5] }, { dryRun: "All" },
      ]);
      const body = typeof pre === "string" ? pre : JSON.stringify(pre);
      // A precondition that does not match is a per-object conflict: on a collection only invalid options must be refused.
      const coll = r.chance(0.2) && !/"(uid|resourceVersion)":"/.test(body);
      return reject({ what: "bad DeleteOptions", method: "DELETE", path: coll ? k.collection : item(k), headers: JSON_CT, body });
    }],
    [4, () => {
      const k = kc();
      const p = r.pick<Record<string, string>>([{ gracePeriodSeconds: r.pick(BAD_INTS) }, { gracePeriodSeconds: "-5" }, { propagationPolicy: r.pick(["bogus", "", "background"]) }, { dryRun: r.pick(BAD_DRYRUN) }]);
      return reject({ what: "bad delete query", method: "DELETE", path: item(k) + q(p) });
    }],
    // dryRun with bad values, on requests that would otherwise succeed.
    [8, () => {
      const k = kc();
      const dryRun = { dryRun: r.pick(BAD_DRYRUN) };
      switch (r.int(4)) {
        case 0:
          return reject({ what: "bad dryRun (create)", method: "POST", path: k.collection + q(dryRun), headers: JSON_CT, body: JSON.stringify(k.manifest(newName())) });
        case 1:
          return reject({ what: "bad dryRun (update)", method: "PUT", path: item(k) + q(dryRun), headers: JSON_CT, body: JSON.stringify(k.manifest(k.target)) });
        case 2:
          return reject({ what: "bad dryRun (patch)", method: "PATCH", path: item(k) + q(dryRun), headers: { "Content-Type": PATCH_CT.merge }, body: JSON.stringify({ metadata: { labels: { fuzzed: "yes" } } }) });
        default:
          return reject({ what: "bad dryRun (delete)", method: "DELETE", path: item(k) + q(dryRun) });
      }
    }],
    // Random bytes as bodies.
    [8, () => {
      const w = r.chance(0.8) ? writeTarget() : { method: "PATCH", path: item(kc()) };
      const type = w.method === "PATCH" ? r.pick(Object.values(PATCH_CT)) : r.pick(["application/json", "application/yaml"]);
      const bytes = r.bytes(r.range(1, 2048));
      return reject({ what: "random bytes", method: w.method, path: w.path + (w.method === "PATCH" ? q({ fieldManager: "fuzz" }) : ""), headers: { "Content-Type": type }, body: bytes });
    }],
    // Random mutations of valid manifests, dry run: may succeed, must not write.
    [10, () => {
      const k = kc();
      const put = r.chance(0.3);
      const m = mutated(r, k, put ? k.target : newName());
      const yaml = r.chance(0.3);
      return {
        what: "dry-run mutation",
        method: put ? "PUT" : "POST",
        path: (put ? item(k) : k.collection) + q({ dryRun: "All" }),
        headers: yaml ? YAML_CT : JSON_CT,
        body: yaml ? YAML.stringify(m) : JSON.stringify(m),
        expect: "any",
      };
    }],
    [3, () => {
      const k = kc();
      const type = r.pick(["merge", "strategic", "json"] as const);
      const patch: Json = type === "json" ? [{ op: r.pick(["add", "replace"]), path: "/" + r.pick(allPaths(k.manifest(k.target))).join("/"), value: randomValue(r) }] : { metadata: { labels: { [r.chars("abc", 3)]: randomValue(r) } } };
      return { what: `dry-run ${type} patch`, method: "PATCH", path: item(k) + q({ dryRun: "All" }), headers: { "Content-Type": PATCH_CT[type] }, body: JSON.stringify(patch), expect: "any" };
    }],
    // Read-only oddities: may succeed, must not write.
    [3, () => {
      const k = kc();
      const p = r.pick<Record<string, string>>([
        { labelSelector: r.chars("abc=!,() in notin", r.range(1, 20)) },
        { fieldSelector: "metadata.name=" + r.chars("abc-.", 5) },
        { limit: String(r.range(-5, 5)) },
        { resourceVersion: r.pick(["0", "1", "abc", "99999999999"]) },
        { resourceVersionMatch: r.pick(["NotOlderThan", "Exact", "bogus"]) },
        { includeObject: r.pick(["None", "Object", "Bogus"]) },
        { watch: "1", timeoutSeconds: "1", resourceVersion: r.pick(["0", "1", "99999999999"]) },
        { watch: "1", timeoutSeconds: "1", allowWatchBookmarks: "true", labelSelector: "app=fuzz" },
      ]);
      const accept = r.pick(["application/json", "application/yaml", "application/json;as=Table;v=v1;g=meta.k8s.io", "*/*", "text/html", "application/vnd.kubernetes.protobuf"]);
      return { what: "read with odd parameters", method: "GET", path: k.collection + q(p), headers: { Accept: accept }, expect: "any" };
    }],
    [2, () => {
      const k = kc();
      const p = { dryRun: "All", ...(r.chance(0.5) ? { labelSelector: r.chars("abc=!,", r.range(1, 8)) } : {}) };
      return { what: "dry-run deletecollection", method: "DELETE", path: k.collection + q(p), expect: "any" };
    }],
    // Headers past the limit.
    [0.5, () => {
      const k = kc();
      const h = r.chance(0.5) ? { "X-Fuzz": "a".repeat(r.range(17_000, 40_000)) } : Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`x-h${i}`, "v".repeat(10)]));
      return reject({ what: "oversized headers", method: "GET", path: k.collection, headers: h });
    }],
    [0.5, () => ({ what: "oversized URL", method: "GET", path: KIND_CASES[0]!.collection + "/" + "a".repeat(r.range(17_000, 40_000)), expect: "reject" })],
  ];
}

function probesFor(r: Rand, n: number, oversized: Buffer): Probe[] {
  const gens = generators(r, oversized);
  const total = gens.reduce((s, [w]) => s + w, 0);
  const out: Probe[] = [];
  for (let i = 0; i < n; i++) {
    let x = r.next() * total;
    const gen = gens.find(([w]) => (x -= w) < 0)?.[1] ?? gens[gens.length - 1]![1];
    out.push(gen());
  }
  return out;
}

function send(base: URL, agent: http.Agent, p: Probe): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...(p.headers ?? {}) };
    if (p.body !== undefined && !p.chunked) headers["Content-Length"] = Buffer.byteLength(p.body);
    const req = http.request({ host: base.hostname, port: base.port, method: p.method, path: p.path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on("error", reject);
    if (p.body !== undefined && p.chunked) {
      const b = Buffer.from(p.body);
      for (let i = 0; i < b.length; i += 256 * 1024) req.write(b.subarray(i, i + 256 * 1024));
    }
    req.end(p.body !== undefined && !p.chunked ? p.body : undefined);
  });
}

/** sendRaw: bytes on a fresh TCP connection; the reply's status and body (connection must answer). */
function sendRaw(base: URL, bytes: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(base.port), base.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => sock.destroy(new Error("no answer within 10 s")), 10_000);
    sock.on("data", (c) => chunks.push(c));
    sock.on("error", (e) => (clearTimeout(timer), reject(e)));
    sock.on("close", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("latin1");
      const m = /^HTTP\/1\.1 (\d{3})[^\r\n]*\r\n[\s\S]*?\r\n\r\n([\s\S]*)$/.exec(text);
      if (!m) return reject(new Error(`not an HTTP response: ${JSON.stringify(text.slice(0, 200))}`));
      resolve({ status: Number(m[1]), body: Buffer.from(m[2]!, "latin1") });
    });
    sock.end(bytes);
  });
}

/** What is wrong with a reply to a probe, if anything. */
function problemWith(p: Probe, reply: Reply): string | undefined {
  if (reply.status >= 500) return `server error ${reply.status}: ${reply.body.toString("utf8").slice(0, 300)}`;
  if (p.code !== undefined && reply.status !== p.code) return `expected ${p.code}, got ${reply.status}: ${reply.body.toString("utf8").slice(0, 300)}`;
  if (p.expect === "reject" && (reply.status < 400 || reply.status > 499)) return `expected a 4xx, got ${reply.status}: ${reply.body.toString("utf8").slice(0, 300)}`;
  if (reply.status < 400) return undefined;
  let s: { kind?: unknown; status?: unknown; code?: unknown; message?: unknown };
  try {
    s = JSON.parse(reply.body.toString("utf8"));
  } catch {
    return `${reply.status} without a JSON body: ${JSON.stringify(reply.body.toString("utf8").slice(0, 200))}`;
  }
  if (s?.kind !== "Status" || s.status !== "Failure" || s.code !== reply.status || typeof s.message !== "string" || s.message === "") {
    return `${reply.status} with a body that is not a failure Status: ${reply.body.toString("utf8").slice(0, 300)}`;
  }
  return undefined;
}

function describe(p: Probe): string {
  const body = p.body === undefined ? "" : Buffer.byteLength(p.body) > 300 ? ` body(${Buffer.byteLength(p.body)} bytes)=${JSON.stringify(Buffer.from(p.body).subarray(0, 120).toString("latin1"))}...` : ` body=${JSON.stringify(Buffer.from(p.body).toString("latin1"))}`;
  const path = p.path.length > 300 ? `${p.path.slice(0, 200)}...(${p.path.length} chars)` : p.path;
  const headers = Object.keys(p.headers ?? {}).length > 5 ? `${Object.keys(p.headers!).length} headers` : JSON.stringify(p.headers ?? {}).slice(0, 200);
  return `[${p.what}] ${p.method} ${path} ${headers}${p.chunked ? " chunked" : ""}${body}`;
}

/** Runs probes with CONCURRENCY in flight; returns failures as text. */
async function runConcurrently(base: URL, agent: http.Agent, probes: Probe[]): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < probes.length) {
        const p = probes[next++]!;
        try {
          const problem = problemWith(p, await send(base, agent, p));
          if (problem) failures.push(`${problem}\n    request: ${describe(p)}`);
        } catch (err) {
          failures.push(`connection failed (${(err as Error).message})\n    request: ${describe(p)}`);
        }
      }
    }),
  );
  return failures;
}

async function createTargets(base: URL, agent: http.Agent): Promise<void> {
  for (const k of KIND_CASES) {
    const reply = await send(base, agent, { what: "setup", method: "POST", path: k.collection, headers: JSON_CT, body: JSON.stringify(k.manifest(k.target)), expect: "any" });
    assert.equal(reply.status, 201, `creating ${k.kind} ${k.target}: ${reply.body.toString("utf8")}`);
  }
}

function report(failures: string[], label: string): string {
  return `${failures.length} bad replies in ${label} (FUZZ_SEED=${SEED}); first ones:\n  ${failures.slice(0, 25).join("\n  ")}`;
}

test(`fuzz - 10,000+ hostile requests get 4xx Status replies and change nothing (FUZZ_SEED=${SEED})`, { timeout: 240_000 }, async (t) => {
  console.log(`fuzz: FUZZ_SEED=${SEED}`);
  const cluster = await startCluster({ apiservers: 1, relays: 1 });
  const store = await RedisStore.connect(cluster.redis.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const base = new URL(cluster.apiUrls[0]!);
  const r = new Rand(SEED);
  const oversized = Buffer.alloc(3 * MiB + 1 + r.int(64 * 1024), "a");
  try {
    await createTargets(base, agent);

    await t.test("every request that must be refused is a 4xx Status and the store revision does not move", async () => {
      const probes = probesFor(r, PHASE1_REQUESTS, oversized);
      const before = await store.currentRevision();
      const started = Date.now();
      const failures = await runConcurrently(base, agent, probes);
      const after = await store.currentRevision();
      const mustRefuse = probes.filter((p) => p.expect === "reject").length;
      console.log(`fuzz: ${probes.length} requests (${mustRefuse} must be refused) in ${((Date.now() - started) / 1000).toFixed(1)} s, ${failures.length} bad replies`);
      assert.deepEqual(failures, [], report(failures, "phase 1"));
      assert.equal(after, before, `the store revision moved from ${before} to ${after} during requests that must all be refused or dry runs (FUZZ_SEED=${SEED})`);
    });

    await t.test("raw bytes that are not HTTP get a 400 Status before the connection closes", async () => {
      const before = await store.currentRevision();
      const failures: string[] = [];
      for (let i = 0; i < RAW_SOCKET_PROBES; i++) {
        const bytes =
          i % 4 === 0
            ? Buffer.from(r.pick(["GET", "POST", "FOO", "G E T", ""]) + " /api/v1 HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
            : i % 4 === 1
              ? Buffer.from(r.pick(["CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: x\r\n\r\n", "FOO /api/v1 HTTP/1.1\r\nHost: x\r\n\r\n", "GET /api/v1 HTTP/9.9\r\n\r\n", "GET /api/v1 HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "GET /api/v1 HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"]))
              : Buffer.concat([r.bytes(r.range(1, 512)), Buffer.from("\r\n\r\n")]);
        const p: Probe = { what: "raw bytes", method: "-", path: "-", body: bytes, expect: "reject" };
        try {
          const problem = problemWith(p, await sendRaw(base, bytes));
          if (problem) failures.push(`${problem}\n    bytes: ${JSON.stringify(bytes.toString("latin1").slice(0, 120))}`);
        } catch (err) {
          failures.push(`${(err as Error).message}\n    bytes: ${JSON.stringify(bytes.toString("latin1").slice(0, 120))}`);
        }
      }
      assert.deepEqual(failures, [], report(failures, "raw bytes"));
      assert.equal(await store.currentRevision(), before);
    });

    await t.test("random mutations of valid manifests: refusals are 4xx Status and leave the store as it was", async () => {
      const failures: string[] = [];
      let accepted = 0;
      for (let i = 0; i < PHASE2_REQUESTS; i++) {
        const k = r.pick(KIND_CASES);
        const put = r.chance(0.3);
        const m = mutated(r, k, put ? k.target : `fz-m-${i}`);
        const p: Probe = { what: "mutation", method: put ? "PUT" : "POST", path: put ? `${k.collection}/${k.target}` : k.collection, headers: JSON_CT, body: JSON.stringify(m), expect: "any" };
        const before = await store.currentRevision();
        try {
          const reply = await send(base, agent, p);
          const problem = problemWith(p, reply);
          if (problem) failures.push(`${problem}\n    request: ${describe(p)}`);
          if (reply.status < 300) accepted++;
          else if ((await store.currentRevision()) !== before) failures.push(`refused with ${reply.status} but the store revision moved\n    request: ${describe(p)}`);
        } catch (err) {
          failures.push(`connection failed (${(err as Error).message})\n    request: ${describe(p)}`);
        }
      }
      console.log(`fuzz: ${PHASE2_REQUESTS} mutations, ${accepted} accepted`);
      assert.deepEqual(failures, [], report(failures, "phase 2"));
    });

    await t.test("the API server is alive and still serving", async () => {
      assert.ok(cluster.apiservers[0]!.alive(), "the API server process died");
      const reply = await send(base, agent, { what: "after", method: "POST", path: KIND_CASES[0]!.collection, headers: JSON_CT, body: JSON.stringify(KIND_CASES[0]!.manifest("fuzz-after")), expect: "any" });
      assert.equal(reply.status, 201);
    });
  } finally {
    agent.destroy();
    await store.close().catch(() => undefined);
    await cluster.stop();
  }
});
