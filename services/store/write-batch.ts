/**
 * write-batch: group commit of the store's writes. Transactions issued while a batch is on its
 * way to Redis queue up and go out together as ONE call of the BATCH script (scripts.ts), which
 * runs each transaction independently (its own checks; a failing one does not affect the
 * others) and assigns revisions in queue order. Redis fsyncs once per event-loop turn, so one
 * call per batch means one fsync per batch instead of one per ~16 KB of commands read.
 *
 * Contracts:
 * - A transaction is acknowledged only by the script's reply, which Redis sends after the AOF
 *   fsync (appendfsync always): an acknowledged write is durable.
 * - If the call fails (dropped connection, unexpected error), every transaction of the batch
 *   fails with StoreUnavailableError: its outcome is unknown, and it is never re-sent.
 * - Per-transaction failures map to the same named errors as before batching.
 *
 * The codec (`encodeBatch`, `decodeBatch`) is pure; {@link WriteBatcher} owns the queue and
 * calls an injected `send` function for the I/O.
 */
import { AlreadyExistsError, ConflictError, InvalidRequestError, NotFoundError, StoreError, StoreUnavailableError, type StoredObject, type TxnOp } from "./types.js";

/** Op kinds as the script reads them (ASCII of c, u, d, k). */
const KIND = { create: 99, update: 117, delete: 100, check: 107 } as const;
/** Bytes per op besides key and value: kind, int64 expected, uint16 key length, uint32 value length. */
const OP_OVERHEAD = 1 + 8 + 2 + 4;
/** Bytes per transaction header: uint16 op count. */
const TXN_OVERHEAD = 2;
const MAX_KEY_BYTES = 0xffff;
const MAX_TXN_OPS = 0xffff;
const TWO_32 = 2 ** 32;

/** One queued transaction with its encoded size. */
export interface QueuedTxn {
  readonly ops: TxnOp[];
  /** Encoded bytes of the transaction (header, ops, keys, values). */
  readonly size: number;
  /** UTF-8 byte length of each op's key, in op order. */
  readonly keyBytes: number[];
}

function valueOf(op: TxnOp): Uint8Array | undefined {
  return op.op === "create" || op.op === "update" ? op.value : undefined;
}

/**
 * queuedTxn measures a transaction for encoding. InvalidRequestError for a key longer than
 * 65,535 bytes or a transaction of more than 65,535 ops (limits of the wire format).
 */
export function queuedTxn(ops: TxnOp[]): QueuedTxn {
  if (ops.length > MAX_TXN_OPS) throw new InvalidRequestError(`transaction has ${ops.length} ops; at most ${MAX_TXN_OPS}`);
  let size = TXN_OVERHEAD;
  const keyBytes = new Array<number>(ops.length);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const kb = Buffer.byteLength(op.key);
    if (kb > MAX_KEY_BYTES) throw new InvalidRequestError(`key is ${kb} bytes; at most ${MAX_KEY_BYTES}`);
    keyBytes[i] = kb;
    size += OP_OVERHEAD + kb + (valueOf(op)?.byteLength ?? 0);
  }
  return { ops, size, keyBytes };
}

/** expectedOf is the modRevision an op requires: 0 for create, -1 for "any". */
function expectedOf(op: TxnOp): number {
  return op.op === "create" ? 0 : (op.expectedModRevision ?? -1);
}

/** encodeBatch packs transactions into the BATCH script's argument (format in scripts.ts). */
export function encodeBatch(txns: readonly QueuedTxn[]): Buffer {
  let total = 0;
  for (const t of txns) total += t.size;
  const buf = Buffer.allocUnsafe(total);
  let o = 0;
  for (const t of txns) {
    o = buf.writeUInt16BE(t.ops.length, o);
    for (let i = 0; i < t.ops.length; i++) {
      const op = t.ops[i];
      buf[o++] = KIND[op.op];
      const expected = expectedOf(op);
      // int64 big-endian without BigInt: revisions are below 2^53.
      o = buf.writeInt32BE(Math.floor(expected / TWO_32), o);
      o = buf.writeUInt32BE(expected >>> 0, o);
      o = buf.writeUInt16BE(t.keyBytes[i], o);
      o += buf.write(op.key, o, t.keyBytes[i], "utf8");
      const v = valueOf(op);
      if (v) {
        o = buf.writeUInt32BE(v.byteLength, o);
        buf.set(v, o);
        o += v.byteLength;
      } else {
        o = buf.writeUInt32BE(0, o);
      }
    }
  }
  return buf;
}

/** txnFailure maps a transaction's failure code (`EXISTS 2`, `CONFLICT 1 7`, ...) to a named error. */
export function txnFailure(code: string, ops: readonly TxnOp[]): StoreError {
  const m = /^(EXISTS|NOTFOUND|CONFLICT) (\d+)(?: (\d+))?/.exec(code);
  const op = m ? ops[Number(m[2]) - 1] : undefined;
  if (m && op) {
    if (m[1] === "EXISTS") return new AlreadyExistsError(op.key);
    if (m[1] === "NOTFOUND") return new NotFoundError(op.key);
    return new ConflictError(op.key, expectedOf(op), Number(m[3]));
  }
  return new StoreUnavailableError(`redis: ${code}`);
}

