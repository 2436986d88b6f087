/**
 * tracing: OpenTelemetry helpers shared by every actor.
 *
 * Trace context crosses NATS in message headers (W3C `traceparent`/`tracestate`) and
 * crosses the store in a plain string map ({@link injectCarrier}/{@link extractCarrier}).
 * {@link initTracing} installs the W3C propagator, a context manager and a tracer provider;
 * spans are exported over OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT is set and an OTLP
 * exporter package is installed. Everything works (no-op) without it.
 *
 * Context scope: while spans are recorded, the active context follows async continuations
 * (AsyncLocalStorage). While nothing records them (the default), it follows synchronous calls
 * only ({@link SyncContextManager}): AsyncLocalStorage's promise hooks cost every promise of
 * every actor a few percent of its CPU, for trace ids nobody collects. Trace context still
 * crosses the bus: `context.with` covers the synchronous part of a handler (where the API
 * client captures it for its requests), and a batch item carries its caller's context.
 *
 * @example
 * ```ts
 * await initTracing({ serviceName: "k8s-scheduler" });
 * await withSpan("schedule", async (span) => { span.setAttribute("pod", key); ... });
 * ```
 */
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type ContextManager,
  type Span,
  type Tracer,
} from "@opentelemetry/api";
import type { MsgHdrs } from "@nats-io/transport-node";
import { logger, type Logger } from "./log.js";

/** Name of the kernel's own tracer. */
export const KERNEL_TRACER = "k8s-kernel";

/** tracer returns the named tracer from the global provider (no-op until initTracing). */
export function tracer(name: string = KERNEL_TRACER): Tracer {
  return trace.getTracer(name);
}

/** Options for {@link withSpan}. */
export interface SpanOptions {
  kind?: SpanKind;
  tracerName?: string;
  /** Parent context (default: the active one). */
  parent?: Context;
}

/**
 * withSpan runs `fn` inside a new active span, records a thrown error (status ERROR) and
 * ends the span when `fn` settles. Returns what `fn` returns.
 */
export function withSpan<T>(name: string, fn: (span: Span) => T, attrs?: Attributes, opts: SpanOptions = {}): T {
  const parent = opts.parent ?? context.active();
  return tracer(opts.tracerName).startActiveSpan(name, { kind: opts.kind ?? SpanKind.INTERNAL, attributes: attrs }, parent, (span) => {
    const fail = (err: unknown) => {
      recordError(span, err);
      span.end();
    };
    try {
      const out = fn(span);
      if (out instanceof Promise) {
        return out.then(
          (v) => {
            span.end();
            return v;
          },
          (err) => {
            fail(err);
            throw err;
          },
        ) as T;
      }
      span.end();
      return out;
    } catch (err) {
      fail(err);
      throw err;
    }
  });
}

/** recordError marks a span failed with the error's name and message. */
export function recordError(span: Span, err: unknown): void {
  if (err instanceof Error) {
    span.recordException(err);
    span.setStatus({ code: SpanStatusCode.ERROR, message: `${err.name}: ${err.message}` });
  } else {
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
  }
}

/** injectHeaders writes the context's trace headers (traceparent, tracestate) into NATS headers. */
export function injectHeaders(h: MsgHdrs, ctx: Context = context.active()): void {
  propagation.inject(ctx, h, { set: (c, k, v) => c.set(k, v) });
}

/** extractHeaders reads a trace context from NATS headers (ROOT_CONTEXT-based; empty when absent). */
export function extractHeaders(h: MsgHdrs | undefined): Context {
  if (!h) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, h, {
    keys: (c) => (c ? c.keys() : []),
    get: (c, k) => (c?.has(k) ? c.get(k) : undefined),
  });
}

/** injectCarrier returns the context's trace headers as a plain map (for store annotations). */
export function injectCarrier(ctx: Context = context.active()): Record<string, string> {
  const out: Record<string, string> = {};
  propagation.inject(ctx, out);
  return out;
}

/** extractCarrier reads a trace context from a plain map written by {@link injectCarrier}. */
export function extractCarrier(carrier: Record<string, string> | undefined): Context {
  return carrier ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
}

/**
 * SyncContextManager: `with(ctx, fn)` makes `ctx` active while `fn` runs synchronously and
 * restores the previous context when it returns (or returns a promise). No async hooks:
 * code after an `await` sees the context that is active when it resumes (ROOT_CONTEXT from
 * the event loop).
 */
export class SyncContextManager implements ContextManager {
  private current: Context = ROOT_CONTEXT;

