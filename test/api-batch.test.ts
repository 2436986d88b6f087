// API batches over the bus (issue 4 throughput): the calls an ApiClient issues in one tick
// travel as one ApiBatchRequest; each caller still gets its own answer (a bad item fails
// alone with its own Status), every caller of a batch that got no reply gets
// BusTimeoutError, and retrying the creates of a lost batch converges. Real nats-server,
// redis-server and API server process; NATS messages counted by a plain subscriber.
import "reflect-metadata";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { Msg, Subscription } from "@nats-io/transport-node";
import { Bus, BusTimeoutError, KINDS, RemoteError, initTracing, subjects, unwrap, withSpan } from "../services/kernel/index.js";
import { KubeClient, isStatus } from "../services/client/index.js";
import { MAX_BATCH_ITEMS } from "../services/client/api-client.js";
import { bus as busProto } from "../services/schema/bus.js";
import { encodeStoredJSON } from "../services/schema/index.js";
import type { KubeObject } from "../services/apiserver/codec.js";
import { startCluster, type TestCluster } from "./harness/cluster.js";

const NS = "batch";
let cluster: TestCluster;
let bus: Bus;
let client: KubeClient;

const configMap = (name: string, data: Record<string, string> = { k: "v" }): KubeObject =>
  ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: NS }, data }) as unknown as KubeObject;

/** Every API message on the bus while `fn` runs (subject and decoded batch, if it is one). */
async function apiMessages(fn: () => Promise<unknown>): Promise<Array<{ subject: string; items: number; traces: Array<Record<string, string>> }>> {
  const seen: Array<{ subject: string; items: number; traces: Array<Record<string, string>> }> = [];
  const sub: Subscription = bus.nats.subscribe(subjects.apiAll(), {
    callback: (_err, m: Msg) => {
      const u = unwrap(m.data);
      if (u.kind !== KINDS.ApiBatchRequest) return void seen.push({ subject: m.subject, items: 1, traces: [] });
      const b = busProto.ApiBatchRequest.decode(u.payload);
      seen.push({ subject: m.subject, items: b.items.length, traces: b.items.map((i) => ({ ...i.trace })) });
    },
  });
  await bus.nats.flush();
  try {
    await fn();
    await bus.nats.flush();
  } finally {
    sub.unsubscribe();
  }
  return seen;
}

before(async () => {
  await initTracing({ serviceName: "api-batch-test", spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] });
  cluster = await startCluster({ apiservers: 1 });
  await cluster.waitReady();
  bus = await Bus.connect({ servers: cluster.nats.url, name: "api-batch-test" });
  client = new KubeClient(bus, 3000);
  await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } } as unknown as KubeObject).catch((e) => {
    if (!isStatus(e, 409)) throw e;
  });
});

after(async () => {
  await bus?.close();
  await cluster?.stop();
});

test("a batch with good and bad items answers each on its own", async () => {
  await client.create(configMap("taken"));
  let results: PromiseSettledResult<KubeObject>[] = [];
  const msgs = await apiMessages(async () => {
    results = await Promise.allSettled([
      client.create(configMap("good-1")),
      client.create(configMap("Bad_Name")), // invalid name: 422
      client.create(configMap("taken")), // exists: 409
      client.get("ConfigMap", NS, "missing"), // 404
      client.create(configMap("good-2")),
      client.update({ ...configMap("taken", { k: "w" }), metadata: { name: "taken", namespace: NS, resourceVersion: "1" } } as unknown as KubeObject), // stale: 409
    ]);
  });
  assert.deepEqual(
    msgs.map((m) => [m.subject, m.items]),
    [[subjects.apiBatch(), 6]],
    "the six calls of one tick travel as one batch message",
  );
  const codeOf = (r: PromiseSettledResult<KubeObject>) => (r.status === "fulfilled" ? 200 : (r.reason as RemoteError).code);
  assert.deepEqual(results.map(codeOf), [200, 422, 409, 404, 200, 409], results.map((r) => (r.status === "rejected" ? String(r.reason) : "ok")).join("\n"));
  const bad = (results[1] as PromiseRejectedResult).reason as RemoteError;
  assert.ok(bad instanceof RemoteError);
  assert.equal(bad.reason, "Invalid");
  assert.equal(bad.subject, subjects.api("", "configmaps", "create"), "an item's error names its own subject");
  assert.equal((results[2] as PromiseRejectedResult).reason.reason, "AlreadyExists");
  assert.equal((results[3] as PromiseRejectedResult).reason.reason, "NotFound");
  const good = (results[0] as PromiseFulfilledResult<KubeObject>).value;
  assert.equal(good.metadata.name, "good-1");
  assert.ok(Number(good.metadata.resourceVersion) > 0);
  assert.equal((await client.get("ConfigMap", NS, "good-2")).metadata.name, "good-2");
  assert.equal(((await client.get("ConfigMap", NS, "taken")) as any).data.k, "v", "the stale update changed nothing");
});

