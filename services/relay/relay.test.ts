// The relay against real NATS and Redis: what one read of the log returns goes out as few
// ChangeEventBatch messages, and each resource's events arrive complete and in revision order.
import "reflect-metadata";
import { test } from "node:test";
import assert from "node:assert/strict";
import { startNats, startRedis } from "../kernel/local-servers.js";
import { Bus, KINDS, loadConfig, subjects } from "../kernel/index.js";
import { waitFor } from "../kernel/testkit.js";
import { bus as busProto, type IChangeEvent } from "../schema/bus.js";
import { RedisStore } from "../store/index.js";
import { CURSOR_NAME, LEASE_NAME, Relay } from "./relay.js";
import { DEFAULT_CURSOR_POLICY } from "./decide.js";

test("relay - a backlog goes out in batches; per resource every event arrives once, in order", { timeout: 60_000 }, async () => {
  const nats = await startNats();
  const redis = await startRedis();
  const store = await RedisStore.connect(redis.url);
  const bus = await Bus.connect({ servers: nats.url, name: "relay-test" });
  const received: IChangeEvent[] = [];
  let messages = 0;
  const sub = bus.subscribe(
    subjects.changesAny(),
    (m) => {
      messages++;
      for (const e of busProto.ChangeEventBatch.decode(m.payload).events) received.push(e);
    },
    { expectKind: KINDS.ChangeEventBatch },
  );
  const enc = (s: string) => new TextEncoder().encode(s);
  let relay: Relay | undefined;
  try {
    // A backlog written before the relay starts: its first read returns all of it, pods and
    // configmaps interleaved, first in namespace a, then in b.
    for (let i = 0; i < 300; i++) {
      const ns = i < 150 ? "a" : "b";
      await store.create(i % 3 === 0 ? `/configmaps/${ns}/cm-${i}` : `/pods/${ns}/p-${i}`, enc(`v${i}`));
    }
    const config = { ...loadConfig({ NATS_URL: nats.url, REDIS_URL: redis.url, K8S_ACTOR_ID: "relay-test" }, { kind: "relay" }) };
    relay = new Relay(bus, store, config, { leaseMs: 600, cursor: DEFAULT_CURSOR_POLICY });
    await relay.start();
    await waitFor(() => received.length >= 300, "the backlog on the bus", 30_000);
    assert.equal(messages, 4, "one message per resource and namespace: pods/a, configmaps/a, pods/b, configmaps/b");
    // Written while the relay is caught up (blocking reads).
    for (let i = 300; i < 320; i++) await store.create(`/pods/a/p-${i}`, enc(`v${i}`));
    await waitFor(() => received.length >= 320, "the live writes on the bus", 30_000);

    const log = await store.events("/", 0);
    for (const resource of ["pods", "configmaps"]) {
      const want = log.filter((e) => e.key.startsWith(`/${resource}/`)).map((e) => `${e.revision}<${e.prevRevision}`);
      const got = received.filter((e) => e.resource === resource).map((e) => `${e.revision}<${e.prevRevision}`);
      assert.deepEqual(got, want, resource);
    }
  } finally {
    await relay?.stop();
    sub.unsubscribe();
    await bus.close();
    await store.close();
    await nats.stop();
    await redis.stop();
  }
});

test("relay - losing the lease stops publishing at once and leaves the cursor; the next leader re-publishes from it and its timer saves the cursor with no further events", { timeout: 60_000 }, async () => {
  const nats = await startNats();
  const redis = await startRedis();
  const store = await RedisStore.connect(redis.url);
  const bus = await Bus.connect({ servers: nats.url, name: "relay-lease-test" });
  const received: number[] = [];
  const sub = bus.subscribe(subjects.changesAny(), (m) => void received.push(...busProto.ChangeEventBatch.decode(m.payload).events.map((e) => Number(e.revision))), {
    expectKind: KINDS.ChangeEventBatch,
  });
  const enc = (s: string) => new TextEncoder().encode(s);
  const relayAs = (id: string, maxDelayMs: number) =>
    new Relay(bus, store, loadConfig({ NATS_URL: nats.url, REDIS_URL: redis.url, K8S_ACTOR_ID: id }, { kind: "relay" }), { leaseMs: 600, cursor: { maxEvents: 1_000_000, maxDelayMs } });
  const a = relayAs("relay-a", 600_000); // never saves by count or time: only a pass' end would
  let b: Relay | undefined;
  try {
    await a.start();
    await waitFor(() => a.isLeader, "relay-a leads");
    for (let i = 0; i < 10; i++) await store.create(`/pods/a/p-${i}`, enc(`v${i}`));
    await waitFor(() => received.length >= 10, "the first events on the bus");
    // Another holder takes the lease (as after relay-a's lease expired in a pause).
    await waitFor(async () => (await store.releaseLease(LEASE_NAME, "relay-a"), await store.tryAcquireLease(LEASE_NAME, "other", 60_000)), "the lease taken over");
    await waitFor(() => !a.isLeader, "relay-a standing by", 2000); // at its next renewal, a third of the lease later (slack for a loaded machine)
    for (let i = 10; i < 15; i++) await store.create(`/pods/a/p-${i}`, enc(`v${i}`));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(received.length, 10, "a relay without the lease publishes nothing");
    assert.equal(await store.getCursor(CURSOR_NAME), 0, "nor saves the cursor past what it published while leading");
    await a.stop();

    await store.releaseLease(LEASE_NAME, "other");
    b = relayAs("relay-b", 300);
    await b.start();
    const log = (await store.events("/", 0)).map((e) => e.revision);
    await waitFor(() => received.length >= 10 + log.length, "the log re-published from the saved cursor");
    assert.deepEqual(received.slice(10), log);
    await waitFor(async () => (await store.getCursor(CURSOR_NAME)) === log.at(-1), "the cursor saved by the timer, with no further events", 5000);
  } finally {
    await b?.stop();
    await a.stop();
    sub.unsubscribe();
    await bus.close();
    await store.close();
    await nats.stop();
    await redis.stop();
  }
});
