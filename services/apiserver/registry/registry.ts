/**
 * Registry: the API's operations on any resource, on Kubernetes JSON objects — one generic
 * implementation, with a Strategy per kind for defaults, validation, status/scale handling
 * and table columns. HTTP and the bus API both call it; it is the only code that writes the
 * store on behalf of clients.
 *
 * Contracts:
 * - resourceVersion is the store's modRevision; an update or patch carrying one is a
 *   compare-and-swap (409 Conflict when it moved); without one the update is unconditional.
 * - metadata.generation starts at 1 and moves only when the spec (anything but metadata and
 *   status) changes; status and scale subresources touch only their part.
 * - An update that changes nothing is not written (the resourceVersion stays).
 * - `dryRun` runs every step except the store write.
 */
import { applyJsonPatch, applyMergePatch, applyServerSide, applyStrategicMergePatch, PatchError } from "../../apimachinery/index.js";
import { fieldsOf, matchesFields, parseFieldSelector, parseLabelSelector } from "../../apimachinery/index.js";
import type { Node, ObjectMeta, ResourceInfo } from "../../schema/index.js";
import { CorruptValueError, decodeStored, encodeStored, k8s, lookupResourceByKind, peekStoredPod } from "../../schema/index.js";
import { listPrefix, objectKey } from "../../store/object-keys.js";
import { AlreadyExistsError, ConflictError, NotFoundError, type RedisStore, type StoredObject, type TxnOp } from "../../store/index.js";
import { decodeBody, decodeObject, encodeObject, normalize, type KubeObject } from "../codec.js";
import { ApiError, errors, type FieldProblem, type Target } from "../errors.js";
import { strategyFor } from "../strategies/index.js";
import { clusterIpKey, inCidr, parseCidr, randomServiceIp, firstServiceIp, DEFAULT_SERVICE_CIDR, type Cidr } from "./cluster-ip.js";
import { boundPod, messageAllocatable, messageRequests } from "./binding.js";
import { decideDelete, invalidDeleteOptions, shouldRemoveAfterUpdate, type DeleteOptions } from "./deletion.js";
import { generateName, newUid, rfc3339 } from "./names.js";
import { RecentValues } from "./recent-values.js";
import { META_FIELDS, splicer, spliceStatus, type Spliced } from "./stored-splice.js";
import { chargeUsage, decodeNodeUsage, emptyNodeUsage, encodeNodeUsage, insufficientResources, nodeUsageKey, podRequests, releaseUsage, type NodeUsage, type ResourceAmounts } from "../../scheduler/resources.js";

export type PatchType = "json" | "merge" | "strategic" | "apply";

export interface WriteOptions {
  dryRun?: boolean;
  /** The body came from a protobuf message (the bus API): it holds only modelled fields, so normalizing it again is skipped. */
  decoded?: boolean;
  fieldManager?: string;
  /** "status" or "scale" for subresource writes. */
  subresource?: string;
}

export interface PatchOptions extends WriteOptions {
  force?: boolean;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue: string;
}

export interface WriteResult {
  object: KubeObject;
  warnings: string[];
  /** The stored value, its key and revision, when the call wrote one or left it as it was (saves the bus API a re-encode). */
  stored?: { key: string; value: Uint8Array; modRevision: number };
}

/** A write's result whose object is decoded from the stored value only when read (the bus API replies with the bytes). */
function storedResult(key: string, value: Uint8Array, modRevision: number, warnings: string[]): WriteResult {
  let object: KubeObject | undefined;
  return {
    get object() {
      return (object ??= decodeObject(value, modRevision));
    },
    warnings,
    stored: { key, value, modRevision },
  };
}

/** One stored value: its bytes, revision and (decoded when first read) object with resourceVersion = rev. */
interface Loaded {
  readonly object: KubeObject;
  rev: number;
  value: Uint8Array;
  /**
   * Taken from {@link RecentValues}, not read: the key may have moved on since. A write
   * (compare-and-swap on `rev`) finds out by itself; an answer without a write must confirm
   * the revision first.
   */
  remembered?: boolean;
}

function loaded(value: Uint8Array, rev: number, remembered = false): Loaded {
  let object: KubeObject | undefined;
  return {
    get object() {
      return (object ??= decodeObject(value, rev));
    },
    rev,
    value,
    remembered,
  };
}

/**
 * A pod create body prepared once for every create from it (defaults, initial status,
 * generation; no name, uid or creation time): `prepared` is shared and never changed;
 * `splice` puts a create's identity into its stored bytes; `problems`: what validation finds
 * besides the name (none: a create validates only its name).
 */
interface PodTemplate {
  prepared: KubeObject;
  splice: (identity: Uint8Array) => Spliced;
  problems: FieldProblem[];
}

/** The metadata fields a create from a template fills in. */
const IDENTITY_FIELDS = [META_FIELDS.name, META_FIELDS.uid, META_FIELDS.creationTimestamp];
/** Pod templates remembered (a template per ReplicaSet revision and namespace in use). */
const POD_TEMPLATES = 256;

