/**
 * supervisor: the process behind `k8s-dev up`. It starts the servers (unless NATS_URL /
 * REDIS_URL are set) and one OS process per actor replica, waits until every actor answers
 * the health broadcast with "running", keeps `state.json` current, restarts actor processes
 * and private servers that die (actors with backoff), and on stop ends everything it started:
 * actors first (SIGTERM, so they drain while the bus and store are still up), then servers.
 *
 * Children get their own process group, so a Ctrl-C in the terminal reaches only this
 * process, which then stops them in order.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, startNats, startRedis, type LocalServer } from "../kernel/local-servers.js";
import type { FsyncPolicy } from "./args.js";
import { kubeconfigYaml } from "./kubeconfig.js";
import { isHealthy, processHealth, type ProcessHealth } from "./health.js";
import { openHealthProbe, type HealthProbe } from "./probe.js";
import type { ActorEntry } from "./registry.js";
import { decideRespawn, DEFAULT_RESPAWN, type RespawnPolicy } from "./respawn.js";
import { isAlive, statePaths, writeState, removeState, type ActorRecord, type ClusterState, type ServerRecord } from "./state.js";

/** The compiled CLI entry, which actor processes run as `main.js run <actor>`. */
export const MAIN_JS = fileURLToPath(new URL("./main.js", import.meta.url));

/** HealthTimeoutError: some actors did not report "running" in time. */
export class HealthTimeoutError extends Error {
  override name = "HealthTimeoutError";
}

/** StoppedError: stop() was called while the cluster was starting. */
export class StoppedError extends Error {
  override name = "StoppedError";
}

/** AlreadyRunningError: state.json names a live cluster. */
export class AlreadyRunningError extends Error {
  override name = "AlreadyRunningError";
}

export interface SupervisorOptions {
  readonly home: string;
  readonly fsync: FsyncPolicy;
  readonly nodes: number;
  readonly timeoutSec: number;
  readonly actors: readonly ActorEntry[];
  /** Use these servers instead of starting private ones. */
  readonly natsUrl?: string;
  readonly redisUrl?: string;
  /** Progress lines for the person who ran `up` ("✓ ..."). */
  readonly progress: (line: string) => void;
  /** Events after startup (respawns, server restarts). */
  readonly log: (line: string) => void;
  readonly respawn?: RespawnPolicy;
}

interface ActorProc {
  readonly entry: ActorEntry;
  readonly rec: ActorRecord;
  child?: ChildProcess;
  startedAt: number;
  streak: number;
  timer?: NodeJS.Timeout;
  /** Waiting for the first "running" after a (re)start. */
  pendingHealthy: boolean;
}

/** ClusterSupervisor: starts, watches and stops one local cluster. */
export class ClusterSupervisor {
  private readonly paths;
  private state!: ClusterState;
  private readonly servers: { server: LocalServer; rec: ServerRecord; restarting: boolean }[] = [];
  private readonly procs: ActorProc[] = [];
  private probe?: HealthProbe;
  private stopping = false;
  private stopped?: Promise<void>;
  /** True once this supervisor owns state.json (so stop() may remove it). */
  private claimed = false;
  private watchTimer?: NodeJS.Timeout;
  private healthTimer?: NodeJS.Timeout;
  private ticking = false;

  constructor(private readonly opts: SupervisorOptions) {
    this.paths = statePaths(opts.home);
  }

  /** start: claim the state file, start servers and actors, wait until all are healthy. */
  async start(): Promise<ClusterState> {
    const { progress } = this.opts;
    mkdirSync(this.paths.logs, { recursive: true });
    this.claimState();
    const natsUrl = this.opts.natsUrl ?? (await this.startServer("nats"));
    if (this.opts.natsUrl) progress(`✓ nats: using NATS_URL ${natsUrl}`);
    const redisUrl = this.opts.redisUrl ?? (await this.startServer("redis"));
    if (this.opts.redisUrl) progress(`✓ redis: using REDIS_URL ${redisUrl}`);
    this.state = { ...this.state, natsUrl, redisUrl };
    this.save();

    this.probe = await openHealthProbe(natsUrl);
    if (this.stopping) throw new StoppedError("stopped while starting");
    for (const entry of this.opts.actors) {
      for (let n = 1; n <= entry.replicas; n++) {
        const id = `${entry.name}-${n}`;
        const port = entry.portEnv ? await freePort() : undefined;
        const url = port && entry.kubeApi ? `http://127.0.0.1:${port}` : undefined;
        const rec: ActorRecord = { actor: entry.name, id, pid: 0, restarts: 0, log: join(this.paths.logs, `${id}.log`), ...(port ? { port } : {}), ...(url ? { url } : {}) };
        this.state.actors.push(rec);
        const p: ActorProc = { entry, rec, startedAt: 0, streak: 0, pendingHealthy: true };
        this.procs.push(p);
        this.spawnActor(p);
      }
    }
    this.save();
    if (this.procs.length === 0) progress("! no actors are built yet: only the servers run");
    else progress(`… waiting for ${this.procs.length} actor processes to report "running" on the bus`);
    this.watchTimer = setInterval(() => void this.watchServers(), 1000);
    await this.waitHealthy(this.opts.timeoutSec * 1000);
    this.writeKubeconfig();
    this.state.phase = "running";
    this.save();
    this.healthTimer = setInterval(() => void this.healthTick(), 1000);
    return this.state;
  }

