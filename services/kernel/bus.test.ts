import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { bus as proto } from "../schema/bus.js";
import { Actor } from "./actor.js";
import { Bus, BusClosedError, BusTimeoutError, NoRespondersError, RemoteError } from "./bus.js";
import { EnvelopeError, KINDS, unwrap, wrap } from "./envelope.js";
import { startNats, type LocalServer } from "./local-servers.js";
import * as subjects from "./subjects.js";
import { captureLogs, waitFor, type CapturedLogs } from "./testkit.js";

let nats: LocalServer;
let logs: CapturedLogs;
const buses: Bus[] = [];

async function newBus(name: string): Promise<Bus> {
  const b = await Bus.connect({ servers: nats.url, name });
  buses.push(b);
  return b;
}

before(async () => {
  logs = captureLogs();
  nats = await startNats();
});

after(async () => {
  for (const b of buses) await b.close();
  await nats.stop();
  logs.restore();
});

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

test("bus - request/reply returns the reply payload; errors come back typed", async () => {
  const server = await newBus("server");
  const client = await newBus("client");
  const subject = subjects.api("apps", "deployments.apps", "get");
  server.subscribe(subject, (m) => {
    const text = dec(m.payload);
    if (text === "missing") m.respondError({ code: 404, reason: "NotFound", message: "deployments.apps \"x\" not found" });
    else if (text === "throw") throw new Error("handler bug");
    else if (text === "wrong") m.respond(KINDS.ChangeEventBatch, m.payload);
    else m.respond(KINDS.ApiResponse, enc(`echo:${text}`));
  });
  await server.flush();

  assert.equal(dec(await client.request(subject, KINDS.ApiRequest, enc("hi"), { expectKind: KINDS.ApiResponse })), "echo:hi");
  await assert.rejects(client.request(subject, KINDS.ApiRequest, enc("missing")), (e: unknown) => e instanceof RemoteError && e.code === 404 && e.reason === "NotFound");
  await assert.rejects(client.request(subject, KINDS.ApiRequest, enc("throw")), (e: unknown) => e instanceof RemoteError && e.code === 500 && /handler bug/.test(e.detail));
  await assert.rejects(client.request(subject, KINDS.ApiRequest, enc("wrong"), { expectKind: KINDS.ApiResponse }), (e: unknown) => e instanceof EnvelopeError && e.reason === "wrong-kind");
  assert.equal(dec(await client.request(subject, KINDS.ApiRequest, enc("again"))), "echo:again", "still serving after a handler exception");
  assert.equal(server.stats().handlerErrors, 1);
  assert.ok(logs.records.some((r) => r.msg === "handler failed" && (r.err as { message?: string })?.message === "handler bug"));
});

test("bus - a queue group hands each message to exactly one member", async () => {
  const members = [await newBus("q1"), await newBus("q2"), await newBus("q3")];
  const publisher = await newBus("pub");
  const subject = subjects.node("node-1", "work");
  const seen = new Map<string, number>();
  const perMember = [0, 0, 0];
  members.forEach((b, i) =>
    b.subscribe(
      subject,
      (m) => {
        const id = dec(m.payload);
        seen.set(id, (seen.get(id) ?? 0) + 1);
        perMember[i]!++;
      },
      { queue: "workers" },
    ),
  );
  // A plain subscriber (not in the group) sees every message.
  let plain = 0;
  publisher.subscribe(subject, () => void plain++);
  await Promise.all([...members, publisher].map((b) => b.flush()));

  const N = 300;
  for (let i = 0; i < N; i++) publisher.publish(subject, KINDS.ChangeEventBatch, enc(`m${i}`));
  await publisher.flush();
  await waitFor(() => [...seen.values()].reduce((a, b) => a + b, 0) >= N && plain >= N, "all messages delivered");
  await Promise.all(members.map((b) => b.flush()));
  assert.equal(seen.size, N);
  assert.ok([...seen.values()].every((c) => c === 1), "no message handled twice");
  assert.equal(perMember.reduce((a, b) => a + b, 0), N);
  assert.ok(perMember.filter((c) => c > 0).length >= 2, `work spread over members: ${perMember}`);
  assert.equal(plain, N);
});

