/** Registry write semantics against a real Redis: status writes, no-op writes, binding, dryRun. */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startRedis, type LocalServer } from "../../kernel/local-servers.js";
import { decodeStored, encodeStored, fromKubeJSON, lookupResourceByKind } from "../../schema/index.js";
import { RedisStore } from "../../store/index.js";
import { ApiError } from "../errors.js";
import { Registry } from "./registry.js";

const POD = lookupResourceByKind("Pod")!;
const NODE = lookupResourceByKind("Node")!;
const DEPLOYMENT = lookupResourceByKind("Deployment")!;
let redis: LocalServer;
let store: RedisStore;
let registry: Registry;

before(async () => {
  redis = await startRedis();
  store = await RedisStore.connect(redis.url);
  registry = new Registry(store);
  await registry.ensureSystemNamespaces();
  await registry.create(NODE, "", { metadata: { name: "n1" }, status: { capacity: { cpu: "1", memory: "1Gi", pods: "2" } } });
});

after(async () => {
  await store.close();
  await redis.stop();
});

const pod = (name: string) => ({ metadata: { name, labels: { app: "a" } }, spec: { containers: [{ name: "c", image: "i", resources: { requests: { cpu: "300m" } } }] } });

async function code(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err.code;
    throw err;
  }
  return 0;
}

test("status write - takes only status (and managedFields), keeps generation, ignores spec and labels; a repeat writes nothing", async () => {
  const created = (await registry.create(POD, "default", pod("s1"))).object;
  const sent = structuredClone(created);
  sent.spec.containers[0].image = "other";
  sent.metadata.labels = { sneaky: "yes" };
  sent.status = { phase: "Running", podIP: "10.0.0.9", conditions: [{ type: "Ready", status: "True", lastTransitionTime: "2024-05-01T00:00:00Z" }] };
  const r = await registry.update(POD, "default", "s1", structuredClone(sent), { subresource: "status" });
  assert.notEqual(r.object.metadata.resourceVersion, created.metadata.resourceVersion);
  assert.equal(r.object.spec.containers[0].image, "i");
  assert.deepEqual(r.object.metadata.labels, { app: "a" });
  assert.equal(r.object.metadata.generation, 1);
  assert.deepEqual(r.object.status, sent.status);
  assert.deepEqual(await registry.get(POD, "default", "s1"), r.object);

  const again = { ...structuredClone(sent), metadata: { ...sent.metadata, resourceVersion: undefined } };
  const same = await registry.update(POD, "default", "s1", again, { subresource: "status" });
  assert.equal(same.object.metadata.resourceVersion, r.object.metadata.resourceVersion, "unchanged status: not written");
  assert.equal(await code(registry.update(POD, "default", "s1", sent, { subresource: "status" })), 409, "stale resourceVersion");
  assert.equal(await code(registry.update(lookupResourceByKind("ConfigMap")!, "default", "s1", { metadata: {} }, { subresource: "status" })), 404);

  const dry = await registry.update(POD, "default", "s1", { metadata: {}, status: { phase: "Failed" } }, { subresource: "status", dryRun: true });
  assert.equal(dry.object.status.phase, "Failed");
  assert.equal((await registry.get(POD, "default", "s1")).status.phase, "Running", "dryRun writes nothing");
});

test("status write - kind defaults apply to the sent status (a Node's allocatable from capacity)", async () => {
  const r = await registry.update(NODE, "", "n1", { metadata: {}, status: { capacity: { cpu: "1", memory: "1Gi", pods: "3" } } }, { subresource: "status" });
  assert.deepEqual(r.object.status.allocatable, { cpu: "1", memory: "1Gi", pods: "3" });
  await registry.update(NODE, "", "n1", { metadata: {}, status: { capacity: { cpu: "1", memory: "1Gi", pods: "2" } } }, { subresource: "status" });
});

