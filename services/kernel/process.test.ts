import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { probeHealth } from "./actor.js";
import { Bus } from "./bus.js";
import { startNats, type LocalServer } from "./local-servers.js";
import * as subjects from "./subjects.js";
import { captureLogs, waitFor, type CapturedLogs } from "./testkit.js";

const FIXTURE = fileURLToPath(new URL("./fixtures/echo-main.js", import.meta.url));

let nats: LocalServer;
let bus: Bus;
let logs: CapturedLogs;
before(async () => {
  logs = captureLogs();
  nats = await startNats();
  bus = await Bus.connect({ servers: nats.url, name: "process-test" });
});
after(async () => {
  await bus.close();
  await nats.stop();
  logs.restore();
});

interface Child {
  proc: ChildProcess;
  lines: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function run(env: Record<string, string>): Child {
  const clean = { ...process.env };
  delete clean.NATS_URL;
  delete clean.REDIS_URL;
  const proc = spawn(process.execPath, [FIXTURE], { env: { ...clean, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  const lines: Array<Record<string, unknown>> = [];
  let buf = "";
  proc.stderr!.on("data", (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        lines.push(JSON.parse(line));
      } catch {
        lines.push({ msg: line });
      }
    }
  });
  const exited = new Promise<number | null>((res) => proc.on("exit", (code) => res(code)));
  return { proc, lines, exited };
}

const enc = (s: string) => new TextEncoder().encode(s);
const errName = (l: Record<string, unknown>) => (l.err as { name?: string } | undefined)?.name;

test("process - runs an actor under supervision, survives unhandled rejections, drains on SIGTERM", async () => {
  const child = run({ NATS_URL: nats.url, K8S_ACTOR_ID: "echo-proc", LOG_LEVEL: "info" });
  try {
    await waitFor(async () => (await probeHealth(bus, "echo-proc", 500).catch(() => undefined))?.state === "running", "actor process healthy", 20_000);
    const echo = subjects.actor("echo-proc", "echo");
    assert.equal(new TextDecoder().decode(await bus.request(echo, "Echo", enc("hi"))), "hi");

    await bus.request(echo, "Echo", enc("unhandled"));
    await waitFor(() => child.lines.some((l) => errName(l) === "UnhandledRejectionError"), "unhandled rejection logged");
    assert.equal(new TextDecoder().decode(await bus.request(echo, "Echo", enc("still"))), "still", "process still serving");

    await bus.request(echo, "Echo", enc("crash"));
    await waitFor(async () => {
      const h = await probeHealth(bus, "echo-proc", 500).catch(() => undefined);
      return h?.state === "running" && h.restarts === 1;
    }, "actor restarted by the supervisor");
    assert.equal(new TextDecoder().decode(await bus.request(echo, "Echo", enc("back"))), "back");

    child.proc.kill("SIGTERM");
    assert.equal(await child.exited, 0);
    assert.ok(child.lines.some((l) => l.msg === "stopped"));
    assert.ok(child.lines.every((l) => typeof l.time === "string" && typeof l.level === "string" && typeof l.component === "string"), "every line is a structured record");
  } finally {
    child.proc.kill("SIGKILL");
  }
});

test("process - a configuration error exits 1 with the fix in the log", async () => {
  const child = run({});
  assert.equal(await child.exited, 1);
  const line = child.lines.find((l) => errName(l) === "ConfigError");
  assert.ok(line, "ConfigError logged");
  assert.match(String((line!.err as { message: string }).message), /NATS_URL is not set: set NATS_URL=/);
});
