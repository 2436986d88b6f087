// The garbage collector against an in-memory API and informers fed by it: each test seeds
// objects, starts the controller, waits for the queue to settle and compares the API actions
// made (sample-controller style). The stale-cache cases seed the informers with a different
// view than the API holds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Informer, type InformerEvent, type KubeClient, type KubeObject, type ListWatchSource } from "../../client/index.js";
import { RemoteError, logger, setLogLevel, systemClock } from "../../kernel/index.js";
import { lookupResourceByKind } from "../../schema/index.js";
import { SharedInformers } from "../controller.js";
import { GarbageCollector } from "./garbage-collector.js";

setLogLevel("error");
const enc = new TextEncoder();
const dec = new TextDecoder();
const DELETING = "2024-01-01T00:00:00Z";

function keyOf(kind: string, ns: string, name: string): string {
  return `/${lookupResourceByKind(kind)!.storeResource}/${ns}/${name}`;
}

/** FakeApi: the API's truth, the actions made, and one event source per resource. */
class FakeApi {
  readonly objects = new Map<string, KubeObject>();
  readonly actions: string[] = [];
  private rev = 100;
  private readonly subscribers = new Map<string, (events: readonly InformerEvent[]) => void>();
  /** When set for a key prefix, informers list these objects instead of the API's (a stale cache). */
  cacheView: KubeObject[] | undefined;

  seed(obj: KubeObject): KubeObject {
    const o = structuredClone(obj);
    o.metadata.resourceVersion = String(++this.rev);
    this.objects.set(keyOf(o.kind, o.metadata.namespace ?? "", o.metadata.name), o);
    return o;
  }

  private notFound(what: string): RemoteError {
    return new RemoteError("fake", 404, "NotFound", what);
  }

  private write(key: string, obj: KubeObject | undefined): void {
    const revision = ++this.rev;
    const old = this.objects.get(key)!;
    if (obj) {
      obj.metadata.resourceVersion = String(revision);
      this.objects.set(key, obj);
    } else this.objects.delete(key);
    const resource = key.split("/")[1]!;
    this.subscribers.get(resource)?.([{ type: obj ? "MODIFIED" : "DELETED", revision, prevRevision: 0, key, value: enc.encode(JSON.stringify(obj ?? old)), createRevision: 1 }]);
  }

  source(kind: string): ListWatchSource {
    const resource = lookupResourceByKind(kind)!.storeResource;
    return {
      list: async () => {
        const all = this.cacheView ?? [...this.objects.values()];
        const items = all
          .filter((o) => o.kind === kind)
          .map((o) => ({ key: keyOf(kind, o.metadata.namespace ?? "", o.metadata.name), value: enc.encode(JSON.stringify(o)), modRevision: Number(o.metadata.resourceVersion ?? 1), createRevision: 1 }));
        return { items, revision: this.rev };
      },
      replay: async (from: number) => ({ events: [], revision: from }),
      subscribe: (cb) => {
        this.subscribers.set(resource, cb);
        return () => this.subscribers.delete(resource);
      },
    };
  }

