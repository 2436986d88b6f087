import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, loadConfig, requireRedisUrl } from "./config.js";

test("config - reads a valid environment", () => {
  const c = loadConfig({ NATS_URL: "nats://127.0.0.1:4222, nats://127.0.0.1:4223", REDIS_URL: "redis://127.0.0.1:6379", K8S_ACTOR_ID: "sched-1", LOG_LEVEL: "DEBUG" }, { kind: "scheduler" });
  assert.deepEqual(c.natsServers, ["nats://127.0.0.1:4222", "nats://127.0.0.1:4223"]);
  assert.equal(c.actorId, "sched-1");
  assert.equal(c.logLevel, "debug");
  assert.equal(c.serviceName, "k8s-scheduler");
  assert.equal(requireRedisUrl(c), "redis://127.0.0.1:6379");
});

test("config - every problem is reported with its fix", () => {
  try {
    loadConfig({ LOG_LEVEL: "loud", K8S_MAX_PAYLOAD: "12", REDIS_URL: "http://x" });
    assert.fail("expected ConfigError");
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.problems.length, 4);
    assert.match(err.message, /NATS_URL is not set: set NATS_URL=nats:\/\//);
    assert.match(err.message, /LOG_LEVEL "loud" is unknown: use one of/);
  }
  const c = loadConfig({ NATS_URL: "nats://h:1" }, { kind: "x" });
  assert.match(c.actorId, /^x-/);
  assert.throws(() => requireRedisUrl(c), /REDIS_URL is not set: set REDIS_URL=/);
});
