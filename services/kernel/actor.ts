/**
 * actor: the base class every actor extends.
 *
 * State machine: `stopped → starting → running → draining → stopped`, and `failed` from
 * `starting`/`running` (start() rejected or fail() called). A failed actor has released its
 * subscriptions and timers; the supervisor starts it again. Subscriptions and timers made
 * through {@link Actor.subscribe} / {@link Actor.every} / {@link Actor.onRelease} are released on stop, drain and fail.
 * From its first start until its final stop the actor answers `actor(id, "health")` and the
 * broadcast `actorHealthAll()` with an ActorHealth, also while failed or restarting.
 *
 * @example
 * ```ts
 * class Echo extends Actor {
 *   constructor(@inject(TOKENS.Bus) bus: Bus, @inject(TOKENS.Config) cfg: KernelConfig) {
 *     super({ kind: "echo", id: cfg.actorId, bus });
 *   }
 *   protected async onStart() {
 *     this.subscribe(subjects.actor(this.id, "echo"), (m) => { m.respond(m.kind, m.payload); });
 *   }
 * }
 * ```
 */
import { bus as busProto } from "../schema/bus.js";
import type { Bus, BusHandler, BusSubscription, SubscribeOptions } from "./bus.js";
import { systemClock, type Clock } from "./clock.js";
import { KINDS } from "./envelope.js";
import { logger, type Logger } from "./log.js";
import * as subjects from "./subjects.js";

/** Actor lifecycle states (also reported in ActorHealth.state). */
export type ActorState = "starting" | "running" | "draining" | "stopped" | "failed";

/** ActorStateError: a lifecycle call in a state that does not allow it. */
export class ActorStateError extends Error {
  override name = "ActorStateError";
}

/** Constructor options of {@link Actor}. */
export interface ActorOptions {
  /** Unique actor id (the process's K8S_ACTOR_ID, or derived from it for many actors per process). */
  id: string;
  /** Actor kind, e.g. "scheduler". */
  kind: string;
  bus: Bus;
  logger?: Logger;
  clock?: Clock;
}

/** A plain ActorHealth value (encode with `bus.ActorHealth.encode`). */
export interface ActorHealthInfo {
  id: string;
  kind: string;
  state: ActorState;
  startedAt: number;
  restarts: number;
  detail: string;
  pid: number;
}

/** Actor: see the module doc. Subclasses implement {@link Actor.onStart} and optionally onStop. */
export abstract class Actor {
  readonly id: string;
  readonly kind: string;
  protected readonly bus: Bus;
  protected readonly log: Logger;
  protected readonly clock: Clock;

  private _state: ActorState = "stopped";
  private _restarts = 0;
  private _startedAt = 0;
  private _detail = "";
  private _lastError: unknown;
  private subs: BusSubscription[] = [];
  private timers = new Set<NodeJS.Timeout>();
  private releases: Array<() => void> = [];
  private healthSubs: BusSubscription[] = [];
  private failureListeners = new Set<(err: unknown) => void>();
  private onStopDue = false; // onStart ran since the last onStop

  constructor(opts: ActorOptions) {
    this.id = opts.id;
    this.kind = opts.kind;
    this.bus = opts.bus;
    this.clock = opts.clock ?? systemClock;
    this.log = (opts.logger ?? logger(opts.kind)).child("actor", { actorId: opts.id });
  }

  /** Register subscriptions, timers and load state here. A rejection is a crash. */
  protected abstract onStart(): Promise<void>;
  /** Release resources other than subscriptions/timers (released for you). Runs once per start, also after a crash. */
  protected async onStop(): Promise<void> {}

  /** The current lifecycle state. */
  get state(): ActorState {
    return this._state;
  }
  /** How many times the supervisor restarted this actor. */
  get restarts(): number {
    return this._restarts;
  }
  /** The error of the last crash, if any. */
  get lastError(): unknown {
    return this._lastError;
  }

  /** start runs onStart; on rejection the actor is `failed` (resources released) and the error is rethrown. */
  async start(): Promise<void> {
    if (this._state === "starting" || this._state === "running" || this._state === "draining") {
      throw new ActorStateError(`actor ${this.id} cannot start while ${this._state}`);
    }
    this._state = "starting";
    this._detail = "";
    this._startedAt = this.clock.now();
    if (this.healthSubs.length === 0) this.subscribeHealth();
    this.onStopDue = true;
    try {
      await this.onStart();
    } catch (err) {
      if (this._state === "starting") this.crash(err, false);
      else this.releaseNow(); // stopped, draining or failed meanwhile: drop what onStart registered
      throw err;
    }
    if (this._state === "starting") {
      this._state = "running";
      this.log.info("running", { restarts: this._restarts });
    } else {
      this.releaseNow(); // stopped, draining or failed while onStart ran: drop what it registered
    }
  }

  /** stop releases subscriptions and timers at once, runs onStop, and stops answering health. */
  async stop(): Promise<void> {
    if (this._state === "stopped") return this.releaseHealth();
    this._state = "draining";
    this.releaseNow();
    await this.runOnStop();
    this._state = "stopped";
    this.releaseHealth();
  }