  /** stop: end every actor process (SIGTERM, then SIGKILL after `graceMs`), then the servers; remove state.json. Idempotent. */
  stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    this.stopped ??= this.doStop(graceMs);
    return this.stopped;
  }

  private async doStop(graceMs: number): Promise<void> {
    clearInterval(this.watchTimer);
    clearInterval(this.healthTimer);
    if (!this.claimed) return;
    this.state.phase = "stopping";
    this.save();
    await Promise.all(this.procs.map((p) => this.stopActor(p, graceMs)));
    await this.probe?.close().catch(() => undefined);
    for (const s of [...this.servers].reverse()) {
      await s.server.stop().catch(() => undefined);
      this.opts.log(`✓ stopped ${s.rec.kind}-server (pid ${s.rec.pid})`);
    }
    if (this.state.kubeconfig) rmSync(this.state.kubeconfig, { force: true });
    removeState(this.opts.home);
  }

  private writeKubeconfig(): void {
    const endpoints = this.state.actors.filter((a) => a.url).map((a) => ({ id: a.id, url: a.url! }));
    if (endpoints.length === 0) return;
    writeFileSync(this.paths.kubeconfig, kubeconfigYaml(endpoints));
    this.state.kubeconfig = this.paths.kubeconfig;
    this.opts.progress(`✓ kubeconfig ${this.paths.kubeconfig} (API server ${endpoints[0]!.url}): export KUBECONFIG=${this.paths.kubeconfig}`);
  }

  /** The state as last written. */
  current(): ClusterState {
    return this.state;
  }

  private claimState(): void {
    this.state = {
      version: 1,
      home: this.opts.home,
      supervisorPid: process.pid,
      phase: "starting",
      startedAt: new Date().toISOString(),
      natsUrl: "",
      redisUrl: "",
      fsync: this.opts.fsync,
      nodes: this.opts.nodes,
      servers: [],
      actors: [],
    };
    // Exclusive create: two `up`s racing on one state directory cannot both win.
    try {
      writeFileSync(this.paths.state, JSON.stringify(this.state, null, 2) + "\n", { flag: "wx" });
      this.claimed = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") {
        throw new AlreadyRunningError(`a cluster is already starting or running (${this.paths.state}); stop it with: npm run k8s-dev -- down`);
      }
      throw err;
    }
  }

  private save(): void {
    if (this.claimed) writeState(this.state);
  }

  private async startServer(kind: "nats" | "redis"): Promise<string> {
    const dataDir = kind === "nats" ? this.paths.natsData : this.paths.redisData;
    const logFile = join(this.paths.logs, `${kind}.log`);
    const server =
      kind === "nats" ? await startNats({ dataDir, logFile, detached: true }) : await startRedis({ dataDir, logFile, detached: true, fsync: this.opts.fsync });
    if (this.stopping) {
      await server.stop();
      throw new StoppedError("stopped while starting");
    }
    const rec: ServerRecord = { kind, pid: server.pid(), port: server.port, url: server.url, dataDir, restarts: 0 };
    this.servers.push({ server, rec, restarting: false });
    this.state.servers.push(rec);
    this.save();
    const extra = kind === "redis" ? `, appendfsync ${this.opts.fsync}` : "";
    this.opts.progress(`✓ ${kind}-server ${server.url} (pid ${rec.pid}${extra})`);
    return server.url;
  }

  private spawnActor(p: ActorProc): void {
    if (this.stopping) return;
    const fd = openSync(p.rec.log, "a");
    const child = spawn(process.execPath, ["--enable-source-maps", MAIN_JS, "run", p.entry.name], {
      env: {
        ...process.env,
        NATS_URL: this.state.natsUrl,
        REDIS_URL: this.state.redisUrl,
        K8S_ACTOR_ID: p.rec.id,
        K8S_DEV_HOME: this.opts.home,
        K8S_NODES: String(this.opts.nodes),
        ...(p.entry.portEnv && p.rec.port ? { [p.entry.portEnv]: String(p.rec.port) } : {}),
      },
      stdio: ["ignore", fd, fd],
      detached: true,
    });
    closeSync(fd);
    child.on("error", (err) => this.opts.log(`! ${p.rec.id}: cannot start: ${err.message}`));
    p.child = child;
    p.startedAt = Date.now();
    p.pendingHealthy = true;
    p.rec.pid = child.pid ?? 0;
    this.save();
    child.once("exit", (code, signal) => this.onActorExit(p, child, code, signal));
  }

  private onActorExit(p: ActorProc, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (p.child !== child) return;
    p.child = undefined;
    if (this.stopping) return;
    const uptime = Date.now() - p.startedAt;
    const d = decideRespawn(p.streak, uptime, this.opts.respawn ?? DEFAULT_RESPAWN);
    p.streak = d.streak;
    p.rec.pid = 0;
    p.rec.restarts += 1;
    this.save();
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    this.opts.log(`! ${p.rec.id} (pid ${child.pid}) died (${how}) after ${Math.round(uptime / 100) / 10} s; restarting in ${d.delayMs} ms (restart #${p.rec.restarts}, log ${p.rec.log})`);
    p.timer = setTimeout(() => {
      p.timer = undefined;
      this.spawnActor(p);
      if (p.child) this.opts.log(`… ${p.rec.id} restarted as pid ${p.rec.pid}`);
    }, d.delayMs);
  }

  private async stopActor(p: ActorProc, graceMs: number): Promise<void> {
    clearTimeout(p.timer);
    const child = p.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((res) => child.once("exit", () => res()));
    child.kill("SIGTERM");
    const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(t);
    this.opts.log(`✓ stopped ${p.rec.id} (pid ${child.pid})`);
  }

  /** Restart a private server that died (chaos experiments kill them too); same port and data. */
  private async watchServers(): Promise<void> {
    for (const s of this.servers) {
      if (this.stopping || s.restarting || isAlive(s.server.pid())) continue;
      s.restarting = true;
      this.opts.log(`! ${s.rec.kind}-server (pid ${s.rec.pid}) died; restarting on port ${s.rec.port}`);
      try {
        await s.server.restart();
        s.rec.pid = s.server.pid();
        s.rec.restarts += 1;
        this.save();
        this.opts.log(`✓ ${s.rec.kind}-server restarted (pid ${s.rec.pid})`);
      } catch (err) {
        this.opts.log(`! ${s.rec.kind}-server restart failed: ${(err as Error).message}; retrying`);
      } finally {
        s.restarting = false;
      }
    }
  }

  private async healthOnce(): Promise<Map<ActorProc, ProcessHealth>> {
    const replies = (await this.probe?.probe().catch(() => [])) ?? [];
    const out = new Map<ActorProc, ProcessHealth>();
    for (const p of this.procs) out.set(p, processHealth(p.rec.id, p.rec.pid, p.rec.pid > 0 && isAlive(p.rec.pid), replies));
    return out;
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const health = await this.healthOnce();
      for (const [p, h] of health) {
        if (p.pendingHealthy && isHealthy(h)) {
          p.pendingHealthy = false;
          this.opts.progress(`✓ ${p.rec.id} running (pid ${p.rec.pid})`);
        }
      }
      const waiting = this.procs.filter((p) => p.pendingHealthy);
      if (waiting.length === 0) return;
      if (this.stopping) throw new StoppedError("stopped while starting");
      if (Date.now() > deadline) {
        const list = waiting.map((p) => `${p.rec.id} (${health.get(p)?.state ?? "?"}, ${p.rec.restarts} restarts, log ${p.rec.log})`).join("; ");
        throw new HealthTimeoutError(`not healthy after ${Math.round(timeoutMs / 1000)} s: ${list}`);
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  /** After startup: report when a restarted actor is healthy again. */
  private async healthTick(): Promise<void> {
    if (this.stopping || this.ticking || !this.procs.some((p) => p.pendingHealthy)) return;
    this.ticking = true;
    const health = await this.healthOnce().finally(() => (this.ticking = false));
    for (const [p, h] of health) {
      if (p.pendingHealthy && isHealthy(h)) {
        p.pendingHealthy = false;
        this.opts.log(`✓ ${p.rec.id} running again (pid ${p.rec.pid})`);
      }
    }
  }
}
