/**
 * resp: a minimal RESP2 connection for the change-log watch, whose replies are parsed in place.
 *
 * The watch reads every entry of the log (the relay and the API server's log tail), and
 * ioredis' reply decoder cost several times the rest of the relay's per-event work (a chain
 * of private-field lookups per element). Here a reply is parsed once it is complete, and bulk
 * strings are views of the received bytes, as ioredis' are. Whether a reply is complete is
 * checked by a scan of its lengths that each received chunk resumes where the last one stopped,
 * so a large reply arriving in many chunks is scanned once, not once per chunk.
 *
 * Contract: commands are answered in order (pipelining allowed); a server error reply rejects
 * its command with {@link RespError}; a dropped or closed connection rejects every pending
 * command with StoreUnavailableError, and the connection stays closed (the caller opens a new
 * one). No reconnects, no pub/sub, no RESP3.
 */
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { StoreUnavailableError } from "./types.js";

/** A parsed reply: null (nil bulk or array), a number (integer), a string (status), a Buffer (bulk) or an array. */
export type RespReply = null | number | string | Buffer | RespReply[];

/** RespError: an error reply from the server (`-ERR ...`). */
export class RespError extends Error {
  override name = "RespError";
}

const CR = 13;
const EMPTY = Buffer.alloc(0);

/** The offset of the CR ending the line at `pos`, or -1 (a JS scan: header lines are a few bytes, shorter than a call into Buffer.indexOf costs). */
function eolOf(buf: Buffer, pos: number): number {
  for (let i = pos; i < buf.length; i++) if (buf[i] === CR) return i;
  return -1;
}

/** Where a scan of a partly received reply stopped: the offset to resume at and how many replies are still to skip there. */
export interface ReplyScan {
  pos: number;
  pending: number;
}

let scanSteps = 0;
/** scanStepsForTests: how many reply headers {@link scanReply} has walked in this process (for tests of its cost only). */
export function scanStepsForTests(): number {
  return scanSteps;
}

/**
 * scanReply: walks lengths only (no values are built) from where `scan` stopped; returns the
 * offset just after the reply, or -1 when `buf` ends before it does, leaving `scan` where to
 * resume once more bytes are appended to `buf` (a bulk string's bytes are skipped at once, so
 * resuming may start beyond `buf`'s end). A reply received in many chunks is so walked once.
 */
export function scanReply(buf: Buffer, scan: ReplyScan): number {
  let { pos, pending } = scan;
  while (pending > 0) {
    if (pos >= buf.length) break;
    const type = buf[pos]!;
    const eol = eolOf(buf, pos);
    if (eol < 0 || eol + 1 >= buf.length) break;
    scanSteps++;
    pending--;
    if (type === 0x24 /* $ */) {
      const n = int(buf, pos + 1, eol);
      pos = n < 0 ? eol + 2 : eol + 2 + n + 2;
    } else {
      if (type === 0x2a /* * */) pending += Math.max(0, int(buf, pos + 1, eol));
      pos = eol + 2;
    }
  }
  scan.pos = pos;
  scan.pending = pending;
  return pending === 0 && pos <= buf.length ? pos : -1;
}

/** replyEnd: the offset just after the complete reply starting at `pos`, or -1 when `buf` ends before it does (see {@link scanReply}). */
export function replyEnd(buf: Buffer, pos: number): number {
  return scanReply(buf, { pos, pending: 1 });
}

/**
 * header: the count (array) or length (bulk string) on the header line at `pos` (-1 for nil),
 * and the offset after the line. For parsers of one command's reply (see {@link ReplyParser}).
 */
export function header(buf: Buffer, pos: number): [number, number] {
  const eol = eolOf(buf, pos);
  return [int(buf, pos + 1, eol), eol + 2];
}

/**
 * A parser of one command's complete reply at `pos` (never an error reply: those reject the
 * command); it may return a RespError for an error nested in the reply.
 */
export type ReplyParser<T> = (buf: Buffer, pos: number) => T | RespError;

/** parseReply parses the complete reply at `pos` (see {@link replyEnd}); returns it and the offset after it. */
export function parseReply(buf: Buffer, pos: number): [RespReply | RespError, number] {
  const type = buf[pos]!;
  const eol = eolOf(buf, pos);
  switch (type) {
    case 0x24 /* $ */: {
      const n = int(buf, pos + 1, eol);
      if (n < 0) return [null, eol + 2];
      return [buf.subarray(eol + 2, eol + 2 + n), eol + 4 + n];
    }
    case 0x2a /* * */: {
      const n = int(buf, pos + 1, eol);
      if (n < 0) return [null, eol + 2];
      const out = new Array<RespReply>(n);
      let p = eol + 2;
      for (let i = 0; i < n; i++) {
        const [v, next] = parseReply(buf, p);
        // An error inside an array (EXEC) becomes the whole reply's error.
        if (v instanceof RespError) return [v, replyEnd(buf, pos)];
        out[i] = v;
        p = next;
      }
      return [out, p];
    }
    case 0x3a /* : */:
      return [int(buf, pos + 1, eol), eol + 2];
    case 0x2b /* + */:
      return [buf.toString("utf8", pos + 1, eol), eol + 2];
    case 0x2d /* - */:
      return [new RespError(buf.toString("utf8", pos + 1, eol)), eol + 2];
    default:
      throw new StoreUnavailableError(`redis: unexpected reply type ${JSON.stringify(String.fromCharCode(type))}`);
  }
}

