#!/usr/bin/env node
/**
 * k8s-dev: the local-cluster command (`npm start` = `k8s-dev up`).
 *
 * Exit codes: 0 success, 1 failure (one line on stderr saying what to do), 2 bad usage.
 * `k8s-dev run <actor>` is also the entry point of every actor process.
 */
import "reflect-metadata";
import { MissingBinaryError } from "../kernel/local-servers.js";
import { helpText, parseArgs, UsageError, type Command } from "./args.js";
import { down } from "./down.js";
import { findActor, loadActor, UnknownActorError } from "./registry.js";
import { status } from "./status.js";
import { up, type Io } from "./up.js";

const io: Io = {
  out: (line) => process.stdout.write(line + "\n"),
  err: (line) => process.stderr.write(line + "\n"),
};

async function runActor(name: string): Promise<number | undefined> {
  const entry = findActor(name);
  const main = await loadActor(entry);
  await main();
  // main() returning means the actor is running (handles keep the process alive) or it has
  // finished its own shutdown; either way the exit code is the process's to decide.
  return undefined;
}

async function dispatch(cmd: Command): Promise<number | undefined> {
  switch (cmd.cmd) {
    case "help":
      io.out(helpText(cmd.topic).trimEnd());
      return 0;
    case "up":
      return up(cmd, io);
    case "down":
      return down(cmd, io);
    case "status":
      return status(cmd, io);
    case "run":
      return runActor(cmd.actor);
  }
}

/** Errors whose message already says what to do: printed without their class name. */
const USER_ERRORS = new Set(["MissingBinaryError", "UsageError", "UnknownActorError", "AlreadyRunningError", "ActorLoadError", "StateError", "LeftoverProcessError", "ConfigError"]);

/** oneLine: an error as one line for the terminal. */
function oneLine(err: unknown): string {
  if (err instanceof MissingBinaryError || (err instanceof Error && USER_ERRORS.has(err.name))) return err.message.split("\n").join(" ");
  if (err instanceof Error) return `${err.name === "Error" ? "" : `${err.name}: `}${err.message}`.split("\n").join(" ");
  return String(err);
}

try {
  const cmd = parseArgs(process.argv.slice(2), { fsync: process.env.K8S_DEV_FSYNC });
  const code = await dispatch(cmd);
  if (code !== undefined) {
    // Let stdout drain before exiting (pipes are asynchronous).
    process.exitCode = code;
    if (cmd.cmd !== "run") process.stdout.write("", () => process.exit(code));
  }
} catch (err) {
  io.err(`k8s-dev: ${oneLine(err)}`);
  if (process.env.K8S_DEV_DEBUG && err instanceof Error && err.stack) io.err(err.stack);
  process.exit(err instanceof UsageError || err instanceof UnknownActorError ? 2 : 1);
}
