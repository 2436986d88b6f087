/**
 * bus: the process's one NATS connection, speaking protobuf envelopes with trace context.
 *
 * - `publish`/`request` wrap the payload in an {@link Envelope}, refuse oversize messages,
 *   and inject W3C `traceparent`/`tracestate` from the active context into NATS headers.
 * - `subscribe` handlers run inside the sender's extracted context, in a SERVER span (for
 *   requests) or CONSUMER span (for events) named `<subject kind> <envelope kind>`,
 *   e.g. `api ApiRequest` — when spans are recorded; otherwise in that context alone.
 * - A message that is oversize, undecodable, of an unknown version or of an unexpected
 *   kind is logged as a typed error and dropped (a request gets a BusStatus 400/413 reply);
 *   a handler exception is logged (a request gets a BusStatus 500 reply). Neither ends the
 *   subscription or the process.
 * - The connection reconnects forever with backoff; `onReconnect` lets informers resync.
 *
 * @example
 * ```ts
 * const bus = await Bus.connect({ servers: cfg.natsServers, name: cfg.actorId });
 * bus.subscribe(subjects.apiAll(), async (m) => m.respond(KINDS.ApiResponse, reply), { queue: QUEUE_APISERVER, concurrent: 64 });
 * const bytes = await bus.request(subjects.api("", "pods", "get"), KINDS.ApiRequest, req, { expectKind: KINDS.ApiResponse });
 * ```
 */
import {
  connect,
  headers as natsHeaders,
  errors as natsErrors,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from "@nats-io/transport-node";
import { context, ROOT_CONTEXT, SpanKind, trace, type Attributes, type Context } from "@opentelemetry/api";
import { bus as busProto } from "../schema/bus.js";
import { nextBackoff, type BackoffConfig } from "./backoff.js";
import { checkKind, DEFAULT_MAX_PAYLOAD, EnvelopeError, KINDS, OversizeError, unwrap, wrap } from "./envelope.js";
import { logger, type Logger } from "./log.js";
import { subjectKind } from "./subjects.js";
import { extractHeaders, injectHeaders, recordError, spansRecorded, tracer } from "./tracing.js";

/** BusError: base class of the bus's typed errors. */
export class BusError extends Error {
  override name = "BusError";
}
/** BusTimeoutError: no reply within the timeout. */
export class BusTimeoutError extends BusError {
  override name = "BusTimeoutError";
  constructor(
    readonly subject: string,
    readonly timeoutMs: number,
    options?: ErrorOptions,
  ) {
    super(`no reply on ${subject} within ${timeoutMs} ms`, options);
  }
}
/** NoRespondersError: nobody subscribes to the request subject. */
export class NoRespondersError extends BusError {
  override name = "NoRespondersError";
  constructor(
    readonly subject: string,
    options?: ErrorOptions,
  ) {
    super(`no responders on ${subject}`, options);
  }
}
/** BusClosedError: the connection is closed or draining. */
export class BusClosedError extends BusError {
  override name = "BusClosedError";
}
/** BusConnectError: the first connection could not be made in time. */
export class BusConnectError extends BusError {
  override name = "BusConnectError";
}
/** RemoteError: the responder answered with a BusStatus error (see `respondError`). */
export class RemoteError extends BusError {
  override name = "RemoteError";
  constructor(
    readonly subject: string,
    readonly code: number,
    readonly reason: string,
    readonly detail: string,
  ) {
    super(`${subject}: ${code} ${reason}: ${detail}`);
  }
}

/** Fields of a BusStatus error reply (mirrors metav1.Status). */
export interface StatusInit {
  code: number;
  reason: string;
  message: string;
}

/** A received message, already unwrapped. */
export interface BusMessage {
  /** The concrete subject it arrived on. */
  readonly subject: string;
  /** Envelope kind. */
  readonly kind: string;
  /** Envelope payload (decode it with the message class named by `kind`). */
  readonly payload: Uint8Array;
  /** True when the sender waits for a reply. */
  readonly isRequest: boolean;
  /** Reply to a request; returns false (and logs) when the message is not a request. */
  respond(kind: string, bytes: Uint8Array): boolean;
  /** Reply to a request with a BusStatus error; the requester's `request` throws RemoteError. */
  respondError(status: StatusInit): boolean;
}

/** A subscription handler; thrown errors are logged (and answered with 500 for requests). */
export type BusHandler = (msg: BusMessage) => void | Promise<void>;

/** Options for {@link Bus.subscribe}. */
export interface SubscribeOptions {
  /** Queue group: each message goes to exactly one member. */
  queue?: string;
  /** Accept only these envelope kinds; others are dropped as EnvelopeError "wrong-kind". */
  expectKind?: string | readonly string[];
  /** Handlers in flight at once: 1 (default, in order), a number, or true (unbounded). */
  concurrent?: boolean | number;
}

/** A live subscription. */
export interface BusSubscription {
  readonly subject: string;
  readonly queue: string | undefined;
  /** Stop receiving now (handlers in flight finish on their own). */
  unsubscribe(): void;
  /** Stop receiving, then wait for every received message to be handled. */
  drain(): Promise<void>;
  /** Resolves when the subscription has ended and its handlers are done. */
  readonly done: Promise<void>;
}

/** Options for {@link Bus.request}. */
export interface RequestOptions {
  /** Default 5000 ms. */
  timeoutMs?: number;
  /** Reject a reply of any other kind with EnvelopeError "wrong-kind". */
  expectKind?: string | readonly string[];
}

/** Connection state changes. */
export type BusStatusEvent = { type: "disconnect"; server: string } | { type: "reconnect"; server: string } | { type: "closed"; error?: Error };

/** Options for {@link Bus.connect}. */
export interface BusOptions {
  /** NATS server URL(s). */
  servers: string | string[];
  /** Client name shown by the server (use the actor id). */
  name: string;
  /** Largest envelope accepted or sent (default 4 MiB). */
  maxPayload?: number;
  logger?: Logger;
  /** Reconnect delay growth (default 50 ms doubling to 2 s). */
  reconnect?: BackoffConfig;
  /** How long to retry the first connection before BusConnectError (default 30 s). */
  connectTimeoutMs?: number;
}

/** Counters for tests and metrics. */
export interface BusStats {
  published: number;
  received: number;
  dropped: number;
  handlerErrors: number;
  reconnects: number;
}

const DEFAULT_RECONNECT: BackoffConfig = { baseMs: 50, maxMs: 2000, jitter: 0.2 };

function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err, i = 0; e !== undefined && i < 8; e = (e as { cause?: unknown }).cause, i++) out.push(e);
  return out;
}

