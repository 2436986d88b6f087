/**
 * PodIPAllocator: pod IPs of one node from its /24 (`.2` … `.254`), one per pod UID. An IP a
 * pod's status already names (adoption after a restart) is kept. Freed addresses go to the
 * back of the line, so an IP is not handed out again right after its pod left.
 */

/** PodIPExhaustedError: every address of the node's /24 is in use. */
export class PodIPExhaustedError extends Error {
  override name = "PodIPExhaustedError";
}

export class PodIPAllocator {
  private readonly byUid = new Map<string, number>();
  private readonly used = new Set<number>();
  private next = 2;
  private readonly prefix: string;

  /** `cidr` is `a.b.c.0/24`. */
  constructor(cidr: string) {
    this.prefix = cidr.replace(/\.0\/24$/, ".");
  }

  /** ensure: the pod's IP, keeping `current` when it lies in this node's range and is free. */
  ensure(uid: string, current?: string): string {
    const have = this.byUid.get(uid);
    if (have !== undefined) return this.prefix + have;
    if (current && current.startsWith(this.prefix)) {
      const host = Number(current.slice(this.prefix.length));
      if (Number.isInteger(host) && host >= 2 && host <= 254 && !this.used.has(host)) return this.take(uid, host);
    }
    for (let i = 0; i < 253; i++) {
      const host = 2 + ((this.next - 2 + i) % 253);
      if (!this.used.has(host)) {
        this.next = host + 1 > 254 ? 2 : host + 1;
        return this.take(uid, host);
      }
    }
    throw new PodIPExhaustedError(`no free pod IP in ${this.prefix}0/24`);
  }

  /** release: the pod's IP is free again. */
  release(uid: string): void {
    const host = this.byUid.get(uid);
    if (host === undefined) return;
    this.byUid.delete(uid);
    this.used.delete(host);
  }

  /** Addresses in use. */
  get size(): number {
    return this.used.size;
  }

  private take(uid: string, host: number): string {
    this.byUid.set(uid, host);
    this.used.add(host);
    return this.prefix + host;
  }
}
