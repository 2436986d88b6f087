/**
 * health: what the launcher makes of the actors' health replies.
 *
 * `processHealth` is pure: it matches the ActorHealth replies of one broadcast to one actor
 * process (by pid, or by id when the pid is not reported) and folds them into one state.
 * The broadcast itself is in `probe.ts`.
 */

/** One actor's answer to the health broadcast (the fields of bus.ActorHealth the launcher uses). */
export interface HealthReply {
  readonly id: string;
  readonly kind: string;
  readonly state: string;
  readonly pid: number;
  readonly restarts: number;
  readonly detail: string;
}

/** The state the launcher shows for one process: an actor state, or "no answer" / "dead". */
export type ProcessState = "running" | "starting" | "draining" | "stopped" | "failed" | "no answer" | "dead";

/** ProcessHealth: one process's folded health. */
export interface ProcessHealth {
  readonly state: ProcessState;
  /** The replies that belong to this process. */
  readonly replies: readonly HealthReply[];
  /** Detail of the reply that decided the state ("" when none). */
  readonly detail: string;
}

// Worst first: the process shows the worst state among its actors.
const SEVERITY: readonly string[] = ["failed", "stopped", "draining", "starting", "running"];

/** processHealth: the health of process `pid` running actor id `id`, from one broadcast's replies. */
export function processHealth(id: string, pid: number, alive: boolean, replies: readonly HealthReply[]): ProcessHealth {
  if (!alive) return { state: "dead", replies: [], detail: "" };
  const mine = replies.filter((r) => (r.pid > 0 ? r.pid === pid : r.id === id || r.id.startsWith(`${id}/`)));
  if (mine.length === 0) return { state: "no answer", replies: [], detail: "" };
  let worst = mine[0]!;
  for (const r of mine) if (rank(r.state) < rank(worst.state)) worst = r;
  const state = (SEVERITY.includes(worst.state) ? worst.state : "failed") as ProcessState;
  return { state, replies: mine, detail: worst.detail };
}

function rank(state: string): number {
  const i = SEVERITY.indexOf(state);
  return i < 0 ? -1 : i;
}

/** isHealthy: true for the one state that counts as healthy. */
export function isHealthy(h: ProcessHealth): boolean {
  return h.state === "running";
}