/** Bus: one NATS connection per process. Build it with {@link Bus.connect}. */
export class Bus {
  readonly maxPayload: number;
  private readonly log: Logger;
  private readonly listeners = new Set<(e: BusStatusEvent) => void>();
  private readonly loops = new Set<Promise<void>>();
  private readonly counters: BusStats = { published: 0, received: 0, dropped: 0, handlerErrors: 0, reconnects: 0 };

  private constructor(
    private readonly nc: NatsConnection,
    opts: BusOptions,
    private readonly resetReconnect: () => void,
  ) {
    this.maxPayload = opts.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.log = opts.logger ?? logger("bus");
    void this.watchStatus();
  }

  /** connect opens the connection (retrying up to `connectTimeoutMs`), reconnecting forever afterwards. */
  static async connect(opts: BusOptions): Promise<Bus> {
    const log = opts.logger ?? logger("bus");
    const backoff = opts.reconnect ?? DEFAULT_RECONNECT;
    let attempt = 0;
    const deadline = Date.now() + (opts.connectTimeoutMs ?? 30_000);
    for (let first = 0; ; first++) {
      try {
        const nc = await connect({
          servers: opts.servers,
          name: opts.name,
          maxReconnectAttempts: -1,
          reconnectDelayHandler: () => nextBackoff(attempt++, backoff, Math.random()),
          pingInterval: 20_000,
          timeout: 5_000,
          // No stack trace captured per request (measurable CPU on every request/reply).
          noAsyncTraces: true,
        });
        log.info("connected", { server: nc.getServer(), name: opts.name });
        return new Bus(nc, opts, () => (attempt = 0));
      } catch (err) {
        const wait = nextBackoff(first, backoff, Math.random());
        if (Date.now() + wait > deadline) {
          throw new BusConnectError(`cannot connect to NATS at ${String(opts.servers)}: ${(err as Error).message}; is nats-server running (NATS_URL)?`, { cause: err });
        }
        log.warn("connect failed, retrying", { servers: opts.servers, retryInMs: wait, err });
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /** The raw NATS connection, for JetStream and other features this class does not wrap. */
  get nats(): NatsConnection {
    return this.nc;
  }

  /** True once closed (by close/drain or a fatal error). */
  get isClosed(): boolean {
    return this.nc.isClosed();
  }

  /** A snapshot of the counters. */
  stats(): BusStats {
    return { ...this.counters };
  }

  /** onStatus registers a listener for disconnect/reconnect/closed; returns an unregister function. */
  onStatus(cb: (e: BusStatusEvent) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** onReconnect calls `cb` after every reconnect (resync point for informers). */
  onReconnect(cb: (server: string) => void): () => void {
    return this.onStatus((e) => {
      if (e.type === "reconnect") cb(e.server);
    });
  }

  /** onDisconnect calls `cb` when the connection drops. */
  onDisconnect(cb: (server: string) => void): () => void {
    return this.onStatus((e) => {
      if (e.type === "disconnect") cb(e.server);
    });
  }

  /** publish sends one envelope; throws OversizeError or BusClosedError. */
  publish(subject: string, kind: string, bytes: Uint8Array): void {
    this.assertOpen();
    const data = wrap(kind, bytes, this.maxPayload);
    try {
      this.nc.publish(subject, data, { headers: this.traceHeaders() });
    } catch (err) {
      if (err instanceof natsErrors.ClosedConnectionError || err instanceof natsErrors.DrainingConnectionError) {
        throw new BusClosedError(`bus connection closed, cannot publish on ${subject}`, { cause: err });
      }
      throw err;
    }
    this.counters.published++;
  }

  /** flush waits until the server has processed everything published so far. */
  async flush(): Promise<void> {
    this.assertOpen();
    await this.nc.flush();
  }

  /**
   * request sends one envelope and returns the reply's payload bytes. Throws BusTimeoutError,
   * NoRespondersError, BusClosedError, RemoteError (a BusStatus reply), EnvelopeError (bad reply).
   */
  async request(subject: string, kind: string, bytes: Uint8Array, opts: RequestOptions = {}): Promise<Uint8Array> {
    this.assertOpen();
    const timeoutMs = opts.timeoutMs ?? 5000;
    const data = wrap(kind, bytes, this.maxPayload);
    let reply: Msg;
    try {
      reply = await this.nc.request(subject, data, { timeout: timeoutMs, headers: this.traceHeaders() });
    } catch (err) {
      throw this.mapRequestError(err, subject, timeoutMs);
    }
    this.counters.published++;
    return this.readReply(subject, reply.data, opts.expectKind);
  }

  /**
   * requestAll sends one envelope and collects every reply that arrives within `timeoutMs`
   * (or until `maxReplies`), e.g. health from every actor. Bad or error replies are logged and skipped.
   */
  async requestAll(
    subject: string,
    kind: string,
    bytes: Uint8Array,
    opts: { timeoutMs?: number; expectKind?: string | readonly string[]; maxReplies?: number } = {},
  ): Promise<Uint8Array[]> {
    this.assertOpen();
    const data = wrap(kind, bytes, this.maxPayload);
    const out: Uint8Array[] = [];
    try {
      const it = await this.nc.requestMany(subject, data, {
        strategy: "timer",
        maxWait: opts.timeoutMs ?? 1000,
        ...(opts.maxReplies ? { maxMessages: opts.maxReplies } : {}),
        headers: this.traceHeaders(),
      });
      for await (const m of it) {
        try {
          out.push(this.readReply(subject, m.data, opts.expectKind));
        } catch (err) {
          this.log.warn("skipped bad reply", { subject, err });
        }
      }
    } catch (err) {
      const mapped = this.mapRequestError(err, subject, opts.timeoutMs ?? 1000);
      if (!(mapped instanceof NoRespondersError) && !(mapped instanceof BusTimeoutError)) throw mapped;
    }
    return out;
  }

  /** subscribe registers `handler` on `subject` (wildcards allowed). See {@link SubscribeOptions}. */
  subscribe(subject: string, handler: BusHandler, opts: SubscribeOptions = {}): BusSubscription {
    this.assertOpen(true);
    const sub: Subscription = this.nc.subscribe(subject, opts.queue ? { queue: opts.queue } : {});
    const limit = opts.concurrent === true ? Infinity : typeof opts.concurrent === "number" ? Math.max(1, opts.concurrent) : 1;
    const inflight = new Set<Promise<void>>();
    const done = (async () => {
      for await (const m of sub) {
        const p = this.dispatch(subject, opts, handler, m);
        if (limit === 1) {
          await p;
          continue;
        }
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
        if (inflight.size >= limit) await Promise.race(inflight);
      }
      await Promise.all(inflight);
    })().catch((err) => this.log.error("subscription loop ended with an error", { subject, err }));
    this.loops.add(done);
    void done.finally(() => this.loops.delete(done));
    return {
      subject,
      queue: opts.queue,
      unsubscribe: () => {
        if (!sub.isClosed()) sub.unsubscribe();
      },
      drain: async () => {
        if (!sub.isClosed() && !this.nc.isClosed()) await sub.drain().catch(() => undefined);
        await done;
      },
      done,
    };
  }

  /** drain stops every subscription after handling what was received, flushes, and closes. */
  async drain(): Promise<void> {
    if (this.nc.isClosed()) return;
    await this.nc.drain().catch((err) => this.log.warn("drain failed", { err }));
    await Promise.all([...this.loops]);
  }

  /** close closes the connection at once. */
  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.close();
    await Promise.all([...this.loops]);
  }

  // Publishing stays allowed while draining (handlers in flight may still publish and request).
  private assertOpen(subscribing = false): void {
    if (this.nc.isClosed()) throw new BusClosedError("bus connection is closed");
    if (subscribing && this.nc.isDraining()) throw new BusClosedError("bus connection is draining");
  }

  private traceHeaders(): MsgHdrs | undefined {
    const ctx = context.active();
    if (ctx === ROOT_CONTEXT) return undefined; // nothing to propagate
    const h = natsHeaders();
    injectHeaders(h, ctx);
    return h.keys().length > 0 ? h : undefined;
  }

  private readReply(subject: string, data: Uint8Array, expectKind?: string | readonly string[]): Uint8Array {
    const u = unwrap(data, undefined, this.maxPayload);
    if (u.kind === KINDS.BusStatus) {
      const s = busProto.BusStatus.decode(u.payload);
      throw new RemoteError(subject, s.code, s.reason, s.message);
    }
    if (expectKind !== undefined) checkKind(u.kind, expectKind);
    return u.payload;
  }

  private mapRequestError(err: unknown, subject: string, timeoutMs: number): Error {
    const chain = causes(err);
    if (chain.some((e) => e instanceof natsErrors.NoRespondersError)) return new NoRespondersError(subject, { cause: err });
    if (chain.some((e) => e instanceof natsErrors.TimeoutError)) return new BusTimeoutError(subject, timeoutMs, { cause: err });
    if (chain.some((e) => e instanceof natsErrors.ClosedConnectionError || e instanceof natsErrors.DrainingConnectionError)) {
      return new BusClosedError(`bus connection closed during request on ${subject}`, { cause: err });
    }
    if (err instanceof OversizeError || err instanceof EnvelopeError) return err;
    return new BusError(`request on ${subject} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }

  private reply(m: Msg, kind: string, bytes: Uint8Array): boolean {
    if (!m.reply) {
      this.log.warn("respond called on a message that is not a request", { subject: m.subject, kind });
      return false;
    }
    if (this.nc.isClosed()) return false;
    const data = wrap(kind, bytes, this.maxPayload);
    this.counters.published++;
    // No trace headers: the requester's span already covers the reply, and Bus.request reads none.
    return m.respond(data);
  }

  private replyError(m: Msg, status: StatusInit): boolean {
    return this.reply(m, KINDS.BusStatus, busProto.BusStatus.encode(status).finish());
  }

  /** Handles one message; never rejects. */
  private async dispatch(pattern: string, opts: SubscribeOptions, handler: BusHandler, m: Msg): Promise<void> {
    this.counters.received++;
    const parent = extractHeaders(m.headers);
    let kind: string;
    let payload: Uint8Array;
    try {
      ({ kind, payload } = unwrap(m.data, opts.expectKind, this.maxPayload));
    } catch (err) {
      this.counters.dropped++;
      context.with(parent, () => this.log.warn("dropped bad message", { subject: m.subject, subscription: pattern, bytes: m.data.length, err }));
      if (m.reply) {
        const oversize = err instanceof OversizeError;
        try {
          this.replyError(m, { code: oversize ? 413 : 400, reason: oversize ? "RequestEntityTooLarge" : "BadRequest", message: (err as Error).message });
        } catch (replyErr) {
          this.log.warn("could not send error reply", { subject: m.subject, err: replyErr });
        }
      }
      return;
    }
    let responded = false;
    const msg: BusMessage = {
      subject: m.subject,
      kind,
      payload,
      isRequest: !!m.reply,
      respond: (k, b) => {
        responded = true;
        return this.reply(m, k, b);
      },
      respondError: (s) => {
        responded = true;
        return this.replyError(m, s);
      },
    };
    // With nothing recording spans, the handler runs in the sender's context itself: a span
    // that is not recorded would only add a span id to what crosses the bus.
    const span = spansRecorded() ? this.startSpan(pattern, opts, m, kind, parent) : undefined;
    await context.with(span ? trace.setSpan(parent, span) : parent, async () => {
      try {
        await handler(msg);
      } catch (err) {
        this.counters.handlerErrors++;
        if (span) recordError(span, err);
        this.log.error("handler failed", { subject: m.subject, kind, err });
        if (m.reply && !responded) {
          try {
            this.replyError(m, { code: 500, reason: "InternalError", message: `${(err as Error)?.name ?? "Error"}: ${(err as Error)?.message ?? String(err)}` });
          } catch (replyErr) {
            this.log.warn("could not send error reply", { subject: m.subject, err: replyErr });
          }
        }
      } finally {
        span?.end();
      }
    });
  }

  /** The SERVER (request) or CONSUMER (event) span of one received message. */
  private startSpan(pattern: string, opts: SubscribeOptions, m: Msg, kind: string, parent: Context) {
    const attrs: Attributes = {
      "messaging.system": "nats",
      "messaging.destination.name": m.subject,
      "messaging.destination.template": pattern,
      "messaging.message.body.size": m.data.length,
      "k8s.bus.kind": kind,
    };
    if (opts.queue) attrs["messaging.consumer.group.name"] = opts.queue;
    return tracer().startSpan(`${subjectKind(m.subject)} ${kind}`, { kind: m.reply ? SpanKind.SERVER : SpanKind.CONSUMER, attributes: attrs }, parent);
  }

  private async watchStatus(): Promise<void> {
    void this.nc.closed().then((err) => {
      if (err) this.log.error("connection closed with an error", { err });
      else this.log.info("connection closed");
      this.emit({ type: "closed", ...(err ? { error: err } : {}) });
    });
    for await (const s of this.nc.status()) {
      switch (s.type) {
        case "disconnect":
          this.log.warn("disconnected", { server: s.server });
          this.emit({ type: "disconnect", server: s.server });
          break;
        case "reconnect":
          this.resetReconnect();
          this.counters.reconnects++;
          this.log.info("reconnected", { server: s.server });
          this.emit({ type: "reconnect", server: s.server });
          break;
        case "error":
          this.log.error("server error", { err: s.error });
          break;
        case "slowConsumer":
          this.log.warn("slow consumer: messages dropped by the client", { subject: s.sub.getSubject(), pending: s.pending });
          break;
        case "staleConnection":
          this.log.warn("stale connection, reconnecting");
          break;
        default:
          break;
      }
    }
  }

  private emit(e: BusStatusEvent): void {
    for (const cb of this.listeners) {
      try {
        cb(e);
      } catch (err) {
        this.log.error("status listener failed", { event: e.type, err });
      }
    }
  }
}