test("main update - generation moves on spec change only; an identical update writes nothing", async () => {
  const d = {
    metadata: { name: "web" },
    spec: { selector: { matchLabels: { app: "w" } }, template: { metadata: { labels: { app: "w" } }, spec: { containers: [{ name: "c", image: "i" }] } } },
  };
  const created = (await registry.create(DEPLOYMENT, "default", structuredClone(d))).object;
  const same = await registry.update(DEPLOYMENT, "default", "web", structuredClone(d));
  assert.equal(same.object.metadata.resourceVersion, created.metadata.resourceVersion);
  const labelled = await registry.update(DEPLOYMENT, "default", "web", { ...structuredClone(d), metadata: { name: "web", labels: { x: "y" } } });
  assert.equal(labelled.object.metadata.generation, 1);
  const changed = structuredClone(d);
  changed.spec.template.spec.containers[0].image = "j";
  const r = await registry.update(DEPLOYMENT, "default", "web", changed);
  assert.equal(r.object.metadata.generation, 2);
});

test("binding - sets nodeName and PodScheduled, charges the node; refuses a bound pod and a pod that does not fit", async () => {
  await registry.create(POD, "default", pod("b1"));
  await registry.create(POD, "default", pod("b2"));
  await registry.create(POD, "default", { ...pod("big"), spec: { containers: [{ name: "c", image: "i", resources: { requests: { cpu: "800m" } } }] } });
  const dry = await registry.bind("default", "b1", { target: { name: "n1" } }, { dryRun: true });
  assert.equal(dry.spec.nodeName, "n1");
  assert.equal((await registry.get(POD, "default", "b1")).spec.nodeName, undefined, "dryRun writes nothing");
  await registry.bind("default", "b1", { target: { name: "n1" } });
  const bound = await registry.get(POD, "default", "b1");
  assert.equal(bound.spec.nodeName, "n1");
  assert.deepEqual(bound.status.conditions.map((c: any) => [c.type, c.status]), [["PodScheduled", "True"]]);
  assert.equal(bound.metadata.generation, 1);
  assert.equal(await code(registry.bind("default", "b1", { target: { name: "n1" } })), 409, "already bound");
  assert.equal(await code(registry.bind("default", "big", { target: { name: "n1" } })), 409, "300m + 800m > 1 cpu");
  await registry.bind("default", "b2", { target: { name: "n1" } });
  await registry.create(POD, "default", pod("b3"));
  assert.equal(await code(registry.bind("default", "b3", { target: { name: "n1" } })), 409, "2 pods of 2");
  assert.equal(await code(registry.bind("default", "gone", { target: { name: "n1" } })), 404);
});