/** What a bind decides on: the pod as stored, the node's allocatable, its usage record (usageRev: none stored yet), each with its revision. */
interface BindState {
  pod: { value: Uint8Array; rev: number };
  nodeRev: number;
  allocatable: ResourceAmounts;
  usage: NodeUsage;
  usageRev?: number;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

export interface RegistryOptions {
  serviceCidr?: string;
  now?: () => Date;
  random?: () => number;
}

/** Namespaces every cluster has; created at start when missing. */
export const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

const MAX_PATCH_RETRIES = 8;
/** Creates tried with a fresh generated name when the previous one was taken (as Kubernetes 1.32: 8). */
const GENERATE_NAME_ATTEMPTS = 8;
/** Compare-and-swap rounds of a binding (and of releasing a node charge): each round one writer of a node wins. */
const MAX_BIND_RETRIES = 64;
const LIST_PAGE = 500;

function target(info: ResourceInfo, name?: string): Target {
  return { resource: info.resource, group: info.group, kind: info.kind, ...(name !== undefined ? { name } : {}) };
}

/** Continue tokens: the last key returned, base64url JSON (opaque to clients). */
function encodeContinue(key: string, rv: number): string {
  return Buffer.from(JSON.stringify({ k: key, rv })).toString("base64url");
}

function decodeContinue(token: string): { k: string; rv: number } {
  try {
    const v = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (typeof v?.k === "string" && Number.isSafeInteger(v?.rv) && v.rv >= 0) return v;
  } catch {
    // fall through
  }
  throw errors.badRequest(`invalid continue token "${token.slice(0, 64)}"`);
}

/** Nodes whose allocatable amounts and usage records the binding path remembers (all of them, in any cluster this runs). */
const ALLOCATABLE_CACHE_SIZE = 20_000;
/** Keys whose last written value the registry remembers (about 1 KB each for a pod): a pod is written three times in its first seconds. */
const RECENT_VALUES = 20_000;

/** How long an open namespace is remembered by the create path (ms). */
const NAMESPACE_CACHE_MS = 1000;

export class Registry {
  private readonly openNamespaces = new Map<string, number>();
  private readonly namespaceReads = new Map<string, Promise<"open" | "missing" | "terminating">>();
  private readonly allocatable = new Map<string, { rev: number; amounts: ResourceAmounts }>();
  /** Usage records as decoded (never changed in place: chargeUsage and releaseUsage return new ones). */
  private readonly usage = new Map<string, { rev: number; usage: NodeUsage }>();
  private readonly recent = new RecentValues(RECENT_VALUES);
  /** Prepared pod templates by namespace and body bytes; null: a body that is not one. */
  private readonly templates = new Map<string, PodTemplate | null>();
  /** Requests of the pod specs bound lately, by spec bytes. */
  private readonly specRequests = new Map<string, ResourceAmounts>();
  private readonly cidr: Cidr;
  private readonly now: () => Date;
  private readonly random: () => number;

  constructor(
    readonly store: RedisStore,
    opts: RegistryOptions = {},
  ) {
    this.cidr = parseCidr(opts.serviceCidr ?? DEFAULT_SERVICE_CIDR);
    this.now = opts.now ?? (() => new Date());
    this.random = opts.random ?? Math.random;
  }

  private key(info: ResourceInfo, ns: string, name: string): string {
    return objectKey(info.storeResource, info.namespaced ? ns : "", name);
  }

  private requireNamespace(info: ResourceInfo, ns: string): void {
    if (info.namespaced && !ns) throw errors.badRequest("the namespace of the object is required (use a namespaced path or set metadata.namespace)");
  }

  /** The stored value (its object a fresh decoding the caller may change), or 404. */
  private async load(info: ResourceInfo, ns: string, name: string): Promise<Loaded> {
    const o = await this.store.get(this.key(info, ns, name));
    if (!o) throw errors.notFound(target(info, name));
    return loaded(o.value, o.modRevision);
  }

  /**
   * The value an update starts from: the one remembered at the revision the request pins
   * (`rv`), else the stored one (or 404). A dry run always reads.
   */
  private async loadAt(info: ResourceInfo, ns: string, name: string, rv: unknown, opts: WriteOptions): Promise<Loaded> {
    if (!opts.dryRun && typeof rv === "string" && /^[1-9]\d*$/.test(rv)) {
      const value = this.recent.at(this.key(info, ns, name), Number(rv));
      if (value) return loaded(value, Number(rv), true);
    }
    return this.load(info, ns, name);
  }

  /** An answer without a write from a remembered value: 409 if the key moved on since, 404 if it is gone. */
  private async confirm(info: ResourceInfo, key: string, name: string, current: Loaded): Promise<void> {
    if (!current.remembered) return;
    try {
      await this.store.txn([{ op: "check", key, expectedModRevision: current.rev }]);
    } catch (err) {
      if (err instanceof ConflictError) throw err.actual === 0 ? errors.notFound(target(info, name)) : errors.conflict(target(info, name));
      throw err;
    }
  }

  async get(info: ResourceInfo, ns: string, name: string): Promise<KubeObject> {
    this.requireNamespace(info, ns);
    return (await this.load(info, ns, name)).object;
  }

  async list(info: ResourceInfo, ns: string, opts: ListOptions = {}): Promise<ListResult> {
    const labels = opts.labelSelector ? parseLabelSelector(opts.labelSelector) : undefined;
    const fields = opts.fieldSelector ? parseFieldSelector(opts.fieldSelector, info.kind) : undefined;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const prefix = listPrefix(info.storeResource, info.namespaced ? ns : "");
    let startAfter: string | undefined;
    let rv = 0;
    if (opts.continue) {
      const c = decodeContinue(opts.continue);
      if (!c.k.startsWith(prefix)) throw errors.badRequest("continue token does not belong to this list");
      startAfter = c.k;
      rv = c.rv;
    }
    const items: KubeObject[] = [];
    let lastKey = "";
    let more = false;
    for (;;) {
      const page = await this.store.list(prefix, { limit: limit ? Math.max(LIST_PAGE, limit) : 0, ...(startAfter ? { startAfter } : {}) });
      if (rv === 0) rv = page.revision;
      for (const o of page.items) {
        if (limit && items.length >= limit) {
          more = true;
          break;
        }
        lastKey = o.key;
        const obj = decodeObject(o.value, o.modRevision);
        if (labels && !labels.matches(obj.metadata.labels ?? {})) continue;
        if (fields && !matchesFields(fields, fieldsOf(info.kind, obj))) continue;
        items.push(obj);
      }
      if (more || !page.more) break;
      startAfter = page.items[page.items.length - 1]!.key;
      if (limit && items.length >= limit) {
        more = true;
        break;
      }
    }
    return { items, resourceVersion: String(rv), continue: more ? encodeContinue(lastKey, rv) : "" };
  }

