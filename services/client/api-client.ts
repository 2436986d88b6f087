/**
 * ApiClient: the API over the bus for actors (request/reply to the API server's queue
 * group). Values are stored values (schema `encodeStored`); results carry the store's
 * revisions. Failures arrive as the kernel's RemoteError carrying the Kubernetes Status;
 * `isStatus(err, 404)` tests for one.
 */
import { context, ROOT_CONTEXT, type Context } from "@opentelemetry/api";
import { BusError, BusTimeoutError, injectCarrier, KINDS, NoRespondersError, RemoteError, subjects, type Bus } from "../kernel/index.js";
import { bus as busProto, type ApiResponse, type IApiRequest, type IChangeEvent, type IItem } from "../schema/bus.js";
import type { InformerEvent, ListedItem, ListWatchSource } from "./informer.js";
import { CompactedError, type ChangeEvent as StoreChangeEvent } from "../store/types.js";
import { objectKey, parseObjectKey } from "../store/object-keys.js";

/** Which resource a client call addresses. */
export interface ResourceRef {
  /** API group, "" for core. */
  group: string;
  /** Plural resource name, e.g. "configmaps". */
  resource: string;
}

export interface ListResult {
  items: ListedItem[];
  revision: number;
  /** Non-empty when `limit` cut the list: pass it back as `continue`. */
  continue: string;
}

/** isStatus: true when `err` is an API error with this HTTP code. */
/** Longest replay one `events` call returns (the API server's limit); a full page means "ask again". */
const MAX_EVENTS_PER_CALL = 10_000;

export function isStatus(err: unknown, code: number): boolean {
  return err instanceof RemoteError && err.code === code;
}

/** Verbs of one object whose calls are coalesced into batches (list and events answers can be large). */
const BATCHED_VERBS = new Set(["get", "create", "update", "patch", "delete"]);
/** Most items in one batch: several batches stay in flight, so API server replicas share them. */
export const MAX_BATCH_ITEMS = 128;
/** Most request bytes in one batch (far under the bus's envelope limit). */
const MAX_BATCH_BYTES = 512 * 1024;

/** A call waiting for the next batch. */
interface Pending {
  subject: string;
  req: IApiRequest;
  bytes: number;
  /** The caller's context: a lone call is sent in it, a batch item carries its trace headers. */
  ctx: Context;
  resolve: (r: ApiResponse) => void;
  reject: (err: unknown) => void;
}

export class ApiClient {
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private flushScheduled = false;

  constructor(
    private readonly bus: Bus,
    private readonly timeoutMs = 10_000,
  ) {}

