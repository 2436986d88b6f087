import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { SpanKind } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { Bus } from "./bus.js";
import { KINDS } from "./envelope.js";
import { startNats, type LocalServer } from "./local-servers.js";
import { logger } from "./log.js";
import * as subjects from "./subjects.js";
import { captureLogs, waitFor, type CapturedLogs } from "./testkit.js";
import { extractCarrier, initTracing, injectCarrier, withSpan, type TracingHandle } from "./tracing.js";

let nats: LocalServer;
let logs: CapturedLogs;
let tracing: TracingHandle;
const exporter = new InMemorySpanExporter();
let client: Bus;
let server: Bus;

before(async () => {
  logs = captureLogs();
  tracing = await initTracing({ serviceName: "kernel-test", spanProcessors: [new SimpleSpanProcessor(exporter)] });
  nats = await startNats();
  // Two separate connections: the context can only cross through NATS headers.
  client = await Bus.connect({ servers: nats.url, name: "trace-client" });
  server = await Bus.connect({ servers: nats.url, name: "trace-server" });
});

after(async () => {
  await client.close();
  await server.close();
  await nats.stop();
  await tracing.shutdown();
  logs.restore();
});

const spanNamed = (name: string): ReadableSpan | undefined => exporter.getFinishedSpans().find((s) => s.name === name);

test("tracing - a span started before a request is the parent of the handler's span across NATS", async () => {
  assert.equal(tracing.recording, true);
  const subject = subjects.api("", "pods", "get");
  let handlerTraceId = "";
  server.subscribe(subject, (m) => {
    handlerTraceId = String(logsTraceId());
    m.respond(KINDS.ApiResponse, m.payload);
  });
  await server.flush();

  await withSpan("kubectl get pod", () => client.request(subject, KINDS.ApiRequest, new Uint8Array([1])));
  await waitFor(() => spanNamed("api ApiRequest") !== undefined, "handler span exported");

  const clientSpan = spanNamed("kubectl get pod")!;
  const handlerSpan = spanNamed("api ApiRequest")!;
  assert.ok(clientSpan, "client span exported");
  assert.equal(handlerSpan.spanContext().traceId, clientSpan.spanContext().traceId, "same trace");
  assert.equal(handlerSpan.parentSpanContext?.spanId, clientSpan.spanContext().spanId, "handler's parent is the client span");
  assert.equal(handlerSpan.parentSpanContext?.isRemote, true, "parent came from the other side of NATS");
  assert.equal(handlerSpan.kind, SpanKind.SERVER);
  assert.equal(handlerSpan.attributes["messaging.destination.name"], subject);
  assert.equal(handlerTraceId, clientSpan.spanContext().traceId, "logs inside the handler carry the trace id");
});

test("tracing - events carry context too; a message without context starts a new trace", async () => {
  const subject = subjects.changes("deployments.apps", "default");
  let got = 0;
  server.subscribe(subjects.changesAll("deployments.apps"), () => void got++);
  await server.flush();
  await withSpan("relay publish", async () => {
    client.publish(subject, KINDS.ChangeEventBatch, new Uint8Array([1]));
  });
  client.publish(subject, KINDS.ChangeEventBatch, new Uint8Array([2])); // no active span
  await client.flush();
  await waitFor(() => exporter.getFinishedSpans().filter((s) => s.name === "changes ChangeEventBatch").length === 2, "two consumer spans");

  const relay = spanNamed("relay publish")!;
  const consumers = exporter.getFinishedSpans().filter((s) => s.name === "changes ChangeEventBatch");
  assert.equal(got, 2);
  assert.ok(consumers.every((s) => s.kind === SpanKind.CONSUMER));
  const child = consumers.find((s) => s.spanContext().traceId === relay.spanContext().traceId);
  const orphan = consumers.find((s) => s.spanContext().traceId !== relay.spanContext().traceId);
  assert.equal(child?.parentSpanContext?.spanId, relay.spanContext().spanId);
  assert.ok(orphan && orphan.parentSpanContext === undefined, "no header, no parent");
});

