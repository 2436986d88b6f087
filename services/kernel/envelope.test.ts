import { test } from "node:test";
import assert from "node:assert/strict";
import { bus } from "../schema/bus.js";
import { decodeAs, ENVELOPE_VERSION, EnvelopeError, KINDS, OversizeError, unwrap, wrap } from "./envelope.js";

test("envelope - wrap then unwrap returns kind and payload", () => {
  const payload = bus.ApiRequest.encode({ verb: "get", resource: "pods", name: "web" }).finish();
  const u = unwrap(wrap(KINDS.ApiRequest, payload), KINDS.ApiRequest);
  assert.equal(u.kind, KINDS.ApiRequest);
  assert.equal(u.version, ENVELOPE_VERSION);
  assert.deepEqual(bus.ApiRequest.decode(u.payload).name, "web");
  assert.equal(unwrap(wrap("X", new Uint8Array(0))).payload.length, 0);
});

test("envelope - garbage bytes are EnvelopeError undecodable", () => {
  for (const bytes of [new TextEncoder().encode("hello world, not protobuf"), new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]), new Uint8Array(0)]) {
    assert.throws(() => unwrap(bytes), (e: unknown) => e instanceof EnvelopeError && e.reason === "undecodable");
  }
});

test("envelope - wrong kind and unknown version are typed", () => {
  const wrong = wrap(KINDS.ChangeEventBatch, new Uint8Array([1]));
  assert.throws(() => unwrap(wrong, KINDS.ApiRequest), (e: unknown) => e instanceof EnvelopeError && e.reason === "wrong-kind" && e.kind === KINDS.ChangeEventBatch);
  assert.equal(unwrap(wrong, [KINDS.ApiRequest, KINDS.ChangeEventBatch]).kind, KINDS.ChangeEventBatch);
  const v2 = bus.Envelope.encode({ version: 2, kind: KINDS.ApiRequest, payload: new Uint8Array(0) }).finish();
  assert.throws(() => unwrap(v2, KINDS.ApiRequest), (e: unknown) => e instanceof EnvelopeError && e.reason === "unknown-version");
});

test("envelope - oversize is refused on both sides", () => {
  assert.throws(() => wrap("X", new Uint8Array(2048), 1024), (e: unknown) => e instanceof OversizeError && e.max === 1024 && e.size > 2048);
  const big = wrap("X", new Uint8Array(2048));
  assert.throws(() => unwrap(big, "X", 1024), OversizeError);
});

test("envelope - decodeAs turns a payload decode failure into EnvelopeError undecodable-payload", () => {
  assert.throws(
    () => decodeAs(bus.ApiRequest, KINDS.ApiRequest, new Uint8Array([0x0a, 0xff])),
    (e: unknown) => e instanceof EnvelopeError && e.reason === "undecodable-payload" && e.cause instanceof Error,
  );
});

test("envelope - wrap writes exactly what the generated encoder writes", () => {
  for (const kind of [KINDS.ApiRequest, KINDS.ChangeEventBatch, "", "ünïcødé-名前"]) {
    for (const size of [0, 1, 127, 128, 300, 70_000]) {
      const payload = Uint8Array.from({ length: size }, (_, i) => (i * 31) & 255);
      assert.deepEqual(wrap(kind, payload), new Uint8Array(bus.Envelope.encode({ version: ENVELOPE_VERSION, kind, payload }).finish()), `${kind} / ${size} bytes`);
    }
  }
});
