/**
 * HttpApi: the Kubernetes REST API over HTTP for kubectl and client libraries.
 *
 * Every request maps to one Registry (or WatchHub) call; every failure is answered with a
 * metav1.Status (statusOf). JSON out (YAML when asked), Tables for kubectl, watch as one
 * JSON event per line. Stateless: any number of replicas, each on its own port.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import YAML from "yaml";
import { Actor, type Bus, type Logger } from "../../kernel/index.js";
import type { ResourceInfo } from "../../schema/index.js";
import type { KubeObject } from "../codec.js";
import { errors, statusOf, type Status, type Target } from "../errors.js";
import type { Registry } from "../registry/registry.js";
import { invalidDeleteOptions, type DeleteOptions } from "../registry/deletion.js";
import type { WatchHub } from "../watch.js";
import { parseBody, patchTypeOf, readBody } from "./body.js";
import { SERVER_VERSION, apiGroup, apiGroupList, apiResourceList, apiVersions, groups } from "./discovery.js";
import { requestInfo } from "./request-info.js";
import { toTable, wantsTable, type IncludeObject } from "./table.js";

export interface HttpApiOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
}

const OPENAPI = Symbol("openapi");

type Send = (code: number, body: unknown, headers?: Record<string, string>) => void;

function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === "true" || v === "1";
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw errors.badRequest(`${name}: invalid value "${v}": must be an integer`);
  return Number(v);
}

function dryRunParam(q: URLSearchParams, body?: unknown): boolean {
  const fromBody = (body as { dryRun?: unknown } | undefined)?.dryRun ?? [];
  if (!Array.isArray(fromBody)) throw errors.badRequest(`dryRun: must be a list of strings`);
  const values = [...q.getAll("dryRun"), ...fromBody];
  for (const v of values) if (v !== "All") throw errors.badRequest(`Invalid dry run value "${v}": supported values: "All"`);
  return values.length > 0;
}

/** Field types of a DeleteOptions body (the JSON decoder's job in Kubernetes): 400 when wrong. */
function checkDeleteOptionTypes(body: Record<string, unknown>): void {
  const wrong = (field: string, want: string) => errors.badRequest(`DeleteOptions.${field}: expected ${want}, got ${JSON.stringify(body[field] ?? null).slice(0, 64)}`);
  const is = (v: unknown, t: string) => v === undefined || v === null || typeof v === t;
  if (!is(body.gracePeriodSeconds, "number")) throw wrong("gracePeriodSeconds", "an integer");
  if (!is(body.propagationPolicy, "string")) throw wrong("propagationPolicy", "a string");
  if (!is(body.orphanDependents, "boolean")) throw wrong("orphanDependents", "a boolean");
  const pre = body.preconditions;
  if (pre !== undefined && pre !== null) {
    if (typeof pre !== "object" || Array.isArray(pre)) throw wrong("preconditions", "an object");
    const p = pre as Record<string, unknown>;
    if (!is(p.uid, "string") || !is(p.resourceVersion, "string")) throw errors.badRequest("DeleteOptions.preconditions: uid and resourceVersion must be strings");
  }
}

/** The path and query of a request target, without WHATWG dot-segment normalization (".." is a name, not a step up). */
function splitTarget(target: string): { pathname: string; query: URLSearchParams } {
  if (!target.startsWith("/")) {
    const u = new URL(target, "http://localhost");
    return { pathname: u.pathname, query: u.searchParams };
  }
  const i = target.indexOf("?");
  return i < 0 ? { pathname: target, query: new URLSearchParams() } : { pathname: target.slice(0, i), query: new URLSearchParams(target.slice(i + 1)) };
}

