// The ReplicaSet controller against an in-memory API whose watch events can be held back (a
// stale informer cache) and whose creates can fail or time out. Each test compares what
// reached the API (sample-controller style).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Informer, type InformerEvent, type KubeClient, type KubeObject, type ListWatchSource } from "../../client/index.js";
import { BusTimeoutError, RemoteError, logger, setLogLevel, systemClock } from "../../kernel/index.js";
import { lookupResourceByKind } from "../../schema/index.js";
import { SharedInformers } from "../controller.js";
import { ReplicaSetController, type ReplicaSetControllerOptions } from "./replicaset-controller.js";

setLogLevel("error");
const enc = new TextEncoder();
const dec = new TextDecoder();

const keyOf = (kind: string, ns: string, name: string) => `/${lookupResourceByKind(kind)!.storeResource}/${ns}/${name}`;

class FakeApi {
  readonly objects = new Map<string, KubeObject>();
  private rev = 100;
  private seq = 0;
  private readonly subscribers = new Map<string, (events: readonly InformerEvent[]) => void>();
  /** Pod events are buffered here while `holdPodEvents` is set (a lagging watch). */
  holdPodEvents = false;
  private held: InformerEvent[] = [];
  /** Called before each pod create: throw (or reject) to fail it; return "timeout" to create it and then report a timeout; return a promise to hold it until that settles. */
  createHook: ((n: number) => void | "timeout" | Promise<void | "timeout">) | undefined;
  creates = 0;

  seed(obj: KubeObject): KubeObject {
    const o = structuredClone(obj);
    o.metadata.uid ??= `uid-${o.metadata.name}`;
    o.metadata.generation ??= 1;
    o.metadata.resourceVersion = String(++this.rev);
    this.objects.set(keyOf(o.kind, o.metadata.namespace, o.metadata.name), o);
    return o;
  }

  /** put: write `obj` as a client would (an event to the informers), keeping its uid. */
  put(obj: KubeObject): void {
    const o = structuredClone(obj);
    o.metadata.uid ??= `uid-${o.metadata.name}`;
    this.write(o.kind, keyOf(o.kind, o.metadata.namespace, o.metadata.name), o);
  }

  releasePodEvents(): void {
    this.holdPodEvents = false;
    const cb = this.subscribers.get("pods");
    cb?.(this.held.splice(0));
  }

  dropHeldEvents(): void {
    this.held = [];
  }

  pods(): KubeObject[] {
    return [...this.objects.values()].filter((o) => o.kind === "Pod");
  }

  private write(kind: string, key: string, obj: KubeObject | undefined): KubeObject | undefined {
    const revision = ++this.rev;
    const old = this.objects.get(key);
    if (obj) {
      obj.metadata.resourceVersion = String(revision);
      this.objects.set(key, obj);
    } else this.objects.delete(key);
    const resource = lookupResourceByKind(kind)!.storeResource;
    const e: InformerEvent = { type: obj ? (old ? "MODIFIED" : "ADDED") : "DELETED", revision, prevRevision: 0, key, value: enc.encode(JSON.stringify(obj ?? old)), createRevision: 1 };
    if (resource === "pods" && this.holdPodEvents) this.held.push(e);
    else this.subscribers.get(resource)?.([e]);
    return obj ? structuredClone(obj) : undefined;
  }

  private source(kind: string): ListWatchSource {
    const resource = lookupResourceByKind(kind)!.storeResource;
    return {
      list: async () => ({
        items: [...this.objects.values()]
          .filter((o) => o.kind === kind)
          .map((o) => ({ key: keyOf(kind, o.metadata.namespace, o.metadata.name), value: enc.encode(JSON.stringify(o)), modRevision: Number(o.metadata.resourceVersion), createRevision: 1 })),
        revision: this.rev,
      }),
      replay: async (from: number) => ({ events: [], revision: from }),
      subscribe: (cb) => {
        this.subscribers.set(resource, cb);
        return () => this.subscribers.delete(resource);
      },
    };
  }

