// Round trip: manifest JSON -> message -> stored bytes -> message -> Kubernetes JSON equals
// the manifest (nulls dropped), for the samples and for rich manifests that together set
// every modelled field (checked by the coverage test below).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import YAML from "yaml";
import protobuf from "protobufjs";
import { fromKubeJSON, toKubeJSON, encodeStored, decodeStored, KINDS, RESOURCES } from "./index.js";

const here = new URL("../../../services/schema/testdata/", import.meta.url);
const samples = new URL("../../../k8s-dev/samples/", import.meta.url);

function loadDocs(dir: URL): { file: string; index: number; doc: Record<string, unknown> }[] {
  const out = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort()) {
    const docs = YAML.parseAllDocuments(readFileSync(new URL(file, dir), "utf8"));
    for (const [index, d] of docs.entries()) {
      assert.equal(d.errors.length, 0, `${file}#${index}: ${d.errors.join("; ")}`);
      out.push({ file, index, doc: d.toJSON() as Record<string, unknown> });
    }
  }
  return out;
}

/** dropNulls: what Kubernetes does with a null: the field is absent. */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (v && typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) o[k] = dropNulls(x);
    return o;
  }
  return v;
}

function roundTrip(doc: Record<string, unknown>): { out: unknown; warnings: string[] } {
  const kind = doc.kind as string;
  const { message, warnings } = fromKubeJSON(kind, doc) as { message: object; warnings: string[] };
  const bytes = encodeStored(kind, message);
  const back = decodeStored(bytes);
  assert.equal(back.kind, kind);
  // And once more through JSON text, as the API server would send it.
  return { out: JSON.parse(JSON.stringify(toKubeJSON(back.kind, back.message))), warnings };
}

const sampleDocs = loadDocs(samples);
const richDocs = loadDocs(here);

test("samples - app.yaml has the Namespace, Deployment, Services, ConfigMap and StatefulSet", () => {
  const kinds = sampleDocs.filter((d) => d.file === "app.yaml").map((d) => d.doc.kind).sort();
  assert.deepEqual(kinds, ["ConfigMap", "Deployment", "Namespace", "Service", "Service", "StatefulSet"]);
});

for (const { file, index, doc } of [...sampleDocs.map((d) => ({ ...d, file: `samples/${d.file}` })), ...richDocs]) {
  test(`round trip - ${file}#${index} ${String(doc.kind)} ${String((doc.metadata as { name?: string })?.name ?? "")} keeps every field`, () => {
    const { out, warnings } = roundTrip(doc);
    assert.deepEqual(warnings, []);
    assert.deepEqual(out, dropNulls(doc));
  });
}

test("round trip - every modelled field is exercised by the rich manifests", () => {
  const root = protobuf.Root.fromJSON(JSON.parse(readFileSync(new URL("./gen/descriptor.json", import.meta.url), "utf8")));
  // Special messages have their own JSON forms: their proto fields are never JSON keys.
  const leaves = new Set(["IntOrString", "RawExtension", "Time", "MicroTime", "Duration", "Quantity"].map((n) => `k8s.meta.v1.${n}`));
  const inline = (f: protobuf.Field) => f.options?.["(inline)"] === true;
  const all = new Set<string>();
  const seen = new Set<string>();
  const reach = (t: protobuf.Type) => {
    for (const f of t.fieldsArray) {
      const id = `${t.fullName.slice(1)}.${f.name}`;
      if (all.has(id)) continue;
      if (!inline(f)) all.add(id); // an embedded struct is covered through its own fields
      f.resolve();
      if (f.resolvedType instanceof protobuf.Type && !leaves.has(f.resolvedType.fullName.slice(1))) reach(f.resolvedType);
    }
  };
  const visit = (t: protobuf.Type, v: unknown) => {
    if (!v || typeof v !== "object" || Array.isArray(v)) return;
    for (const [k, x] of Object.entries(v)) {
      // A JSON key is a field of t or of a message t embeds (inline), as in Go.
      let owner: protobuf.Type | undefined = t;
      const find = (ty: protobuf.Type): protobuf.Type | undefined => {
        if (ty.fields[k] && !inline(ty.fields[k]!)) return ty;
        for (const f of ty.fieldsArray) if (inline(f)) { f.resolve(); const o = find(f.resolvedType as protobuf.Type); if (o) return o; }
        return undefined;
      };
      owner = find(t);
      const f = owner?.fields[k];
      if (!owner || !f || x === null) continue;
      seen.add(`${owner.fullName.slice(1)}.${k}`);
      f.resolve();
      if (!(f.resolvedType instanceof protobuf.Type) || leaves.has(f.resolvedType.fullName.slice(1))) continue;
      const sub = f.resolvedType;
      if (f.map) for (const e of Object.values(x as object)) visit(sub, e);
      else if (f.repeated) for (const e of x as unknown[]) visit(sub, e);
      else visit(sub, x);
    }
  };
  for (const r of RESOURCES) reach(root.lookupType(r.protoName));
  for (const k of ["Scale", "Status", "PodList"]) reach(root.lookupType(KINDS.get(k)!.protoName));
  for (const { doc } of richDocs) visit(root.lookupType(KINDS.get(doc.kind as string)!.protoName), doc);
  assert.ok(all.size > 300 && seen.size === all.size, `${seen.size}/${all.size}`);
  const missing = [...all].filter((id) => !seen.has(id)).sort();
  assert.deepEqual(missing, [], `fields never set by testdata/*.yaml: ${missing.join(", ")}`);
});

test("round trip - the rich manifests cover every kind in the registry", () => {
  const kinds = new Set(richDocs.map((d) => d.doc.kind));
  for (const r of RESOURCES) assert.ok(kinds.has(r.kind), r.kind);
  assert.ok(kinds.has("Scale") && kinds.has("Status"));
});
