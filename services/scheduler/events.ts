/**
 * events: the scheduler's core/v1 Events about pods (Scheduled, FailedScheduling).
 *
 * Writes go through a small queue with a few requests in flight (one while the scheduler is
 * busy: {@link EventRecorderOptions.busy}), so events never hold up binding; a burst beyond `maxQueued` is dropped (events are best effort, as in Kubernetes).
 * Repeats of one (pod uid, reason, message) bump `count` and `lastTimestamp` of one Event
 * whose name is derived from them, so replicas and restarts share it.
 */
import { isStatus, type KubeClient, type KubeObject } from "../client/index.js";
import type { Logger } from "../kernel/index.js";
import { eventNameFor } from "./shard.js";

/** Options of {@link EventRecorder}. */
export interface EventRecorderOptions {
  /** source.component and reportingComponent. */
  component: string;
  /** reportingInstance (the replica id). */
  instance: string;
  /** Event writes in flight (default 4). */
  concurrency?: number;
  /** While this says true (scheduling is busy), only one event write is in flight. */
  busy?: () => boolean;
  /** Pending distinct events beyond which new ones are dropped (default 1000: Kubernetes' maxQueuedEvents of its event broadcaster). */
  maxQueued?: number;
  now?: () => Date;
}

interface Pending {
  pod: KubeObject;
  type: "Normal" | "Warning";
  reason: string;
  message: string;
  times: number;
}

/** buildEvent: a fresh core/v1 Event about `pod` (pure). */
export function buildEvent(name: string, pod: KubeObject, type: string, reason: string, message: string, component: string, instance: string, now: Date, count = 1): KubeObject {
  const ts = now.toISOString().replace(/\.\d+Z$/, "Z");
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name, namespace: pod.metadata.namespace },
    involvedObject: { apiVersion: "v1", kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid, resourceVersion: pod.metadata.resourceVersion },
    reason,
    message,
    type,
    source: { component },
    firstTimestamp: ts,
    lastTimestamp: ts,
    count,
    reportingComponent: component,
    reportingInstance: instance,
  };
}

export class EventRecorder {
  private readonly pending = new Map<string, Pending>();
  private readonly known = new Map<string, KubeObject>();
  private inFlight = 0;
  private stopped = false;
  /** Events written, dropped (queue full) and failed, for health and tests. */
  readonly stats = { written: 0, dropped: 0, failed: 0 };

  constructor(
    private readonly client: KubeClient,
    private readonly opts: EventRecorderOptions,
    private readonly log?: Logger,
  ) {}

  /** record queues an event about `pod` (coalesced with a queued identical one). */
  record(pod: KubeObject, type: "Normal" | "Warning", reason: string, message: string): void {
    if (this.stopped) return;
    const key = `${pod.metadata.uid}/${reason}/${message}`;
    const queued = this.pending.get(key);
    if (queued) {
      queued.times++;
      return;
    }
    if (this.pending.size >= (this.opts.maxQueued ?? 1000)) {
      this.stats.dropped++;
      return;
    }
    this.pending.set(key, { pod, type, reason, message, times: 1 });
    this.pump();
  }

  /** Write queued events at full concurrency again (call when the scheduler becomes idle). */
  resume(): void {
    this.pump();
  }

  /** Stop writing; queued events are dropped. */
  stop(): void {
    this.stopped = true;
    this.pending.clear();
  }

  private pump(): void {
    while (!this.stopped && this.pending.size > 0 && this.inFlight < this.limit()) {
      const [key, p] = this.pending.entries().next().value as [string, Pending];
      this.pending.delete(key);
      const name = eventNameFor(p.pod.metadata.name, key);
      this.inFlight++;
      this.write(name, p)
        .then(
          () => this.stats.written++,
          (err) => {
            this.stats.failed++;
            this.log?.debug("event write failed", { event: name, err });
          },
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }

  /** Writes allowed in flight: one while the scheduler is busy (asked only when one is in flight already). */
  private limit(): number {
    return this.inFlight > 0 && this.opts.busy?.() ? 1 : (this.opts.concurrency ?? 4);
  }

  private async write(name: string, p: Pending): Promise<void> {
    const now = (this.opts.now ?? (() => new Date()))();
    const ns = p.pod.metadata.namespace;
    let current = this.known.get(name);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        if (!current) {
          const created = await this.client.create(buildEvent(name, p.pod, p.type, p.reason, p.message, this.opts.component, this.opts.instance, now, p.times));
          this.remember(name, created);
          return;
        }
        const next = structuredClone(current);
        next.count = (next.count ?? 1) + p.times;
        next.lastTimestamp = now.toISOString().replace(/\.\d+Z$/, "Z");
        this.remember(name, await this.client.update(next));
        return;
      } catch (err) {
        if (isStatus(err, 409)) {
          current = await this.client.get("Event", ns, name); // exists (another replica) or moved
          continue;
        }
        if (isStatus(err, 404) && current) {
          current = undefined; // expired or deleted: create again
          this.known.delete(name);
          continue;
        }
        throw err;
      }
    }
  }

  private remember(name: string, ev: KubeObject): void {
    this.known.delete(name);
    this.known.set(name, ev);
    if (this.known.size > 10_000) this.known.delete(this.known.keys().next().value as string);
  }
}
