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
}

/** The first batch size Kubernetes uses. */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

export async function slowStartBatch(count: number, initialBatchSize: number, fn: (index: number) => Promise<void>): Promise<SlowStartResult> {
  const out: SlowStartResult = { successes: 0, errors: [], skipped: 0 };
  let remaining = Math.max(0, count);
  let batch = Math.min(remaining, Math.max(1, initialBatchSize));
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
    batch = Math.min(remaining, 2 * batch);
  }
  return out;
}