/** A Status reply written straight to a socket (for requests Node's parser refuses before any handler runs). */
function rawStatusReply(code: number, reason: string, message: string): string {
  const body = JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code });
  const text = code === 431 ? "Request Header Fields Too Large" : code === 405 ? "Method Not Allowed" : code === 408 ? "Request Timeout" : "Bad Request";
  return `HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

function wantsYaml(accept: string | undefined): boolean {
  const first = (accept ?? "").split(",")[0]!.split(";")[0]!.trim();
  return first === "application/yaml";
}

export class HttpApi extends Actor {
  private server: Server | undefined;
  private address = "";

  constructor(
    bus: Bus,
    id: string,
    private readonly registry: Registry,
    private readonly watches: WatchHub,
    private readonly opts: HttpApiOptions,
    logger?: Logger,
  ) {
    super({ kind: "apiserver-http", id: `${id}-http`, bus, ...(logger ? { logger } : {}) });
  }

  /** The URL this replica listens on (after start). */
  get url(): string {
    return this.address;
  }

  protected override healthDetail(): string {
    return this.address;
  }

  protected async onStart(): Promise<void> {
    const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => void this.handle(req, res));
    server.headersTimeout = 30_000;
    // Requests Node's HTTP parser refuses (bad syntax, headers past the limit) and CONNECT get a Status too.
    server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable || err.code === "ECONNRESET") return void socket.destroy();
      const [code, reason] = err.code === "HPE_HEADER_OVERFLOW" ? [431, "RequestHeaderFieldsTooLarge"] : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? [408, "Timeout"] : [400, "BadRequest"];
      socket.end(rawStatusReply(code as number, reason as string, `malformed HTTP request: ${err.code ?? err.message}`));
    });
    server.on("connect", (_req, socket) => {
      socket.end(rawStatusReply(405, "MethodNotAllowed", "CONNECT is not supported"));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    const a = server.address() as AddressInfo;
    this.address = `http://${this.opts.host}:${a.port}`;
    this.server = server;
    this.log.info("serving the Kubernetes API", { url: this.address });
  }

  protected override async onStop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const accept = req.headers.accept;
    const send: Send = (code, body, headers = {}) => {
      if (res.headersSent) return;
      const yaml = wantsYaml(accept) && code < 300;
      const text = yaml ? YAML.stringify(body) : JSON.stringify(body);
      res.writeHead(code, { "Content-Type": yaml ? "application/yaml" : "application/json", "Cache-Control": "no-cache, private", ...headers });
      res.end(req.method === "HEAD" ? undefined : text);
    };
    let tgt: Target = { resource: "", group: "" };
    try {
      const { pathname, query: q } = splitTarget(req.url ?? "/");
      const info = requestInfo(req.method ?? "GET", pathname, boolParam(q, "watch"));
      if (info.type === "discovery") return this.discovery(info.path, req, res, send);
      if (info.type === "unknown") throw errors.resourceNotFound("");
      const r = info.resource;
      if (!r || r.version !== info.version) throw errors.resourceNotFound(info.resourceName);
      tgt = { resource: r.resource, group: r.group, kind: r.kind, ...(info.name ? { name: info.name } : {}) };
      if (info.subresource && !r.subresources.some((s) => s.name === info.subresource)) throw errors.resourceNotFound(`${r.resource}/${info.subresource}`);
      if (!info.subresource && !r.verbs.includes(info.verb)) {
        throw errors.methodNotAllowed(`${req.method} is not supported on ${r.resource}${r.group ? "." + r.group : ""}`);
      }
      if (r.namespaced && !info.namespace && !["list", "watch", "deletecollection"].includes(info.verb)) {
        if (info.verb !== "create") throw errors.resourceNotFound(r.resource);
      }
      if (!r.namespaced && info.namespace) throw errors.resourceNotFound(r.resource);
      await this.serveResource(r, info.verb, info.namespace, info.name, info.subresource, q, req, res, send);
    } catch (err) {
      const status = statusOf(err, tgt);
      if (status.code >= 500) this.log.error("request failed", { method: req.method, url: req.url, err });
      send(status.code, status);
    }
  }

  private discovery(path: string, req: IncomingMessage, res: ServerResponse, send: Send): void {
    const doc = this.discoveryDocument(path, req);
    if (doc === undefined) throw errors.resourceNotFound("");
    // Discovery documents are read-only.
    if (req.method !== "GET" && req.method !== "HEAD") throw errors.methodNotAllowed(`${req.method} is not supported on ${path}`);
    if (doc === OPENAPI) {
      // kubectl only needs a 200 here; kinds it does not know are then not validated client-side.
      res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": "0" });
      res.end();
      return;
    }
    send(200, doc);
  }

  /** The discovery document at `path` (OPENAPI for the empty OpenAPI answer), or undefined. */
  private discoveryDocument(path: string, req: IncomingMessage): unknown {
    if (path === "/api") return apiVersions(`${req.socket.localAddress}:${req.socket.localPort}`);
    if (path === "/apis") return apiGroupList();
    if (path === "/version") return SERVER_VERSION;
    if (path === "/healthz" || path === "/livez" || path === "/readyz") return "ok";
    if (path === "/openapi/v2") return OPENAPI;
    if (path === "/api/v1") return apiResourceList("", "v1");
    const m = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    if (m) {
      const g = groups().find((x) => x.name === m[1]);
      if (g && !m[2]) return apiGroup(g.name, g.version);
      return g && m[2] ? apiResourceList(g.name, m[2]) : undefined;
    }
    return undefined;
  }

  private async serveResource(
    r: ResourceInfo,
    verb: string,
    ns: string,
    name: string,
    sub: string,
    q: URLSearchParams,
    req: IncomingMessage,
    res: ServerResponse,
    send: Send,
  ): Promise<void> {
    const accept = req.headers.accept;
    const table = wantsTable(accept);
    const include = (q.get("includeObject") ?? "Metadata") as IncludeObject;
    const now = Date.now();
    const one = (code: number, obj: KubeObject, warnings: string[] = []) => {
      const headers: Record<string, string> = {};
      const validation = q.get("fieldValidation") ?? "Warn";
      if (warnings.length && validation === "Warn") headers["Warning"] = warnings.map(warningHeaderValue).join(", ");
      if (table && obj.kind === r.kind) return send(code, toTable(r.kind, [obj], { resourceVersion: obj.metadata?.resourceVersion }, include, now), headers);
      send(code, obj, headers);
    };
    const strictCheck = (warnings: string[]) => {
      if (q.get("fieldValidation") === "Strict" && warnings.length) throw errors.badRequest(`strict decoding error: ${warnings.join(", ")}`);
    };
    const listOpts = () => ({
      ...(q.get("labelSelector") ? { labelSelector: q.get("labelSelector")! } : {}),
      ...(q.get("fieldSelector") ? { fieldSelector: q.get("fieldSelector")! } : {}),
    });
    switch (verb) {
      case "get": {
        if (sub === "scale") return one(200, await this.registry.getScale(r, ns, name));
        if (sub && sub !== "status") throw errors.methodNotAllowed(`GET is not supported on ${r.resource}/${sub}`);
        return one(200, await this.registry.get(r, ns, name));
      }
      case "list": {
        const limit = intParam(q, "limit");
        const list = await this.registry.list(r, ns, { ...listOpts(), ...(limit ? { limit } : {}), ...(q.get("continue") ? { continue: q.get("continue")! } : {}) });
        if (table) return send(200, toTable(r.kind, list.items, { resourceVersion: list.resourceVersion, continue: list.continue }, include, now));
        return send(200, {
          kind: r.listKind ?? `${r.kind}List`,
          apiVersion: r.apiVersion,
          metadata: { resourceVersion: list.resourceVersion, ...(list.continue ? { continue: list.continue } : {}) },
          items: list.items,
        });
      }
      case "watch":
        return this.serveWatch(r, ns, name, q, req, res, table, include);
      case "create": {
        const body = parseBody(await readBody(req), req.headers["content-type"]);
        const dryRun = dryRunParam(q);
        if (sub === "binding") {
          await this.registry.bind(ns, name, body, { dryRun });
          return send(201, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
        }
        if (sub) throw errors.methodNotAllowed(`POST is not supported on ${r.resource}/${sub}`);
        if (r.kind === "Binding") {
          const b = body as KubeObject;
          await this.registry.bind(ns, b?.metadata?.name ?? "", body, { dryRun });
          return send(201, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
        }
        if (name) throw errors.methodNotAllowed(`POST is not supported on a named ${r.singular}`);
        const { object, warnings } = await this.registry.create(r, ns, body, { dryRun, ...(q.get("fieldManager") ? { fieldManager: q.get("fieldManager")! } : {}) });
        strictCheck(warnings);
        return one(201, object, warnings);
      }
      case "update": {
        const body = parseBody(await readBody(req), req.headers["content-type"]);
        const bodyName = (body as KubeObject | null)?.metadata?.name;
        if (body && typeof body === "object" && !Array.isArray(body) && (bodyName === undefined || bodyName === null || bodyName === "")) {
          throw errors.badRequest(`the name of the object () does not match the name on the URL (${name})`);
        }
        const { object, warnings } = await this.registry.update(r, ns, name, body, { dryRun: dryRunParam(q), ...(sub ? { subresource: sub } : {}) });
        strictCheck(warnings);
        return one(200, object, warnings);
      }
      case "patch": {
        const type = patchTypeOf(req.headers["content-type"]);
        const body = parseBody(await readBody(req), type === "apply" ? "application/yaml" : "application/json");
        if (type === "apply" && !q.get("fieldManager")) throw errors.badRequest("fieldManager is required for apply requests");
        const { object, warnings } = await this.registry.patch(r, ns, name, type, body, {
          dryRun: dryRunParam(q),
          ...(sub ? { subresource: sub } : {}),
          ...(q.get("fieldManager") ? { fieldManager: q.get("fieldManager")! } : {}),
          force: boolParam(q, "force"),
        });
        strictCheck(warnings);
        return one(200, object, warnings);
      }
      case "delete":
      case "deletecollection": {
        const raw = await readBody(req);
        const body = (raw.length ? parseBody(raw, req.headers["content-type"] ?? "application/json") : {}) as Record<string, unknown>;
        if (typeof body !== "object" || body === null || Array.isArray(body)) throw errors.badRequest("DeleteOptions must be an object");
        checkDeleteOptionTypes(body);
        const grace = intParam(q, "gracePeriodSeconds") ?? (body.gracePeriodSeconds as number | undefined);
        const policy = (q.get("propagationPolicy") ?? body.propagationPolicy) as DeleteOptions["propagationPolicy"] | undefined;
        const orphan = q.has("orphanDependents") ? boolParam(q, "orphanDependents") : (body.orphanDependents as boolean | undefined);
        const pre = (body.preconditions ?? {}) as { uid?: string; resourceVersion?: string };
        const opts = {
          dryRun: dryRunParam(q, body),
          ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}),
          ...(policy !== undefined ? { propagationPolicy: policy } : {}),
          ...(orphan !== undefined ? { orphanDependents: orphan } : {}),
          preconditions: pre,
        };
        if (verb === "delete") {
          const { object } = await this.registry.delete(r, ns, name, opts);
          return one(200, object);
        }
        const bad = invalidDeleteOptions(opts);
        if (bad) throw errors.badRequest(bad);
        const items = await this.registry.deleteCollection(r, ns, listOpts(), opts);
        return send(200, { kind: r.listKind ?? `${r.kind}List`, apiVersion: r.apiVersion, metadata: {}, items });
      }
    }
    throw errors.methodNotAllowed(`${verb} is not supported`);
  }

  private async serveWatch(r: ResourceInfo, ns: string, name: string, q: URLSearchParams, req: IncomingMessage, res: ServerResponse, table: boolean, include: IncludeObject): Promise<void> {
    let fieldSelector = q.get("fieldSelector") ?? "";
    if (name) fieldSelector = [fieldSelector, `metadata.name=${name}`].filter(Boolean).join(",");
    const timeout = intParam(q, "timeoutSeconds");
    const abort = new AbortController();
    req.on("close", () => abort.abort());
    res.on("close", () => abort.abort());
    let started = false;
    let first = true;
    // Headers go out once the watch is established (or with its first event), as in Kubernetes:
    // a client that sees them can rely on the watch seeing every later change.
    const start = () => {
      if (started) return;
      started = true;
      res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
      res.flushHeaders();
    };
    try {
      await this.watches.watch(
        r,
        {
          namespace: ns,
          ...(q.get("resourceVersion") !== null ? { resourceVersion: q.get("resourceVersion")! } : {}),
          ...(q.get("labelSelector") ? { labelSelector: q.get("labelSelector")! } : {}),
          ...(fieldSelector ? { fieldSelector } : {}),
          allowWatchBookmarks: boolParam(q, "allowWatchBookmarks"),
          ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}),
        },
        (e) => {
          start();
          if (table && (e.type === "ADDED" || e.type === "MODIFIED" || e.type === "DELETED")) {
            const object = toTable(r.kind, [e.object as KubeObject], {}, include, Date.now(), first);
            first = false;
            res.write(JSON.stringify({ type: e.type, object }) + "\n");
          } else {
            res.write(e.json());
          }
        },
        abort.signal,
        start,
      );
    } catch (err) {
      const status: Status = statusOf(err, { resource: r.resource, group: r.group });
      if (!started) {
        res.writeHead(status.code, { "Content-Type": "application/json" });
        res.end(JSON.stringify(status));
        return;
      }
      res.write(JSON.stringify({ type: "ERROR", object: status }) + "\n");
    }
    start();
    res.end();
  }
}

/**
 * warningHeaderValue: one RFC 7234 warning (`299 - "text"`). The text can quote the client's own
 * input (unknown field names), so everything outside printable ASCII is escaped as \uXXXX: a
 * header may not carry control or non-Latin-1 characters.
 */
export function warningHeaderValue(text: string): string {
  const quoted = JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return `299 - ${quoted}`;
}
