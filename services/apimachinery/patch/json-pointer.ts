/** JSON pointers (RFC 6901): parsing, escaping and formatting. */
import { PatchError } from "./errors.js";

/**
 * parseJsonPointer: the reference tokens of a JSON pointer, unescaped (`~1` → `/`, then
 * `~0` → `~`). `""` is the whole document (no tokens).
 * @throws PatchError when the pointer does not start with `/` or has a bad `~` escape.
 */
export function parseJsonPointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new PatchError(`invalid JSON pointer ${JSON.stringify(pointer)}: must be empty or start with "/"`);
  return pointer.slice(1).split("/").map((token) => {
    if (/~[^01]|~$/.test(token)) throw new PatchError(`invalid JSON pointer ${JSON.stringify(pointer)}: bad escape in ${JSON.stringify(token)}`);
    return token.replace(/~1/g, "/").replace(/~0/g, "~");
  });
}

/** escapeJsonPointerToken: one reference token escaped for a pointer (`~` → `~0`, `/` → `~1`). */
export function escapeJsonPointerToken(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** formatJsonPointer: the pointer for a list of unescaped tokens. */
export function formatJsonPointer(tokens: readonly string[]): string {
  return tokens.map((t) => "/" + escapeJsonPointerToken(t)).join("");
}

/**
 * parseArrayIndex: an array reference token as a number: `0` or digits without a leading
 * zero. Returns undefined for anything else (including `-`).
 */
export function parseArrayIndex(token: string): number | undefined {
  return /^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : undefined;
}
