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
import type { DeleteOptions } from "../registry/deletion.js";
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

type Send = (code: number, body: unknown, headers?: Record<string, string>) => void;

function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === "true" || v === "1";
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  if (!/^-?\d+$/.test(v)) throw errors.badRequest(`${name}: invalid value "${v}": must be an integer`);
  return Number(v);
}

function dryRunParam(q: URLSearchParams, body?: unknown): boolean {
  const values = [...q.getAll("dryRun"), ...(((body as { dryRun?: unknown })?.dryRun as string[] | undefined) ?? [])];
  for (const v of values) if (v !== "All") throw errors.badRequest(`Invalid dry run value "${v}": supported values: "All"`);
  return values.length > 0;
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
      const url = new URL(req.url ?? "/", "http://localhost");
      const q = url.searchParams;
      const info = requestInfo(req.method ?? "GET", url.pathname, boolParam(q, "watch"));
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
    if (path === "/api") return send(200, apiVersions(`${req.socket.localAddress}:${req.socket.localPort}`));
    if (path === "/apis") return send(200, apiGroupList());
    if (path === "/version") return send(200, SERVER_VERSION);
    if (path === "/healthz" || path === "/livez" || path === "/readyz") return send(200, "ok");
    if (path === "/openapi/v2") {
      // kubectl only needs a 200 here; kinds it does not know are then not validated client-side.
      res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": "0" });
      res.end();
      return;
    }
    if (path === "/api/v1") return send(200, apiResourceList("", "v1"));
    const m = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    if (m) {
      const g = groups().find((x) => x.name === m[1]);
      if (g && !m[2]) return send(200, apiGroup(g.name, g.version));
      const list = g && m[2] ? apiResourceList(g.name, m[2]) : undefined;
      if (list) return send(200, list);
    }
    throw errors.resourceNotFound("");
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
      if (warnings.length && validation === "Warn") headers["Warning"] = warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(", ");
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
    const start = () => {
      if (started) return;
      started = true;
      res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
      res.flushHeaders();
    };
    // Headers go out at once: clients wait for them before they consider the watch open.
    const headerTimer = setTimeout(start, 0);
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
          let object: unknown = e.object;
          if (table && (e.type === "ADDED" || e.type === "MODIFIED" || e.type === "DELETED")) {
            object = toTable(r.kind, [e.object as KubeObject], {}, include, Date.now(), first);
            first = false;
          }
          res.write(JSON.stringify({ type: e.type, object }) + "\n");
        },
        abort.signal,
      );
    } catch (err) {
      clearTimeout(headerTimer);
      const status: Status = statusOf(err, { resource: r.resource, group: r.group });
      if (!started) {
        res.writeHead(status.code, { "Content-Type": "application/json" });
        res.end(JSON.stringify(status));
        return;
      }
      res.write(JSON.stringify({ type: "ERROR", object: status }) + "\n");
    }
    clearTimeout(headerTimer);
    start();
    res.end();
  }
}
