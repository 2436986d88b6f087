/**
 * testkit: small helpers for kernel tests and other modules' tests (not used in production).
 */
import { setLogSink, type LogRecord } from "./log.js";

/** CapturedLogs: log records written while capturing. */
export interface CapturedLogs {
  readonly records: LogRecord[];
  /** Records whose `err.name` (or cause chain) is `name`. */
  withError(name: string): LogRecord[];
  /** Stop capturing and restore the previous sink. */
  restore(): void;
}

/** captureLogs routes the process-wide log sink into memory (also echoes with K8S_TEST_LOGS=1). */
export function captureLogs(): CapturedLogs {
  const records: LogRecord[] = [];
  const echo = process.env.K8S_TEST_LOGS === "1";
  const prev = setLogSink((rec) => {
    records.push(rec);
    if (echo) process.stderr.write(JSON.stringify(rec) + "\n");
  });
  return {
    records,
    withError: (name) =>
      records.filter((r) => {
        for (let e = r.err as { name?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) if (e.name === name) return true;
        return false;
      }),
    restore: () => void setLogSink(prev),
  };
}

/** waitFor polls `cond` until it is true; throws with `what` after `timeoutMs` (a hang guard, not a timing assertion). */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