  client(): KubeClient {
    const api = this;
    const notFound = (n: string) => new RemoteError("fake", 404, "NotFound", n);
    return {
      informer: (kind: string) => new Informer<KubeObject>(api.source(kind), (v, m) => ({ ...JSON.parse(dec.decode(v)), kind }) as KubeObject, { resyncCheckMs: 0 }),
      async get(kind: string, ns: string, name: string) {
        const o = api.objects.get(keyOf(kind, ns, name));
        if (!o) throw notFound(name);
        return structuredClone(o);
      },
      async create(obj: KubeObject) {
        const n = api.creates++;
        const outcome = await api.createHook?.(n);
        const o = structuredClone(obj);
        o.metadata.name ??= `${o.metadata.generateName}${++api.seq}`;
        o.metadata.uid = `uid-${o.metadata.name}`;
        o.metadata.creationTimestamp = new Date().toISOString();
        o.status = { phase: "Pending" };
        const out = api.write(o.kind, keyOf(o.kind, o.metadata.namespace, o.metadata.name), o)!;
        if (outcome === "timeout") throw new BusTimeoutError("fake.create", 10);
        return out;
      },
      async createFromTemplate(obj: KubeObject) {
        await api.client().create(obj);
      },
      async update(obj: KubeObject, subresource = "") {
        const key = keyOf(obj.kind, obj.metadata.namespace, obj.metadata.name);
        const cur = api.objects.get(key);
        if (!cur) throw notFound(obj.metadata.name);
        if (cur.metadata.resourceVersion !== obj.metadata.resourceVersion) throw new RemoteError("fake", 409, "Conflict", obj.metadata.name);
        const next = subresource === "status" ? { ...structuredClone(cur), status: structuredClone(obj.status) } : structuredClone(obj);
        return api.write(obj.kind, key, next)!;
      },
      async updateStatus(obj: KubeObject) {
        return api.client().update(obj, "status");
      },
      async patch(kind: string, ns: string, name: string, _type: string, patch: any) {
        const key = keyOf(kind, ns, name);
        const o = structuredClone(api.objects.get(key));
        if (!o) throw notFound(name);
        if (patch.metadata.resourceVersion !== undefined && patch.metadata.resourceVersion !== o.metadata.resourceVersion) throw new RemoteError("fake", 409, "Conflict", name);
        // ownerReferences merge by uid (strategic merge): `$patch: delete` removes, others are added or merged.
        const refs: any[] = o.metadata.ownerReferences ?? [];
        for (const r of patch.metadata.ownerReferences ?? []) {
          const at = refs.findIndex((x) => x.uid === r.uid);
          if (r.$patch === "delete") {
            if (at >= 0) refs.splice(at, 1);
          } else if (at >= 0) refs[at] = { ...refs[at], ...r };
          else refs.push(r);
        }
        o.metadata.ownerReferences = refs;
        if (o.metadata.ownerReferences.length === 0) delete o.metadata.ownerReferences;
        return api.write(kind, key, o)!;
      },
      async delete(kind: string, ns: string, name: string) {
        const key = keyOf(kind, ns, name);
        const o = api.objects.get(key);
        if (!o) throw notFound(name);
        api.write(kind, key, undefined);
        return o;
      },
    } as unknown as KubeClient;
  }
}

function rs(name: string, replicas: number): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name, namespace: "ns" },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "i" }] } } },
  };
}

async function run(api: FakeApi, opts: ReplicaSetControllerOptions = {}) {
  const client = api.client();
  const informers = new SharedInformers(client, logger("test"), 0);
  const controller = new ReplicaSetController({ backoff: { baseMs: 5, maxMs: 20 }, ...opts });
  await controller.start({ client, informers, log: logger("rs"), clock: systemClock });
  return {
    controller,
    async stop() {
      await controller.stop();
      informers.stop();
    },
  };
}

