/**
 * node-index: the node for a plain pod without looking at every node (pure data structure).
 *
 * For a plain pod ({@link PodInfo.plain}) on plain nodes ({@link NodeInfo.plain}) only the
 * resources filter can reject a node and only LeastAllocated differs between nodes (no
 * affinity terms, no taints: see score.ts), so the choice depends on the pod only through its
 * requests and non-zero requests: its shape. For each of the few most recent shapes the index
 * keeps the plain nodes that fit it in buckets by leastAllocatedScore (0..100), moved when a
 * node or what is counted on it changes ({@link PlainNodeIndex.update}); a pick is a uniformly
 * random node of the highest non-empty bucket. That is what Kubernetes chooses (filter, score,
 * highest total, ties at random) with every node scored (percentageOfNodesToScore 100), where
 * a full scan would look only at a window of the nodes for speed.
 *
 * Cost: a pick O(1) (plus one check per non-plain node), an update O(shapes); a new shape
 * O(nodes) once.
 */
import { filterNode, fitsResources, type NodeInfo, type PodInfo } from "./filters.js";
import { leastAllocatedScore } from "./score.js";

/** Shapes indexed at once (least recently picked dropped first). */
const MAX_SHAPES = 8;
/** With more non-plain nodes than this, the index does not answer (checking them would cost a scan). */
const MAX_OTHER_NODES = 32;
/** leastAllocatedScore's range is 0..MAX_SCORE. */
const MAX_SCORE = 100;

/** Where a node sits in one shape's buckets (score -1: the shape does not fit it). */
interface Slot {
  score: number;
  pos: number;
}

/** Keys of frozen requests (shared by the pods of one template, see podInfoOf), with the non-zero requests they were made with. */
const shapeKeys = new WeakMap<object, { nonZero: object; key: string }>();

/** shapeKey: pods with one key score and fit every node alike (requests and non-zero requests). */
export function shapeKey(pod: PodInfo): string {
  const known = shapeKeys.get(pod.requests);
  if (known && known.nonZero === pod.nonZero) return known.key;
  let key = `${pod.nonZero.cpu}/${pod.nonZero.memory}`;
  for (const r in pod.requests) key += `/${r}=${pod.requests[r]}`;
  if (Object.isFrozen(pod.requests) && Object.isFrozen(pod.nonZero)) shapeKeys.set(pod.requests, { nonZero: pod.nonZero, key });
  return key;
}

/** The plain nodes by score for one pod shape. */
class ShapeBuckets {
  private readonly buckets: NodeInfo[][] = Array.from({ length: MAX_SCORE + 1 }, () => []);
  private readonly slots = new Map<NodeInfo, Slot>();
  private top = -1;

  /** `pod`: any pod of the shape (only its requests and non-zero requests are read). */
  constructor(private readonly pod: PodInfo) {}

  /** (Re)places `node` by its current usage. */
  place(node: NodeInfo): void {
    let slot = this.slots.get(node);
    if (slot) this.unbucket(slot);
    else this.slots.set(node, (slot = { score: -1, pos: -1 }));
    if (!fitsResources(this.pod.requests, node.allocatable, node.requested)) return;
    const score = Math.max(0, Math.min(MAX_SCORE, leastAllocatedScore(this.pod, node)));
    const bucket = this.buckets[score]!;
    slot.score = score;
    slot.pos = bucket.length;
    bucket.push(node);
    if (score > this.top) this.top = score;
  }

  remove(node: NodeInfo): void {
    const slot = this.slots.get(node);
    if (!slot) return;
    this.unbucket(slot);
    this.slots.delete(node);
  }

  /** A node of the highest score, uniformly at random among them; undefined when none fits. */
  pick(random: () => number): NodeInfo | undefined {
    while (this.top >= 0 && this.buckets[this.top]!.length === 0) this.top--;
    if (this.top < 0) return undefined;
    const bucket = this.buckets[this.top]!;
    return bucket[Math.min(bucket.length - 1, Math.floor(random() * bucket.length))];
  }

  private unbucket(slot: Slot): void {
    if (slot.score < 0) return;
    const bucket = this.buckets[slot.score]!;
    const last = bucket.pop()!;
    if (slot.pos < bucket.length) {
      bucket[slot.pos] = last;
      this.slots.get(last)!.pos = slot.pos;
    }
    slot.score = -1;
    slot.pos = -1;
  }
}

/**
 * PlainNodeIndex: every node of the cache, the plain ones bucketed per pod shape. The caller
 * keeps NodeInfo identities stable and calls {@link update} after any change of a node (its
 * object, `plain`, `requested`, `nonZeroRequested`) and {@link remove} when it is gone.
 */
export class PlainNodeIndex {
  private readonly plain = new Set<NodeInfo>();
  private readonly other = new Set<NodeInfo>();
  private readonly shapes = new Map<string, ShapeBuckets>();
  private lastShape = "";

  /** How many nodes are indexed (plain or not). */
  get size(): number {
    return this.plain.size + this.other.size;
  }

  /** A node was added or changed. */
  update(node: NodeInfo): void {
    if (node.plain) {
      this.other.delete(node);
      this.plain.add(node);
      for (const s of this.shapes.values()) s.place(node);
    } else {
      this.other.add(node);
      if (this.plain.delete(node)) for (const s of this.shapes.values()) s.remove(node);
    }
  }

  remove(node: NodeInfo): void {
    this.other.delete(node);
    if (this.plain.delete(node)) for (const s of this.shapes.values()) s.remove(node);
  }

  clear(): void {
    this.plain.clear();
    this.other.clear();
    this.shapes.clear();
    this.lastShape = "";
  }

  /**
   * pick: for a plain pod, a feasible node of the highest score (ties uniformly at random) when
   * every feasible node is plain. Undefined when the index does not decide: the pod is not
   * plain, a non-plain node may be feasible (or there are many non-plain nodes), or no node
   * fits (the caller's full filter pass then says why).
   */
  pick(pod: PodInfo, random: () => number = Math.random): NodeInfo | undefined {
    if (!pod.plain || this.other.size > MAX_OTHER_NODES) return undefined;
    for (const n of this.other) if (filterNode(pod, n).length === 0) return undefined;
    return this.shapeOf(pod).pick(random);
  }

  private shapeOf(pod: PodInfo): ShapeBuckets {
    const key = shapeKey(pod);
    let shape = this.shapes.get(key);
    if (shape && key === this.lastShape) return shape;
    if (shape) {
      this.shapes.delete(key); // most recently used last
    } else {
      if (this.shapes.size >= MAX_SHAPES) this.shapes.delete(this.shapes.keys().next().value as string);
      shape = new ShapeBuckets(pod);
      for (const n of this.plain) shape.place(n);
    }
    this.shapes.set(key, shape);
    this.lastShape = key;
    return shape;
  }
}
