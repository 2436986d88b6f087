/**
 * Expectations: what a controller has asked the API for and not yet seen in its informer
 * cache (Kubernetes' `UIDTrackingControllerExpectations`, same contract).
 *
 * - After issuing N creates for a controller key, `expectCreations(key, N)`; every pod the
 *   informer then sees arriving for that owner calls `creationObserved(key)`.
 * - Deletions are tracked by pod key, so seeing one pod deleted twice (deletionTimestamp, then
 *   the DELETED event) counts once.
 * - `satisfied(key)` is what guards a sync: false while creations or deletions are still
 *   outstanding, so a cache that does not yet hold the controller's own writes never makes it
 *   act again (no double creation). Outstanding expectations expire after `timeoutMs` (5 min
 *   in Kubernetes), so a lost event delays a controller but never stalls it for good.
 * - A key with no record is satisfied (a fresh controller acts on what its cache shows).
 * Time comes from the injected clock; the object does no I/O.
 */
import type { Clock } from "../../kernel/index.js";

/** The default expiry of outstanding expectations (Kubernetes' ExpectationsTimeout). */
export const DEFAULT_EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

/** One key's outstanding work, as {@link ControllerExpectations.get} returns it. */
export interface ExpectationState {
  /** Creations not yet observed. */
  add: number;
  /** Pod keys whose deletion has not been observed yet. */
  deleting: ReadonlySet<string>;
  /** When the expectations were last set (clock ms). */
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

  /** expectCreations: `count` creations are in flight for `key` (replaces earlier expectations). */
  expectCreations(key: string, count: number): void {
    this.records.set(key, { add: Math.max(0, count), deleting: new Set(), setAt: this.clock.now() });
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

  /** satisfied: no outstanding creation or deletion for `key`, or they expired. */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.add <= 0 && r.deleting.size === 0) return true;
    return this.clock.now() - r.setAt > this.timeoutMs;
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
