/**
 * TimerHeap: many deadlines on one real timer. A binary min-heap ordered by (at, seq); one
 * `setTimeout` is armed for the earliest entry, and when it fires every due entry runs in
 * deadline order. Cancelling marks the entry (it is dropped when it reaches the top), so both
 * schedule and cancel are O(log n) / O(1). One heap serves every sim node of a process.
 * With `slackMs` > 0 the real timer fires on multiples of `slackMs` (an entry runs at most that
 * much late), so entries due close together run in one fire and what they cause (status
 * writes) leaves together.
 */
import type { Timers } from "../../../client/index.js";

/** A scheduled entry; pass to {@link TimerHeap.cancel}. */
export interface TimerHandle {
  readonly at: number;
  /** @internal */
  cancelled: boolean;
}

interface Entry extends TimerHandle {
  seq: number;
  fn: () => void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class TimerHeap {
  private readonly heap: Entry[] = [];
  private seq = 0;
  private armedAt = Infinity;
  private armed: unknown;
  private live = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly timers: Timers = realTimers,
    private readonly slackMs = 0,
  ) {}

  /** Entries scheduled and not cancelled. */
  get size(): number {
    return this.live;
  }

  /** schedule runs `fn` at unix ms `at` (at once, on the next fire, when `at` is past). */
  schedule(at: number, fn: () => void): TimerHandle {
    const e: Entry = { at, seq: this.seq++, fn, cancelled: false };
    this.push(e);
    this.live++;
    if (at < this.armedAt) this.arm();
    return e;
  }

  /** cancel: the entry will not run (no-op when it ran or was cancelled). */
  cancel(h: TimerHandle | undefined): void {
    if (!h || h.cancelled) return;
    h.cancelled = true;
    this.live--;
  }

  /** Runs every entry due at `now()`; called by the armed timer (and by tests). */
  runDue(): void {
    const now = this.now();
    for (;;) {
      const top = this.heap[0];
      if (!top) break;
      if (top.cancelled) {
        this.pop();
        continue;
      }
      if (top.at > now) break;
      this.pop();
      top.cancelled = true; // ran: a later cancel is a no-op
      this.live--;
      try {
        top.fn();
      } catch {
        // a timer callback must not break the others; callers log their own errors
      }
    }
    this.arm();
  }

  /** Cancels everything and disarms the real timer. */
  clear(): void {
    for (const e of this.heap) e.cancelled = true;
    this.heap.length = 0;
    this.live = 0;
    if (this.armed !== undefined) this.timers.clearTimeout(this.armed);
    this.armed = undefined;
    this.armedAt = Infinity;
  }

  private arm(): void {
    while (this.heap[0]?.cancelled) this.pop();
    const top = this.heap[0];
    const at = !top ? Infinity : this.slackMs > 0 ? Math.ceil(top.at / this.slackMs) * this.slackMs : top.at;
    if (at === this.armedAt && this.armed !== undefined) return;
    if (this.armed !== undefined) this.timers.clearTimeout(this.armed);
    this.armed = undefined;
    this.armedAt = at;
    if (!top) return;
    this.armed = this.timers.setTimeout(() => {
      this.armed = undefined;
      this.armedAt = Infinity;
      this.runDue();
    }, Math.max(0, at - this.now()));
  }

  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