test("tracing - a carrier map round-trips the context (for store annotations)", async () => {
  let carrier: Record<string, string> = {};
  let traceId = "";
  withSpan("write", (span) => {
    carrier = injectCarrier();
    traceId = span.spanContext().traceId;
  });
  assert.match(carrier.traceparent ?? "", /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  withSpan("later", (span) => assert.equal(span.spanContext().traceId, traceId), undefined, { parent: extractCarrier(carrier) });
});

function logsTraceId(): unknown {
  const before = logs.records.length;
  // Any log line written inside the handler is stamped with the active trace id.
  logger("probe").info("inside handler");
  return logs.records[before]?.traceId;
}

test("tracing - with nothing consuming spans they are not recorded, but traceparent still flows", () => {
  // initTracing installs once per process: check the no-consumer setup in a fresh process.
  const script = `
    const { initTracing, withSpan, injectCarrier, extractCarrier } = await import(${JSON.stringify(new URL("./tracing.js", import.meta.url).href)});
    const t = await initTracing({ serviceName: "no-consumer" });
    let carrier = {}, parentTrace = "", childTrace = "";
    withSpan("write", (s) => { carrier = injectCarrier(); parentTrace = s.spanContext().traceId; });
    withSpan("later", (s) => { childTrace = s.spanContext().traceId; }, undefined, { parent: extractCarrier(carrier) });
    console.log(JSON.stringify({ recording: t.recording, traceparent: carrier.traceparent, same: parentTrace === childTrace }));`;
  const out = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: "" } });
  assert.equal(out.status, 0, out.stderr);
  const r = JSON.parse(out.stdout.trim().split("\n").pop()!);
  assert.equal(r.recording, false);
  assert.match(r.traceparent ?? "", /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  assert.equal(r.same, true, "the trace id crosses the carrier");
});

test("tracing - with nothing recording spans, the sender's trace crosses the bus into the handler and on to what it sends", () => {
  // A fresh process: no span processor, so the synchronous context manager is installed.
  const mod = (f: string) => JSON.stringify(new URL(f, import.meta.url).href);
  const script = `
    const { context, trace } = await import("@opentelemetry/api");
    const { initTracing, withSpan } = await import(${mod("./tracing.js")});
    const { Bus } = await import(${mod("./bus.js")});
    const t = await initTracing({ serviceName: "no-consumer-bus" });
    const traceId = () => trace.getSpanContext(context.active())?.traceId ?? "";
    const a = await Bus.connect({ servers: ${JSON.stringify(nats.url)}, name: "a" });
    const b = await Bus.connect({ servers: ${JSON.stringify(nats.url)}, name: "b" });
    const seen = {};
    const second = new Promise((res) => a.subscribe("k8s.test.second", async () => { seen.second = traceId(); res(); }));
    b.subscribe("k8s.test.first", async () => { seen.first = traceId(); b.publish("k8s.test.second", "Probe", new Uint8Array([2])); });
    await a.flush(); await b.flush();
    withSpan("send", (s) => { seen.sent = s.spanContext().traceId; a.publish("k8s.test.first", "Probe", new Uint8Array([1])); });
    await second;
    await a.close(); await b.close();
    console.log(JSON.stringify({ recording: t.recording, ...seen }));`;
  const out = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: "" }, timeout: 20_000 });
  assert.equal(out.status, 0, out.stderr);
  const r = JSON.parse(out.stdout.trim().split("\n").pop()!);
  assert.equal(r.recording, false);
  assert.match(r.sent, /^[0-9a-f]{32}$/);
  assert.equal(r.first, r.sent, "the handler runs in the sender's trace");
  assert.equal(r.second, r.sent, "what the handler publishes carries that trace on");
});
