/**
 * Expectations: what a controller has asked the API for and not yet seen in its informer
 * cache (Kubernetes' `UIDTrackingControllerExpectations`, with creations counted as in
 * flight rather than as a gate; see "Decision" below).
 *
 * - Before sending N creates for a controller key, `expectCreations(key, N)`; every pod the
 *   informer then sees arriving for that owner calls `creationObserved(key)`; creates that
 *   certainly failed or were never sent are taken back with `lowerCreations`. A create whose
 *   outcome is unknown (no answer) stays outstanding until it is observed or expires.
 * - Deletions are tracked by pod key, so seeing one pod deleted twice (deletionTimestamp, then
 *   the DELETED event) counts once.
 * - `outstanding(key)` is what a sync decides with: creations sent and not yet observed count
 *   as pods the ReplicaSet already has, so a cache that does not yet hold the controller's own
 *   writes never makes it create twice; outstanding deletions hold every new create and delete
 *   (Kubernetes' rule). Outstanding work expires `timeoutMs` (5 min in Kubernetes) after the
 *   key's expectations were last raised, so a lost event delays a controller but never stalls
 *   it for good; expired work counts as none.
 * - A key with no record has nothing outstanding (a fresh controller acts on what its cache shows).
 *
 * Decision (an internal algorithm; what the API sees — counts, status, events — is
 * Kubernetes'): Kubernetes does not sync a ReplicaSet at all until every create of its last
 * burst has been observed, so creation stalls for a create-and-observe round trip per burst.
 * Here a sync may create while earlier creates are still unobserved: it counts them
 * ({@link ControllerExpectations.outstanding}) and tops up to spec.replicas, with at most
 * burstReplicas creations outstanding at any time (decideReplicas). The invariant is the same
 * — owned pods in the cache plus outstanding creations never undercount the pods that exist —
 * so a stale cache still never double-creates. `expectCreations` adds to the creations still
 * outstanding instead of replacing them, and restarts the expiry clock (so expiry is measured
 * from the latest burst, as Kubernetes measures it from its latest `ExpectCreations`).
 *
 * Time comes from the injected clock; the object does no I/O.
 */
import type { Clock } from "../../kernel/index.js";

/** The default expiry of outstanding expectations (Kubernetes' ExpectationsTimeout). */
export const DEFAULT_EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

/** What of a key's earlier creates and deletes is not yet observed (and not expired). */
export interface Outstanding {
  /** Creates sent or about to be sent, not yet observed (unknown outcomes included). */
  creations: number;
  /** Deletes not yet observed. */
  deletions: number;
}

const NOTHING_OUTSTANDING: Outstanding = Object.freeze({ creations: 0, deletions: 0 });

/** One key's outstanding work, as {@link ControllerExpectations.get} returns it. */
export interface ExpectationState {
  /** Creations not yet observed. */
  add: number;
  /** Pod keys whose deletion has not been observed yet. */
  deleting: ReadonlySet<string>;
  /** When the expectations were last raised (clock ms); they expire from there. */
  setAt: number;
}

interface Record_ {
  add: number;
  deleting: Set<string>;
  setAt: number;
}

export class ControllerExpectations {
  private readonly records = new Map<string, Record_>();

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs = DEFAULT_EXPECTATIONS_TIMEOUT_MS,
  ) {}

  /**
   * expectCreations: `count` more creations are about to be sent for `key`: added to those
   * still outstanding (a record with nothing outstanding, or expired, starts over); the expiry
   * clock restarts.
   */
  expectCreations(key: string, count: number): void {
    const r = this.records.get(key);
    const now = this.clock.now();
    if (!r || this.expired(r, now)) this.records.set(key, { add: Math.max(0, count), deleting: new Set(), setAt: now });
    else {
      r.add += Math.max(0, count);
      r.setAt = now;
    }
  }

  /** expectDeletions: these pod keys are being deleted for `key` (replaces earlier expectations). */
  expectDeletions(key: string, podKeys: readonly string[]): void {
    this.records.set(key, { add: 0, deleting: new Set(podKeys), setAt: this.clock.now() });
  }

  /** creationObserved: one creation for `key` was seen (or will never happen). */
  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r && r.add > 0) r.add--;
  }

  /** lowerCreations: `count` creations for `key` will never be observed (they failed or were skipped). */
  lowerCreations(key: string, count: number): void {
    for (let i = 0; i < count; i++) this.creationObserved(key);
  }

  /** deletionObserved: the deletion of `podKey` for `key` was seen (idempotent per pod key). */
  deletionObserved(key: string, podKey: string): void {
    this.records.get(key)?.deleting.delete(podKey);
  }

  /** outstanding: `key`'s unobserved creations and deletions (none when they expired). */
  outstanding(key: string): Outstanding {
    const r = this.records.get(key);
    if (!r || this.expired(r, this.clock.now())) return NOTHING_OUTSTANDING;
    return { creations: r.add, deletions: r.deleting.size };
  }

  /** satisfied: no outstanding creation or deletion for `key`, or they expired. */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.add <= 0 && r.deleting.size === 0) return true;
    return this.expired(r, this.clock.now());
  }

  private expired(r: Record_, now: number): boolean {
    return now - r.setAt > this.timeoutMs;
  }

  /** msUntilExpiry: how long until `key`'s outstanding expectations expire (0 if satisfied). */
  msUntilExpiry(key: string): number {
    const r = this.records.get(key);
    if (!r || this.satisfied(key)) return 0;
    return Math.max(0, r.setAt + this.timeoutMs - this.clock.now() + 1);
  }

  /** get: a snapshot of `key`'s record (undefined when there is none). */
  get(key: string): ExpectationState | undefined {
    const r = this.records.get(key);
    return r ? { add: r.add, deleting: new Set(r.deleting), setAt: r.setAt } : undefined;
  }

  /** delete: forget `key` (its controller is gone). */
  delete(key: string): void {
    this.records.delete(key);
  }

  /** size: how many keys have a record. */
  get size(): number {
    return this.records.size;
  }
}