  /**
   * Checks a namespaced create may go ahead: the namespace exists and is not terminating.
   * An open namespace is remembered for NAMESPACE_CACHE_MS (Kubernetes' lifecycle admission
   * reads an informer cache, with the same short window); the namespace controller sweeps
   * again until a terminating namespace is empty.
   */
  private async checkNamespaceOpen(info: ResourceInfo, ns: string, name: string): Promise<void> {
    if (!info.namespaced) return;
    const seen = this.openNamespaces.get(ns);
    if (seen !== undefined && Date.now() - seen < NAMESPACE_CACHE_MS) return;
    // Creates that miss together (a batch's, when the window ends) share one read.
    let read = this.namespaceReads.get(ns);
    if (!read) {
      read = this.readNamespace(ns).finally(() => this.namespaceReads.delete(ns));
      this.namespaceReads.set(ns, read);
    }
    const state = await read;
    if (state === "missing") throw errors.notFound({ resource: "namespaces", group: "", name: ns });
    if (state === "terminating") throw errors.forbidden(target(info, name), `unable to create new content in namespace ${ns} because it is being terminated`);
  }

  /** Reads a namespace's state; an open one is remembered from the time the read started. */
  private async readNamespace(ns: string): Promise<"open" | "missing" | "terminating"> {
    const now = Date.now();
    const o = await this.store.get(objectKey("namespaces", "", ns));
    if (!o) return "missing";
    if (decodeObject(o.value, o.modRevision).metadata.deletionTimestamp) {
      this.openNamespaces.delete(ns);
      return "terminating";
    }
    if (this.openNamespaces.size > 10_000) this.openNamespaces.clear();
    this.openNamespaces.set(ns, now);
    return "open";
  }