test("apply - the configuration must name the resource's version (as Kubernetes' field manager): 400 and nothing written otherwise", async () => {
  const cm = lookupResourceByKind("ConfigMap")!;
  const rev = async () => (await store.list("/")).revision;
  const before = await rev();
  for (const body of [{ metadata: { name: "a1" }, data: { k: "v" } }, { apiVersion: "apps/v1", kind: "ConfigMap", metadata: { name: "a1" } }]) {
    const err = await registry.patch(cm, "default", "a1", "apply", body, { fieldManager: "t" }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ApiError && err.code === 400, String(err));
    assert.match(err.message, /Incorrect version specified in apply patch/);
  }
  assert.equal(await rev(), before, "refused applies write nothing");
  const ok = await registry.patch(cm, "default", "a1", "apply", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a1" }, data: { k: "v" } }, { fieldManager: "t" });
  assert.equal(ok.object.data.k, "v");
});

test("remembered values - another replica's writes win: a status write pinned at a moved revision is 409 even when it changes nothing, 404 once the pod is gone", async () => {
  const other = new Registry(store);
  const created = (await registry.create(POD, "default", pod("r1"))).object;
  const status = { phase: "Running", podIP: "10.0.0.7" };
  const first = await registry.update(POD, "default", "r1", { metadata: { resourceVersion: created.metadata.resourceVersion }, status }, { subresource: "status" });
  const pinned = first.object.metadata.resourceVersion;
  await other.update(POD, "default", "r1", { metadata: {}, status: { phase: "Running", podIP: "10.0.0.8" } }, { subresource: "status" });
  assert.equal(await code(registry.update(POD, "default", "r1", { metadata: { resourceVersion: pinned }, status }, { subresource: "status" })), 409, "unchanged against the remembered value, moved in the store");
  assert.equal(await code(registry.update(POD, "default", "r1", { metadata: { resourceVersion: pinned }, status: { phase: "Failed" } }, { subresource: "status" })), 409);
  const current = await registry.get(POD, "default", "r1");
  const same = await registry.update(POD, "default", "r1", { metadata: { resourceVersion: current.metadata.resourceVersion }, status: current.status }, { subresource: "status" });
  assert.equal(same.object.metadata.resourceVersion, current.metadata.resourceVersion, "a no-op at the current revision");
  await other.delete(POD, "default", "r1", { gracePeriodSeconds: 0 });
  assert.equal(await code(registry.update(POD, "default", "r1", { metadata: { resourceVersion: current.metadata.resourceVersion }, status: current.status }, { subresource: "status" })), 404);
});

test("remembered values - a bind decides on the store's values when another replica changed the pod, the node or its usage", async () => {
  const other = new Registry(store);
  await registry.create(NODE, "", { metadata: { name: "n2" }, status: { capacity: { cpu: "1", memory: "1Gi", pods: "10" } } });
  await registry.create(POD, "default", pod("m1"));
  await registry.bind("default", "m1", { target: { name: "n2" } }); // remembers n2's revision and usage

  // The pod this replica created is replaced by another replica: the new one is bound.
  await registry.create(POD, "default", pod("m2"));
  await other.delete(POD, "default", "m2", { gracePeriodSeconds: 0 });
  await other.create(POD, "default", { ...pod("m2"), metadata: { name: "m2", labels: { app: "b" } } });
  await registry.bind("default", "m2", { target: { name: "n2" } });
  const m2 = await registry.get(POD, "default", "m2");
  assert.equal(m2.spec.nodeName, "n2");
  assert.deepEqual(m2.metadata.labels, { app: "b" });

  // Another replica fills the node (300m + 300m + 300m): a remembered usage record would still fit a fourth.
  await other.create(POD, "default", pod("m3"));
  await other.bind("default", "m3", { target: { name: "n2" } });
  await registry.create(POD, "default", pod("m4"));
  assert.equal(await code(registry.bind("default", "m4", { target: { name: "n2" } })), 409, "does not fit");
  assert.equal((await registry.get(POD, "default", "m4")).spec.nodeName, undefined);

  // The node is deleted by another replica: no bind to it.
  await other.delete(NODE, "", "n2");
  const small = { ...pod("m5"), spec: { containers: [{ name: "c", image: "i" }] } };
  await registry.create(POD, "default", small);
  const err = await registry.bind("default", "m5", { target: { name: "n2" } }).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof ApiError && err.code === 409 && /node "n2" not found/.test(err.message), String(err));
});

test("create from a stored body - pods from one template are prepared once: each is what a create of its JSON gives, in canonical bytes", async () => {
  const rng = (() => {
    let i = 0;
    return () => ((i++ * 0.37) % 1);
  })();
  const fixed = new Registry(store, { now: () => new Date("2024-05-01T00:00:00Z"), random: rng });
  const template = { metadata: { generateName: "web-", labels: { app: "web" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: "r", controller: true }] }, spec: { containers: [{ name: "c", image: "i", resources: { limits: { cpu: "1" } } }] } };
  const bytesOf = (o: object) => encodeStored("Pod", fromKubeJSON("Pod", o).message as object);
  const bytes = bytesOf(template);
  const viaJSON = (await fixed.create(POD, "default", structuredClone(template))).object;
  const first = await fixed.createStored(POD, "default", bytes, "");
  const second = await fixed.createStored(POD, "default", bytes, "");
  const identity = (o: any) => ({ ...o, metadata: { ...o.metadata, name: "x", uid: "x", resourceVersion: "x" } });
  for (const r of [first, second]) {
    const stored = await store.get(r.stored!.key);
    assert.deepEqual(Buffer.from(stored!.value), Buffer.from(r.stored!.value));
    assert.deepEqual(Buffer.from(encodeStored("Pod", decodeStored(stored!.value).message)), Buffer.from(stored!.value), "canonical bytes");
    assert.deepEqual(identity(r.object), identity(viaJSON));
    assert.match(r.object.metadata.name, /^web-[a-z0-9]{5}$/);
  }
  assert.notEqual(first.object.metadata.name, second.object.metadata.name);
  assert.notEqual(first.object.metadata.uid, second.object.metadata.uid);
  assert.deepEqual(viaJSON.spec.containers[0].resources.requests, { cpu: "1" }, "defaults applied");

  const named = await fixed.createStored(POD, "default", encodeStored("Pod", fromKubeJSON("Pod", { metadata: { name: "named" }, spec: template.spec }).message as object), "");
  assert.equal(named.object.metadata.name, "named");
  const invalid = encodeStored("Pod", fromKubeJSON("Pod", { metadata: { generateName: "bad-" }, spec: { containers: [{ name: "c" }] } }).message as object);
  for (let i = 0; i < 2; i++) assert.equal(await code(fixed.createStored(POD, "default", invalid, "")), 422, "no image: refused every time");
  const causes = (p: Promise<unknown>) => p.then(() => [], (e: ApiError) => e.status.details?.causes?.map((c) => ({ ...c, message: c.message?.replace(/Bad_[a-z0-9]{5}/, "Bad_*") })));
  const badPrefix = { metadata: { generateName: "Bad_" }, spec: template.spec };
  const want = await causes(fixed.create(POD, "default", structuredClone(badPrefix)));
  assert.ok(want?.some((c) => c.field === "metadata.generateName"));
  for (let i = 0; i < 2; i++) assert.deepEqual(await causes(fixed.createStored(POD, "default", bytesOf(badPrefix), "")), want);
  assert.equal(await code(fixed.createStored(POD, "default", encodeStored("ConfigMap", {}), "")), 400, "not a pod");
});

