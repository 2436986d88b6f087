/**
 * encode: the relay's ChangeEventBatch payloads, written by hand (pure). The relay encodes
 * every change of the cluster once; the generated encoder's per-field bookkeeping made that
 * a good part of the relay's garbage. Sizes first, then one buffer of exactly that size: the
 * bytes are those the generated `bus.ChangeEventBatch.encode` writes (proto/bus.proto:
 * ChangeEventBatch { repeated ChangeEvent events = 1 }, ChangeEvent { type = 1; revision = 2;
 * prevRevision = 3; resource = 4; namespace = 5; name = 6; createRevision = 7; object = 8 }).
 */
import { LEN, lenFieldSize, tag, utf8Length, varintFieldSize, varintSize, writeLenField, writeStringField, writeVarint, writeVarintField } from "../schema/proto-write.js";
import type { IChangeEvent } from "../schema/bus.js";

const EVENT = tag(1, LEN);
const EMPTY = new Uint8Array(0);

/** encodeChangeEventBatch: `events` as a ChangeEventBatch payload. */
export function encodeChangeEventBatch(events: readonly IChangeEvent[]): Uint8Array {
  const n = events.length;
  // Per event: UTF-8 lengths of its four strings, then its encoded size.
  const lens = new Array<number>(n * 5);
  let size = 0;
  for (let i = 0; i < n; i++) {
    const e = events[i]!;
    const t = utf8Length(e.type ?? "");
    const r = utf8Length(e.resource ?? "");
    const ns = utf8Length(e.namespace ?? "");
    const nm = utf8Length(e.name ?? "");
    const body =
      lenFieldSize(1, t) +
      varintFieldSize(2, Number(e.revision ?? 0)) +
      varintFieldSize(3, Number(e.prevRevision ?? 0)) +
      lenFieldSize(4, r) +
      lenFieldSize(5, ns) +
      lenFieldSize(6, nm) +
      varintFieldSize(7, Number(e.createRevision ?? 0)) +
      lenFieldSize(8, e.object?.length ?? 0);
    lens[i * 5] = t;
    lens[i * 5 + 1] = r;
    lens[i * 5 + 2] = ns;
    lens[i * 5 + 3] = nm;
    lens[i * 5 + 4] = body;
    size += varintSize(EVENT) + varintSize(body) + body;
  }
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const e = events[i]!;
    pos = writeVarint(out, pos, EVENT);
    pos = writeVarint(out, pos, lens[i * 5 + 4]!);
    pos = writeStringField(out, pos, 1, e.type ?? "", lens[i * 5]!);
    pos = writeVarintField(out, pos, 2, Number(e.revision ?? 0));
    pos = writeVarintField(out, pos, 3, Number(e.prevRevision ?? 0));
    pos = writeStringField(out, pos, 4, e.resource ?? "", lens[i * 5 + 1]!);
    pos = writeStringField(out, pos, 5, e.namespace ?? "", lens[i * 5 + 2]!);
    pos = writeStringField(out, pos, 6, e.name ?? "", lens[i * 5 + 3]!);
    pos = writeVarintField(out, pos, 7, Number(e.createRevision ?? 0));
    pos = writeLenField(out, pos, 8, e.object ?? EMPTY);
  }
  return out;
}
