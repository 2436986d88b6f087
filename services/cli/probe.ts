/**
 * probe: the health broadcast. One HealthProbe envelope on `subjects.actorHealthAll()`
 * through the kernel's Bus; every actor answers with its ActorHealth; replies are collected
 * for a fixed window (bad replies are skipped by the Bus).
 */
import { Bus, decodeAs, KINDS, logger, subjects } from "../kernel/index.js";
import { bus } from "../schema/bus.js";
import type { HealthReply } from "./health.js";

/** HealthProbe: an open bus connection that can broadcast health requests. */
export interface HealthProbe {
  /** Broadcast once and return the replies that arrive within `windowMs`. */
  probe(windowMs?: number): Promise<HealthReply[]>;
  close(): Promise<void>;
}

/** openHealthProbe: connect to NATS at `url` (comma-separated list allowed); BusConnectError after `connectTimeoutMs`. */
export async function openHealthProbe(url: string, connectTimeoutMs = 3000): Promise<HealthProbe> {
  // The launcher's terminal output is for people: keep the bus's JSON logs out of it.
  const log = logger("k8s-dev", { level: "silent" });
  const b = await Bus.connect({ servers: url.split(","), name: `k8s-dev-${process.pid}`, logger: log, connectTimeoutMs });
  return {
    async probe(windowMs = 500) {
      if (b.isClosed) return [];
      const raw = await b.requestAll(subjects.actorHealthAll(), KINDS.HealthProbe, new Uint8Array(0), { timeoutMs: windowMs, expectKind: KINDS.ActorHealth });
      const out: HealthReply[] = [];
      for (const bytes of raw) {
        try {
          const h = decodeAs(bus.ActorHealth, KINDS.ActorHealth, bytes);
          out.push({ id: h.id, kind: h.kind, state: h.state, pid: Number(h.pid), restarts: Number(h.restarts), detail: h.detail });
        } catch {
          // not an ActorHealth: not one of ours, skip it
        }
      }
      return out;
    },
    async close() {
      if (!b.isClosed) await b.close();
    },
  };
}
