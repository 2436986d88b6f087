import { test } from "node:test";
import assert from "node:assert/strict";
import { FAST_LEADER_ELECTION } from "../client/index.js";
import { InvalidLeaderElectionConfigError, leaderTimingsFromEnv } from "./leader-config.js";

test("leader timings - defaults to FAST_LEADER_ELECTION", () => {
  assert.deepEqual(leaderTimingsFromEnv({}), FAST_LEADER_ELECTION);
  assert.deepEqual(leaderTimingsFromEnv({ K8S_LEADER_LEASE_MS: " " }), FAST_LEADER_ELECTION);
});

test("leader timings - env overrides each value", () => {
  assert.deepEqual(leaderTimingsFromEnv({ K8S_LEADER_LEASE_MS: "2000", K8S_LEADER_RENEW_MS: "1500", K8S_LEADER_RETRY_MS: "200" }), {
    leaseDurationMs: 2000,
    renewDeadlineMs: 1500,
    retryPeriodMs: 200,
  });
  assert.equal(leaderTimingsFromEnv({ K8S_LEADER_LEASE_MS: "10000" }).leaseDurationMs, 10000);
});

test("leader timings - rejects bad values and bad order", () => {
  const bad: Array<Record<string, string>> = [
    { K8S_LEADER_LEASE_MS: "abc" },
    { K8S_LEADER_LEASE_MS: "-1" },
    { K8S_LEADER_RETRY_MS: "1.5" },
    { K8S_LEADER_LEASE_MS: "1000" }, // renew 3000 > lease 1000
    { K8S_LEADER_RETRY_MS: "3000" }, // retry == renew
  ];
  for (const env of bad) assert.throws(() => leaderTimingsFromEnv(env), InvalidLeaderElectionConfigError, JSON.stringify(env));
});
