/**
 * CreateRun: the pod creates of one ReplicaSet, sent in the background with Kubernetes' slow-start
 * ramp, so that a sync never waits for them: each create the informer observes lets the next sync
 * top up (see expectations.ts), and creation flows instead of stalling once per burst for the
 * slowest reply.
 *
 * Contract:
 * - `add(count, create)`: `count` more creates (the caller has raised its expectations by
 *   `count` first); `create` is the call to make, the latest one is used from then on.
 * - At most `window` creates are in flight. The window starts at `initial` and each success
 *   widens it by one, so it doubles per round trip as slowStartBatch's batches do, up to `max`
 *   (burstReplicas). It is kept while creates keep succeeding (one scale-up is one run).
 * - The first failure stops the run: creates not yet started are dropped and the window goes
 *   back to `initial`. `onFailure(err, never)` is told of every failure, with how many creates
 *   will now never happen (this one when it failed for sure, plus those dropped) so that the
 *   caller lowers its expectations and reports the error; a create with an unknown outcome
 *   (`isUnknown`) may still appear, so it is not counted in `never`.
 * - After a failure nothing is sent for `backoff(n)` ms (n: failed attempts since the last
 *   success; `retryInMs` says how long is left): the caller waits that long before it adds
 *   creates again, so a create that keeps failing (quota, admission) is retried with
 *   exponential backoff. An attempt is what was sent between two failures: a create sent
 *   before the last failure that settles after it neither adds a backoff step nor (succeeding)
 *   counts as the success that ends the failing (`onSuccess(false)`).
 * - `trim(n)` drops up to `n` creates not yet started and returns how many it dropped;
 *   `stop()` drops them all (the caller forgets its expectations) and sends nothing more;
 *   `idle()` resolves once no create is in flight.
 */
/** The first slow-start batch size Kubernetes uses. */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

export class CreateRun {
  private backlog = 0;
  private inFlight = 0;
  private window: number;
  private stopped = false;
  private failures = 0;
  private retryAt = 0;
  /** Failures so far: a create carries the count at its sending (its attempt). */
  private attempt = 0;
  private idleWaiters: Array<() => void> = [];
  private create: () => Promise<void> = async () => undefined;

  constructor(
    private readonly initial: number,
    private readonly max: number,
    private readonly isUnknown: (err: unknown) => boolean,
    private readonly onFailure: (err: unknown, never: number) => void,
    /** `current`: the create was sent after the last failure (it ends a failing). */
    private readonly onSuccess: (current: boolean) => void = () => undefined,
    private readonly backoff: (failures: number) => number = () => 0,
    private readonly now: () => number = Date.now,
  ) {
    this.initial = Math.max(1, initial);
    this.max = Math.max(this.initial, max);
    this.window = this.initial;
  }

  /** Creates queued, not yet sent. */
  get queued(): number {
    return this.backlog;
  }

  /** Creates sent and not yet answered. */
  get sending(): number {
    return this.inFlight;
  }

  /** The creates this run may have in flight now (for tests and health). */
  get currentWindow(): number {
    return this.window;
  }

  /** How long until creates may be sent again after a failure (0: now). */
  retryInMs(): number {
    return Math.max(0, this.retryAt - this.now());
  }

  add(count: number, create: () => Promise<void>): void {
    if (this.stopped || count <= 0) return;
    this.create = create;
    this.backlog += count;
    this.pump();
  }

  trim(count: number): number {
    const dropped = Math.min(Math.max(0, count), this.backlog);
    this.backlog -= dropped;
    return dropped;
  }

  stop(): void {
    this.stopped = true;
    this.backlog = 0;
  }

  idle(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    if (this.retryInMs() > 0) return;
    while (!this.stopped && this.backlog > 0 && this.inFlight < this.window) {
      this.backlog--;
      this.inFlight++;
      const attempt = this.attempt;
      let sent: Promise<void>;
      try {
        sent = this.create();
      } catch (err) {
        sent = Promise.reject(err);
      }
      sent.then(
        () => this.settled(attempt, undefined),
        (err: unknown) => this.settled(attempt, err ?? new Error("create failed")),
      );
    }
  }

  private settled(attempt: number, err: unknown): void {
    this.inFlight--;
    const current = attempt === this.attempt;
    if (err === undefined) {
      if (current) {
        this.window = Math.min(this.max, this.window + 1);
        this.failures = 0;
      }
      this.onSuccess(current);
    } else if (!current) {
      this.onFailure(err, this.isUnknown(err) ? 0 : 1); // the attempt it belongs to has failed already
    } else {
      const dropped = this.backlog;
      this.backlog = 0;
      this.window = this.initial;
      this.attempt++;
      this.retryAt = this.now() + this.backoff(++this.failures);
      this.onFailure(err, dropped + (this.isUnknown(err) ? 0 : 1));
    }
    if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
    this.pump();
  }
}
