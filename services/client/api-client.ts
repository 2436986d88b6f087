/**
 * ApiClient: the API over the bus for actors (request/reply to the API server's queue
 * group). Values are stored values (schema `encodeStored`); results carry the store's
 * revisions. Failures arrive as the kernel's RemoteError carrying the Kubernetes Status;
 * `isStatus(err, 404)` tests for one.
 */
import { KINDS, RemoteError, subjects, type Bus } from "../kernel/index.js";
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

export class ApiClient {
  constructor(
    private readonly bus: Bus,
    private readonly timeoutMs = 10_000,
  ) {}

  /** One raw API request (used by KubeClient for the verbs with options). */
  async call(ref: ResourceRef, req: IApiRequest): Promise<ApiResponse> {
    const subject = subjects.api(ref.group, ref.resource, req.verb!);
    const bytes = await this.bus.request(subject, KINDS.ApiRequest, busProto.ApiRequest.encode({ ...req, group: ref.group, resource: ref.resource }).finish(), {
      timeoutMs: this.timeoutMs,
      expectKind: KINDS.ApiResponse,
    });
    return busProto.ApiResponse.decode(bytes);
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
      subscribe: (onEvent) => {
        const sub = this.bus.subscribe(
          subjects.changesAll(storeResource),
          (m) => onEvent(informerEventFromBus(busProto.ChangeEvent.decode(m.payload))),
          { expectKind: KINDS.ChangeEvent },
        );
        return () => sub.unsubscribe();
      },
      onReconnect: (cb) => this.bus.onReconnect(() => cb()),
    };
  }
}

function item(o: IItem | null | undefined): ListedItem {
  return { key: o?.key ?? "", value: o?.value ?? new Uint8Array(), modRevision: Number(o?.modRevision ?? 0), createRevision: Number(o?.createRevision ?? 0) };
}

/** busEventFromStore: a committed store change as the bus ChangeEvent (the relay's and the events verb's wire form). */
export function busEventFromStore(e: StoreChangeEvent): IChangeEvent {
  const k = parseObjectKey(e.key);
  return { type: e.type, revision: e.revision, prevRevision: e.prevRevision, resource: k.resource, namespace: k.namespace, name: k.name, createRevision: e.createRevision, object: e.value };
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
