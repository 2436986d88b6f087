import { test } from "node:test";
import assert from "node:assert/strict";
import { helpText, parseArgs, UsageError } from "./args.js";
import { decideRespawn } from "./respawn.js";
import { processHealth, type HealthReply } from "./health.js";
import { ACTORS, findActor, UnknownActorError } from "./registry.js";
import { formatStatus, type StatusReport } from "./status.js";
import { kubeconfigYaml } from "./kubeconfig.js";
import { parse } from "yaml";

test("args - no arguments and --help print the tool's help", () => {
  assert.deepEqual(parseArgs([]), { cmd: "help" });
  assert.deepEqual(parseArgs(["--help"]), { cmd: "help" });
  assert.deepEqual(parseArgs(["-h"]), { cmd: "help" });
  assert.deepEqual(parseArgs(["help", "status"]), { cmd: "help", topic: "status" });
});

test("args - every command has its own --help", () => {
  for (const c of ["up", "down", "status", "run"] as const) {
    assert.deepEqual(parseArgs([c, "--help"]), { cmd: "help", topic: c });
    assert.match(helpText(c), new RegExp(`^Usage: k8s-dev ${c}`));
  }
  assert.match(helpText(), /Commands:[\s\S]*up[\s\S]*down[\s\S]*status[\s\S]*run/);
});

test("args - up defaults: foreground, fsync always, 3 nodes", () => {
  assert.deepEqual(parseArgs(["up"]), { cmd: "up", detach: false, fsync: "always", nodes: 3, timeoutSec: 60, supervisor: false });
});

test("args - up flags, in both --flag value and --flag=value form", () => {
  const c = parseArgs(["up", "--detach", "--fsync=everysec", "--nodes", "50", "--timeout=5"]);
  assert.deepEqual(c, { cmd: "up", detach: true, fsync: "everysec", nodes: 50, timeoutSec: 5, supervisor: false });
  assert.equal((parseArgs(["up", "-d"]) as { detach: boolean }).detach, true);
});

test("args - K8S_DEV_FSYNC sets the default fsync, the flag wins", () => {
  assert.equal((parseArgs(["up"], { fsync: "everysec" }) as { fsync: string }).fsync, "everysec");
  assert.equal((parseArgs(["up", "--fsync", "always"], { fsync: "everysec" }) as { fsync: string }).fsync, "always");
});

test("args - bad input is a UsageError that says what to do", () => {
  const cases: [string[], RegExp][] = [
    [["upp"], /unknown command "upp"; commands: up, down, status, run/],
    [["up", "--fsync", "never"], /--fsync must be "always" or "everysec"/],
    [["up", "--nodes", "-1"], /--nodes needs a value/],
    [["up", "--nodes", "x"], /--nodes must be an integer/],
    [["up", "--bogus"], /unknown option --bogus for up/],
    [["down", "extra"], /unexpected argument "extra" for down/],
    [["run"], /run needs exactly one actor name: k8s-dev run <actor> \(actors: relay, apiserver/],
    [["help", "nope"], /unknown command "nope"/],
  ];
  for (const [argv, msg] of cases) assert.throws(() => parseArgs(argv), (e: unknown) => e instanceof UsageError && msg.test(e.message), argv.join(" "));
});

test("args - down, status and run", () => {
  assert.deepEqual(parseArgs(["down"]), { cmd: "down", purge: false });
  assert.deepEqual(parseArgs(["down", "--purge"]), { cmd: "down", purge: true });
  assert.deepEqual(parseArgs(["status", "--json"]), { cmd: "status", json: true });
  assert.deepEqual(parseArgs(["run", "relay"]), { cmd: "run", actor: "relay" });
});

test("registry - unknown actor lists the known ones", () => {
  assert.throws(() => findActor("kubelet"), (e: unknown) => e instanceof UnknownActorError && /known actors: relay, apiserver/.test(e.message));
  assert.equal(findActor("relay").needsRedis, true);
  assert.equal(new Set(ACTORS.map((a) => a.name)).size, ACTORS.length, "actor names are unique");
  for (const a of ACTORS) assert.ok(a.replicas >= 1 && /^[a-z][a-z-]*$/.test(a.name), a.name);
});

test("respawn - quick deaths back off exponentially up to the cap; a stable run resets", () => {
  const policy = { baseMs: 100, maxMs: 1000, stableMs: 5000 };
  let streak = 0;
  const delays: number[] = [];
  for (let i = 0; i < 6; i++) {
    const d = decideRespawn(streak, 50, policy);
    streak = d.streak;
    delays.push(d.delayMs);
  }
  assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000]);
  assert.deepEqual(decideRespawn(streak, 5000, policy), { delayMs: 100, streak: 1 });
});