async function until(what: string, cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function bumpLabel(api: FakeApi, name: string, value: string): void {
  const o = structuredClone(api.objects.get(keyOf("ReplicaSet", "ns", name))!);
  o.metadata.labels = { touched: value };
  // Through the client, so the RS informer gets an event (a resync trigger).
  void (api.client() as unknown as { update(o: KubeObject): Promise<KubeObject> }).update(o);
}

test("replicaset controller - a cache that does not show its creates yet never makes it create again", async () => {
  const api = new FakeApi();
  api.seed(rs("web", 5));
  api.holdPodEvents = true;
  const { controller, stop } = await run(api);
  try {
    await until("5 creates", () => api.pods().length === 5);
    // Syncs triggered while the pod cache is still empty must not act on it.
    for (let i = 0; i < 3; i++) {
      bumpLabel(api, "web", String(i));
      await sleep(20);
    }
    await sleep(100);
    assert.ok(controller.stats.reconciles >= 3, "the label bumps were synced");
    assert.equal(api.pods().length, 5, "no second batch from a stale cache");
    api.releasePodEvents();
    await until("status replicas 5", () => api.objects.get(keyOf("ReplicaSet", "ns", "web"))!.status?.replicas === 5);
    assert.equal(api.pods().length, 5);
    assert.equal(controller.stats.creates, 5);
  } finally {
    await stop();
  }
});

test("replicaset controller - expectations expire, so lost events delay a sync but never stall it", async () => {
  const api = new FakeApi();
  api.seed(rs("web", 2));
  api.holdPodEvents = true;
  // 1 s: far more than the "not before" check below takes even on a loaded machine.
  const { stop } = await run(api, { expectationsTimeoutMs: 1000 });
  try {
    await until("2 creates", () => api.pods().length === 2);
    api.dropHeldEvents(); // the watch lost them for good
    await sleep(50);
    assert.equal(api.pods().length, 2, "not before the expiry");
    // After the expiry the controller acts on what it sees (an empty cache): it creates again.
    await until("a sync after the expiry", () => api.pods().length > 2, 10_000); // generous: the full suite loads the machine
  } finally {
    await stop();
  }
});

test("replicaset controller - a create with an unknown outcome stays expected (no double creation)", async () => {
  const api = new FakeApi();
  api.seed(rs("web", 3));
  api.holdPodEvents = true;
  api.createHook = (n) => (n === 0 ? "timeout" : undefined);
  const { controller, stop } = await run(api);
  try {
    // The retry (5 ms backoff) creates the two missing pods, counting the unknown one as
    // outstanding: a cache that shows none of them never makes it create a fourth.
    await until("3 pods", () => api.pods().length === 3);
    await sleep(100);
    assert.equal(api.pods().length, 3);
    assert.equal(controller.expectations!.outstanding("ns/web").creations, 3, "the unknown create stays expected");
    api.releasePodEvents();
    await until("all observed", () => controller.expectations!.satisfied("ns/web"));
    await sleep(50);
    assert.equal(api.pods().length, 3);
    assert.equal(controller.stats.createErrors, 1);
  } finally {
    await stop();
  }
});

test("replicaset controller - failing creates: slow start tries one, ReplicaFailure is set, then cleared once creates work", async () => {
  const api = new FakeApi();
  api.seed(rs("web", 20));
  let failing = true;
  api.createHook = () => {
    if (failing) throw new RemoteError("fake", 403, "Forbidden", 'pods "web-" is forbidden: exceeded quota');
  };
  const { stop } = await run(api);
  const status = () => api.objects.get(keyOf("ReplicaSet", "ns", "web"))!.status;
  try {
    await until("ReplicaFailure", () => (status()?.conditions ?? []).some((c: any) => c.type === "ReplicaFailure"));
    const cond = status().conditions.find((c: any) => c.type === "ReplicaFailure");
    assert.equal(cond.reason, "FailedCreate");
    assert.match(cond.message, /exceeded quota/);
    const triedAtFirstFailure = api.creates;
    assert.ok(triedAtFirstFailure >= 1);
    failing = false;
    await until("20 pods", () => api.pods().length === 20);
    await until("condition cleared", () => status()?.replicas === 20 && !(status()?.conditions ?? []).some((c: any) => c.type === "ReplicaFailure"));
  } finally {
    await stop();
  }
});

test("replicaset controller - slow start: one failing create per backoff, not one per missing pod", async () => {
  const api = new FakeApi();
  api.seed(rs("web", 50));
  api.createHook = () => {
    throw new RemoteError("fake", 422, "Invalid", "nope");
  };
  const { controller, stop } = await run(api, { backoff: { baseMs: 1000, maxMs: 1000 } });
  try {
    await until("first failure", () => api.creates >= 1);
    await sleep(150);
    // The first sync tries one create. It fails, and no create is tried again before the backoff
    // (1 s), however many syncs the ReplicaFailure status write and the error report trigger.
    assert.equal(api.creates, 1, "one failing create per backoff, not one per missing pod or per sync");
    assert.equal(controller.expectations!.satisfied("ns/web"), true, "failed creates are not expected");
  } finally {
    await stop();
  }
});

test("replicaset controller - does not adopt when a fresh read shows the ReplicaSet is being deleted", async () => {
  const api = new FakeApi();
  const r = api.seed(rs("web", 1));
  api.seed({ apiVersion: "v1", kind: "Pod", metadata: { name: "orphan", namespace: "ns", labels: { app: "web" } }, spec: {}, status: { phase: "Pending" } });
  const { controller, stop } = await run(api, { burstReplicas: 500 });
  try {
    await until("adopted", () => !!api.objects.get(keyOf("Pod", "ns", "orphan"))!.metadata.ownerReferences);
    assert.equal(api.objects.get(keyOf("Pod", "ns", "orphan"))!.metadata.ownerReferences[0].uid, r.metadata.uid);
    assert.equal(api.pods().length, 1, "the adopted orphan counts; nothing created");
    assert.equal(controller.stats.creates, 0);
  } finally {
    await stop();
  }
  const api2 = new FakeApi();
  api2.seed(rs("web", 1));
  api2.seed({ apiVersion: "v1", kind: "Pod", metadata: { name: "orphan", namespace: "ns", labels: { app: "web" } }, spec: {}, status: { phase: "Pending" } });
  const client2 = api2.client();
  const informers = new SharedInformers(client2, logger("test"), 0);
  await informers.waitForSync(["Pod", "ReplicaSet"]); // cache: RS not being deleted
  const live = api2.objects.get(keyOf("ReplicaSet", "ns", "web"))!;
  live.metadata.deletionTimestamp = new Date().toISOString(); // API only, no event
  const c2 = new ReplicaSetController();
  await c2.start({ client: client2, informers, log: logger("rs"), clock: systemClock });
  try {
    await until("a sync", () => c2.stats.reconciles > 1);
    await sleep(50);
    assert.equal(api2.objects.get(keyOf("Pod", "ns", "orphan"))!.metadata.ownerReferences, undefined, "no adoption");
    assert.equal(c2.stats.adoptions, 0);
    assert.equal(c2.stats.creates, 0, "the sync stops at the refused adoption (it retries until the cache agrees)");
  } finally {
    await c2.stop();
    informers.stop();
  }
});

/** A promise and its release, to hold a create until the test lets it go. */
function gate(): { held: Promise<void>; open: () => void; fail: (err: unknown) => void } {
  let open!: () => void;
  let fail!: (err: unknown) => void;
  const held = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { held, open, fail };
}

const quota = () => new RemoteError("fake", 403, "Forbidden", 'pods "web-" is forbidden: exceeded quota');
const hasReplicaFailure = (o: KubeObject | undefined) => (o?.status?.conditions ?? []).some((c: any) => c.type === "ReplicaFailure");

test("replicaset controller - a ReplicaSet recreated under the same name does not inherit its predecessor's late create failures", async () => {
  const api = new FakeApi();
  api.seed(rs("web", 3));
  const first = gate();
  api.createHook = (n) => (n === 0 ? first.held : undefined); // the old ReplicaSet's first create hangs
  const { controller, stop } = await run(api);
  const client = api.client();
  try {
    await until("the old ReplicaSet's create in flight", () => api.creates === 1);
    await client.delete("ReplicaSet", "ns", "web");
    api.holdPodEvents = true; // the new ReplicaSet's creates stay expected
    const next = rs("web", 3);
    next.metadata.uid = "uid-web-2";
    api.put(next);
    await until("3 pods of the new ReplicaSet", () => api.pods().length === 3);
    assert.ok(api.pods().every((p) => p.metadata.ownerReferences[0].uid === "uid-web-2"));
    await until("expected", () => controller.expectations!.outstanding("ns/web").creations === 3);
    first.fail(quota()); // the old run's late answer
    await until("the late failure seen", () => controller.stats.createErrors === 1);
    await sleep(100);
    assert.equal(controller.expectations!.outstanding("ns/web").creations, 3, "the new ReplicaSet's expectations are not lowered");
    assert.equal(api.pods().length, 3, "no extra create");
    assert.ok(!hasReplicaFailure(api.objects.get(keyOf("ReplicaSet", "ns", "web"))), "no ReplicaFailure on the new ReplicaSet");
    api.releasePodEvents();
    await until("status replicas 3", () => api.objects.get(keyOf("ReplicaSet", "ns", "web"))!.status?.replicas === 3);
    assert.ok(!hasReplicaFailure(api.objects.get(keyOf("ReplicaSet", "ns", "web"))));
  } finally {
    await stop();
  }
});

test("replicaset controller - a scale-down to the pods that exist clears ReplicaFailure while creates still fail", async () => {
  const api = new FakeApi();
  const r = api.seed(rs("web", 5));
  for (const name of ["web-a", "web-b"]) {
    api.seed({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "ns", labels: { app: "web" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: r.metadata.uid, controller: true }] },
      spec: {},
      status: { phase: "Pending" },
    });
  }
  api.createHook = () => {
    throw quota();
  };
  // Creates back off for 10 s: the condition must go without a retry, let alone a successful create.
  const { controller, stop } = await run(api, { backoff: { baseMs: 10_000, maxMs: 10_000 } });
  const status = () => api.objects.get(keyOf("ReplicaSet", "ns", "web"));
  try {
    await until("ReplicaFailure", () => hasReplicaFailure(status()));
    const scaled = structuredClone(status()!);
    scaled.spec.replicas = 2;
    await (api.client() as unknown as { update(o: KubeObject): Promise<KubeObject> }).update(scaled);
    await until("ReplicaFailure cleared", () => !hasReplicaFailure(status()));
    assert.equal(api.creates, 1, "no create was retried");
    assert.equal(controller.stats.creates, 0, "no create succeeded");
    assert.equal(api.pods().length, 2);
  } finally {
    await stop();
  }
});

test("replicaset controller - stop() resolves only once the creates in flight have settled", async () => {
  const api = new FakeApi();
  api.seed(rs("web", 1));
  const hold = gate();
  api.createHook = () => hold.held;
  const { controller, stop } = await run(api);
  try {
    await until("a create in flight", () => api.creates === 1);
    let stopped = false;
    const stopping = controller.stop().then(() => {
      stopped = true;
    });
    await sleep(100);
    assert.equal(stopped, false, "stop() waits for the create in flight");
    hold.open();
    await stopping;
    assert.equal(api.pods().length, 1, "the create landed before stop() resolved");
    assert.equal(controller.stats.creates, 1);
  } finally {
    await stop();
  }
});