  /** drain stops new work, waits for handlers in flight, runs onStop, and stops answering health. */
  async drain(): Promise<void> {
    if (this._state === "stopped") return this.releaseHealth();
    this._state = "draining";
    this.clearTimers();
    const subs = this.subs;
    this.subs = [];
    await Promise.all(subs.map((s) => s.drain()));
    await this.runOnStop();
    this._state = "stopped";
    await Promise.all(this.healthSubs.map((s) => s.drain()));
    this.healthSubs = [];
  }

  /**
   * fail reports a crash from inside the actor (a broken watch, a lost lease...): the actor
   * releases its subscriptions and timers, becomes `failed`, and the supervisor restarts it.
   */
  fail(err: unknown): void {
    if (this._state !== "running" && this._state !== "starting") return;
    this.crash(err, true);
  }

  /** onFailure registers a crash listener (the supervisor); returns an unregister function. */
  onFailure(cb: (err: unknown) => void): () => void {
    this.failureListeners.add(cb);
    return () => this.failureListeners.delete(cb);
  }

  /** Called by the supervisor before each restart. */
  recordRestart(): void {
    this._restarts++;
  }

  /** health reports the actor's state for `k8s-dev status`. */
  health(): ActorHealthInfo {
    return {
      id: this.id,
      kind: this.kind,
      state: this._state,
      startedAt: this._startedAt,
      restarts: this._restarts,
      detail: this._detail || this.healthDetail(),
      pid: process.pid,
    };
  }

  /** Extra text for health (queue depth, leader...); override as needed. */
  protected healthDetail(): string {
    return "";
  }

  /** subscribe registers a subscription released on stop/drain/fail. */
  protected subscribe(subject: string, handler: BusHandler, opts?: SubscribeOptions): BusSubscription {
    const sub = this.bus.subscribe(subject, handler, opts);
    this.subs.push(sub);
    return sub;
  }

  /** every runs `fn` every `ms` until stop/drain/fail; a thrown error is logged (not a crash). */
  protected every(ms: number, fn: () => void | Promise<void>): void {
    let running = false;
    const t = setInterval(async () => {
      if (running) return; // never overlap runs
      running = true;
      try {
        await fn();
      } catch (err) {
        this.log.error("periodic task failed", { err });
      } finally {
        running = false;
      }
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  /**
   * onRelease: `release` runs when the actor releases its timers (stop, drain, fail), or at once
   * after an onStart that a stop interrupted: for resources that are neither subscriptions nor
   * `every` timers (a registration with a shared ticker, a listener). Runs once.
   */
  protected onRelease(release: () => void): void {
    this.releases.push(release);
  }

  private crash(err: unknown, notify: boolean): void {
    this._state = "failed";
    this._lastError = err;
    this._detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    this.log.error("actor failed", { err });
    this.releaseNow();
    void this.runOnStop();
    if (!notify) return;
    for (const cb of this.failureListeners) {
      try {
        cb(err);
      } catch (cbErr) {
        this.log.error("failure listener threw", { err: cbErr });
      }
    }
  }

  private releaseNow(): void {
    this.clearTimers();
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
  }

  private clearTimers(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.clear();
    for (const release of this.releases.splice(0)) {
      try {
        release();
      } catch (err) {
        this.log.error("release failed", { err });
      }
    }
  }

  private async runOnStop(): Promise<void> {
    if (!this.onStopDue) return;
    this.onStopDue = false;
    try {
      await this.onStop();
    } catch (err) {
      this.log.error("onStop failed", { err });
    }
  }

  private releaseHealth(): void {
    for (const s of this.healthSubs) s.unsubscribe();
    this.healthSubs = [];
  }

  private subscribeHealth(): void {
    const answer: BusHandler = (m) => {
      m.respond(KINDS.ActorHealth, busProto.ActorHealth.encode(this.health()).finish());
    };
    this.healthSubs.push(this.bus.subscribe(subjects.actor(this.id, "health"), answer, { expectKind: KINDS.HealthProbe }));
    this.healthSubs.push(this.bus.subscribe(subjects.actorHealthAll(), answer, { expectKind: KINDS.HealthProbe }));
  }
}

/** probeHealth asks one actor for its health over the bus. */
export async function probeHealth(bus: Bus, id: string, timeoutMs = 2000): Promise<ActorHealthInfo> {
  const bytes = await bus.request(subjects.actor(id, "health"), KINDS.HealthProbe, new Uint8Array(0), { timeoutMs, expectKind: KINDS.ActorHealth });
  return toHealthInfo(busProto.ActorHealth.decode(bytes));
}

/** probeAllHealth collects the health of every actor that answers within `timeoutMs`. */
export async function probeAllHealth(bus: Bus, timeoutMs = 1000): Promise<ActorHealthInfo[]> {
  const replies = await bus.requestAll(subjects.actorHealthAll(), KINDS.HealthProbe, new Uint8Array(0), { timeoutMs, expectKind: KINDS.ActorHealth });
  return replies.map((b) => toHealthInfo(busProto.ActorHealth.decode(b)));
}

function toHealthInfo(h: InstanceType<typeof busProto.ActorHealth>): ActorHealthInfo {
  return {
    id: h.id,
    kind: h.kind,
    state: h.state as ActorState,
    startedAt: Number(h.startedAt),
    restarts: h.restarts,
    detail: h.detail,
    pid: h.pid,
  };
}
