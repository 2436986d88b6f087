/**
 * poll: the one bounded wait that tests and benchmarks share.
 *
 * @example
 * const pod = await pollFor("web-1 bound", async () => ((await client.get("Pod", ns, "web-1")).spec?.nodeName ? pod : undefined), 30_000);
 */

/** PollTimeoutError: {@link pollFor} ran out of time; the message names what it waited for and the last error `fn` threw. */
export class PollTimeoutError extends Error {
  override name = "PollTimeoutError";
}

/**
 * pollFor: calls `fn` every `everyMs` until it returns something other than undefined, and
 * returns that. An error thrown by `fn` counts as "not yet" (a failing assertion inside it
 * is retried too). @throws {@link PollTimeoutError} after `timeoutMs`.
 */
export async function pollFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new PollTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
