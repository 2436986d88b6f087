/**
 * slowStartBatch: run `count` calls of `fn` in batches of 1, 2, 4, … (Kubernetes'
 * `slowStartBatch`): each batch runs in parallel; a batch with any error stops the run, so a
 * create that fails for every pod (quota, admission, a missing namespace) fails once or
 * twice instead of `count` times.
 */

/** The outcome of {@link slowStartBatch}. */
export interface SlowStartResult {
  /** Calls that succeeded. */
  successes: number;
  /** The errors of the failed calls (in the order they settled). */
  errors: unknown[];
  /** Calls never made because an earlier batch failed. */
  skipped: number;
  /** Where the ramp got to: the next batch size (the calls a window would let run at once); a run continuing this one starts there. */
  window: number;
}

/** The first batch size Kubernetes uses. */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

export async function slowStartBatch(count: number, initialBatchSize: number, fn: (index: number) => Promise<void>): Promise<SlowStartResult> {
  const out: SlowStartResult = { successes: 0, errors: [], skipped: 0, window: Math.max(1, initialBatchSize) };
  let remaining = Math.max(0, count);
  let batch = Math.min(remaining, out.window);
  let index = 0;
  while (batch > 0) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn(index++)));
    for (const r of results) {
      if (r.status === "fulfilled") out.successes++;
      else out.errors.push(r.reason);
    }
    remaining -= batch;
    if (out.errors.length > 0) {
      out.skipped = remaining;
      return out;
    }
    out.window = Math.max(out.window, 2 * batch);
    batch = Math.min(remaining, 2 * batch);
  }
  return out;
}

/**
 * slowStartWindow: {@link slowStartBatch} pipelined. The same ramp — `initialBatchSize` calls
 * at first, and each success lets one more start, so the calls in flight double per round
 * trip — but a call starts as soon as the window allows instead of waiting for the slowest
 * call of its batch. The first error stops new calls (those in flight finish); as with
 * batches, at most about as many calls are started as have succeeded (plus the initial
 * window), so a create failing for every pod is tried once.
 */
export async function slowStartWindow(count: number, initialBatchSize: number, fn: (index: number) => Promise<void>): Promise<SlowStartResult> {
  const out: SlowStartResult = { successes: 0, errors: [], skipped: 0, window: Math.max(1, initialBatchSize) };
  const total = Math.max(0, count);
  if (total === 0) return out;
  let started = 0;
  let inFlight = 0;
  return new Promise((resolve) => {
    const pump = () => {
      while (out.errors.length === 0 && started < total && inFlight < out.window) {
        const index = started++;
        inFlight++;
        let p: Promise<void>;
        try {
          p = fn(index);
        } catch (err) {
          p = Promise.reject(err);
        }
        p.then(
          () => {
            out.successes++;
            out.window++;
          },
          (err: unknown) => {
            out.errors.push(err);
          },
        ).finally(() => {
          inFlight--;
          pump();
        });
      }
      if (inFlight === 0 && (out.errors.length > 0 || started >= total)) {
        out.skipped = total - started;
        resolve(out);
      }
    };
    pump();
  });
}
