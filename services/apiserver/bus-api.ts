/**
 * BusApi: the API server's operations on the bus (request/reply, queue group `apiserver`).
 *
 * Subject `k8s.api.<group>.<resource>.<verb>`, payload ApiRequest, reply ApiResponse or a
 * BusStatus error with Kubernetes' code and reason. Verbs: get, list, create, update,
 * delete, events (replay of the store's log after a revision, for informers that saw a
 * gap). Objects travel as stored values (schema `encodeStored`); a value that does not
 * decode, or is of another kind than the resource, is rejected with 400 and changes nothing.
 * Stateless: run any number of replicas.
 */
import { inject, injectable } from "tsyringe";
import { Actor, EnvelopeError, KINDS, decodeAs, QUEUE_APISERVER, TOKENS, subjects, type Bus, type BusMessage, type KernelConfig, type StatusInit } from "../kernel/index.js";
import { bus as busProto, type ApiRequest, type IApiResponse, type IChangeEvent, type IItem } from "../schema/bus.js";
import { decodeStored, lookupResource, StoredValueError, type ResourceInfo } from "../schema/index.js";
import { listPrefix, objectKey } from "../store/object-keys.js";
import {
  AlreadyExistsError,
  CompactedError,
  ConflictError,
  NotFoundError,
  StoreError,
  type ChangeEvent,
  type RedisStore,
  type StoredObject,
} from "../store/index.js";
import { parseObjectKey } from "../store/object-keys.js";

/** ApiError: a request the API refuses, carrying its Kubernetes Status. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(readonly status: StatusInit) {
    super(`${status.code} ${status.reason}: ${status.message}`);
  }
}

/** Longest replay one `events` call returns; the caller asks again from the last revision. */
const MAX_EVENTS_PER_CALL = 10_000;

/** statusOf maps an error to the Kubernetes Status the caller sees (the one place that does). */
export function statusOf(err: unknown, what: string): StatusInit {
  if (err instanceof ApiError) return err.status;
  if (err instanceof NotFoundError) return { code: 404, reason: "NotFound", message: `${what} not found` };
  if (err instanceof AlreadyExistsError) return { code: 409, reason: "AlreadyExists", message: `${what} already exists` };
  if (err instanceof ConflictError)
    return { code: 409, reason: "Conflict", message: `Operation cannot be fulfilled on ${what}: the object has been modified; please apply your changes to the latest version and try again` };
  if (err instanceof CompactedError) return { code: 410, reason: "Expired", message: `too old resource version: ${err.requested} (${err.compactRevision + 1})` };
  if (err instanceof EnvelopeError) return { code: 400, reason: "BadRequest", message: err.message };
  if (err instanceof StoredValueError) return { code: 400, reason: "BadRequest", message: err.message };
  if (err instanceof StoreError) return { code: 503, reason: "ServiceUnavailable", message: `store unavailable: ${err.message}` };
  return { code: 500, reason: "InternalError", message: err instanceof Error ? err.message : String(err) };
}

function toItem(o: StoredObject): IItem {
  return { key: o.key, value: o.value, modRevision: o.modRevision, createRevision: o.createRevision };
}

function toEvent(e: ChangeEvent): IChangeEvent {
  const k = parseObjectKey(e.key);
  return {
    type: e.type,
    revision: e.revision,
    prevRevision: e.prevRevision,
    resource: k.resource,
    namespace: k.namespace,
    name: k.name,
    createRevision: e.createRevision,
    object: e.value,
  };
}

@injectable()
export class BusApi extends Actor {
  constructor(
    @inject(TOKENS.Bus) bus: Bus,
    @inject(TOKENS.Store) private readonly store: RedisStore,
    @inject(TOKENS.Config) config: KernelConfig,
  ) {
    super({ kind: "apiserver", id: config.actorId, bus });
  }

  protected async onStart(): Promise<void> {
    this.subscribe(subjects.apiAll(), (m) => this.handle(m), { queue: QUEUE_APISERVER, expectKind: KINDS.ApiRequest, concurrent: 256 });
  }

  private async handle(m: BusMessage): Promise<void> {
    let what = m.subject;
    try {
      const { group, resource } = subjects.parseApi(m.subject);
      const req = decodeAs(busProto.ApiRequest, KINDS.ApiRequest, m.payload);
      const info = lookupResource(group, resource);
      if (!info) throw new ApiError({ code: 404, reason: "NotFound", message: `the server could not find the requested resource (${resource}${group ? "." + group : ""})` });
      what = `${info.resource}${info.group ? "." + info.group : ""} "${req.name}"`;
      const res = await this.serve(info, req);
      m.respond(KINDS.ApiResponse, busProto.ApiResponse.encode(res).finish());
    } catch (err) {
      const status = statusOf(err, what);
      if (status.code >= 500) this.log.error("api request failed", { subject: m.subject, err });
      m.respondError(status);
    }
  }

  /** One API operation against the store. */
  private async serve(info: ResourceInfo, req: ApiRequest): Promise<IApiResponse> {
    const ns = info.namespaced ? req.namespace : "";
    if (info.namespaced && req.verb !== "list" && req.verb !== "events" && !ns) throw badRequest("a namespace is required");
    const key = () => {
      if (!req.name) throw badRequest("a name is required");
      return objectKey(info.storeResource, ns, req.name);
    };
    switch (req.verb) {
      case "get": {
        const o = await this.store.get(key());
        if (!o) throw new NotFoundError(key());
        return { object: toItem(o) };
      }
      case "list": {
        const r = await this.store.list(listPrefix(info.storeResource, ns), { limit: req.limit, ...(req.continue ? { startAfter: req.continue } : {}) });
        const last = r.items[r.items.length - 1];
        return { items: r.items.map(toItem), revision: r.revision, continue: r.more && last ? last.key : "" };
      }
      case "create":
        this.checkValue(info, req.object);
        return { object: toItem(await this.store.create(key(), req.object)) };
      case "update":
        this.checkValue(info, req.object);
        return { object: toItem(await this.store.update(key(), req.object, req.expectedRevision)) };
      case "delete":
        return { object: toItem(await this.store.delete(key(), req.expectedRevision || undefined)) };
      case "events": {
        const limit = req.limit > 0 ? Math.min(req.limit, MAX_EVENTS_PER_CALL) : MAX_EVENTS_PER_CALL;
        const events = await this.store.events(listPrefix(info.storeResource, ns), req.fromRevision, limit);
        return { events: events.map(toEvent), revision: events.length ? events[events.length - 1]!.revision : req.fromRevision };
      }
      default:
        throw new ApiError({ code: 405, reason: "MethodNotAllowed", message: `verb "${req.verb}" is not supported on ${info.resource}` });
    }
  }

  /** Rejects (400) a value that does not decode or holds another kind than the resource. */
  private checkValue(info: ResourceInfo, value: Uint8Array): void {
    const { kind } = decodeStored(value);
    if (kind !== info.kind) throw badRequest(`object of kind ${kind} sent to ${info.resource}`);
  }
}

function badRequest(message: string): ApiError {
  return new ApiError({ code: 400, reason: "BadRequest", message });
}