  /**
   * One raw API request (used by KubeClient for the verbs with options). Single-object calls
   * issued in the same tick travel together as one ApiBatchRequest (up to MAX_BATCH_ITEMS);
   * each still resolves or rejects on its own exactly as a lone request would: RemoteError
   * with its own status, BusTimeoutError for every item of a batch that got no reply.
   */
  call(ref: ResourceRef, req: IApiRequest): Promise<ApiResponse> {
    const subject = subjects.api(ref.group, ref.resource, req.verb!);
    const full = fullRequest(ref, req);
    if (!BATCHED_VERBS.has(req.verb!)) return this.single(subject, full);
    const bytes = (full.object?.length ?? 0) + (full.patch?.length ?? 0) + 128;
    if (this.pendingBytes + bytes > MAX_BATCH_BYTES) this.flush();
    return new Promise<ApiResponse>((resolve, reject) => {
      this.pending.push({ subject, req: full, bytes, ctx: context.active(), resolve, reject });
      this.pendingBytes += bytes;
      if (this.pending.length >= MAX_BATCH_ITEMS) this.flush();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.flushScheduled = false;
          this.flush();
        });
      }
    });
  }

  private async single(subject: string, req: IApiRequest): Promise<ApiResponse> {
    const bytes = await this.bus.request(subject, KINDS.ApiRequest, busProto.ApiRequest.encode(req).finish(), {
      timeoutMs: this.timeoutMs,
      expectKind: KINDS.ApiResponse,
    });
    return busProto.ApiResponse.decode(bytes);
  }

  /** Sends what is pending: a lone call as a plain request, more as one batch. */
  private flush(): void {
    const items = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    if (items.length === 0) return;
    if (items.length === 1) {
      const p = items[0]!;
      context.with(p.ctx, () => this.single(p.subject, p.req)).then(p.resolve, p.reject);
      return;
    }
    // The batch message itself starts no trace; each item carries its caller's context.
    const send = async () => {
      const batch = busProto.ApiBatchRequest.encode({ items: items.map((p) => ({ request: p.req, trace: p.ctx === ROOT_CONTEXT ? undefined : injectCarrier(p.ctx) })) }).finish();
      return this.bus.request(subjects.apiBatch(), KINDS.ApiBatchRequest, batch, { timeoutMs: this.timeoutMs, expectKind: KINDS.ApiBatchResponse });
    };
    context
      .with(ROOT_CONTEXT, send)
      .then(
        (bytes) => settleBatch(items, busProto.ApiBatchResponse.decode(bytes).responses as ApiResponse[]),
        (err) => items.forEach((p) => p.reject(itemError(err, p.subject))),
      );
  }

  async get(ref: ResourceRef, namespace: string, name: string): Promise<ListedItem> {
    return item((await this.call(ref, { verb: "get", namespace, name })).object);
  }

  async list(ref: ResourceRef, namespace = "", opts: { limit?: number; continue?: string } = {}): Promise<ListResult> {
    const r = await this.call(ref, { verb: "list", namespace, limit: opts.limit ?? 0, continue: opts.continue ?? "" });
    return { items: r.items.map(item), revision: r.revision, continue: r.continue };
  }

  async create(ref: ResourceRef, namespace: string, name: string, value: Uint8Array): Promise<ListedItem> {
    return item((await this.call(ref, { verb: "create", namespace, name, object: value })).object);
  }

  async update(ref: ResourceRef, namespace: string, name: string, value: Uint8Array, expectedRevision: number): Promise<ListedItem> {
    return item((await this.call(ref, { verb: "update", namespace, name, object: value, expectedRevision })).object);
  }

  async delete(ref: ResourceRef, namespace: string, name: string, expectedRevision = 0): Promise<ListedItem> {
    return item((await this.call(ref, { verb: "delete", namespace, name, expectedRevision })).object);
  }

  /**
   * Changes after `fromRevision` and how far the log was read (see ListWatchSource.replay);
   * throws CompactedError when the log no longer has them (410).
   */
  async events(ref: ResourceRef, fromRevision: number, namespace = ""): Promise<{ events: InformerEvent[]; revision: number }> {
    try {
      const out: InformerEvent[] = [];
      let from = fromRevision;
      for (;;) {
        const r = await this.call(ref, { verb: "events", namespace, fromRevision: from });
        for (const e of r.events) out.push(informerEventFromBus(e));
        const revision = Math.max(from, Number(r.revision));
        if (r.events.length < MAX_EVENTS_PER_CALL) return { events: out, revision };
        from = revision;
      }
    } catch (err) {
      if (isStatus(err, 410)) throw new CompactedError(fromRevision, 0);
      throw err;
    }
  }


  /** A ListWatchSource for an Informer of this resource (all namespaces). */
  listWatch(ref: ResourceRef, storeResource: string): ListWatchSource {
    return {
      list: async () => {
        const items: ListedItem[] = [];
        let revision = 0;
        let cont = "";
        // Pages may come from different revisions: the informer replays from the first
        // page's revision, and its per-key guard makes the overlap harmless.
        do {
          const page = await this.list(ref, "", { limit: 5000, continue: cont });
          if (revision === 0) revision = page.revision;
          items.push(...page.items);
          cont = page.continue;
        } while (cont);
        return { items, revision };
      },
      replay: (from) => this.events(ref, from),
      subscribe: (onEvents) => {
        const sub = this.bus.subscribe(subjects.changesAll(storeResource), (m) => onEvents(informerEventsFromBatch(m.payload)), {
          expectKind: KINDS.ChangeEventBatch,
        });
        return () => sub.unsubscribe();
      },
      onReconnect: (cb) => this.bus.onReconnect(() => cb()),
    };
  }
}

