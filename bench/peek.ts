/**
 * peek: what scale-bench needs of the messages it observes, read straight from their bytes
 * (pure), every other field skipped unread. The bench sees every pod change and every API
 * request of the run; decoding each in full cost the bench process most of its CPU, which it
 * took from the cluster it measures on the same cores.
 *
 * {@link peekPodProgress}: a pod's name, creation time, node, phase and Ready. Reads the stored layout of `services/schema/stored.ts` ("k8s" + format version, then
 * `StoredValue { kind = 1; object = 2 }`) and Kubernetes' field numbers: Pod { metadata = 1;
 * spec = 2; status = 3 }, ObjectMeta { name = 1; creationTimestamp = 8 }, Time { seconds = 1 },
 * PodSpec { nodeName = 10 }, PodStatus { phase = 1; conditions = 2 },
 * PodCondition { type = 1; status = 2 }.
 *
 * {@link peekApiOps}: the resource, verb and subresource of each request in an ApiRequest or
 * ApiBatchRequest payload (proto/bus.proto: ApiBatchRequest { items = 1 }, ApiBatchItem
 * { request = 1 }, ApiRequest { verb = 1; resource = 3; subresource = 13 }).
 */
import protobuf from "protobufjs/minimal.js";
import { storedEnvelope, type StoredEnvelope } from "../services/schema/stored.js";

/** A pod's progress as the bench measures it ("" / 0 when a field is unset). */
export interface PodProgress {
  name: string;
  /** metadata.creationTimestamp in ms since the epoch (1 s resolution); 0 when unset. */
  createdMs: number;
  nodeName: string;
  phase: string;
  /** The Ready condition is True. */
  ready: boolean;
}

/** PeekError: bytes that are not the message the peek reads. */
export class PeekError extends Error {
  override name = "PeekError";
}

const LEN = 2; // wire type of strings, bytes and messages

/** Visits the fields up to `end`; `onField` consumes a length-delimited field and returns true, or returns false to have it skipped. */
function fields(r: protobuf.Reader, end: number, onField: (field: number, wire: number) => boolean): void {
  while (r.pos < end) {
    const tag = r.uint32();
    if (!onField(tag >>> 3, tag & 7)) r.skipType(tag & 7);
  }
}

/** Runs `read` over the message that starts at the reader (its length prefix) and leaves the reader after it. */
function nested(r: protobuf.Reader, read: (end: number) => void): void {
  const end = r.uint32() + r.pos;
  read(end);
  r.pos = end;
}

/** peekPodProgress: see the module doc. @throws {@link PeekError} */
export function peekPodProgress(bytes: Uint8Array): PodProgress {
  const out: PodProgress = { name: "", createdMs: 0, nodeName: "", phase: "", ready: false };
  let envelope: StoredEnvelope;
  try {
    envelope = storedEnvelope(bytes);
  } catch (err) {
    throw new PeekError(`not a stored value of this format: ${(err as Error).message}`, { cause: err });
  }
  const { info, start, end } = envelope;
  if (info.kind !== "Pod") throw new PeekError(`a stored ${info.kind}, not a Pod`);
  const r = protobuf.Reader.create(bytes);
  r.pos = start;
  try {
    fields(r, end, (f, wire) => {
      if (wire !== LEN || f < 1 || f > 3) return false;
      nested(r, (stop) => (f === 1 ? readMeta(r, stop, out) : f === 2 ? readSpec(r, stop, out) : readStatus(r, stop, out)));
      return true;
    });
  } catch (err) {
    if (err instanceof PeekError) throw err;
    throw new PeekError(`undecodable stored Pod: ${(err as Error).message}`, { cause: err });
  }
  return out;
}

function readMeta(r: protobuf.Reader, end: number, out: PodProgress): void {
  fields(r, end, (f, wire) => {
    if (wire !== LEN) return false;
    if (f === 1) out.name = r.string();
    else if (f === 8) {
      nested(r, (stop) =>
        fields(r, stop, (tf, tw) => {
          if (tf !== 1 || tw !== 0) return false;
          out.createdMs = Number(r.int64()) * 1000;
          return true;
        }),
      );
    } else return false;
    return true;
  });
}

function readSpec(r: protobuf.Reader, end: number, out: PodProgress): void {
  fields(r, end, (f, wire) => {
    if (f !== 10 || wire !== LEN) return false;
    out.nodeName = r.string();
    return true;
  });
}

function readStatus(r: protobuf.Reader, end: number, out: PodProgress): void {
  fields(r, end, (f, wire) => {
    if (wire !== LEN) return false;
    if (f === 1) out.phase = r.string();
    else if (f === 2) {
      let type = "";
      let status = "";
      nested(r, (stop) =>
        fields(r, stop, (cf, cw) => {
          if (cw !== LEN || (cf !== 1 && cf !== 2)) return false;
          if (cf === 1) type = r.string();
          else status = r.string();
          return true;
        }),
      );
      if (type === "Ready") out.ready = status === "True";
    } else return false;
    return true;
  });
}

/** One API operation as the bench counts it. */
export interface ApiOp {
  resource: string;
  verb: string;
  subresource: string;
}

function readApiRequest(r: protobuf.Reader, end: number): ApiOp {
  const op: ApiOp = { resource: "", verb: "", subresource: "" };
  fields(r, end, (f, wire) => {
    if (wire !== LEN || (f !== 1 && f !== 3 && f !== 13)) return false;
    const v = r.string();
    if (f === 1) op.verb = v;
    else if (f === 3) op.resource = v;
    else op.subresource = v;
    return true;
  });
  return op;
}

/** peekApiOps: the operations of an ApiRequest (`batch` false) or ApiBatchRequest payload, in order. @throws {@link PeekError} */
export function peekApiOps(payload: Uint8Array, batch: boolean): ApiOp[] {
  const r = protobuf.Reader.create(payload);
  try {
    if (!batch) return [readApiRequest(r, r.len)];
    const out: ApiOp[] = [];
    fields(r, r.len, (f, wire) => {
      if (f !== 1 || wire !== LEN) return false;
      nested(r, (end) =>
        fields(r, end, (itemField, itemWire) => {
          if (itemField !== 1 || itemWire !== LEN) return false;
          nested(r, (stop) => out.push(readApiRequest(r, stop)));
          return true;
        }),
      );
      return true;
    });
    return out;
  } catch (err) {
    throw new PeekError(`undecodable API request: ${(err as Error).message}`, { cause: err });
  }
}
