// The ReplicaSet controller's expectations against a real cluster (NATS, Redis, API server,
// relay): the controller runs in this process so that its pod informer can be made to lag
// (live pod events held back, then let through) and a create's reply can be lost (the pod is
// created, the controller is told the request timed out). A second, undelayed watch counts
// what really exists. Creates continue while earlier ones are unobserved, but the pods never
// exceed spec.replicas and never more than burstReplicas are outstanding.
import "reflect-metadata";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Bus, BusTimeoutError, logger, setLogLevel, systemClock } from "../services/kernel/index.js";
import { Informer, KubeClient, type Cached, type DecodeMeta, type InformerEvent, type InformerOptions, type KubeObject } from "../services/client/index.js";
import { lookupResourceByKind } from "../services/schema/index.js";
import { podViewDecoders, SharedInformers } from "../services/controllers/index.js";
import { ReplicaSetController } from "../services/controllers/replicaset/index.js";
import { startCluster, type TestCluster } from "./harness/cluster.js";

setLogLevel("error");
const NS = "rs-expect";
let cluster: TestCluster;
let bus: Bus;
let client: KubeClient;
let watch: Informer<KubeObject>;

/** Pod keys per controller uid, as the undelayed watch sees them, and the most ever at once. */
const podsByOwner = new Map<string, Set<string>>();
const maxPods = new Map<string, number>();

function track(c: Cached<KubeObject>, gone: boolean): void {
  const uid = (c.object.metadata.ownerReferences ?? [])[0]?.uid as string | undefined;
  if (!uid) return;
  let set = podsByOwner.get(uid);
  if (!set) podsByOwner.set(uid, (set = new Set()));
  if (gone) set.delete(c.key);
  else set.add(c.key);
  maxPods.set(uid, Math.max(maxPods.get(uid) ?? 0, set.size));
}
const podCount = (uid: string) => podsByOwner.get(uid)?.size ?? 0;

/**
 * FaultyClient: the real client, with a pod informer (decoding as the manager's informers do:
 * pod views) whose live events can be held back and let through (in order) later, and creates
 * whose reply can be dropped.
 */
class FaultyClient extends KubeClient {
  holdPodEvents = false;
  private held: InformerEvent[] = [];
  private deliver: ((events: readonly InformerEvent[]) => void) | undefined;
  /** Creates (0-based) that succeed in the API but report a timeout to the caller. */
  loseReplyOf = new Set<number>();
  creates = 0;

  override informerOf<T>(kind: string, decode: (value: Uint8Array, meta: DecodeMeta, previous: Cached<T> | undefined) => T, opts: InformerOptions = {}): Informer<T> {
    if (kind !== "Pod") return super.informerOf(kind, decode, opts);
    const info = lookupResourceByKind("Pod")!;
    const source = this.api.listWatch({ group: info.group, resource: info.resource }, info.storeResource);
    const lagging = {
      ...source,
      subscribe: (onEvents: (events: readonly InformerEvent[]) => void) => {
        this.deliver = onEvents;
        return source.subscribe((events) => (this.holdPodEvents ? this.held.push(...events) : onEvents(events)));
      },
    };
    const inf: Informer<T> = new Informer<T>(lagging, (v, meta) => decode(v, meta, inf.get(meta.key)), opts);
    return inf;
  }

  /** letThrough: deliver the first `n` held events (all by default), in order. */
  letThrough(n = Infinity): void {
    const batch = this.held.splice(0, n);
    if (batch.length > 0) this.deliver?.(batch);
  }

  get heldCount(): number {
    return this.held.length;
  }

  override async createFromTemplate(template: Readonly<KubeObject>): Promise<void> {
    const n = this.creates++;
    await super.createFromTemplate(template);
    if (this.loseReplyOf.has(n)) throw new BusTimeoutError("test.create", 1);
  }
}

async function until(what: () => string, cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function replicaSet(name: string, replicas: number): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name, namespace: NS },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "nginx" }] } } },
  };
}

