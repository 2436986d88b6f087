/**
 * local-servers: start private nats-server and redis-server processes on free loopback ports.
 *
 * Used by the launcher (`k8s-dev up`), the test harness and the benchmarks, so each can kill
 * and restart its own servers without touching the machine's shared ones. A restart reuses
 * the same port and data directory, so clients reconnect to the same URL and Redis reloads
 * its AOF.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** MissingBinaryError: a server binary is not installed; the message says how to install it. */
export class MissingBinaryError extends Error {
  override name = "MissingBinaryError";
}

/** ServerStartError: the server process exited or never became ready. */
export class ServerStartError extends Error {
  override name = "ServerStartError";
}

/** A running private server. */
export interface LocalServer {
  readonly kind: "nats" | "redis";
  readonly port: number;
  readonly url: string;
  readonly dataDir: string;
  /** pid of the current process (changes on restart). */
  pid(): number;
  /** Kill with SIGKILL (default) or another signal and wait for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Start again on the same port and data directory; resolves once it accepts clients. */
  restart(): Promise<void>;
  /** Stop gracefully (SIGTERM, then SIGKILL) and remove a temporary data directory. */
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** Port to listen on; a free one when omitted. */
  port?: number;
  /** Data directory; a temporary one (removed on stop) when omitted. */
  dataDir?: string;
  /** Redis only: appendfsync policy (default "always": acknowledged means durable). */
  fsync?: "always" | "everysec" | "no";
  /** Where server output goes: a file path, or "ignore". Default: <dataDir>/<kind>.log. */
  logFile?: string;
  /** Keep the server running if this process dies (launcher --detach). */
  detached?: boolean;
}

/** The project root (the folder holding package.json), found from this file's location. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("project root not found");
    dir = up;
  }
  return dir;
}

/** A free TCP port on 127.0.0.1 (bind to port 0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

const INSTALL_HINT: Record<string, string> = {
  "nats-server": "nats-server not found: install it with `sudo apt-get install -y nats-server` (or set NATS_URL)",
  "redis-server": "redis-server not found: install it with `sudo apt-get install -y redis-server` (or set REDIS_URL)",
};

/** Resolve a binary on PATH (or Debian's sbin), or throw MissingBinaryError with the install command. */
export function findBinary(name: "nats-server" | "redis-server"): string {
  const found = spawnSync("sh", ["-c", `command -v ${name} || ls /usr/sbin/${name} /usr/bin/${name} 2>/dev/null | head -1`], { encoding: "utf8" });
  const path = found.stdout.trim().split("\n")[0];
  if (!path) throw new MissingBinaryError(INSTALL_HINT[name]);
  return path;
}

/** Resolves once something accepts TCP connections on the port and sends the expected greeting. */
async function waitReady(port: number, probe: "nats" | "redis", proc: () => ChildProcess | undefined, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const p = proc();
    if (p && p.exitCode !== null) throw new ServerStartError(`${probe} server exited with code ${p.exitCode} while starting on port ${port}`);
    const ok = await new Promise<boolean>((res) => {
      const sock = connect(port, "127.0.0.1");
      let buf = "";
      const done = (v: boolean) => {
        sock.destroy();
        res(v);
      };
      sock.setTimeout(1000, () => done(false));
      sock.on("error", () => done(false));
      sock.on("connect", () => {
        if (probe === "redis") sock.write("PING\r\n");
      });
      sock.on("data", (d) => {
        buf += d.toString();
        if (probe === "nats" && buf.startsWith("INFO")) done(true);
        // While loading the AOF, Redis answers -LOADING: not ready yet.
        if (probe === "redis" && buf.includes("\r\n")) done(buf.startsWith("+PONG"));
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new ServerStartError(`${probe} server on port ${port} not ready after ${timeoutMs} ms`);
}

function waitExit(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((res) => p.once("exit", () => res()));
}

async function startServer(
  kind: "nats" | "redis",
  bin: string,
  argsFor: (port: number, dataDir: string) => string[],
  opts: ServerOptions,
): Promise<LocalServer> {
  const port = opts.port ?? (await freePort());
  const tempDir = opts.dataDir === undefined;
  const dataDir = resolve(opts.dataDir ?? mkdtempSync(join(tmpdir(), `k8s-${kind}-`)));
  mkdirSync(dataDir, { recursive: true });
  const logFile = opts.logFile ?? join(dataDir, `${kind}.log`);
  let proc: ChildProcess | undefined;

  const launch = async () => {
    const { openSync, closeSync } = await import("node:fs");
    const fd = logFile === "ignore" ? "ignore" : openSync(logFile, "a");
    proc = spawn(bin, argsFor(port, dataDir), { stdio: ["ignore", fd, fd], detached: opts.detached ?? false });
    if (typeof fd === "number") closeSync(fd);
    if (opts.detached) proc.unref();
    proc.on("error", () => undefined);
    await waitReady(port, kind, () => proc);
  };
  await launch();

  const server: LocalServer = {
    kind,
    port,
    url: kind === "nats" ? `nats://127.0.0.1:${port}` : `redis://127.0.0.1:${port}`,
    dataDir,
    pid: () => proc?.pid ?? -1,
    async kill(signal = "SIGKILL") {
      if (!proc) return;
      const p = proc;
      p.kill(signal);
      await waitExit(p);
    },
    async restart() {
      if (proc && proc.exitCode === null && proc.signalCode === null) await server.kill("SIGKILL");
      await launch();
    },
    async stop() {
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        const p = proc;
        p.kill("SIGTERM");
        const t = setTimeout(() => p.kill("SIGKILL"), 5000);
        await waitExit(p);
        clearTimeout(t);
      }
      if (tempDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

/** Start a private redis-server with the project's config (AOF, fsync per `opts.fsync`). */
export function startRedis(opts: ServerOptions = {}): Promise<LocalServer> {
  const bin = findBinary("redis-server");
  const conf = join(projectRoot(), "infra/redis.conf");
  return startServer(
    "redis",
    bin,
    (port, dir) => [conf, "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendfsync", opts.fsync ?? "always", "--daemonize", "no"],
    opts,
  );
}

/** Start a private nats-server (with JetStream storage under the data directory). */
export function startNats(opts: ServerOptions = {}): Promise<LocalServer> {
  const bin = findBinary("nats-server");
  const conf = join(projectRoot(), "infra/nats.conf");
  return startServer("nats", bin, (port, dir) => ["-c", conf, "-a", "127.0.0.1", "-p", String(port), "-js", "-sd", join(dir, "jetstream")], opts);
}
