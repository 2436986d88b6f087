/**
 * cluster-ip: Service clusterIP allocation from the service CIDR (pure parts).
 *
 * An allocated address is a store key `/clusterips/<ip>` created in the same transaction as
 * the Service, so two API server replicas can never hand out one address twice; it is
 * deleted in the same transaction as the Service.
 */

export const DEFAULT_SERVICE_CIDR = "10.96.0.0/12";

export class CidrError extends Error {
  override name = "CidrError";
}

export interface Cidr {
  base: number;
  size: number;
}

export function parseCidr(cidr: string): Cidr {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) throw new CidrError(`invalid IPv4 CIDR "${cidr}"`);
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits < 8 || bits > 30) throw new CidrError(`invalid IPv4 CIDR "${cidr}"`);
  const ip = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  const size = 2 ** (32 - bits);
  return { base: ip - (ip % size), size };
}

export function ipToString(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

export function ipToNumber(ip: string): number | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (!m) return undefined;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return undefined;
  return ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
}

/** inCidr: true when `ip` is a usable host address of the range (not network or broadcast). */
export function inCidr(ip: string, c: Cidr): boolean {
  const n = ipToNumber(ip);
  return n !== undefined && n > c.base && n < c.base + c.size - 1;
}

/** randomServiceIp: a random host address of the range, skipping .1 (the `kubernetes` Service's). */
export function randomServiceIp(c: Cidr, random: () => number = Math.random): string {
  const offset = 2 + Math.floor(random() * (c.size - 3));
  return ipToString(c.base + offset);
}

/** firstServiceIp: the range's first host address (the `kubernetes` Service). */
export function firstServiceIp(c: Cidr): string {
  return ipToString(c.base + 1);
}

export function clusterIpKey(ip: string): string {
  return `/clusterips/${ip}`;
}