/** Runs a ReplicaSet controller in this process on a FaultyClient (no periodic replay: a held event stays held). */
async function runController(opts: { burstReplicas: number }) {
  const faulty = new FaultyClient(bus);
  const informers = new SharedInformers(faulty, logger("test-informers"), 0, podViewDecoders());
  const controller = new ReplicaSetController({ backoff: { baseMs: 10, maxMs: 50 }, ...opts });
  await controller.start({ client: faulty, informers, log: logger("rs"), clock: systemClock });
  return {
    faulty,
    controller,
    async stop() {
      await controller.stop();
      informers.stop();
    },
  };
}

before(async () => {
  cluster = await startCluster({ apiservers: 1, relays: 1 });
  bus = await Bus.connect({ servers: cluster.nats.url, name: "replicaset-expectations-test" });
  client = new KubeClient(bus);
  await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
  watch = client.informer("Pod", { resyncCheckMs: 1000 });
  watch.addHandlers({ onAdd: (c) => track(c, false), onUpdate: (_o, c) => track(c, false), onDelete: (c) => track(c, true) });
  await watch.start();
});

after(async () => {
  watch?.stop();
  await bus?.close();
  await cluster?.stop();
});

test("replicaset expectations - a lagging informer: creates stop at burstReplicas outstanding, continue as they are observed, never overshoot", { timeout: 60_000 }, async () => {
  const { faulty, controller, stop } = await runController({ burstReplicas: 10 });
  try {
    faulty.holdPodEvents = true;
    const rs = await client.create(replicaSet("lag", 30));
    const uid = rs.metadata.uid;
    await until(() => `10 pods (have ${podCount(uid)})`, () => podCount(uid) === 10);
    await sleep(300); // syncs on the ReplicaSet's own events run meanwhile, on a cache without these pods
    assert.equal(podCount(uid), 10, "no more than burstReplicas outstanding while none is observed");
    assert.equal(controller.expectations!.outstanding(`${NS}/lag`).creations, 10);

    // Four observed: four more may be created, before the other six are observed.
    await until(() => `10 held events (have ${faulty.heldCount})`, () => faulty.heldCount >= 10);
    faulty.letThrough(4);
    await until(() => `14 pods (have ${podCount(uid)})`, () => podCount(uid) === 14);
    await sleep(200);
    assert.equal(podCount(uid), 14, "the window is full again");

    faulty.holdPodEvents = false;
    faulty.letThrough();
    await until(() => `30 pods (have ${podCount(uid)})`, () => podCount(uid) === 30);
    await until(() => "every create observed", () => controller.expectations!.satisfied(`${NS}/lag`));
    await sleep(200);
    assert.equal(podCount(uid), 30);
    assert.equal(maxPods.get(uid), 30, "never more pods than spec.replicas");
    assert.equal(controller.stats.creates, 30);
  } finally {
    await stop();
  }
});

test("replicaset expectations - a create whose reply is lost stays outstanding: the retry creates the rest, never a duplicate", { timeout: 60_000 }, async () => {
  const { faulty, controller, stop } = await runController({ burstReplicas: 500 });
  try {
    faulty.holdPodEvents = true;
    faulty.loseReplyOf.add(0); // the first create happens, its caller hears a timeout
    const rs = await client.create(replicaSet("lost", 5));
    const uid = rs.metadata.uid;
    await until(() => `5 pods (have ${podCount(uid)})`, () => podCount(uid) === 5);
    await sleep(300); // retries and ReplicaSet events keep syncing from a cache that shows none of them
    assert.equal(podCount(uid), 5, "the unknown create counts: no sixth pod");
    assert.equal(controller.stats.createErrors, 1);
    assert.equal(controller.expectations!.outstanding(`${NS}/lost`).creations, 5);

    faulty.holdPodEvents = false;
    faulty.letThrough();
    await until(() => "every create observed", () => controller.expectations!.satisfied(`${NS}/lost`));
    let status: unknown;
    for (const end = Date.now() + 15_000; ; await sleep(50)) {
      status = (await client.get("ReplicaSet", NS, "lost")).status;
      if ((status as { replicas?: number } | undefined)?.replicas === 5) break;
      if (Date.now() > end) assert.fail(`status replicas 5, have ${JSON.stringify(status)}`);
    }
    await sleep(200);
    assert.equal(podCount(uid), 5);
    assert.equal(maxPods.get(uid), 5, "never more pods than spec.replicas");
  } finally {
    await stop();
  }
});
