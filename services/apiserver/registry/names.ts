/**
 * names: generated names and uids (the only randomness in the registry; pass `random` in tests).
 */
import { randomUUID } from "node:crypto";

// Kubernetes' generateName alphabet: no vowels, no confusable characters.
const ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** generateName: `prefix` plus 5 random characters, as Kubernetes' SimpleNameGenerator. */
export function generateName(prefix: string, random: () => number = Math.random): string {
  const base = prefix.length > 58 ? prefix.slice(0, 58) : prefix;
  let s = "";
  for (let i = 0; i < 5; i++) s += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return base + s;
}

export function newUid(): string {
  return randomUUID();
}

/** rfc3339: a timestamp as Kubernetes writes it (seconds precision, Z). */
export function rfc3339(d: Date): string {
  const second = Math.floor(d.getTime() / 1000);
  // Writes in the same second share the text: format once per second.
  if (second !== lastSecond || Number.isNaN(second)) {
    lastText = d.toISOString().replace(/\.\d{3}Z$/, "Z");
    lastSecond = second;
  }
  return lastText;
}

let lastSecond = NaN;
let lastText = "";