test("bus - no responders, timeout and closed connection are typed errors", async () => {
  const client = await newBus("errs");
  await assert.rejects(client.request("k8s.api.core.nobody.get", KINDS.ApiRequest, enc("x"), { timeoutMs: 2000 }), NoRespondersError);

  const server = await newBus("silent");
  server.subscribe("k8s.api.core.silent.get", () => {
    /* never answers */
  });
  await server.flush();
  await assert.rejects(
    client.request("k8s.api.core.silent.get", KINDS.ApiRequest, enc("x"), { timeoutMs: 150 }),
    (e: unknown) => e instanceof BusTimeoutError && e.timeoutMs === 150,
  );

  const closing = await Bus.connect({ servers: nats.url, name: "closing" });
  await closing.close();
  assert.throws(() => closing.publish("k8s.x", KINDS.ChangeEventBatch, enc("x")), BusClosedError);
  await assert.rejects(closing.request("k8s.x", KINDS.ApiRequest, enc("x")), BusClosedError);
});

class EchoActor extends Actor {
  served = 0;
  protected async onStart(): Promise<void> {
    this.subscribe(
      subjects.actor(this.id, "echo"),
      (m) => {
        const req = proto.ApiRequest.decode(m.payload);
        this.served++;
        if (m.isRequest) m.respond("EchoReply", enc(req.name));
      },
      { expectKind: KINDS.ApiRequest },
    );
  }
}

test("bus - bad input is logged as a typed error and the actor keeps serving", async () => {
  const actorBus = await newBus("actor");
  const client = await newBus("good-client");
  const actor = new EchoActor({ id: "echo-1", kind: "echo", bus: actorBus });
  await actor.start();
  await actorBus.flush();
  const subject = subjects.actor("echo-1", "echo");
  const raw: NatsConnection = await connect({ servers: nats.url, name: "raw" });

  const good = async (name: string) => {
    const reply = await client.request(subject, KINDS.ApiRequest, proto.ApiRequest.encode({ name }).finish(), { expectKind: "EchoReply" });
    assert.equal(dec(reply), name);
  };
  const statusOf = (data: Uint8Array) => {
    const u = unwrap(data, KINDS.BusStatus);
    return proto.BusStatus.decode(u.payload);
  };

  await good("before");
  const bad: Array<{ what: string; bytes: Uint8Array; error: string; code: number }> = [
    { what: "garbage", bytes: enc("\u00ff\u00fe not a protobuf envelope at all"), error: "EnvelopeError", code: 400 },
    { what: "wrong kind", bytes: wrap(KINDS.ChangeEventBatch, proto.ChangeEvent.encode({ name: "x" }).finish()), error: "EnvelopeError", code: 400 },
    { what: "unknown version", bytes: proto.Envelope.encode({ version: 99, kind: KINDS.ApiRequest, payload: new Uint8Array(0) }).finish(), error: "EnvelopeError", code: 400 },
    { what: "oversize", bytes: new Uint8Array(5 * 1024 * 1024).fill(7), error: "OversizeError", code: 413 },
  ];
  for (const b of bad) {
    const before = logs.withError(b.error).length;
    raw.publish(subject, b.bytes); // as an event
    const reply = await raw.request(subject, b.bytes, { timeout: 5000 }); // as a request: answered with a BusStatus
    assert.equal(statusOf(reply.data).code, b.code, b.what);
    await waitFor(() => logs.withError(b.error).length >= before + 2, `${b.what} logged twice`);
    await good(`after ${b.what}`);
  }
  assert.equal(actor.state, "running");
  assert.equal(actorBus.stats().dropped, bad.length * 2);
  assert.equal(actor.served, 1 + bad.length);
  const rec = logs.withError("EnvelopeError").find((r) => r.subject === subject);
  assert.ok(rec && rec.level === "warn" && (rec.err as { reason?: string }).reason, "typed error fields are logged");
  await actor.stop();
  await raw.close();
});

test("bus - reconnects after a nats-server restart and serves again", async () => {
  const server = await newBus("rc-server");
  const client = await newBus("rc-client");
  const subject = subjects.api("", "pods", "get");
  server.subscribe(subject, (m) => void m.respond(KINDS.ApiResponse, m.payload), { queue: subjects.QUEUE_APISERVER });
  await server.flush();
  assert.equal(dec(await client.request(subject, KINDS.ApiRequest, enc("one"))), "one");

  let serverReconnects = 0;
  let clientReconnects = 0;
  let disconnects = 0;
  server.onReconnect(() => serverReconnects++);
  client.onReconnect(() => clientReconnects++);
  server.onDisconnect(() => disconnects++);
  await nats.restart();
  await waitFor(() => serverReconnects > 0 && clientReconnects > 0, "both buses reconnected", 20_000);
  await server.flush(); // the re-sent subscription is registered with the server
  assert.equal(dec(await client.request(subject, KINDS.ApiRequest, enc("two"))), "two");
  assert.ok(disconnects >= 1);
  assert.equal(server.stats().reconnects, serverReconnects);
  assert.ok(logs.records.some((r) => r.msg === "reconnected"));
});
