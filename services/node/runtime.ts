/**
 * runtime: the one interface a node actor drives its containers through (a small CRI).
 *
 * Contract:
 * - `startContainer` begins one container instance (pull → create → start); progress arrives
 *   later as {@link RuntimeEvent}s. The runtime keeps the instance (and the one before it, as
 *   CRI keeps dead containers) until `removePod`.
 * - `stopPod` stops every running instance of the pod within `graceMs`; each ends as an
 *   `exited` instance and emits an event.
 * - `inspect` answers the runtime's current view; `undefined` means the runtime knows nothing
 *   of the pod (never started here, or lost in a restart of the host process).
 * Events only say "look again": the node actor re-reads `inspect` (level-based).
 */

/** Where an instance is in its life. */
export type ContainerInstanceState = "creating" | "running" | "exited" | "failed";

/** One container instance as the runtime reports it (newest first in {@link Runtime.inspect}). */
export interface ContainerInstance {
  /** Container name from the pod spec. */
  name: string;
  /** `<runtime>://<hex>`. */
  id: string;
  /** 0 for the first run; the pod's restartCount for this container is the newest attempt. */
  attempt: number;
  image: string;
  imageID: string;
  state: ContainerInstanceState;
  /** Unix ms. */
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  /** Why it is waiting (`creating`/`failed`: ContainerCreating, ErrImagePull) or why it exited. */
  reason?: string;
  message?: string;
  ready: boolean;
}

/** What a runtime needs to know about a container. */
export interface ContainerConfig {
  name: string;
  image: string;
  /** Init containers run to completion; the sim exits them with 0 unless told otherwise. */
  init?: boolean;
  /** Readiness delay from a readinessProbe's initialDelaySeconds (ms); undefined = ready when started. */
  readinessDelayMs?: number;
}

/** What a runtime needs to know about a pod. */
export interface PodSandbox {
  uid: string;
  namespace: string;
  name: string;
  annotations: Readonly<Record<string, string>>;
}

/** A change in one of the pod's instances: the node actor re-inspects the pod. */
export interface RuntimeEvent {
  podUid: string;
  container: string;
  type: "created" | "started" | "ready" | "exited" | "failed";
}

/** Runtime: see the module doc. One instance per node. */
export interface Runtime {
  /** Runtime name, the containerID scheme (`sim`). */
  readonly name: string;
  /**
   * Start `container` of `pod` as instance number `attempt`. `previous`, when given, is the
   * instance this one replaces and that the runtime no longer holds (lost in a host restart);
   * the runtime reports it as the prior instance.
   */
  startContainer(pod: PodSandbox, container: ContainerConfig, attempt: number, previous?: ContainerInstance): void;
  /** Stop the pod's live instances within `graceMs` (a kill after that). */
  stopPod(podUid: string, graceMs: number): void;
  /** Forget the pod and all its instances (their timers included). */
  removePod(podUid: string): void;
  /** The pod's instances, newest first per container; undefined when unknown. */
  inspect(podUid: string): readonly ContainerInstance[] | undefined;
  /** UIDs of every pod the runtime holds. */
  pods(): string[];
  /** Register the listener of runtime events (one per runtime). */
  onEvent(listener: (e: RuntimeEvent) => void): void;
  /** Drop everything (the host is stopping). */
  close(): void;
}