test("status write from a stored body - the sent message's status gives what its JSON gives; identity mismatches are 400; the pinned revision is a compare-and-swap", async () => {
  const now = "2024-05-01T00:00:00Z";
  const status = {
    phase: "Running", hostIP: "10.0.0.1", podIP: "10.244.0.5", podIPs: [{ ip: "10.244.0.5" }], startTime: now, qosClass: "Burstable",
    conditions: [{ type: "Ready", status: "True", lastTransitionTime: now }, { type: "PodScheduled", status: "True", lastTransitionTime: now }],
    containerStatuses: [{ name: "c", ready: true, started: true, restartCount: 0, image: "i", imageID: "", containerID: "sim://1", state: { running: { startedAt: now } } }],
  };
  const body = (o: any) => ({ metadata: { name: o.metadata.name, namespace: "default", uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion }, status });
  const bytes = (o: any) => encodeStored("Pod", fromKubeJSON("Pod", o).message as object);
  const a = (await registry.create(POD, "default", pod("sm1"))).object;
  const b = (await registry.create(POD, "default", pod("sm2"))).object;
  const viaJSON = await registry.update(POD, "default", "sm1", body(a), { subresource: "status" });
  const viaMessage = await registry.updateStatusStored(POD, "default", "sm2", bytes(body(b)), Number(b.metadata.resourceVersion));
  const stored = await store.get(viaMessage.stored!.key);
  assert.deepEqual(Buffer.from(stored!.value), Buffer.from(viaMessage.stored!.value));
  const rest = (o: any) => ({ ...o, metadata: { ...o.metadata, name: "x", uid: "x", resourceVersion: "x", creationTimestamp: "x" } });
  assert.deepEqual(rest(viaMessage.object), rest(viaJSON.object));
  assert.deepEqual(viaMessage.object.status, viaJSON.object.status);

  const again = await registry.updateStatusStored(POD, "default", "sm2", bytes(body(viaMessage.object)), 0);
  assert.equal(again.object.metadata.resourceVersion, viaMessage.object.metadata.resourceVersion, "unchanged: not written");
  assert.equal(await code(registry.updateStatusStored(POD, "default", "sm2", bytes(body(b)), Number(b.metadata.resourceVersion))), 409, "stale pin");
  assert.equal(await code(registry.updateStatusStored(POD, "default", "sm2", bytes({ metadata: { namespace: "other" }, status }), 0)), 400);
  assert.equal(await code(registry.updateStatusStored(POD, "default", "sm2", bytes({ metadata: { name: "sm1" }, status }), 0)), 400);
  assert.equal(await code(registry.updateStatusStored(POD, "default", "sm2", encodeStored("ConfigMap", {}), 0)), 400);
  assert.equal(await code(registry.updateStatusStored(POD, "default", "gone", bytes({ status }), 0)), 404);

  const node = await registry.updateStatusStored(NODE, "", "n1", encodeStored("Node", fromKubeJSON("Node", { status: { capacity: { cpu: "1", memory: "1Gi", pods: "2" } } }).message as object), 0);
  assert.deepEqual(node.object.status.allocatable, { cpu: "1", memory: "1Gi", pods: "2" }, "a kind with status defaults: defaulted");
});
