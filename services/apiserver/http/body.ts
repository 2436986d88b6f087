/**
 * body: reading and decoding request bodies (JSON or YAML), with the limits that keep hostile
 * input from hurting the server: size (413), nesting depth and YAML aliases (400), media
 * types (415).
 */
import type { IncomingMessage } from "node:http";
import YAML from "yaml";
import { decodeKubeProtobuf, KUBE_PROTOBUF_CONTENT_TYPE } from "../../schema/index.js";
import { errors } from "../errors.js";
import type { PatchType } from "../registry/registry.js";

/** Largest request body accepted (Kubernetes: 3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** Deepest nesting accepted in a body. */
export const MAX_DEPTH = 100;

/** readBody: the raw body, or 413 once it passes the limit. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      req.resume();
      reject(errors.tooLarge(`the request body is ${declared} bytes; the limit is ${limit}`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(errors.tooLarge(`the request body is larger than the limit of ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on("error", (e) => {
      if (!failed) reject(errors.badRequest(`reading the request body failed: ${e.message}`));
    });
  });
}

/** depthOf: nesting depth of a parsed value, iteratively (no recursion on hostile input). */
export function depthOf(value: unknown, max = MAX_DEPTH): number {
  const stack: Array<[unknown, number]> = [[value, 1]];
  let deepest = 0;
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    deepest = Math.max(deepest, d);
    if (deepest > max) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === "object") stack.push([child, d + 1]);
  }
  return deepest;
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

/** The patch type a Content-Type names, or 415. */
export function patchTypeOf(contentType: string | undefined): PatchType {
  switch (mediaType(contentType)) {
    case "application/json-patch+json":
      return "json";
    case "application/merge-patch+json":
      return "merge";
    case "application/strategic-merge-patch+json":
      return "strategic";
    case "application/apply-patch+yaml":
    case "application/apply-patch+cbor":
      if (mediaType(contentType).endsWith("cbor")) break;
      return "apply";
  }
  throw errors.unsupportedMediaType(
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
  );
}

/** parseBody: the decoded body for a Content-Type (JSON, YAML, or a patch type). */
export function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  const mt = mediaType(contentType);
  let value: unknown;
  if (raw.length === 0) throw errors.badRequest("the request body is empty");
  if (mt === KUBE_PROTOBUF_CONTENT_TYPE) {
    // kubectl's typed calls (create configmap|namespace|...) send Kubernetes' protobuf.
    try {
      return decodeKubeProtobuf(raw).object;
    } catch (e) {
      throw errors.badRequest(`the request body is not valid Kubernetes protobuf: ${(e as Error).message}`);
    }
  }
  const text = raw.toString("utf8");
  if (mt === "application/json" || mt === "" || mt.endsWith("+json")) {
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw errors.badRequest(`the request body is not valid JSON: ${(e as Error).message}`);
    }
  } else if (mt === "application/yaml" || mt === "application/x-yaml" || mt === "text/yaml" || mt === "application/apply-patch+yaml") {
    try {
      const docs = YAML.parseAllDocuments(text);
      const list = Array.isArray(docs) ? docs : [docs];
      if (list.length !== 1) throw new Error("expected exactly one YAML document");
      const doc = list[0]!;
      if (doc.errors.length) throw doc.errors[0]!;
      value = doc.toJS({ maxAliasCount: 50 });
    } catch (e) {
      throw errors.badRequest(`the request body is not valid YAML: ${(e as Error).message}`);
    }
  } else {
    throw errors.unsupportedMediaType(`unsupported media type "${mt}": send application/json or application/yaml`);
  }
  if (depthOf(value) > MAX_DEPTH) throw errors.badRequest(`the request body is nested deeper than ${MAX_DEPTH} levels`);
  return value;
}
