/**
 * shard: which scheduler replica tries a pod first (pure).
 *
 * Every replica is active and may bind any pod (the binding is the only check that counts);
 * to avoid all of them scheduling every pod, each pod has one owner among the live replicas
 * by rendezvous hashing (highest hash of replica id + pod uid), so a replica joining or
 * leaving moves only its own share. Other replicas take a pod over only after a delay.
 */

/** fnv1a32: the 32-bit FNV-1a hash of a string's UTF-16 code units. */
export function fnv1a32(s: string): number {
  return fnvOver(0x811c9dc5, s) >>> 0;
}

/** FNV-1a over `s` from state `h` (so a hash of a + b continues from a's state). */
function fnvOver(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}

/** FNV-1a states after `${replica}/`, so a pod's hashes need no string built. */
const replicaPrefixes = new Map<string, number>();

function replicaPrefix(replica: string): number {
  let h = replicaPrefixes.get(replica);
  if (h === undefined) {
    if (replicaPrefixes.size >= 1024) replicaPrefixes.clear();
    replicaPrefixes.set(replica, (h = fnvOver(0x811c9dc5, `${replica}/`)));
  }
  return h;
}

/** mix32: murmur3's finalizer, so that similar inputs spread evenly. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** shardOwner: the replica (among `peers`) that owns `podUid`; undefined when there are no peers. */
export function shardOwner(podUid: string, peers: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestHash = -1;
  for (const p of peers) {
    const h = mix32(fnvOver(replicaPrefix(p), podUid) >>> 0); // = mix32(fnv1a32(`${p}/${podUid}`))
    if (h > bestHash || (h === bestHash && best !== undefined && p < best)) {
      best = p;
      bestHash = h;
    }
  }
  return best;
}

/** eventNameFor: a deterministic Event name for one (pod, reason, message), so replicas and restarts bump one Event. */
export function eventNameFor(podName: string, key: string): string {
  const h = fnv1a32(key).toString(16).padStart(8, "0") + fnv1a32(`x${key}`).toString(16).padStart(8, "0");
  return `${podName.slice(0, 200)}.${h}`;
}