  /** The subset of KubeClient the controller uses. */
  client(): KubeClient {
    const api = this;
    return {
      informer: (kind: string) => new Informer<KubeObject>(api.source(kind), (v, m) => ({ ...JSON.parse(dec.decode(v)), kind }) as KubeObject, { resyncCheckMs: 0 }),
      async get(kind: string, ns: string, name: string) {
        api.actions.push(`get ${kind} ${name}`);
        const o = api.objects.get(keyOf(kind, ns, name));
        if (!o) throw api.notFound(name);
        return structuredClone(o);
      },
      async delete(kind: string, ns: string, name: string, opts: { propagationPolicy?: string; resourceVersion?: string }) {
        api.actions.push(`delete ${kind} ${name} ${opts.propagationPolicy}`);
        const key = keyOf(kind, ns, name);
        const o = structuredClone(api.objects.get(key));
        if (!o) throw api.notFound(name);
        if (opts.resourceVersion && opts.resourceVersion !== o.metadata.resourceVersion) throw new RemoteError("fake", 409, "Conflict", name);
        const rest = (o.metadata.finalizers ?? []).filter((f: string) => f !== "foregroundDeletion" && f !== "orphan");
        const finalizers = opts.propagationPolicy === "Foreground" ? [...rest, "foregroundDeletion"] : opts.propagationPolicy === "Orphan" ? [...rest, "orphan"] : rest;
        if (finalizers.length === 0) api.write(key, undefined);
        else api.write(key, { ...o, metadata: { ...o.metadata, finalizers, deletionTimestamp: DELETING } });
        return o;
      },
      async patch(kind: string, ns: string, name: string, _type: string, patch: any) {
        const uids = patch.metadata.ownerReferences.map((r: { uid: string }) => r.uid);
        api.actions.push(`unown ${kind} ${name} ${uids.join(",")}`);
        const key = keyOf(kind, ns, name);
        const o = structuredClone(api.objects.get(key));
        if (!o) throw api.notFound(name);
        o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r: { uid: string }) => !uids.includes(r.uid));
        api.write(key, o);
        return o;
      },
      async update(obj: KubeObject) {
        api.actions.push(`update ${obj.kind} ${obj.metadata.name} finalizers=${(obj.metadata.finalizers ?? []).join(",")}`);
        const key = keyOf(obj.kind, obj.metadata.namespace ?? "", obj.metadata.name);
        const cur = api.objects.get(key);
        if (!cur) throw api.notFound(obj.metadata.name);
        if (cur.metadata.resourceVersion !== obj.metadata.resourceVersion) throw new RemoteError("fake", 409, "Conflict", obj.metadata.name);
        const gone = obj.metadata.deletionTimestamp && (obj.metadata.finalizers ?? []).length === 0;
        api.write(key, gone ? undefined : structuredClone(obj));
        return obj;
      },
    } as unknown as KubeClient;
  }
}

function cm(name: string, meta: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "ns", uid: `uid-${name}`, ...meta } };
}

function ownedBy(...owners: string[]): Record<string, unknown> {
  return { ownerReferences: owners.map((o) => ({ apiVersion: "v1", kind: "ConfigMap", name: o, uid: `uid-${o}`, blockOwnerDeletion: true })) };
}

/** Starts the collector and waits until `until` holds and (when `settle`) the queue stayed empty for a few ticks. */
async function run(api: FakeApi, until: () => boolean = () => true, settle = true): Promise<() => Promise<void>> {
  const client = api.client();
  const informers = new SharedInformers(client, logger("test"), 0);
  const gc = new GarbageCollector({ kinds: ["ConfigMap", "Secret"], backoff: { baseMs: 5, maxMs: 20 } });
  await gc.start({ client, informers, log: logger("gc"), clock: systemClock });
  const end = Date.now() + 5000;
  // Settled: the condition holds and the queue stayed empty for a few ticks.
  for (let quiet = 0; quiet < 5; ) {
    if (Date.now() > end) assert.fail(`did not settle; actions: ${api.actions.join(" | ")}`);
    await new Promise((r) => setTimeout(r, 10));
    quiet = (!settle || gc.pending === 0) && until() ? quiet + 1 : 0;
  }
  return async () => {
    await gc.stop();
    informers.stop();
  };
}

test("gc controller - a dependent whose owner is gone is deleted (after a GET confirms it)", async () => {
  const api = new FakeApi();
  api.seed(cm("d1", ownedBy("owner")));
  const stop = await run(api);
  assert.deepEqual(api.actions, ["get ConfigMap owner", "delete ConfigMap d1 Background"]);
  assert.equal(api.objects.size, 0);
  await stop();
});

test("gc controller - absence is shared and remembered: ten dependents of one gone owner cost one GET", async () => {
  const api = new FakeApi();
  for (let i = 0; i < 10; i++) api.seed(cm(`d${i}`, ownedBy("owner")));
  const stop = await run(api);
  assert.equal(api.actions.filter((a) => a.startsWith("get")).length, 1, api.actions.join(" | "));
  assert.equal(api.objects.size, 0);
  await stop();
});

test("gc controller - a stale cache without the owner never deletes a live owner's dependent", async () => {
  const api = new FakeApi();
  api.seed(cm("owner"));
  const dep = api.seed(cm("d1", ownedBy("owner")));
  api.cacheView = [dep]; // the informers do not see the owner
  const stop = await run(api);
  assert.deepEqual(api.actions, ["get ConfigMap owner"]);
  assert.equal(api.objects.size, 2);
  await stop();
});