  /** Fills and checks identity fields of a body against the request path. */
  private checkBody(info: ResourceInfo, ns: string, name: string | undefined, body: unknown): KubeObject {
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw errors.badRequest("the request body must be a JSON or YAML object");
    const obj = body as KubeObject;
    if (obj.kind !== undefined && obj.kind !== info.kind) {
      throw errors.badRequest(`the object's kind "${obj.kind}" does not match the resource ${info.resource} (kind ${info.kind})`);
    }
    if (obj.apiVersion !== undefined && obj.apiVersion !== info.apiVersion) {
      throw errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${info.apiVersion})`);
    }
    if (obj.metadata !== undefined && (typeof obj.metadata !== "object" || obj.metadata === null || Array.isArray(obj.metadata))) {
      throw errors.badRequest("metadata must be an object");
    }
    obj.metadata ??= {};
    if (info.namespaced) {
      if (obj.metadata.namespace && obj.metadata.namespace !== ns) {
        throw errors.badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
      obj.metadata.namespace = ns;
    } else {
      delete obj.metadata.namespace;
    }
    if (name !== undefined) {
      if (obj.metadata.name && obj.metadata.name !== name) throw errors.badRequest("the name of the object does not match the name on the URL");
      obj.metadata.name = name;
    }
    return obj;
  }

  private validateOrThrow(info: ResourceInfo, name: string | undefined, causes: FieldProblem[]): void {
    if (causes.length > 0) throw errors.invalid(target(info, name), causes);
  }

  async create(info: ResourceInfo, ns: string, body: unknown, opts: WriteOptions = {}): Promise<WriteResult> {
    return this.createAttempt(info, ns, body, opts, 1);
  }

  /**
   * A create whose body is a stored value (the bus API); `name`, when set, names the object.
   * Pods created from one template (a ReplicaSet's: the same bytes, a generateName and no
   * name) are decoded and prepared once per template and namespace (see {@link PodTemplate}).
   */
  async createStored(info: ResourceInfo, ns: string, value: Uint8Array, name: string, opts: WriteOptions = {}): Promise<WriteResult> {
    const template = info.kind === "Pod" && !name && !opts.dryRun ? this.podTemplate(info, ns, value) : undefined;
    if (template) return this.createFromTemplate(info, ns, template);
    const obj = decodeBody(info, value);
    if (name) obj.metadata.name = name;
    return this.create(info, ns, obj, { ...opts, decoded: true });
  }

  /** The prepared template of a pod create body (remembered per namespace and bytes), or undefined when the body names its pod. */
  private podTemplate(info: ResourceInfo, ns: string, value: Uint8Array): PodTemplate | undefined {
    this.requireNamespace(info, ns);
    const id = `${ns}\0${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("latin1")}`;
    let t = this.templates.get(id);
    if (t === undefined) {
      const obj = this.checkBody(info, ns, undefined, decodeBody(info, value));
      const meta = obj.metadata;
      t = null;
      if (!meta.name && meta.generateName) {
        // As createAttempt, but before the name is drawn: a Pod's defaults, initial status and rules do not read its name, uid or creation time.
        const strategy = strategyFor(info.kind);
        strategy.defaults(obj);
        strategy.prepareForCreate(obj);
        for (const k of ["resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "uid", "creationTimestamp"]) delete meta[k];
        // What validation finds besides the name is the same for every pod of the template.
        const problems = strategy.validate({ ...obj, metadata: { ...meta, name: generateName(meta.generateName, this.random) } }) as FieldProblem[];
        t = { prepared: obj, splice: splicer(encodeObject(info.kind, obj).value, [], IDENTITY_FIELDS), problems: problems.filter((p) => p.field !== "metadata.name") };
      }
      if (this.templates.size >= POD_TEMPLATES) this.templates.clear();
      this.templates.set(id, t);
    }
    return t ?? undefined;
  }

  /** A create from a prepared template: draws the name (again when taken), uid and creation time; validates; writes the template's bytes with those spliced in. */
  private async createFromTemplate(info: ResourceInfo, ns: string, t: PodTemplate): Promise<WriteResult> {
    const strategy = strategyFor(info.kind);
    for (let attempt = 1; ; attempt++) {
      const identity = { name: generateName(t.prepared.metadata.generateName, this.random), uid: newUid(), creationTimestamp: rfc3339(this.now()) };
      const problems = t.problems.length > 0 ? strategy.validate({ ...t.prepared, metadata: { ...t.prepared.metadata, ...identity } }) : strategy.validateName(identity.name);
      this.validateOrThrow(info, identity.name, problems as FieldProblem[]);
      await this.checkNamespaceOpen(info, ns, identity.name);
      const { value } = t.splice(encodeObject(info.kind, { metadata: identity }).value);
      const key = this.key(info, ns, identity.name);
      try {
        const [created] = await this.store.txn([{ op: "create", key, value }]);
        this.recent.set(key, created!.modRevision, value);
        return storedResult(key, value, created!.modRevision, []);
      } catch (err) {
        if (!(err instanceof AlreadyExistsError && err.key === key)) throw err;
        if (attempt >= GENERATE_NAME_ATTEMPTS) throw errors.alreadyExists(target(info, identity.name));
      }
    }
  }

  /** One create; a generated name that is taken is generated again (Kubernetes' RetryGenerateName), up to GENERATE_NAME_ATTEMPTS. */
  private async createAttempt(info: ResourceInfo, ns: string, body: unknown, opts: WriteOptions, attempt: number): Promise<WriteResult> {
    this.requireNamespace(info, ns);
    const checked = this.checkBody(info, ns, undefined, body);
    // A decoded (bus) body is used in place: remember what a retry must draw again.
    const asSent = { name: checked.metadata.name, clusterIP: checked.spec?.clusterIP, clusterIPs: checked.spec?.clusterIPs };
    const retry = () => {
      if (opts.decoded) {
        checked.metadata.name = asSent.name;
        if (checked.spec) Object.assign(checked.spec, { clusterIP: asSent.clusterIP, clusterIPs: asSent.clusterIPs });
      }
      return this.createAttempt(info, ns, body, opts, attempt + 1);
    };
    const norm = opts.decoded ? { object: checked, warnings: [] } : normalize(info.kind, checked);
    const obj = norm.object;
    const meta = obj.metadata;
    if (info.namespaced) meta.namespace = ns;
    const generated = !meta.name && !!meta.generateName;
    if (generated) meta.name = generateName(meta.generateName, this.random);
    const strategy = strategyFor(info.kind);
    strategy.defaults(obj);
    strategy.prepareForCreate(obj);
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    meta.uid = newUid();
    meta.creationTimestamp = rfc3339(this.now());
    this.validateOrThrow(info, meta.name, strategy.validate(obj) as FieldProblem[]);
    await this.checkNamespaceOpen(info, ns, meta.name);

    const extra: TxnOp[] = [];
    if (info.kind === "Service") extra.push(...this.allocateClusterIp(info, obj));
    const { value, warnings } = encodeObject(info.kind, obj);
    if (opts.dryRun) return { object: obj, warnings };
    const key = this.key(info, ns, meta.name);
    try {
      const [created] = await this.store.txn([{ op: "create", key, value }, ...extra]);
      this.recent.set(key, created!.modRevision, value);
      return storedResult(key, value, created!.modRevision, warnings);
    } catch (err) {
      if (err instanceof AlreadyExistsError && err.key === key) {
        if (generated && attempt < GENERATE_NAME_ATTEMPTS) return retry();
        throw errors.alreadyExists(target(info, meta.name));
      }
      if (err instanceof AlreadyExistsError && err.key === clusterIpKey(obj.spec?.clusterIP ?? "")) {
        // The clusterIP was taken meanwhile: a requested one is a 422, a random one is drawn again.
        if (asSent.clusterIP) {
          throw errors.invalid(target(info, meta.name), [{ type: "FieldValueInvalid", field: "spec.clusterIP", message: `Invalid value: "${obj.spec.clusterIP}": provided IP is already allocated` }]);
        }
        if (attempt < GENERATE_NAME_ATTEMPTS) return retry();
      }
      throw err;
    }
  }

  /** Picks (or checks) the Service's clusterIP; returns the txn op reserving it. */
  private allocateClusterIp(info: ResourceInfo, svc: KubeObject): TxnOp[] {
    const spec = (svc.spec ??= {});
    if (spec.type === "ExternalName") return [];
    if (spec.clusterIP === "None") {
      spec.clusterIPs = ["None"];
      return [];
    }
    let ip: string = spec.clusterIP ?? "";
    if (ip) {
      if (!inCidr(ip, this.cidr)) {
        throw errors.invalid(target(info, svc.metadata.name), [
          { type: "FieldValueInvalid", field: "spec.clusterIPs", message: `Invalid value: "${ip}": failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range` },
        ]);
      }
    } else {
      ip = svc.metadata.namespace === "default" && svc.metadata.name === "kubernetes" ? firstServiceIp(this.cidr) : randomServiceIp(this.cidr, this.random);
    }
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
    return [{ op: "create", key: clusterIpKey(ip), value: new TextEncoder().encode(`${svc.metadata.namespace}/${svc.metadata.name}`) }];
  }

  /** PUT: replace the object (or its status/scale) at `name`. */
  async update(info: ResourceInfo, ns: string, name: string, body: unknown, opts: WriteOptions = {}): Promise<WriteResult> {
    this.requireNamespace(info, ns);
    if (opts.subresource === "scale") return this.updateScale(info, ns, name, body, opts);
    const checked = this.checkBody(info, ns, name, body);
    const obj = opts.decoded ? { object: checked, warnings: [] } : normalize(info.kind, checked);
    const rv = obj.object.metadata.resourceVersion;
    const current = await this.loadAt(info, ns, name, rv, opts);
    if (rv !== undefined && rv !== "" && rv !== String(current.rev)) {
      if (!/^\d+$/.test(String(rv))) throw errors.badRequest(`invalid resourceVersion "${rv}"`);
      throw errors.conflict(target(info, name));
    }
    return this.commitUpdate(info, ns, name, current, obj.object, obj.warnings, opts);
  }

  /**
   * PUT of a status sent as a stored value (the bus API), pinned at `expectedRevision` when
   * set. For a kind whose defaults leave status alone the sent message's status (and
   * managedFields) is taken as it is, without a round trip through JSON; otherwise as {@link update}.
   */
  async updateStatusStored(info: ResourceInfo, ns: string, name: string, value: Uint8Array, expectedRevision: number, opts: WriteOptions = {}): Promise<WriteResult> {
    const strategy = strategyFor(info.kind);
    if (!strategy.hasStatus || strategy.defaultStatus) {
      const obj = decodeBody(info, value);
      if (expectedRevision) obj.metadata.resourceVersion = String(expectedRevision);
      return this.update(info, ns, name, obj, { ...opts, decoded: true, subresource: "status" });
    }
    this.requireNamespace(info, ns);
    const { kind, message } = decodeStored(value);
    if (kind !== info.kind) throw errors.badRequest(`object of kind ${kind} sent to ${info.resource}`);
    const meta = (message as { metadata?: ObjectMeta | null }).metadata ?? {};
    // checkBody's identity rules, on the message.
    if (info.namespaced && meta.namespace && meta.namespace !== ns) throw errors.badRequest("the namespace of the provided object does not match the namespace sent on the request");
    if (meta.name && meta.name !== name) throw errors.badRequest("the name of the object does not match the name on the URL");
    const rv = expectedRevision ? String(expectedRevision) : meta.resourceVersion || undefined;
    const current = await this.loadAt(info, ns, name, rv, opts);
    if (rv !== undefined && rv !== String(current.rev)) {
      if (!/^\d+$/.test(rv)) throw errors.badRequest(`invalid resourceVersion "${rv}"`);
      throw errors.conflict(target(info, name));
    }
    const status = (message as { status?: unknown }).status;
    const sent = encodeStored(info.kind, { ...(status ? { status } : {}), metadata: { managedFields: meta.managedFields ?? [] } });
    return this.commitStatus(info, ns, name, current, sent, [], opts);
  }

  /**
   * A status write: the stored value with the status (and managedFields) of `sent` (a stored
   * value of the kind) spliced in as bytes (stored-splice.ts). Metadata and spec stay as
   * stored, so the kind's rules do not run again (as Kubernetes' status strategies, which
   * check only metadata updates); no kind validates status.
   */
  private async commitStatus(info: ResourceInfo, ns: string, name: string, current: Loaded, sent: Uint8Array, warnings: string[], opts: WriteOptions): Promise<WriteResult> {
    // The stored bytes with the sent status spliced in: the rest is neither decoded nor encoded.
    const { value, deleting } = spliceStatus(current.value, sent);
    const key = this.key(info, ns, name);
    if (sameBytes(value, current.value)) {
      await this.confirm(info, key, name, current);
      return storedResult(key, current.value, current.rev, warnings);
    }
    if (deleting && shouldRemoveAfterUpdate(info.kind, current.object)) {
      if (opts.dryRun) return { object: decodeObject(value, current.rev), warnings };
      return { object: await this.removeWithDependents(info, key, decodeObject(value, current.rev), current.rev), warnings };
    }
    if (opts.dryRun) return { object: decodeObject(value, current.rev), warnings };
    return this.write(info, key, name, value, current.rev, warnings);
  }

  /** The status part of a status write's JSON body, defaulted, as a stored value; 404 for a kind without status. */
  private sentStatus(info: ResourceInfo, obj: KubeObject): Uint8Array {
    const strategy = strategyFor(info.kind);
    if (!strategy.hasStatus) throw errors.resourceNotFound(`${info.resource}/status`);
    strategy.defaultStatus?.(obj); // as Kubernetes defaults a request body, of which only the status is kept
    return encodeObject(info.kind, { status: obj.status, metadata: { managedFields: obj.metadata.managedFields } }).value;
  }

  /** The compare-and-swap write of an update. */
  private async write(info: ResourceInfo, key: string, name: string, value: Uint8Array, rev: number, warnings: string[]): Promise<WriteResult> {
    try {
      const written = await this.store.update(key, value, rev);
      this.recent.set(key, written.modRevision, value);
      return storedResult(key, value, written.modRevision, warnings);
    } catch (err) {
      if (err instanceof ConflictError) throw errors.conflict(target(info, name));
      if (err instanceof NotFoundError) throw errors.notFound(target(info, name));
      throw err;
    }
  }

  /**
   * The shared tail of update and patch: prepare, validate, write (compare-and-swap on
   * `current.rev`). Unchanged means the same stored bytes (every value this registry writes is
   * the schema's canonical encoding of its decoded form).
   */
  private async commitUpdate(
    info: ResourceInfo,
    ns: string,
    name: string,
    current: Loaded,
    obj: KubeObject,
    warnings: string[],
    opts: WriteOptions,
  ): Promise<WriteResult> {
    if (opts.subresource === "status") return this.commitStatus(info, ns, name, current, this.sentStatus(info, obj), warnings, opts);
    const old = current.object;
    const strategy = strategyFor(info.kind);
    // Identity fields never change through an update.
    obj.metadata.uid = old.metadata.uid;
    obj.metadata.creationTimestamp = old.metadata.creationTimestamp;
    obj.metadata.name = old.metadata.name;
    if (info.namespaced) obj.metadata.namespace = old.metadata.namespace;
    if (old.metadata.deletionTimestamp) {
      obj.metadata.deletionTimestamp = old.metadata.deletionTimestamp;
      obj.metadata.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
    } else {
      delete obj.metadata.deletionTimestamp;
      delete obj.metadata.deletionGracePeriodSeconds;
    }
    if (opts.subresource === "finalize") {
      // Only spec.finalizers may change (the namespace controller's last step).
      if (info.kind !== "Namespace") throw errors.resourceNotFound(`${info.resource}/finalize`);
      const finalizers = obj.spec?.finalizers;
      for (const k of Object.keys(obj)) delete obj[k];
      Object.assign(obj, structuredClone(old));
      obj.spec = { ...(obj.spec ?? {}) };
      if (finalizers?.length) obj.spec.finalizers = finalizers;
      else delete obj.spec.finalizers;
    } else {
      if (info.kind === "Service") this.keepClusterIp(obj, old);
      strategy.prepareForUpdate(obj, old);
    }
    strategy.defaults(obj);
    this.validateOrThrow(info, name, [...(strategy.validate(obj) as FieldProblem[]), ...(strategy.validateUpdate(obj, old) as FieldProblem[])]);
    obj.metadata.resourceVersion = old.metadata.resourceVersion;
    const key = this.key(info, ns, name);
    const { value } = encodeObject(info.kind, obj);
    if (sameBytes(value, current.value)) {
      await this.confirm(info, key, name, current);
      return { object: old, warnings, stored: { key, value: current.value, modRevision: current.rev } };
    }
    if (shouldRemoveAfterUpdate(info.kind, obj)) {
      if (opts.dryRun) return { object: obj, warnings };
      const removed = await this.removeWithDependents(info, key, obj, current.rev);
      return { object: removed, warnings };
    }
    if (opts.dryRun) return { object: obj, warnings };
    return this.write(info, key, name, value, current.rev, warnings);
  }

  /** A Service keeps its clusterIP: an update may only repeat it. */
  private keepClusterIp(obj: KubeObject, old: KubeObject): void {
    obj.spec ??= {};
    const want = obj.spec.clusterIP;
    if (want !== undefined && want !== "" && want !== old.spec?.clusterIP) return; // validateUpdate reports it
    if (old.spec?.clusterIP !== undefined) obj.spec.clusterIP = old.spec.clusterIP;
    if (old.spec?.clusterIPs !== undefined) obj.spec.clusterIPs = old.spec.clusterIPs;
  }

  /** PATCH: apply a patch to the current object and update; retried on write races unless the patch pins a resourceVersion. */
  async patch(info: ResourceInfo, ns: string, name: string, type: PatchType, patch: unknown, opts: PatchOptions = {}): Promise<WriteResult> {
    this.requireNamespace(info, ns);
    if (type === "apply") {
      // An applied configuration is a whole object: its metadata, when present, must be an object too.
      const meta = (patch as KubeObject | null)?.metadata;
      if (typeof patch !== "object" || patch === null || Array.isArray(patch)) throw errors.badRequest("an applied configuration must be an object");
      if (meta !== undefined && (typeof meta !== "object" || meta === null || Array.isArray(meta))) throw errors.badRequest("metadata must be an object");
      // As Kubernetes' field manager: the configuration names the version it was written for.
      const expected = opts.subresource === "scale" ? "autoscaling/v1" : info.apiVersion;
      const given = (patch as KubeObject).apiVersion;
      if (given !== expected) {
        throw errors.badRequest(`Incorrect version specified in apply patch. Specified patch version: ${typeof given === "string" ? given : "/"}, expected: ${expected}`);
      }
    }
    for (let attempt = 0; ; attempt++) {
      let current: Loaded;
      try {
        current = await this.load(info, ns, name);
      } catch (err) {
        if (type === "apply" && err instanceof ApiError && err.code === 404 && !opts.subresource) {
          const { object: created } = applyServerSide(info.kind, undefined, this.checkBody(info, ns, name, structuredClone(patch)), opts.fieldManager ?? "unknown");
          return this.create(info, ns, created, opts);
        }
        throw err;
      }
      const base = opts.subresource === "scale" ? this.scaleOf(info, current.object) : current.object;
      let patched: unknown;
      try {
        patched = this.applyPatch(info, type, base, patch, opts);
      } catch (err) {
        // PatchError keeps its own status (422 Invalid for a patch that does not apply, e.g. a failed JSON patch test).
        if (err instanceof ApiError || err instanceof PatchError) throw err;
        throw errors.badRequest(err instanceof Error ? err.message : String(err));
      }
      try {
        if (opts.subresource === "scale") return await this.updateScale(info, ns, name, patched, opts, current);
        const checked = this.checkBody(info, ns, name, patched);
        const rv = checked.metadata.resourceVersion;
        if (rv !== undefined && rv !== String(current.rev)) throw errors.conflict(target(info, name));
        const norm = normalize(info.kind, checked);
        return await this.commitUpdate(info, ns, name, current, norm.object, norm.warnings, opts);
      } catch (err) {
        const pinned = (patch as KubeObject | undefined)?.metadata?.resourceVersion !== undefined;
        if (err instanceof ApiError && err.status.reason === "Conflict" && !pinned && attempt < MAX_PATCH_RETRIES) continue;
        throw err;
      }
    }
  }

  private applyPatch(info: ResourceInfo, type: PatchType, base: KubeObject, patch: unknown, opts: PatchOptions): unknown {
    const kind = opts.subresource === "scale" ? "Scale" : info.kind;
    switch (type) {
      case "json":
        return applyJsonPatch(base, patch as never);
      case "merge":
        return applyMergePatch(base, patch);
      case "strategic":
        return applyStrategicMergePatch(kind, base, patch);
      case "apply":
        return applyServerSide(kind, base, patch as never, opts.fieldManager ?? "unknown").object;
    }
  }

  /** DELETE with Kubernetes semantics (see deletion.ts). Returns the object as it is after the call. */
  async delete(
    info: ResourceInfo,
    ns: string,
    name: string,
    opts: DeleteOptions & { dryRun?: boolean; preconditions?: { uid?: string; resourceVersion?: string } } = {},
  ): Promise<{ object: KubeObject; removed: boolean }> {
    this.requireNamespace(info, ns);
    const bad = invalidDeleteOptions(opts);
    if (bad) throw errors.badRequest(bad);
    for (let attempt = 0; ; attempt++) {
      const current = await this.load(info, ns, name);
      const meta = current.object.metadata;
      const pre = opts.preconditions ?? {};
      if (pre.uid && pre.uid !== meta.uid) {
        throw errors.conflict(target(info, name), `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`);
      }
      if (pre.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
        throw errors.conflict(target(info, name), `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`);
      }
      const decision = decideDelete(info.kind, current.object, opts, this.now());
      const key = this.key(info, ns, name);
      try {
        if (decision.action === "remove") {
          if (opts.dryRun) return { object: current.object, removed: true };
          return { object: await this.removeWithDependents(info, key, current.object, current.rev), removed: true };
        }
        const { value } = encodeObject(info.kind, decision.object);
        if (sameBytes(value, current.value)) return { object: current.object, removed: false };
        if (opts.dryRun) return { object: decision.object, removed: false };
        const written = await this.store.update(key, value, current.rev);
        return { object: decodeObject(value, written.modRevision), removed: false };
      } catch (err) {
        if (err instanceof ConflictError && attempt < MAX_PATCH_RETRIES) continue;
        if (err instanceof NotFoundError) throw errors.notFound(target(info, name));
        throw err;
      }
    }
  }

  /**
   * Removes an object from the store, with what must go in the same transaction: a Service's
   * clusterIP; a bound Pod's charge on its node's usage record (retried when the record moved).
   * A Succeeded/Failed pod keeps its charge until it is removed here.
   */
  private async removeWithDependents(info: ResourceInfo, key: string, obj: KubeObject, rev: number): Promise<KubeObject> {
    for (let attempt = 0; ; attempt++) {
      const ops: TxnOp[] = [{ op: "delete", key, expectedModRevision: rev }];
      const ip = info.kind === "Service" ? obj.spec?.clusterIP : undefined;
      if (ip && ip !== "None") {
        const held = await this.store.get(clusterIpKey(ip));
        if (held) ops.push({ op: "delete", key: clusterIpKey(ip), expectedModRevision: held.modRevision });
      }
      const release = info.kind === "Pod" ? await this.releaseNodeUsageOp(obj) : undefined;
      if (release) ops.push(release.op);
      try {
        const written = await this.store.txn(ops);
        const deleted = written[0];
        this.recent.forget(key);
        if (release) this.rememberUsage(release.node, written[written.length - 1]!.modRevision, release.usage);
        const out = structuredClone(obj);
        out.metadata.resourceVersion = String(deleted!.modRevision);
        return out;
      } catch (err) {
        if (err instanceof ConflictError && err.key === key) throw errors.conflict(target(info, obj.metadata.name));
        if (err instanceof ConflictError && release && err.key === release.op.key && attempt < MAX_BIND_RETRIES) continue;
        throw err;
      }
    }
  }

  /** The write releasing a bound pod's charge on its node's usage record, and the record it leaves (none when the pod holds no charge). */
  private async releaseNodeUsageOp(pod: KubeObject): Promise<{ op: TxnOp; node: string; usage: NodeUsage } | undefined> {
    const node = pod.spec?.nodeName;
    if (!node || !pod.metadata.uid) return undefined;
    const usageKey = nodeUsageKey(node);
    const held = await this.store.get(usageKey);
    if (!held) return undefined;
    const released = releaseUsage(this.usageOf(node, held), pod.metadata.uid, podRequests(pod));
    if (!released) return undefined;
    return { op: { op: "update", key: usageKey, value: encodeNodeUsage(released), expectedModRevision: held.modRevision }, node, usage: released };
  }

  /** DELETE on a collection: delete every object the selectors match; returns what was affected. */
  async deleteCollection(info: ResourceInfo, ns: string, list: ListOptions, opts: DeleteOptions & { dryRun?: boolean } = {}): Promise<KubeObject[]> {
    const { items } = await this.list(info, ns, { ...(list.labelSelector ? { labelSelector: list.labelSelector } : {}), ...(list.fieldSelector ? { fieldSelector: list.fieldSelector } : {}) });
    const out: KubeObject[] = [];
    for (const item of items) {
      try {
        out.push((await this.delete(info, item.metadata.namespace ?? "", item.metadata.name, opts)).object);
      } catch (err) {
        if (err instanceof ApiError && err.code === 404) continue;
        throw err;
      }
    }
    return out;
  }

  /** The autoscaling/v1 Scale of a scalable resource. */
  scaleOf(info: ResourceInfo, obj: KubeObject): KubeObject {
    const s = strategyFor(info.kind).scale;
    if (!s) throw errors.resourceNotFound(`${info.resource}/scale`);
    return s.toScale(obj) as KubeObject;
  }

  async getScale(info: ResourceInfo, ns: string, name: string): Promise<KubeObject> {
    return this.scaleOf(info, await this.get(info, ns, name));
  }

  private async updateScale(info: ResourceInfo, ns: string, name: string, body: unknown, opts: WriteOptions, loaded?: Loaded): Promise<WriteResult> {
    const s = strategyFor(info.kind).scale;
    if (!s) throw errors.resourceNotFound(`${info.resource}/scale`);
    if (typeof body !== "object" || body === null) throw errors.badRequest("the request body must be a Scale object");
    const scale = body as KubeObject;
    const replicas = scale.spec?.replicas;
    if (replicas !== undefined && (!Number.isInteger(replicas) || replicas < 0)) {
      throw errors.invalid({ resource: info.resource, group: info.group, kind: "Scale", name }, [
        { type: "FieldValueInvalid", field: "spec.replicas", message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` },
      ]);
    }
    const current = loaded ?? (await this.load(info, ns, name));
    const rv = scale.metadata?.resourceVersion;
    if (rv && rv !== String(current.rev)) throw errors.conflict(target(info, name));
    const next = structuredClone(current.object);
    s.applyScale(next, scale);
    const res = await this.commitUpdate(info, ns, name, current, next, [], { ...opts, subresource: undefined });
    return { object: s.toScale(res.object) as KubeObject, warnings: res.warnings };
  }

  /**
   * POST pods/<name>/binding: assign the pod to a node (once), charging the node's capacity.
   *
   * Invariant: no node is ever over its allocatable cpu, memory, pod count (or any resource a
   * pod requests), whatever number of schedulers bind at once. The pod write and the node's
   * usage record (`/nodeusage/<node>`: summed requests and uids of the pods bound to it) are
   * one transaction, each a compare-and-swap on the revision read; the fit is checked against
   * that read, so a lost race retries with fresh values. The Node itself is read, not locked:
   * shrinking a node's allocatable does not evict what was bound before. 409 Conflict when the
   * pod is bound or being deleted, the node does not exist, or the pod does not fit.
   */
  async bind(ns: string, podName: string, body: unknown, opts: WriteOptions = {}): Promise<KubeObject> {
    const info = lookupResourceByKind("Pod")!;
    const b = body as KubeObject | null;
    const node = b?.target?.name;
    if (typeof node !== "string" || !node) {
      throw errors.invalid({ resource: "bindings", group: "", kind: "Binding", name: podName }, [{ type: "FieldValueRequired", field: "target.name", message: "Required value" }]);
    }
    const podKey = this.key(info, ns, podName);
    const usageKey = nodeUsageKey(node);
    const nodeKey = objectKey("nodes", "", node);
    // First from what this replica wrote and read last (no store read); any doubt, and every retry, reads the store.
    let remembered = opts.dryRun ? undefined : this.rememberedBind(podKey, node);
    for (let attempt = 0; ; attempt++) {
      const state = remembered ?? (await this.readBind(podKey, nodeKey, usageKey, node, info, ns, podName));
      try {
        // The pod is read and edited as stored bytes: no decoding but of a spec not seen before.
        const pod = peekStoredPod(state.pod.value);
        if (!pod) throw new CorruptValueError(`${podKey} is not a stored pod`);
        if (pod.nodeName) throw errors.conflict(target(info, podName), `pod ${podName} is already assigned to node "${pod.nodeName}"`);
        if (pod.deleting) throw errors.conflict(target(info, podName), `pod ${podName} is being deleted, cannot be assigned to a host`);
        const requests = this.requestsOf(state.pod.value.subarray(pod.specStart, pod.specEnd));
        const short = insufficientResources(requests, state.allocatable, state.usage.requested);
        if (short.length > 0) throw errors.conflict(target(info, podName), `pod ${ns}/${podName} does not fit on node "${node}": ${short.join(", ")}`);
        const value = boundPod(state.pod.value, node, rfc3339(this.now()));
        if (opts.dryRun) return decodeObject(value, state.pod.rev);
        const chargedUsage = chargeUsage(state.usage, pod.uid, requests);
        const charged = encodeNodeUsage(chargedUsage);
        const ops: TxnOp[] = [
          { op: "update", key: podKey, value, expectedModRevision: state.pod.rev },
          state.usageRev !== undefined ? { op: "update", key: usageKey, value: charged, expectedModRevision: state.usageRev } : { op: "create", key: usageKey, value: charged },
        ];
        // A remembered node may have been deleted since: the write requires the revision it was seen at.
        if (remembered) ops.push({ op: "check", key: nodeKey, expectedModRevision: state.nodeRev });
        const [podWritten, usageWritten] = await this.store.txn(ops);
        this.recent.set(podKey, podWritten!.modRevision, value);
        this.rememberUsage(node, usageWritten!.modRevision, chargedUsage);
        return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 } as unknown as KubeObject;
      } catch (err) {
        if (remembered && (err instanceof ApiError || err instanceof ConflictError || err instanceof AlreadyExistsError || err instanceof NotFoundError)) {
          remembered = undefined; // decided on values that may be stale: decide again on the store's
          continue;
        }
        const raced = err instanceof ConflictError || (err instanceof AlreadyExistsError && err.key === usageKey);
        if (raced && attempt < MAX_BIND_RETRIES) {
          // Many binds onto one node serialize on its usage record: each round one wins; spread the rest a little.
          if (attempt >= 2) await new Promise((r) => setTimeout(r, this.random() * Math.min(20, attempt)));
          continue;
        }
        if (raced) throw errors.conflict(target(info, podName), `pod ${ns}/${podName}: node "${node}" is busy, too many concurrent bindings; try again`);
        if (err instanceof NotFoundError && err.key === podKey) throw errors.notFound(target(info, podName));
        throw err;
      }
    }
  }

  /** The requests of a pod spec (its encoded PodSpec; remembered per spec: the pods of a template share theirs). */
  private requestsOf(spec: Uint8Array): ResourceAmounts {
    const id = Buffer.from(spec.buffer, spec.byteOffset, spec.byteLength).toString("latin1");
    let r = this.specRequests.get(id);
    if (!r) {
      r = messageRequests(k8s.core.v1.PodSpec.decode(spec));
      if (this.specRequests.size >= POD_TEMPLATES) this.specRequests.clear();
      this.specRequests.set(id, r);
    }
    return r;
  }

  /** A bind's inputs as this replica last wrote or read them, when it knows all of them (see {@link BindState}). */
  private rememberedBind(podKey: string, node: string): BindState | undefined {
    const pod = this.recent.latest(podKey);
    const alloc = this.allocatable.get(node);
    const usage = this.usage.get(node);
    if (!pod || !alloc || !usage) return undefined;
    return { pod, nodeRev: alloc.rev, allocatable: alloc.amounts, usage: usage.usage, usageRev: usage.rev };
  }

  /** A bind's inputs as stored now (one read): 404 without the pod, 409 without the node. */
  private async readBind(podKey: string, nodeKey: string, usageKey: string, node: string, info: ResourceInfo, ns: string, podName: string): Promise<BindState> {
    const [held, nodeHeld, usageHeld] = await this.store.getMany([podKey, nodeKey, usageKey]);
    if (!held) throw errors.notFound(target(info, podName));
    if (!nodeHeld) throw errors.conflict(target(info, podName), `node "${node}" not found, cannot bind pod ${ns}/${podName} to it`);
    return {
      pod: { value: held.value, rev: held.modRevision },
      nodeRev: nodeHeld.modRevision,
      allocatable: this.allocatableOf(node, nodeHeld),
      usage: usageHeld ? this.usageOf(node, usageHeld) : emptyNodeUsage(),
      ...(usageHeld ? { usageRev: usageHeld.modRevision } : {}),
    };
  }

  /** A node's allocatable amounts as stored at `held.modRevision` (remembered per node: a revision's value never changes). */
  private allocatableOf(node: string, held: StoredObject): ResourceAmounts {
    const known = this.allocatable.get(node);
    if (known?.rev === held.modRevision) return known.amounts;
    const amounts = messageAllocatable(decodeStored(held.value).message as Node);
    if (this.allocatable.size >= ALLOCATABLE_CACHE_SIZE) this.allocatable.clear();
    this.allocatable.set(node, { rev: held.modRevision, amounts });
    return amounts;
  }

  /** A node's usage record as stored at `held.modRevision` (remembered per node: the next bind there mostly reads what the last one wrote). */
  private usageOf(node: string, held: StoredObject): NodeUsage {
    const known = this.usage.get(node);
    if (known?.rev === held.modRevision) return known.usage;
    const usage = decodeNodeUsage(held.value);
    this.rememberUsage(node, held.modRevision, usage);
    return usage;
  }

  private rememberUsage(node: string, rev: number, usage: NodeUsage): void {
    if (this.usage.size >= ALLOCATABLE_CACHE_SIZE && !this.usage.has(node)) this.usage.clear();
    this.usage.set(node, { rev, usage });
  }

  /** Creates the system namespaces (and nothing else) when missing. Safe to run on every replica. */
  async ensureSystemNamespaces(): Promise<void> {
    const info = lookupResourceByKind("Namespace")!;
    for (const name of SYSTEM_NAMESPACES) {
      try {
        await this.create(info, "", { metadata: { name } });
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 409)) throw err;
      }
    }
  }
}