function int(buf: Buffer, from: number, to: number): number {
  let neg = false;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = buf[i]!;
    if (c === 0x2d) neg = true;
    else n = n * 10 + (c - 48);
  }
  return neg ? -n : n;
}

/** encodeCommand: a command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly (string | number)[]): string {
  let out = `*${args.length}\r\n`;
  for (const a of args) {
    const s = String(a);
    out += `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  }
  return out;
}

interface Waiter {
  resolve: (r: unknown) => void;
  reject: (e: unknown) => void;
  parse: ReplyParser<unknown> | undefined;
}

/** RespConnection: one socket to Redis; see the module comment. Open it with {@link RespConnection.open}. */
export class RespConnection {
  private readonly waiters: Waiter[] = [];
  /** Received bytes not yet parsed (`buf[0, len)`). */
  private buf: Buffer = EMPTY;
  private len = 0;
  /** True when `buf` was allocated here (free space after `len` may be written). */
  private owned = false;
  /** The scan of the first unparsed reply, which starts at `buf[0]` (see {@link scanReply}). */
  private readonly scan: ReplyScan = { pos: 0, pending: 1 };
  private closedError: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (err) => this.fail(new StoreUnavailableError(`redis: ${err.message}`, { cause: err })));
    socket.on("close", () => this.fail(new StoreUnavailableError("redis: connection closed")));
  }

  /**
   * open connects to a `redis://` or `rediss://` URL (user, password and database number as
   * ioredis reads them), authenticates, and names the connection `name` (CLIENT LIST shows it).
   * @throws StoreUnavailableError
   */
  static async open(url: string, name: string, timeoutMs = 5000): Promise<RespConnection> {
    const u = new URL(url);
    const port = Number(u.port || 6379);
    const host = u.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1";
    const socket = u.protocol === "rediss:" ? tlsConnect({ host, port, servername: host }) : netConnect({ host, port });
    const conn = new RespConnection(socket);
    const timer = setTimeout(() => socket.destroy(new Error(`connect timeout after ${timeoutMs} ms`)), timeoutMs);
    try {
      await new Promise<void>((res, rej) => {
        socket.once(u.protocol === "rediss:" ? "secureConnect" : "connect", res);
        socket.once("error", rej);
      });
      const password = decodeURIComponent(u.password);
      const user = decodeURIComponent(u.username);
      if (password) await conn.command(user ? ["AUTH", user, password] : ["AUTH", password]);
      const db = Number(u.pathname.slice(1) || 0);
      if (db) await conn.command(["SELECT", db]);
      await conn.command(["CLIENT", "SETNAME", name]);
      return conn;
    } catch (err) {
      conn.close();
      throw err instanceof StoreUnavailableError || err instanceof RespError ? err : new StoreUnavailableError(`cannot connect to ${url}: ${(err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * command sends one command (several may be in flight: replies come in order); resolves with
   * its reply, parsed by `parse` when given (a command's own layout, without the generic
   * parser's values) and by {@link parseReply} otherwise.
   */
  command(args: readonly (string | number)[]): Promise<RespReply>;
  command<T>(args: readonly (string | number)[], parse: ReplyParser<T>): Promise<T>;
  command(args: readonly (string | number)[], parse?: ReplyParser<unknown>): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject, parse });
      this.socket.write(encodeCommand(args));
    });
  }

  /** close ends the connection; pending commands reject with StoreUnavailableError. */
  close(): void {
    this.fail(new StoreUnavailableError("redis: connection closed"));
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.len === 0) {
      this.buf = chunk;
      this.len = chunk.length;
      this.owned = false;
    } else {
      // Grow into a buffer of our own (never write into a received chunk).
      if (this.len + chunk.length > this.buf.length || !this.owned) {
        const grown = Buffer.allocUnsafe(Math.max(this.len + chunk.length, 2 * this.len));
        this.buf.copy(grown, 0, 0, this.len);
        this.buf = grown;
        this.owned = true;
      }
      chunk.copy(this.buf, this.len);
      this.len += chunk.length;
    }
    const view = this.len === this.buf.length ? this.buf : this.buf.subarray(0, this.len);
    let pos = 0;
    while (pos < this.len) {
      const end = scanReply(view, this.scan);
      if (end < 0) break;
      this.scan.pos = end;
      this.scan.pending = 1;
      const w = this.waiters.shift();
      let reply: unknown;
      try {
        reply = w?.parse && view[pos] !== 0x2d ? w.parse(view, pos) : parseReply(view, pos)[0];
      } catch (err) {
        reply = new StoreUnavailableError(`redis: malformed reply: ${(err as Error).message}`, { cause: err });
      }
      pos = end;
      if (!w) continue; // nobody asked (cannot happen in RESP2 request/reply)
      if (reply instanceof Error) w.reject(reply);
      else w.resolve(reply);
    }
    this.scan.pos -= pos; // the unparsed reply moves to offset 0 below
    if (pos === this.len) {
      this.len = 0;
      this.buf = EMPTY; // parsed replies keep their views of the old bytes
    } else if (pos > 0) {
      // Keep the unparsed tail in a buffer of its own: the parsed replies still view the old one.
      this.buf = Buffer.from(view.subarray(pos));
      this.len = this.buf.length;
      this.owned = true;
    }
  }

  private fail(err: Error): void {
    if (!this.closedError) this.closedError = err;
    for (const w of this.waiters.splice(0)) w.reject(err);
  }
}
