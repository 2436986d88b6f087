/**
 * BusApi: the API server's operations on the bus (request/reply, queue group `apiserver`),
 * the same Registry calls HTTP makes.
 *
 * Subject `k8s.api.<group>.<resource>.<verb>`, payload ApiRequest, reply ApiResponse or a
 * BusStatus error with Kubernetes' code and reason. Objects travel as stored values (schema
 * `encodeStored`, protobuf); replies carry each object's revisions. Verbs: get, list, create,
 * update, patch, delete, events (replay of the store's log after a revision, for informers
 * that saw a gap). A list without selectors is served straight from the store (no decoding),
 * which is what informers ask for. Subject `k8s.api.batch` carries an ApiBatchRequest (the
 * calls a client issued in one tick): each item is served as if it came alone and the reply is
 * an ApiBatchResponse with each item's answer or Status. Stateless: run any number of replicas.
 */
import { inject, injectable } from "tsyringe";
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { Actor, KINDS, QUEUE_APISERVER, TOKENS, decodeAs, extractCarrier, spansRecorded, subjects, tracer, type Bus, type BusMessage, type KernelConfig, type StatusInit } from "../kernel/index.js";
import { busEventFromStore } from "../client/index.js";
import { bus as busProto, type ApiRequest, type IApiResponse, type IItem } from "../schema/bus.js";
import { decodeStoredObject, lookupResource, type ResourceInfo } from "../schema/index.js";
import { listPrefix, objectKey } from "../store/object-keys.js";
import type { RedisStore, StoredObject } from "../store/index.js";
import { decodeBody, encodeObject, type KubeObject } from "./codec.js";
import { errors, statusOf, type Target } from "./errors.js";
import type { PatchType, Registry, WriteResult } from "./registry/registry.js";

/** Longest replay one `events` call returns; the caller asks again from the last revision. */
export const MAX_EVENTS_PER_CALL = 10_000;

function rawItem(o: StoredObject): IItem {
  return { key: o.key, value: o.value, modRevision: o.modRevision, createRevision: o.createRevision };
}

const PATCH_TYPES = new Set(["json", "merge", "strategic", "apply"]);

@injectable()
export class BusApi extends Actor {
  constructor(
    @inject(TOKENS.Bus) bus: Bus,
    @inject(TOKENS.Store) private readonly store: RedisStore,
    @inject(TOKENS.Registry) private readonly registry: Registry,
    @inject(TOKENS.Config) config: KernelConfig,
  ) {
    super({ kind: "apiserver", id: config.actorId, bus });
  }

  protected async onStart(): Promise<void> {
    this.subscribe(subjects.apiAll(), (m) => (m.kind === KINDS.ApiBatchRequest ? this.handleBatch(m) : this.handle(m)), {
      queue: QUEUE_APISERVER,
      expectKind: [KINDS.ApiRequest, KINDS.ApiBatchRequest],
      concurrent: 256,
    });
  }

  private async handle(m: BusMessage): Promise<void> {
    let res: IApiResponse;
    try {
      const { group, resource } = subjects.parseApi(m.subject);
      res = await this.answer(group, resource, decodeAs(busProto.ApiRequest, KINDS.ApiRequest, m.payload));
    } catch (err) {
      res = { status: statusOf(err, { resource: m.subject, group: "" }) };
    }
    if (res.status) m.respondError(res.status as StatusInit);
    else m.respond(KINDS.ApiResponse, busProto.ApiResponse.encode(res).finish());
  }

