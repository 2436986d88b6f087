/**
 * status: the recorded cluster's processes and their health, from one health broadcast.
 * Exit code 1 when no cluster runs or anything is not healthy.
 */
import type { StatusCommand } from "./args.js";
import { isHealthy, processHealth, type HealthReply, type ProcessState } from "./health.js";
import { openHealthProbe } from "./probe.js";
import { isAlive, readState, statePaths, stateHome } from "./state.js";
import { supervisorAlive, type Io } from "./up.js";

/** StatusReport: what `status --json` prints. */
export interface StatusReport {
  healthy: boolean;
  supervisor: { pid: number; alive: boolean };
  phase: string;
  natsUrl: string;
  redisUrl: string;
  nodes: number;
  fsync: string;
  servers: { kind: string; url: string; pid: number; alive: boolean; restarts: number; managed: boolean }[];
  actors: { actor: string; id: string; pid: number; state: ProcessState; restarts: number; detail: string }[];
  kubeconfig?: string;
  problems: string[];
}

/** collectStatus: read state.json and ask every actor for its health. Undefined when no cluster is recorded. */
export async function collectStatus(home: string, probeWindowMs = 700): Promise<StatusReport | undefined> {
  const state = readState(home);
  if (!state) return undefined;
  const problems: string[] = [];
  let replies: HealthReply[] = [];
  if (state.natsUrl) {
    try {
      const probe = await openHealthProbe(state.natsUrl);
      try {
        replies = await probe.probe(probeWindowMs);
      } finally {
        await probe.close();
      }
    } catch (err) {
      problems.push(`cannot reach NATS at ${state.natsUrl}: ${(err as Error).message}`);
    }
  }
  const servers: StatusReport["servers"] = state.servers.map((s) => ({ kind: s.kind, url: s.url, pid: s.pid, alive: isAlive(s.pid), restarts: s.restarts, managed: true }));
  for (const [kind, url] of [["nats", state.natsUrl], ["redis", state.redisUrl]] as const) {
    if (url && !servers.some((s) => s.kind === kind)) servers.push({ kind, url, pid: 0, alive: true, restarts: 0, managed: false });
  }
  for (const s of servers) if (!s.alive) problems.push(`${s.kind}-server (pid ${s.pid}) is not running`);
  const sup = { pid: state.supervisorPid, alive: supervisorAlive(state) };
  if (!sup.alive) problems.push(`the supervisor (pid ${sup.pid}) is not running: nothing restarts dead actors; clean up with: npm run k8s-dev -- down`);
  if (state.phase !== "running") problems.push(`the cluster is ${state.phase}`);
  const actors = state.actors.map((a) => {
    const h = processHealth(a.id, a.pid, a.pid > 0 && isAlive(a.pid), replies);
    if (!isHealthy(h)) problems.push(`${a.id} is ${h.state}${h.detail ? ` (${h.detail})` : ""}; log ${a.log}`);
    return { actor: a.actor, id: a.id, pid: a.pid, state: h.state, restarts: a.restarts, detail: [a.url, h.detail].filter(Boolean).join(" ") };
  });
  return {
    healthy: problems.length === 0,
    supervisor: sup,
    phase: state.phase,
    natsUrl: state.natsUrl,
    redisUrl: state.redisUrl,
    nodes: state.nodes,
    fsync: state.fsync,
    servers,
    actors,
    ...(state.kubeconfig ? { kubeconfig: state.kubeconfig } : {}),
    problems,
  };
}

/** formatStatus: the human-readable table. Pure. */
export function formatStatus(r: StatusReport): string[] {
  const lines = [
    `cluster: ${r.healthy ? "healthy" : "NOT healthy"} (${r.phase}; supervisor pid ${r.supervisor.pid} ${r.supervisor.alive ? "alive" : "dead"}; nodes ${r.nodes}; redis fsync ${r.fsync})`,
    "",
    row(["SERVER", "URL", "PID", "STATE", "RESTARTS"], [8, 28, 8, 10]),
  ];
  for (const s of r.servers) {
    lines.push(row([s.kind, s.url, s.managed ? String(s.pid) : "-", s.managed ? (s.alive ? "running" : "dead") : "external", s.managed ? String(s.restarts) : "-"], [8, 28, 8, 10]));
  }
  lines.push("", row(["ACTOR", "ID", "PID", "STATE", "RESTARTS", "DETAIL"], [20, 24, 8, 10, 9]));
  for (const a of r.actors) lines.push(row([a.actor, a.id, a.pid > 0 ? String(a.pid) : "-", a.state, String(a.restarts), a.detail], [20, 24, 8, 10, 9]));
  if (r.actors.length === 0) lines.push("(no actors are built yet)");
  if (r.kubeconfig) lines.push("", `kubeconfig: export KUBECONFIG=${r.kubeconfig}`);
  if (r.problems.length > 0) lines.push("", ...r.problems.map((p) => `! ${p}`));
  return lines;
}

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i < widths.length ? c.padEnd(widths[i]!) : c)).join(" ").trimEnd();
}

/** status: print the report; resolves with the exit code. */
export async function status(cmd: StatusCommand, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const home = stateHome(env);
  const report = await collectStatus(home);
  if (!report) {
    if (cmd.json) io.out(JSON.stringify({ healthy: false, problems: ["no cluster is running"] }));
    else io.err(`no cluster is running (no ${statePaths(home).state}); start one with: npm start`);
    return 1;
  }
  if (cmd.json) io.out(JSON.stringify(report, null, 2));
  else for (const l of formatStatus(report)) io.out(l);
  return report.healthy ? 0 : 1;
}
