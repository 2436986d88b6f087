/**
 * SimRuntime: the `sim` runtime — no processes, only the stage engine of `stages.ts` driven by
 * one shared {@link TimerHeap}. Each live instance has at most one pending timer (its next
 * stage), so a node with 100 idle running pods costs 100 small objects and no timers.
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

interface SimPod {
  sandbox: PodSandbox;
  /** Per container name: the newest instance first, then the one before it. */
  containers: Map<string, SimContainer[]>;
  timers: Map<string, TimerHandle>;
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

/** `chars` hex digits, 8 from each 32-bit draw of `random` (by table: no number formatting per digit). */
export function randomHex(random: () => number, chars: number): string {
  let s = "";
  while (s.length < chars) {
    const w = (random() * 0x100000000) >>> 0;
    s += HEX_BYTE[w >>> 24]! + HEX_BYTE[(w >>> 16) & 255]! + HEX_BYTE[(w >>> 8) & 255]! + HEX_BYTE[w & 255]!;
  }
  return s.length === chars ? s : s.slice(0, chars);
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
      p = { sandbox: pod, containers: new Map(), timers: new Map() };
      this.podsByUid.set(pod.uid, p);
    }
    const history = p.containers.get(container.name) ?? [];
    const older = history[0] ?? (previous ? { instance: previous, plan: { startupMs: 0, readyMs: 0, exitCode: previous.exitCode ?? 0, stopMs: 0, pullFails: false } } : undefined);
    const instance: ContainerInstance = {
      name: container.name,
      id: `sim://${randomHex(this.random, 64)}`,
      attempt,
      image: container.image,
      imageID: simImageID(container.image),
      state: "creating",
      createdAt: this.now(),
      reason: "ContainerCreating",
      ready: false,
    };
    const fresh: SimContainer = { instance, plan: planContainer(this.opts.profile, pod.annotations, container, this.random) };
    p.containers.set(container.name, older ? [fresh, older] : [fresh]);
    this.schedule(p, container.name);
  }

  stopPod(podUid: string, graceMs: number): void {
    const p = this.podsByUid.get(podUid);
    if (!p) return;
    const now = this.now();
    for (const [name, history] of p.containers) {
      const cur = history[0]!;
      const next = requestStop(cur, now, graceMs);
      if (next === cur) continue;
      history[0] = next;
      this.schedule(p, name);
    }
  }

  removePod(podUid: string): void {
    const p = this.podsByUid.get(podUid);
    if (!p) return;
    for (const t of p.timers.values()) this.opts.timers.cancel(t);
    this.podsByUid.delete(podUid);
  }

  inspect(podUid: string): readonly ContainerInstance[] | undefined {
    const p = this.podsByUid.get(podUid);
    if (!p) return undefined;
    const out: ContainerInstance[] = [];
    for (const history of p.containers.values()) for (const c of history) out.push(c.instance);
    return out;
  }

  pods(): string[] {
    return [...this.podsByUid.keys()];
  }

  close(): void {
    for (const uid of [...this.podsByUid.keys()]) this.removePod(uid);
    this.listener = undefined;
  }

  private schedule(p: SimPod, name: string): void {
    this.opts.timers.cancel(p.timers.get(name));
    p.timers.delete(name);
    const cur = p.containers.get(name)?.[0];
    if (!cur) return;
    const next = nextStage(cur);
    if (!next || !Number.isFinite(next.at)) return;
    p.timers.set(name, this.opts.timers.schedule(next.at, () => this.fire(p, name)));
  }

  private fire(p: SimPod, name: string): void {
    p.timers.delete(name);
    if (this.podsByUid.get(p.sandbox.uid) !== p) return;
    const history = p.containers.get(name);
    if (!history) return;
    const { container, applied } = advance(history[0]!, this.now());
    history[0] = container;
    this.schedule(p, name);
    const last = applied[applied.length - 1];
    if (last) this.listener?.({ podUid: p.sandbox.uid, container: name, type: EVENT_OF[last] });
  }
}