const reply = (id: string, pid: number, state: string, detail = ""): HealthReply => ({ id, kind: id.split("-")[0]!, state, pid, restarts: 0, detail });

test("health - a process is running only when every actor in it says running", () => {
  assert.equal(processHealth("relay-1", 10, true, [reply("relay-1", 10, "running")]).state, "running");
  assert.equal(processHealth("relay-1", 10, true, [reply("relay-1", 10, "running"), reply("relay-1/watch", 10, "starting")]).state, "starting");
  assert.equal(processHealth("relay-1", 10, true, [reply("relay-1", 10, "running"), reply("x", 10, "failed", "boom")]).detail, "boom");
});

test("health - replies are matched by pid, or by id when no pid is given", () => {
  assert.equal(processHealth("relay-1", 10, true, [reply("relay-1", 11, "running")]).state, "no answer");
  assert.equal(processHealth("relay-1", 10, true, [reply("relay-1", 0, "running")]).state, "running");
  assert.equal(processHealth("relay-1", 10, true, []).state, "no answer");
  assert.equal(processHealth("relay-1", 10, false, [reply("relay-1", 10, "running")]).state, "dead");
  assert.equal(processHealth("relay-1", 10, true, [reply("relay-1", 10, "weird")]).state, "failed");
});

test("status - the table names every actor and lists problems", () => {
  const r: StatusReport = {
    healthy: false,
    supervisor: { pid: 1, alive: true },
    phase: "running",
    natsUrl: "nats://127.0.0.1:1",
    redisUrl: "redis://127.0.0.1:2",
    nodes: 3,
    fsync: "always",
    servers: [{ kind: "nats", url: "nats://127.0.0.1:1", pid: 5, alive: true, restarts: 0, managed: true }],
    actors: [{ actor: "relay", id: "relay-1", pid: 7, state: "no answer", restarts: 2, detail: "" }],
    problems: ["relay-1 is no answer"],
  };
  const text = formatStatus(r).join("\n");
  assert.match(text, /NOT healthy/);
  assert.match(text, /relay\s+relay-1\s+7\s+no answer\s+2/);
  assert.match(text, /! relay-1 is no answer/);
});

test("kubeconfig - current context is the first API server; one context per replica", () => {
  const doc = parse(kubeconfigYaml([{ id: "apiserver-1", url: "http://127.0.0.1:1001" }, { id: "apiserver-2", url: "http://127.0.0.1:1002" }]));
  assert.equal(doc["current-context"], "k8s-dev");
  const server = (ctx: string) => {
    const c = doc.contexts.find((x: any) => x.name === ctx).context.cluster;
    return doc.clusters.find((x: any) => x.name === c).cluster.server;
  };
  assert.equal(server("k8s-dev"), "http://127.0.0.1:1001");
  assert.equal(server("k8s-dev-apiserver-1"), "http://127.0.0.1:1001");
  assert.equal(server("k8s-dev-apiserver-2"), "http://127.0.0.1:1002");
  assert.throws(() => kubeconfigYaml([]));
});