test("concurrent creates coalesce into few NATS messages, each item keeping its caller's trace", async () => {
  const n = 2 * MAX_BATCH_ITEMS + 10;
  const traceIds: string[] = [];
  const msgs = await apiMessages(() =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        withSpan(`create ${i}`, (span) => {
          traceIds.push(span.spanContext().traceId);
          return client.create(configMap(`many-${i}`));
        }),
      ),
    ),
  );
  assert.deepEqual(
    msgs.map((m) => m.items),
    [MAX_BATCH_ITEMS, MAX_BATCH_ITEMS, 10],
    `${n} concurrent creates in ${msgs.length} messages`,
  );
  const sent = msgs.flatMap((m) => m.traces.map((t) => t.traceparent?.split("-")[1]));
  assert.deepEqual(sent, traceIds, "each item carries its own caller's traceparent");
  const list = await client.list("ConfigMap", NS);
  assert.equal(list.items.filter((o) => o.metadata.name.startsWith("many-")).length, n);
});

test("a write asking for revisionOnly is answered with the object's key and revision but no value", async () => {
  const ref = { group: "", resource: "configmaps" };
  const created = await client.api.call(ref, { verb: "create", namespace: NS, object: encodeStoredJSON("ConfigMap", configMap("rev-only")).value, revisionOnly: true });
  assert.equal(created.object?.key, `/configmaps/${NS}/rev-only`);
  assert.equal(created.object?.value?.length ?? 0, 0, "no value in the reply");
  const stored = await client.get("ConfigMap", NS, "rev-only");
  assert.equal(String(created.object?.modRevision), stored.metadata.resourceVersion);
  const rev = await client.updateUndecoded({ ...stored, data: { k: "w" } } as KubeObject);
  const updated = await client.get("ConfigMap", NS, "rev-only");
  assert.equal(String(rev), updated.metadata.resourceVersion);
  assert.equal((updated as any).data.k, "w");
  const full = await client.api.call(ref, { verb: "update", namespace: NS, name: "rev-only", object: encodeStoredJSON("ConfigMap", { ...updated, data: { k: "x" } }).value });
  assert.ok((full.object?.value?.length ?? 0) > 0, "without revisionOnly the reply holds the object");
});

/** A KubeClient whose API replies are recorded (the real replies: the call goes to the API server as usual). */
function recordingClient(): { client: KubeClient; replies: Array<Awaited<ReturnType<KubeClient["api"]["call"]>>> } {
  const c = new KubeClient(bus, 3000);
  const replies: Array<Awaited<ReturnType<KubeClient["api"]["call"]>>> = [];
  const call = c.api.call.bind(c.api);
  c.api.call = async (ref, req) => {
    const r = await call(ref, req);
    replies.push(r);
    return r;
  };
  return { client: c, replies };
}

const podOf = (metadata: Record<string, unknown>): KubeObject =>
  ({ apiVersion: "v1", kind: "Pod", metadata: { namespace: NS, labels: { app: "rev" }, annotations: { a: "b" }, ...metadata }, spec: { containers: [{ name: "c", image: "i" }] } }) as unknown as KubeObject;

