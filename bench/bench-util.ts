/**
 * bench-util: what the benchmarks share: integer settings from the environment and CPU time
 * of processes and threads from /proc (their bounded wait is test/harness/poll.ts's pollFor).
 */
import { readFileSync } from "node:fs";

/** An integer setting `name` from the environment (default `dflt`); a bad value throws with the fix. */
export function intEnv(name: string, dflt: number, min = 1): number {
  const raw = process.env[name]?.trim();
  if (!raw) return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name}=${JSON.stringify(raw)} must be an integer ≥ ${min}`);
  return n;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** BenchTimeoutError: a measured phase did not finish in time. */
export class BenchTimeoutError extends Error {
  override name = "BenchTimeoutError";
}

/** Clock ticks per second of /proc's CPU times (USER_HZ on Linux). */
export const CLOCK_TICKS = 100;

/** The user and system CPU ms in a /proc `stat` file (of a process or a thread), with its name; undefined when it is gone. */
export function procCpu(statPath: string): { name: string; userMs: number; sysMs: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(statPath, "utf8");
  } catch {
    return undefined;
  }
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { name: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), userMs: (Number(f[11]) * 1000) / CLOCK_TICKS, sysMs: (Number(f[12]) * 1000) / CLOCK_TICKS };
}
