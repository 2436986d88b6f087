// Bad input (issue 2): corrupt and unknown-version values in Redis, hostile bus messages and
// bad API requests each give a typed error, change nothing, and the actors keep running.
import "reflect-metadata";
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNats, startRedis } from "../services/kernel/local-servers.js";
import { Bus, KINDS, RemoteError, subjects, wrap } from "../services/kernel/index.js";
import { ApiClient, Informer } from "../services/client/index.js";
import { RedisStore } from "../services/store/index.js";
import { decodeStored, encodeStored, STORED_MAGIC } from "../services/schema/index.js";
import { bus as busProto } from "../services/schema/bus.js";
import { spawnActor } from "./harness/actor-process.js";

const REF = { group: "", resource: "configmaps" };
const cm = (name: string) => encodeStored("ConfigMap", { metadata: { name, namespace: "default" }, data: { a: "1" } });

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

test("bad input - typed errors, nothing changed, actors keep serving", { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "bad-input-"));
  const redis = await startRedis();
  const nats = await startNats();
  const env = { NATS_URL: nats.url, REDIS_URL: redis.url, LOG_LEVEL: "info" };
  const apiLog = join(dir, "api.log");
  const relay = spawnActor("relay", "relay-1", env, join(dir, "relay.log"));
  const apiserver = spawnActor("apiserver", "apiserver-1", env, apiLog);
  const store = await RedisStore.connect(redis.url);
  const bus = await Bus.connect({ servers: nats.url, name: "bad-input-test" });
  const api = new ApiClient(bus, 5000);
  const decodeErrors: unknown[] = [];
  const informer = new Informer(api.listWatch(REF, "configmaps"), (v) => decodeStored(v).message, {
    resyncCheckMs: 1000,
    onError: (err) => decodeErrors.push(err),
  });
  try {
    await informer.start();

    await t.test("corrupt and unknown-version values in Redis reach an informer as typed errors", async () => {
      await store.create("/configmaps/default/corrupt", new TextEncoder().encode("not a stored value"));
      const unknownVersion = new Uint8Array([...STORED_MAGIC, 99, 1, 2, 3]);
      await store.create("/configmaps/default/future", unknownVersion);
      await api.create(REF, "default", "good", cm("good"));
      await until(() => informer.get("/configmaps/default/good") !== undefined && decodeErrors.length >= 2);
      // (the informer also reports NoResponders while the API server was still starting)
      const names = decodeErrors.map((e) => (e as Error).name).filter((n) => /Value|Version/.test(n)).sort();
      assert.deepEqual(names, ["CorruptValueError", "UnsupportedVersionError"]);
      assert.ok(informer.get("/configmaps/default/good"), "the informer kept applying events after the bad values");
    });

    await t.test("the API refuses bad values with 400 and the store is unchanged", async () => {
      const before = await store.currentRevision();
      const cases: Array<[string, Uint8Array]> = [
        ["garbage", new TextEncoder().encode("{}")],
        ["unknown version", new Uint8Array([...STORED_MAGIC, 7])],
        ["wrong kind", encodeStored("Secret", { metadata: { name: "x", namespace: "default" } })],
        ["empty", new Uint8Array()],
      ];
      for (const [what, value] of cases) {
        await assert.rejects(api.create(REF, "default", `bad-${what.replace(/ /g, "-")}`, value), (e: unknown) => e instanceof RemoteError && e.code === 400, what);
      }
      await assert.rejects(api.create({ group: "", resource: "nosuchthings" }, "default", "x", cm("x")), (e: unknown) => e instanceof RemoteError && e.code === 404);
      await assert.rejects(api.create(REF, "", "x", cm("x")), (e: unknown) => e instanceof RemoteError && e.code === 400);
      assert.equal(await store.currentRevision(), before, "a rejected request changed the store");
    });

    await t.test("hostile bus messages get 4xx replies and the API server keeps serving", async () => {
      const subject = subjects.api("", "configmaps", "create");
      const hostile: Array<[string, Uint8Array, number]> = [
        ["raw garbage", new Uint8Array([1, 2, 3, 4, 5]), 400],
        ["wrong envelope kind", wrap(KINDS.ChangeEventBatch, new Uint8Array([8, 1])), 400],
        ["undecodable request", wrap(KINDS.ApiRequest, new Uint8Array([0xff, 0xff, 0xff])), 400],
        ["oversized", new Uint8Array(5 * 1024 * 1024), 413],
      ];
      for (const [what, bytes, code] of hostile) {
        const reply = await bus.nats.request(subject, bytes, { timeout: 5000 });
        const { payload } = (await import("../services/kernel/index.js")).unwrap(reply.data, KINDS.BusStatus);
        assert.equal(busProto.BusStatus.decode(payload).code, code, what);
      }
      // Still serving, and still the same process.
      const ok = await api.create(REF, "default", "after-hostile", cm("after-hostile"));
      assert.ok(ok.modRevision > 0);
      assert.ok(apiserver.alive() && relay.alive());
      const log = readFileSync(apiLog, "utf8");
      assert.match(log, /EnvelopeError/);
      assert.match(log, /OversizeError/);
    });
  } finally {
    informer.stop();
    await bus.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    await relay.kill();
    await apiserver.kill();
    await nats.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