test("revisionOnly on the status subresource (the node host's pod status write): key and revision, no value; the stored pod keeps its spec and metadata", async () => {
  const created = await client.create(podOf({ name: "rev-status" }));
  const { client: rec, replies } = recordingClient();
  const status = { phase: "Running", podIP: "10.0.0.5", conditions: [{ type: "Ready", status: "True", lastTransitionTime: "2024-05-01T00:00:00Z" }] };
  const rev = await rec.updateUndecoded({ ...created, status } as KubeObject, "status");
  assert.equal(replies.length, 1);
  assert.equal(replies[0]!.object?.key, `/pods/${NS}/rev-status`);
  assert.equal(Number(replies[0]!.object?.modRevision), rev);
  assert.equal(replies[0]!.object?.value?.length ?? 0, 0, "no value in the reply");
  const stored = await client.get("Pod", NS, "rev-status");
  assert.equal(stored.metadata.resourceVersion, String(rev));
  assert.deepEqual((stored as any).status, status);
  assert.deepEqual({ ...stored, status: undefined, metadata: { ...stored.metadata, resourceVersion: undefined, managedFields: undefined } }, { ...created, status: undefined, metadata: { ...created.metadata, resourceVersion: undefined, managedFields: undefined } }, "all but the status as created");
});

test("createFromTemplate: each create's reply has the key and revision but no value; each stored object is the template created in full", async () => {
  const { client: rec, replies } = recordingClient();
  const template = Object.freeze(podOf({ generateName: "rev-tmpl-" }));
  await rec.createFromTemplate(template);
  await rec.createFromTemplate(template);
  const reference = await client.create(podOf({ name: "rev-tmpl-reference", generateName: "rev-tmpl-" }));
  assert.equal(replies.length, 2);
  const names = new Set<string>();
  for (const r of replies) {
    const key = r.object?.key ?? "";
    assert.match(key, new RegExp(`^/pods/${NS}/rev-tmpl-.+`));
    assert.equal(r.object?.value?.length ?? 0, 0, "no value in the reply");
    const name = key.split("/").pop()!;
    names.add(name);
    const stored = await client.get("Pod", NS, name);
    assert.equal(stored.metadata.resourceVersion, String(r.object?.modRevision));
    assert.ok(stored.metadata.uid && stored.metadata.uid !== reference.metadata.uid, "its own uid");
    assert.ok(stored.metadata.creationTimestamp);
    const identity = { name: undefined, uid: undefined, creationTimestamp: undefined, resourceVersion: undefined, managedFields: undefined };
    assert.deepEqual({ ...stored, metadata: { ...stored.metadata, ...identity } }, { ...reference, metadata: { ...reference.metadata, ...identity } }, "the same object as a plain create, but for its identity");
  }
  assert.equal(names.size, 2, "two objects");
});

test("a lone call is a plain request", async () => {
  const msgs = await apiMessages(() => client.get("ConfigMap", NS, "good-1"));
  assert.deepEqual(
    msgs.map((m) => m.subject),
    [subjects.api("", "configmaps", "get")],
  );
});

test("a batch lost with its API server: every caller times out, and retried creates converge", async () => {
  const api = cluster.apiservers[0]!;
  const names = Array.from({ length: 40 }, (_, i) => `lost-${i}`);
  // As if the lost batch had been applied in part before the server died.
  for (const name of names.slice(0, 15)) await client.create(configMap(name));
  process.kill(api.pid(), "SIGSTOP"); // receives the batch, never answers
  let results: PromiseSettledResult<KubeObject>[] = [];
  try {
    const msgs = await apiMessages(async () => {
      results = await Promise.allSettled(names.map((n) => client.create(configMap(n))));
    });
    assert.deepEqual(
      msgs.map((m) => m.items),
      [names.length],
    );
  } finally {
    await api.kill("SIGKILL");
  }
  for (const r of results) {
    assert.equal(r.status, "rejected");
    const err = (r as PromiseRejectedResult).reason;
    assert.ok(err instanceof BusTimeoutError, String(err));
    assert.equal(err.subject, subjects.api("", "configmaps", "create"));
  }
  api.start();
  await cluster.waitReady();
  // A retried create that finds its object answers 409: for the caller that means done.
  const retried = await Promise.allSettled(names.map((n) => client.create(configMap(n))));
  const codes = retried.map((r) => (r.status === "fulfilled" ? 201 : isStatus(r.reason, 409) ? 409 : String(r.reason)));
  assert.deepEqual(codes, [...Array(15).fill(409), ...Array(25).fill(201)]);
  const list = await client.list("ConfigMap", NS);
  assert.deepEqual(list.items.map((o) => o.metadata.name).filter((n) => n.startsWith("lost-")).sort(), [...names].sort());
});