  active(): Context {
    return this.current;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const prev = this.current;
    this.current = ctx;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.current = prev;
    }
  }

  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== "function") return target;
    const fn = target as unknown as (...args: unknown[]) => unknown;
    const mgr = this;
    return function (this: unknown, ...args: unknown[]) {
      return mgr.with(ctx, fn, this, ...args);
    } as unknown as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.current = ROOT_CONTEXT;
    return this;
  }
}

/** Options for {@link initTracing}. */
export interface TracingOptions {
  serviceName: string;
  /** Extra span processors (tests pass a SimpleSpanProcessor over an InMemorySpanExporter). */
  spanProcessors?: unknown[];
  /** OTLP endpoint; default OTEL_EXPORTER_OTLP_ENDPOINT. */
  otlpEndpoint?: string;
  logger?: Logger;
}

/** Handle returned by {@link initTracing}. */
export interface TracingHandle {
  /** True when spans are recorded (an exporter or a span processor consumes them). */
  readonly recording: boolean;
  /** True when spans are exported over OTLP. */
  readonly exporting: boolean;
  /** Flush pending spans. */
  forceFlush(): Promise<void>;
  /** Flush and stop exporting. */
  shutdown(): Promise<void>;
}

let installed: TracingHandle | undefined;

/** spansRecorded: false only when initTracing installed a provider that records nothing (true before: unknown). */
export function spansRecorded(): boolean {
  return installed?.recording ?? true;
}

// Optional packages are loaded by name at runtime so a production install without them still runs.
async function optionalImport(name: string): Promise<any> {
  try {
    return await import(name);
  } catch {
    return undefined;
  }
}

/**
 * initTracing installs (once per process) the W3C trace-context + baggage propagator, a
 * context manager (AsyncLocalStorage when spans are recorded, else {@link SyncContextManager})
 * and a tracer provider. A second call returns the first handle. Missing optional SDK
 * packages are logged in one line and tracing stays a no-op.
 */
export async function initTracing(opts: TracingOptions): Promise<TracingHandle> {
  if (installed) return installed;
  const log = opts.logger ?? logger("tracing");
  const core = await optionalImport("@opentelemetry/core");
  const hooks = await optionalImport("@opentelemetry/context-async-hooks");
  const sdk = await optionalImport("@opentelemetry/sdk-trace-base");
  if (core) {
    propagation.setGlobalPropagator(
      new core.CompositePropagator({ propagators: [new core.W3CTraceContextPropagator(), new core.W3CBaggagePropagator()] }),
    );
  }
  if (!core || !hooks || !sdk) {
    context.setGlobalContextManager(new SyncContextManager());
    log.warn("OpenTelemetry SDK packages not installed; tracing disabled (install @opentelemetry/core, context-async-hooks, sdk-trace-base)");
    installed = { recording: false, exporting: false, forceFlush: async () => {}, shutdown: async () => {} };
    return installed;
  }

  const processors: unknown[] = [...(opts.spanProcessors ?? [])];
  let exporting = false;
  const endpoint = opts.otlpEndpoint ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (endpoint) {
    const otlp = (await optionalImport("@opentelemetry/exporter-trace-otlp-proto")) ?? (await optionalImport("@opentelemetry/exporter-trace-otlp-http"));
    if (otlp?.OTLPTraceExporter) {
      processors.push(new sdk.BatchSpanProcessor(new otlp.OTLPTraceExporter()));
      exporting = true;
      log.info("exporting spans over OTLP", { endpoint });
    } else {
      log.warn("OTEL_EXPORTER_OTLP_ENDPOINT is set but no OTLP exporter package is installed; spans are not exported", { endpoint });
    }
  }
  const resources = await optionalImport("@opentelemetry/resources");
  const resource = resources?.resourceFromAttributes?.({ "service.name": opts.serviceName });
  // Nothing consumes spans (no exporter, no processor): spans are not recorded (AlwaysOff), but
  // every span still has a context, so traceparent keeps flowing through NATS headers. This
  // halves the cost of a span; set OTEL_EXPORTER_OTLP_ENDPOINT on every actor to record.
  const recording = processors.length > 0;
  context.setGlobalContextManager(recording ? new hooks.AsyncLocalStorageContextManager().enable() : new SyncContextManager());
  const provider = new sdk.BasicTracerProvider({
    spanProcessors: processors,
    ...(recording ? {} : { sampler: new sdk.AlwaysOffSampler() }),
    ...(resource ? { resource } : {}),
  });
  trace.setGlobalTracerProvider(provider);
  installed = {
    recording,
    exporting,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
  return installed;
}
