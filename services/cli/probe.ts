/**
 * probe: the health broadcast. One HealthProbe envelope on `subjects.actorHealthAll()`;
 * every actor answers with its ActorHealth; replies are collected for a fixed window.
 * Replies that are not valid ActorHealth envelopes are skipped (and counted).
 */
import { connect, createInbox, type NatsConnection } from "@nats-io/transport-node";
import { bus } from "../schema/bus.js";
import { decodeAs, KINDS, unwrap, wrap } from "../kernel/envelope.js";
import { actorHealthAll } from "../kernel/subjects.js";
import type { HealthReply } from "./health.js";

/** HealthProbe: an open connection that can broadcast health requests. */
export interface HealthProbe {
  /** Broadcast once and return the replies that arrive within `windowMs`. */
  probe(windowMs?: number): Promise<HealthReply[]>;
  /** Replies skipped because they were not ActorHealth envelopes (since open). */
  readonly rejected: number;
  close(): Promise<void>;
}

/** openHealthProbe: connect to NATS at `url` (fails after `timeoutMs` when unreachable). */
export async function openHealthProbe(url: string, timeoutMs = 3000): Promise<HealthProbe> {
  const nc: NatsConnection = await connect({ servers: url.split(","), name: "k8s-dev", timeout: timeoutMs, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  let rejected = 0;
  return {
    get rejected() {
      return rejected;
    },
    async probe(windowMs = 500) {
      const inbox = createInbox();
      const replies: HealthReply[] = [];
      const sub = nc.subscribe(inbox, {
        callback: (err, msg) => {
          if (err) return;
          try {
            const { payload } = unwrap(msg.data, KINDS.ActorHealth);
            const h = decodeAs(bus.ActorHealth, KINDS.ActorHealth, payload);
            replies.push({ id: h.id, kind: h.kind, state: h.state, pid: Number(h.pid), restarts: Number(h.restarts), detail: h.detail });
          } catch {
            rejected += 1;
          }
        },
      });
      try {
        // Flush so the server knows the inbox subscription before anyone answers.
        await nc.flush();
        nc.publish(actorHealthAll(), wrap(KINDS.HealthProbe, new Uint8Array(0)), { reply: inbox });
        await new Promise((r) => setTimeout(r, windowMs));
      } finally {
        sub.unsubscribe();
      }
      return replies;
    },
    async close() {
      await nc.close();
    },
  };
}