test("gc controller - an owner recreated under the same name (new uid) counts as gone", async () => {
  const api = new FakeApi();
  api.seed(cm("owner", { uid: "uid-new" }));
  api.seed(cm("d1", ownedBy("owner")));
  const stop = await run(api);
  assert.deepEqual(api.actions, ["get ConfigMap owner", "delete ConfigMap d1 Background"]);
  assert.ok(api.objects.has(keyOf("ConfigMap", "ns", "owner")), "the new owner stays");
  await stop();
});

test("gc controller - one owner of two gone: the dangling reference is removed, the object stays", async () => {
  const api = new FakeApi();
  api.seed(cm("alive"));
  api.seed(cm("d1", ownedBy("gone", "alive")));
  const stop = await run(api);
  assert.deepEqual(api.actions, ["get ConfigMap gone", "unown ConfigMap d1 uid-gone"]);
  assert.deepEqual(api.objects.get(keyOf("ConfigMap", "ns", "d1"))!.metadata.ownerReferences.map((r: { uid: string }) => r.uid), ["uid-alive"]);
  await stop();
});

test("gc controller - a delete from a stale view (owner reference already gone) ends in a conflict, not a delete", async () => {
  const api = new FakeApi();
  const stale = api.seed(cm("d1", ownedBy("owner")));
  api.seed(cm("d1")); // the API's d1 no longer has the reference (newer resourceVersion)
  api.cacheView = [stale];
  // The cache never catches up here, so the collector keeps retrying: wait for a few attempts.
  const stop = await run(api, () => api.actions.filter((a) => a === "delete ConfigMap d1 Background").length >= 3, false);
  assert.ok(api.objects.has(keyOf("ConfigMap", "ns", "d1")), `d1 must survive; actions: ${api.actions.join(" | ")}`);
  await stop();
});

test("gc controller - foreground: dependents deleted, then the owner's finalizer removed", async () => {
  const api = new FakeApi();
  api.seed(cm("owner", { deletionTimestamp: DELETING, finalizers: ["foregroundDeletion"] }));
  api.seed(cm("d1", ownedBy("owner")));
  api.seed({ apiVersion: "v1", kind: "Secret", metadata: { name: "s1", namespace: "ns", uid: "uid-s1", ...ownedBy("owner") } });
  const stop = await run(api, () => api.objects.size === 0);
  assert.deepEqual(api.actions.filter((a) => a.startsWith("delete")).sort(), ["delete ConfigMap d1 Background", "delete Secret s1 Background"]);
  assert.equal(api.actions.at(-1), "update ConfigMap owner finalizers=");
  await stop();
});

test("gc controller - foreground: a blocking dependent with its own finalizer holds the owner", async () => {
  const api = new FakeApi();
  api.seed(cm("owner", { deletionTimestamp: DELETING, finalizers: ["foregroundDeletion"] }));
  api.seed(cm("d1", { ...ownedBy("owner"), finalizers: ["example.com/slow"] }));
  const stop = await run(api);
  assert.ok(api.objects.has(keyOf("ConfigMap", "ns", "owner")), api.actions.join(" | "));
  assert.equal(api.objects.get(keyOf("ConfigMap", "ns", "d1"))!.metadata.deletionTimestamp, DELETING, "the dependent is being deleted");
  assert.ok(!api.actions.some((a) => a.startsWith("update ConfigMap owner")), "finalizer kept while the dependent exists");
  await stop();
});

test("gc controller - orphan: every dependent loses the reference, then the owner goes", async () => {
  const api = new FakeApi();
  api.seed(cm("owner", { deletionTimestamp: DELETING, finalizers: ["orphan"] }));
  api.seed(cm("d1", ownedBy("owner")));
  api.seed(cm("d2", ownedBy("owner", "other")));
  api.seed(cm("other"));
  const stop = await run(api, () => !api.objects.has(keyOf("ConfigMap", "ns", "owner")));
  assert.deepEqual(api.actions.filter((a) => a.startsWith("unown")).sort(), ["unown ConfigMap d1 uid-owner", "unown ConfigMap d2 uid-owner"]);
  assert.equal(api.actions.filter((a) => a.startsWith("delete")).length, 0);
  assert.deepEqual(api.objects.get(keyOf("ConfigMap", "ns", "d1"))!.metadata.ownerReferences, []);
  await stop();
});