/**
 * decodeBatch splits the BATCH script's flat reply into one outcome per transaction: its
 * StoredObjects (one per write op, in op order) or its named error.
 */
export function decodeBatch(reply: readonly unknown[], txns: readonly QueuedTxn[]): Array<StoredObject[] | StoreError> {
  const out = new Array<StoredObject[] | StoreError>(txns.length);
  let r = 0;
  for (let t = 0; t < txns.length; t++) {
    const { ops } = txns[t];
    const head = reply[r++];
    if (typeof head !== "number") {
      out[t] = head === undefined ? new StoreUnavailableError("redis: short batch reply") : txnFailure(String(head), ops);
      continue;
    }
    const objs: StoredObject[] = [];
    let rev = head;
    for (const op of ops) {
      switch (op.op) {
        case "check":
          continue;
        case "create":
          objs.push({ key: op.key, value: op.value, modRevision: rev, createRevision: rev });
          break;
        case "update":
          objs.push({ key: op.key, value: op.value, modRevision: rev, createRevision: reply[r++] as number });
          break;
        case "delete": {
          const createRevision = reply[r++] as number;
          objs.push({ key: op.key, value: reply[r++] as Buffer, modRevision: rev, createRevision });
          break;
        }
      }
      rev++;
    }
    out[t] = objs;
  }
  return out;
}

/** Limits of one batch. */
export interface BatchLimits {
  /** Ops per batch at most (a larger single transaction goes alone). Default 256. */
  maxOps?: number;
  /** Encoded bytes per batch at most (a larger single transaction goes alone). Default 1 MiB. */
  maxBytes?: number;
  /**
   * Batches in flight at most (default 1: classic group commit, the largest batches). With 2,
   * a burst is split and the client handles one reply while Redis runs the other batch; on
   * one connection Redis still runs them in order, so revisions follow queue order. On the
   * loaded 2-core dev machine 2 was not measurably faster.
   */
  maxInFlight?: number;
}

interface Waiting {
  txn: QueuedTxn;
  resolve: (objs: StoredObject[]) => void;
  reject: (err: unknown) => void;
}

/**
 * WriteBatcher queues transactions and sends them in batches, at most `maxInFlight` at a time.
 * Below that limit the queue is sent at the end of the current event-loop turn (so
 * transactions issued together go together); at the limit the queue fills, and it is sent as
 * soon as a reply arrives (group commit).
 */
export class WriteBatcher {
  private queue: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxOps: number;
  private readonly maxBytes: number;
  private readonly maxInFlight: number;

  /** `send` runs the BATCH script with the packed transactions and returns its reply. */
  constructor(
    private readonly send: (packed: Buffer) => Promise<unknown[]>,
    limits: BatchLimits = {},
  ) {
    this.maxOps = Math.max(1, limits.maxOps ?? 256);
    this.maxBytes = Math.max(1, limits.maxBytes ?? 1 << 20);
    this.maxInFlight = Math.max(1, limits.maxInFlight ?? 1);
  }

  /** submit queues one transaction; resolves with its StoredObjects or rejects with its named error. */
  submit(ops: TxnOp[]): Promise<StoredObject[]> {
    let txn: QueuedTxn;
    try {
      txn = queuedTxn(ops);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ txn, resolve, reject });
      if (this.inFlight < this.maxInFlight && !this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) this.sendNext();
  };

  /**
   * sendNext sends the head of the queue: its share of the free slots (so that a burst is
   * split over them and Redis runs one part while the client prepares the next), at most
   * maxOps ops and maxBytes bytes, and at least one transaction.
   */
  private sendNext(): void {
    const share = Math.ceil(this.queue.length / (this.maxInFlight - this.inFlight));
    let ops = 0;
    let bytes = 0;
    let n = 0;
    for (; n < share; n++) {
      const t = this.queue[n].txn;
      if (n > 0 && (ops + t.ops.length > this.maxOps || bytes + t.size > this.maxBytes)) break;
      ops += t.ops.length;
      bytes += t.size;
    }
    const batch = n === this.queue.length ? this.queue : this.queue.slice(0, n);
    this.queue = n === this.queue.length ? [] : this.queue.slice(n);
    const txns = batch.map((w) => w.txn);
    this.inFlight++;
    let sent: Promise<unknown[]>;
    try {
      sent = this.send(encodeBatch(txns));
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.then(
      (reply) => {
        const outcomes = decodeBatch(reply, txns);
        for (let i = 0; i < batch.length; i++) {
          const o = outcomes[i];
          if (o instanceof StoreError) batch[i].reject(o);
          else batch[i].resolve(o);
        }
        this.done();
      },
      (err: unknown) => {
        const e = err instanceof StoreError ? err : new StoreUnavailableError(`redis: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        for (const w of batch) w.reject(e);
        this.done();
      },
    );
  }

  /** After a reply: send what queued up meanwhile (group commit). */
  private done(): void {
    this.inFlight--;
    this.flush();
  }
}
