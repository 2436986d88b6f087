import { test } from "node:test";
import assert from "node:assert/strict";
import { CidrError, firstServiceIp, inCidr, parseCidr, randomServiceIp } from "./cluster-ip.js";

test("cluster ip - parses a CIDR to its network base and size", () => {
  assert.deepEqual(parseCidr("10.96.0.0/12"), { base: 0x0a600000, size: 2 ** 20 });
  assert.deepEqual(parseCidr("10.96.5.7/24"), { base: 0x0a600500, size: 256 });
  for (const bad of ["10.96.0.0", "10.96.0.0/33", "300.1.1.1/24", "x/24", "10.0.0.0/4"]) assert.throws(() => parseCidr(bad), CidrError, bad);
});

test("cluster ip - host addresses only; .1 is the kubernetes Service's", () => {
  const c = parseCidr("10.96.0.0/24");
  assert.equal(firstServiceIp(c), "10.96.0.1");
  assert.equal(inCidr("10.96.0.10", c), true);
  assert.equal(inCidr("10.96.0.0", c), false, "network address");
  assert.equal(inCidr("10.96.0.255", c), false, "broadcast address");
  assert.equal(inCidr("10.97.0.10", c), false);
  assert.equal(inCidr("nonsense", c), false);
  for (const r of [0, 0.5, 0.999999]) {
    const ip = randomServiceIp(c, () => r);
    assert.ok(inCidr(ip, c) && ip !== "10.96.0.1", ip);
  }
});