/**
 * The request with the call's group and resource, as an object of one shape (every field, in
 * proto order; the compiler checks that none is missing): copying the callers' many shapes with a spread cost ~5x more (megamorphic
 * clone), and the encoder then reads one shape.
 */
function fullRequest(ref: ResourceRef, r: IApiRequest): IApiRequest {
  return {
    verb: r.verb,
    group: ref.group,
    resource: ref.resource,
    namespace: r.namespace,
    name: r.name,
    object: r.object,
    expectedRevision: r.expectedRevision,
    fromRevision: r.fromRevision,
    limit: r.limit,
    continue: r.continue,
    labelSelector: r.labelSelector,
    fieldSelector: r.fieldSelector,
    subresource: r.subresource,
    patchType: r.patchType,
    patch: r.patch,
    dryRun: r.dryRun,
    fieldManager: r.fieldManager,
    propagationPolicy: r.propagationPolicy,
    gracePeriodSeconds: r.gracePeriodSeconds,
    force: r.force,
    revisionOnly: r.revisionOnly,
  } satisfies { [K in Exclude<keyof Required<IApiRequest>, "$unknowns">]: unknown }; // a field added to ApiRequest must be copied here
}

/** Resolves or rejects each caller with its own answer. */
function settleBatch(items: Pending[], responses: ApiResponse[]): void {
  items.forEach((p, i) => {
    const r = responses[i];
    if (!r) p.reject(new BusError(`batch reply on ${subjects.apiBatch()} has no answer for item ${i}`));
    else if (r.status) p.reject(new RemoteError(p.subject, r.status.code!, r.status.reason!, r.status.message!));
    else p.resolve(r);
  });
}

/** A whole batch's failure as each item's error, naming the item's own subject as a lone request would. */
function itemError(err: unknown, subject: string): unknown {
  if (err instanceof BusTimeoutError) return new BusTimeoutError(subject, err.timeoutMs, { cause: err });
  if (err instanceof NoRespondersError) return new NoRespondersError(subject, { cause: err });
  if (err instanceof RemoteError) return new RemoteError(subject, err.code, err.reason, err.detail);
  return err;
}

function item(o: IItem | null | undefined): ListedItem {
  return { key: o?.key ?? "", value: o?.value ?? new Uint8Array(), modRevision: Number(o?.modRevision ?? 0), createRevision: Number(o?.createRevision ?? 0) };
}

/** busEventFromStore: a committed store change as the bus ChangeEvent (the relay's and the events verb's wire form). */
export function busEventFromStore(e: StoreChangeEvent): IChangeEvent {
  const k = parseObjectKey(e.key);
  return { type: e.type, revision: e.revision, prevRevision: e.prevRevision, resource: k.resource, namespace: k.namespace, name: k.name, createRevision: e.createRevision, object: e.value };
}

/** informerEventsFromBatch: the events of a relay message (a ChangeEventBatch payload), in order. */
export function informerEventsFromBatch(payload: Uint8Array): InformerEvent[] {
  return busProto.ChangeEventBatch.decode(payload).events.map(informerEventFromBus);
}

/** informerEventFromBus: a bus ChangeEvent as an informer consumes it (the store key rebuilt). */
export function informerEventFromBus(e: IChangeEvent): InformerEvent {
  const key = objectKey(e.resource ?? "", e.namespace ?? "", e.name ?? "");
  return {
    type: e.type as InformerEvent["type"],
    revision: Number(e.revision ?? 0),
    prevRevision: Number(e.prevRevision ?? 0),
    key,
    value: e.object ?? new Uint8Array(),
    createRevision: Number(e.createRevision ?? 0),
  };
}
