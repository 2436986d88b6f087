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
import { Relay } from "./relay.js";
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
