/**
 * LeaderElector: Kubernetes-style leader election on a coordination.k8s.io/v1 Lease.
 *
 * Contract (client-go's leaderelection, same timings model):
 * - A candidate takes the Lease when it is absent or its holder has not renewed for
 *   `leaseDurationSeconds`; the write is a compare-and-swap on the Lease's resourceVersion,
 *   so two candidates can never both win the same term.
 * - The leader renews every `retryPeriodMs`; if it cannot renew within `renewDeadlineMs` it
 *   stops leading at once (onStoppedLeading) — before the Lease can expire for others, since
 *   renewDeadline < leaseDuration.
 * - Leaving cleanly (stop) releases the Lease so a successor need not wait for expiry.
 */
import type { KubeClient, KubeObject } from "./kube-client.js";
import { isStatus } from "./api-client.js";

export interface LeaderElectionConfig {
  /** Lease namespace and name, e.g. kube-system / kube-controller-manager. */
  namespace: string;
  name: string;
  /** This candidate's identity (the actor id). */
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  onStartedLeading(): void;
  onStoppedLeading(): void;
  onError?(err: unknown): void;
}

/** Kubernetes' defaults are 15 s / 10 s / 2 s; these suit a dev cluster and fast chaos tests. */
export const FAST_LEADER_ELECTION = { leaseDurationMs: 4000, renewDeadlineMs: 3000, retryPeriodMs: 500 };

export type LeaseAction = { action: "create" } | { action: "renew" } | { action: "takeover" } | { action: "follow"; holder: string };

function micro(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "000Z");
}

/** decideLease: what a candidate does with the current Lease (pure; `now` in ms). */
export function decideLease(lease: KubeObject | undefined, identity: string, now: number): LeaseAction {
  if (!lease) return { action: "create" };
  const spec = lease.spec ?? {};
  const holder: string = spec.holderIdentity ?? "";
  if (holder === identity) return { action: "renew" };
  if (!holder) return { action: "takeover" };
  const renewed = Date.parse(spec.renewTime ?? spec.acquireTime ?? "");
  const duration = (spec.leaseDurationSeconds ?? 15) * 1000;
  if (!Number.isFinite(renewed) || now - renewed > duration) return { action: "takeover" };
  return { action: "follow", holder };
}

/** leaseSpec: the Lease spec a candidate writes for `action`. */
export function leaseSpec(lease: KubeObject | undefined, identity: string, now: number, durationMs: number, action: "create" | "renew" | "takeover"): Record<string, unknown> {
  const old = lease?.spec ?? {};
  return {
    holderIdentity: identity,
    leaseDurationSeconds: Math.max(1, Math.ceil(durationMs / 1000)),
    acquireTime: action === "renew" ? (old.acquireTime ?? micro(now)) : micro(now),
    renewTime: micro(now),
    leaseTransitions: (old.leaseTransitions ?? 0) + (action === "takeover" ? 1 : 0),
  };
}

export class LeaderElector {
  private leading = false;
  private timer: NodeJS.Timeout | undefined;
  private lastRenew = 0;
  private stopped = false;
  private lease: KubeObject | undefined;

  constructor(
    private readonly client: KubeClient,
    private readonly cfg: LeaderElectionConfig,
    private readonly now: () => number = Date.now,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      await this.tryOnce();
      if (!this.stopped) this.timer = setTimeout(loop, this.cfg.retryPeriodMs);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.leading) {
      this.setLeading(false);
      // Release: an empty holder lets a successor take over at once.
      if (this.lease) {
        try {
          await this.client.update({ ...this.lease, spec: { ...this.lease.spec, holderIdentity: "", leaseDurationSeconds: 1 } });
        } catch {
          // best effort
        }
      }
    }
  }

  private setLeading(v: boolean): void {
    if (v === this.leading) return;
    this.leading = v;
    if (v) this.cfg.onStartedLeading();
    else this.cfg.onStoppedLeading();
  }

  /** One election round. */
  async tryOnce(): Promise<void> {
    const now = this.now();
    try {
      let lease: KubeObject | undefined;
      try {
        lease = await this.client.get("Lease", this.cfg.namespace, this.cfg.name);
      } catch (err) {
        if (!isStatus(err, 404)) throw err;
      }
      const d = decideLease(lease, this.cfg.identity, now);
      if (d.action === "follow") {
        this.lease = lease;
        this.setLeading(false);
        return;
      }
      const spec = leaseSpec(lease, this.cfg.identity, now, this.cfg.leaseDurationMs, d.action);
      this.lease =
        d.action === "create"
          ? await this.client.create({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: this.cfg.name, namespace: this.cfg.namespace }, spec })
          : await this.client.update({ ...lease!, spec });
      this.lastRenew = now;
      this.setLeading(true);
    } catch (err) {
      if (!isStatus(err, 409)) this.cfg.onError?.(err);
      // Lost a race (409) or cannot reach the API: past the renew deadline a leader steps down.
      if (this.leading && now - this.lastRenew > this.cfg.renewDeadlineMs) this.setLeading(false);
      else if (isStatus(err, 409) && this.leading) this.setLeading(false);
    }
  }
}
