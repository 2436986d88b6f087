/**
 * SimRuntime: the `sim` runtime — no processes, only the stage engine of `stages.ts` driven by
 * one shared {@link TimerHeap}. Each live instance has at most one pending timer (its next
 * stage), so a node with 100 idle running pods costs 100 small objects and no timers. A pod
 * holds a short list of container slots (pods have few containers), not maps: the runtime
 * keeps thousands of pods per process, and their memory is what the garbage collector walks.
 */
import type { ContainerConfig, ContainerInstance, PodSandbox, Runtime, RuntimeEvent } from "../../runtime.js";
import { advance, nextStage, planContainer, requestStop, type SimContainer, type SimProfile, type StageName } from "./stages.js";
import type { TimerHandle, TimerHeap } from "./timer-heap.js";

/** Options of {@link SimRuntime}. */
export interface SimRuntimeOptions {
  profile: SimProfile;
  /** The process-wide timer heap. */
  timers: TimerHeap;
  now?: () => number;
  /** In [0, 1); seeded in tests. */
  random?: () => number;
}

/** One container of a pod: its newest instance, the one before it, and the timer of its next stage. */
interface Slot {
  name: string;
  cur: SimContainer;
  prev: SimContainer | undefined;
  timer: TimerHandle | undefined;
}

interface SimPod {
  sandbox: PodSandbox;
  /** In the order the containers were first started. */
  slots: Slot[];
}

const EVENT_OF: Record<StageName, RuntimeEvent["type"]> = {
  "created-failed": "failed",
  started: "started",
  ready: "ready",
  exited: "exited",
  stopped: "exited",
};

/** mulberry32: a small seeded PRNG in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Image ids computed so far (a host runs few images). */
const imageIDs = new Map<string, string>();

/** simImageID: a stable `image@sha256:<hex>` for an image name. */
export function simImageID(image: string): string {
  let id = imageIDs.get(image);
  if (id === undefined) {
    id = imageIDOf(image);
    if (imageIDs.size >= 1000) imageIDs.clear();
    imageIDs.set(image, id);
  }
  return id;
}

function imageIDOf(image: string): string {
  let h = 0x811c9dc5;
  let out = "";
  for (let round = 0; round < 8; round++) {
    for (let i = 0; i < image.length; i++) h = Math.imul(h ^ image.charCodeAt(i), 0x01000193) >>> 0;
    h = Math.imul(h ^ round, 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, "0");
  }
  return `${image}@sha256:${out}`;
}

/** Two hex digits of each byte value. */
const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * `prefix` and `chars` hex digits, 8 from each 32-bit draw of `random` (by table: no number
 * formatting per digit), as one flat string (joined, not a chain of concatenations that the
 * engine keeps as a tree until the string is first read whole).
 */
export function randomHex(random: () => number, chars: number, prefix = ""): string {
  const parts: string[] = [prefix];
  for (let n = 0; n < chars; n += 8) {
    const w = (random() * 0x100000000) >>> 0;
    const word = HEX_BYTE[w >>> 24]! + HEX_BYTE[(w >>> 16) & 255]! + HEX_BYTE[(w >>> 8) & 255]! + HEX_BYTE[w & 255]!;
    parts.push(chars - n >= 8 ? word : word.slice(0, chars - n));
  }
  return parts.join("");
}

export class SimRuntime implements Runtime {
  readonly name = "sim";
  private readonly podsByUid = new Map<string, SimPod>();
  private listener: ((e: RuntimeEvent) => void) | undefined;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly opts: SimRuntimeOptions) {
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
  }

  onEvent(listener: (e: RuntimeEvent) => void): void {
    this.listener = listener;
  }

  startContainer(pod: PodSandbox, container: ContainerConfig, attempt: number, previous?: ContainerInstance): void {
    let p = this.podsByUid.get(pod.uid);
    if (!p) {
      p = { sandbox: pod, slots: [] };
      this.podsByUid.set(pod.uid, p);
    }
    const instance: ContainerInstance = {
      name: container.name,
      id: randomHex(this.random, 64, "sim://"),
      attempt,
      image: container.image,
      imageID: simImageID(container.image),
      state: "creating",
      createdAt: this.now(),
      reason: "ContainerCreating",
      ready: false,
    };
    const fresh: SimContainer = { instance, plan: planContainer(this.opts.profile, pod.annotations, container, this.random) };
    let slot = slotOf(p, container.name);
    if (slot) {
      slot.prev = slot.cur;
      slot.cur = fresh;
    } else {
      const older = previous ? { instance: previous, plan: { startupMs: 0, readyMs: 0, exitCode: previous.exitCode ?? 0, stopMs: 0, pullFails: false } } : undefined;
      slot = { name: container.name, cur: fresh, prev: older, timer: undefined };
      p.slots.push(slot);
    }
    this.schedule(p, slot);
  }

  stopPod(podUid: string, graceMs: number): void {
    const p = this.podsByUid.get(podUid);
    if (!p) return;
    const now = this.now();
    for (const slot of p.slots) {
      const next = requestStop(slot.cur, now, graceMs);
      if (next === slot.cur) continue;
      slot.cur = next;
      this.schedule(p, slot);
    }
  }

  removePod(podUid: string): void {
    const p = this.podsByUid.get(podUid);
    if (!p) return;
    for (const slot of p.slots) this.opts.timers.cancel(slot.timer);
    this.podsByUid.delete(podUid);
  }

  inspect(podUid: string): readonly ContainerInstance[] | undefined {
    const p = this.podsByUid.get(podUid);
    if (!p) return undefined;
    const out: ContainerInstance[] = [];
    for (const slot of p.slots) {
      out.push(slot.cur.instance);
      if (slot.prev) out.push(slot.prev.instance);
    }
    return out;
  }

  pods(): string[] {
    return [...this.podsByUid.keys()];
  }

  close(): void {
    for (const uid of [...this.podsByUid.keys()]) this.removePod(uid);
    this.listener = undefined;
  }

  private schedule(p: SimPod, slot: Slot): void {
    this.opts.timers.cancel(slot.timer);
    slot.timer = undefined;
    const next = nextStage(slot.cur);
    if (!next || !Number.isFinite(next.at)) return;
    slot.timer = this.opts.timers.schedule(next.at, () => this.fire(p, slot));
  }

  private fire(p: SimPod, slot: Slot): void {
    slot.timer = undefined;
    if (this.podsByUid.get(p.sandbox.uid) !== p) return;
    const { container, applied } = advance(slot.cur, this.now());
    slot.cur = container;
    this.schedule(p, slot);
    const last = applied[applied.length - 1];
    if (last) this.listener?.({ podUid: p.sandbox.uid, container: slot.name, type: EVENT_OF[last] });
  }
}

/** The slot of container `name` in `p`, if it was started before. */
function slotOf(p: SimPod, name: string): Slot | undefined {
  for (const slot of p.slots) if (slot.name === name) return slot;
  return undefined;
}
