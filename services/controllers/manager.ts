/**
 * ControllerManager: the kube-controller-manager actor. Every replica runs a candidate for
 * the Lease `kube-system/kube-controller-manager`; the leader runs the controllers, the others
 * stand by (so N replicas = one active, and a killed leader is replaced once its Lease
 * expires). Each leadership term gets fresh shared informers (pods cached as views without
 * the spec the controllers never read: pod-view.ts); losing the lease stops the controllers
 * and the informers at once (a pending start is abandoned).
 */
import { KubeClient, LeaderElector } from "../client/index.js";
import { Actor, type Bus, type Clock, type Logger } from "../kernel/index.js";
import { SharedInformers, type Controller, type ControllerContext } from "./controller.js";
import { podViewDecoders } from "./pod-view.js";
import type { LeaderTimings } from "./leader-config.js";

/** The Lease the replicas compete for. */
export const CONTROLLER_MANAGER_LEASE = { namespace: "kube-system", name: "kube-controller-manager" } as const;

/** Options of {@link ControllerManager}. */
export interface ControllerManagerOptions {
  /** Actor id; also the candidate's identity in the Lease. */
  id: string;
  bus: Bus;
  /** The controllers run while leading, started in this order. */
  controllers: readonly Controller[];
  timings: LeaderTimings;
  /** Defaults to a KubeClient on `bus`. */
  client?: KubeClient;
  logger?: Logger;
  clock?: Clock;
  /** Lease to compete for (default {@link CONTROLLER_MANAGER_LEASE}). */
  lease?: { namespace: string; name: string };
  /** Informers' replay check period (ms, default 10 s). */
  resyncCheckMs?: number;
}

interface Term {
  informers: SharedInformers;
  started: Controller[];
  stopped: boolean;
}

export class ControllerManager extends Actor {
  private readonly client: KubeClient;
  private elector: LeaderElector | undefined;
  private term: Term | undefined;

  constructor(private readonly opts: ControllerManagerOptions) {
    super({ kind: "controller-manager", id: opts.id, bus: opts.bus, ...(opts.logger ? { logger: opts.logger } : {}), ...(opts.clock ? { clock: opts.clock } : {}) });
    this.client = opts.client ?? new KubeClient(opts.bus);
  }

  /** True while this replica holds the Lease and runs the controllers. */
  get isLeader(): boolean {
    return this.elector?.isLeader ?? false;
  }

  protected override healthDetail(): string {
    if (!this.isLeader) return "standby";
    const parts = this.opts.controllers.map((c) => `${c.name}: ${c.status?.() ?? "running"}`);
    return `leader; ${parts.join("; ")}`;
  }

  protected async onStart(): Promise<void> {
    const lease = this.opts.lease ?? CONTROLLER_MANAGER_LEASE;
    this.elector = new LeaderElector(
      this.client,
      {
        ...lease,
        identity: this.id,
        ...this.opts.timings,
        onStartedLeading: () => void this.lead(),
        onStoppedLeading: () => void this.unlead(),
        onError: (err) => this.log.warn("leader election round failed", { err }),
      },
      () => this.clock.now(),
    );
    this.elector.start();
  }

  protected override async onStop(): Promise<void> {
    await this.elector?.stop(); // releases the Lease so a standby takes over at once
    await this.unlead();
  }

  private async lead(): Promise<void> {
    if (this.term) return;
    // Pods are cached as views without the spec the controllers never read (pod-view.ts).
    const term: Term = { informers: new SharedInformers(this.client, this.log.child("informers"), this.opts.resyncCheckMs, podViewDecoders()), started: [], stopped: false };
    this.term = term;
    this.log.info("became leader; starting controllers", { controllers: this.opts.controllers.map((c) => c.name) });
    for (const c of this.opts.controllers) {
      if (term.stopped) return;
      term.started.push(c);
      const ctx: ControllerContext = { client: this.client, informers: term.informers, log: this.log.child(c.name), clock: this.clock };
      try {
        await c.start(ctx);
      } catch (err) {
        if (term.stopped) return; // lost the lease meanwhile: the stop rejected the start
        this.log.error("controller failed to start", { controller: c.name, err });
        this.fail(err); // the supervisor restarts the manager (and the election)
        return;
      }
    }
  }

  private async unlead(): Promise<void> {
    const term = this.term;
    if (!term) return;
    this.term = undefined;
    term.stopped = true;
    this.log.info("stopped leading; stopping controllers");
    term.informers.stop();
    await Promise.all(
      term.started.map((c) =>
        c.stop().catch((err) => {
          this.log.error("controller failed to stop", { controller: c.name, err });
        }),
      ),
    );
  }
}