  /**
   * A batch: every item served on its own and at once (so the store's group commit batches
   * their writes), each in a SERVER span under its caller's trace linked to the batch's span;
   * one reply with an answer per item in order. A failed item fails alone.
   */
  private async handleBatch(m: BusMessage): Promise<void> {
    const batch = decodeAs(busProto.ApiBatchRequest, KINDS.ApiBatchRequest, m.payload);
    const batchSpan = trace.getSpanContext(context.active());
    const spans = spansRecorded();
    const responses = await Promise.all(
      batch.items.map((it) => {
        const req = (it.request as ApiRequest | null) ?? busProto.ApiRequest.create(); // decoded: defaults filled
        const parent = extractCarrier(it.trace ?? undefined);
        // A span nobody records is not started (it cost ~2.5% of the API server's CPU): the item runs in its caller's context.
        if (!spans) return context.with(parent, () => this.answer(req.group, req.resource, req));
        const span = tracer().startSpan(
          `api ApiRequest`,
          { kind: SpanKind.SERVER, attributes: { "k8s.api.verb": req.verb, "k8s.api.resource": req.resource }, ...(batchSpan ? { links: [{ context: batchSpan }] } : {}) },
          parent,
        );
        return context.with(trace.setSpan(parent, span), () => this.answer(req.group, req.resource, req)).then((r) => {
          if (r.status && r.status.code! >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: r.status.message! });
          span.end();
          return r;
        });
      }),
    );
    m.respond(KINDS.ApiBatchResponse, busProto.ApiBatchResponse.encode({ responses: fitReply(responses, this.bus.maxPayload) }).finish());
  }

  /** One API operation answered: its response, or its Kubernetes status on failure (never throws). */
  private async answer(group: string, resource: string, req: ApiRequest): Promise<IApiResponse> {
    let tgt: Target = { resource, group };
    try {
      const info = lookupResource(group, resource);
      if (!info || !info.stored) throw errors.resourceNotFound(`${resource}${group ? "." + group : ""}`);
      tgt = { resource: info.resource, group: info.group, kind: info.kind, name: req.name };
      return await this.serve(info, req);
    } catch (err) {
      const status = statusOf(err, tgt);
      if (status.code >= 500) this.log.error("api request failed", { group, resource, verb: req.verb, err });
      return { status };
    }
  }

  /** The reply item of a write: the stored bytes when the registry has them, else a fresh encoding; no value when the request asked for `revisionOnly`. */
  private written(info: ResourceInfo, r: WriteResult, req: ApiRequest): IItem {
    if (req.revisionOnly && r.stored) return { key: r.stored.key, modRevision: r.stored.modRevision, createRevision: 0 };
    if (!r.stored) return this.item(info, r.object);
    return { key: r.stored.key, value: r.stored.value, modRevision: r.stored.modRevision, createRevision: 0 };
  }

  private item(info: ResourceInfo, obj: KubeObject): IItem {
    const ns = info.namespaced ? (obj.metadata.namespace ?? "") : "";
    const rev = Number(obj.metadata.resourceVersion ?? 0);
    return { key: objectKey(info.storeResource, ns, obj.metadata.name), value: encodeObject(info.kind, obj).value, modRevision: rev, createRevision: 0 };
  }

  /** One API operation. */
  private async serve(info: ResourceInfo, req: ApiRequest): Promise<IApiResponse> {
    const ns = info.namespaced ? req.namespace : "";
    const write = { dryRun: req.dryRun, ...(req.fieldManager ? { fieldManager: req.fieldManager } : {}), ...(req.subresource ? { subresource: req.subresource } : {}) };
    switch (req.verb) {
      case "get":
        if (req.subresource === "scale") return { object: this.item(info, await this.registry.getScale(info, ns, req.name)) };
        return { object: this.item(info, await this.registry.get(info, ns, req.name)) };
      case "list": {
        if (!req.labelSelector && !req.fieldSelector) {
          const r = await this.store.list(listPrefix(info.storeResource, ns), { limit: req.limit, ...(req.continue ? { startAfter: req.continue } : {}) });
          const last = r.items[r.items.length - 1];
          return { items: r.items.map(rawItem), revision: r.revision, continue: r.more && last ? last.key : "" };
        }
        const r = await this.registry.list(info, ns, {
          ...(req.labelSelector ? { labelSelector: req.labelSelector } : {}),
          ...(req.fieldSelector ? { fieldSelector: req.fieldSelector } : {}),
          ...(req.limit ? { limit: req.limit } : {}),
          ...(req.continue ? { continue: req.continue } : {}),
        });
        return { items: r.items.map((o) => this.item(info, o)), revision: Number(r.resourceVersion), continue: r.continue };
      }
      case "create": {
        if (req.subresource === "binding") {
          await this.registry.bind(ns, req.name, this.bindingOf(req.object), write);
          return {};
        }
        const r = await this.registry.createStored(info, ns, req.object, req.name, write);
        return { object: this.written(info, r, req), warnings: r.warnings };
      }
      case "update": {
        if (req.subresource === "status") {
          const r = await this.registry.updateStatusStored(info, ns, req.name, req.object, req.expectedRevision, write);
          return { object: this.written(info, r, req), warnings: r.warnings };
        }
        const obj = decodeBody(info, req.object);
        if (req.expectedRevision) obj.metadata.resourceVersion = String(req.expectedRevision);
        const r = await this.registry.update(info, ns, req.name, obj, { ...write, decoded: true });
        return { object: this.written(info, r, req), warnings: r.warnings };
      }
      case "patch": {
        if (!PATCH_TYPES.has(req.patchType)) throw errors.unsupportedMediaType(`unknown patch type "${req.patchType}"`);
        let patch: unknown;
        try {
          patch = JSON.parse(Buffer.from(req.patch).toString("utf8"));
        } catch (e) {
          throw errors.badRequest(`the patch is not valid JSON: ${(e as Error).message}`);
        }
        const r = await this.registry.patch(info, ns, req.name, req.patchType as PatchType, patch, { ...write, force: req.force });
        return { object: this.written(info, r, req), warnings: r.warnings };
      }
      case "delete": {
        const r = await this.registry.delete(info, ns, req.name, {
          dryRun: req.dryRun,
          ...(req.propagationPolicy ? { propagationPolicy: req.propagationPolicy as "Foreground" | "Background" | "Orphan" } : {}),
          ...(req.gracePeriodSeconds !== undefined && req.gracePeriodSeconds !== null ? { gracePeriodSeconds: Number(req.gracePeriodSeconds) } : {}),
          ...(req.expectedRevision ? { preconditions: { resourceVersion: String(req.expectedRevision) } } : {}),
        });
        return { object: this.item(info, r.object) };
      }
      case "events": {
        const limit = req.limit > 0 ? Math.min(req.limit, MAX_EVENTS_PER_CALL) : MAX_EVENTS_PER_CALL;
        // `revision` tells how far the log was read, so an informer with nothing to replay
        // moves past that stretch instead of scanning it again next time.
        const r = await this.store.scanEvents(listPrefix(info.storeResource, ns), req.fromRevision, limit);
        return { events: r.events.map(busEventFromStore), revision: r.scannedTo };
      }
      default:
        throw errors.methodNotAllowed(`verb "${req.verb}" is not supported on ${info.resource}`);
    }
  }

  private bindingOf(value: Uint8Array): KubeObject {
    const { kind, object } = decodeStoredObject(value);
    if (kind !== "Binding") throw errors.badRequest(`a binding must be a Binding, not ${kind}`);
    return object as KubeObject;
  }
}

/**
 * fitReply keeps a batch reply under the envelope limit: an answer that no longer fits is
 * replaced by a 500 (as a single reply that is too large is answered today).
 */
export function fitReply(responses: IApiResponse[], maxPayload: number): IApiResponse[] {
  let room = maxPayload - 64 * 1024;
  return responses.map((r) => {
    room -= 256 + (r.object?.value?.length ?? 0) + (r.items ?? []).reduce((n, i) => n + 256 + (i.value?.length ?? 0), 0);
    if (room >= 0) return r;
    return { status: { code: 500, reason: "InternalError", message: "the reply does not fit in a batch reply; the operation may have been applied" } };
  });
}
