/**
 * pod-peek: a stored Pod's identity and node (and where its spec lies), read from its stored
 * bytes without decoding the pod (pure). The scheduler and the node host see every pod change; most changes they only
 * need to route (is it bound? to which node?), and a full decode is most of their cost.
 * {@link peekStoredPodNodeName} reads the node alone, for a reader that knows the rest.
 *
 * Reads the stored layout of `schema/stored.ts` ("k8s" + format version, then
 * `StoredValue { kind = 1; object = 2 }`) and Kubernetes' field numbers: Pod { metadata = 1;
 * spec = 2 }, ObjectMeta { name = 1; namespace = 3; uid = 5; deletionTimestamp = 9 },
 * PodSpec { nodeName = 10 }.
 */
import protobuf from "protobufjs/minimal.js";
import { storedEnvelope } from "./stored.js";

/** What {@link peekStoredPod} reads ("" when a field is unset). */
export interface PodPeek {
  name: string;
  namespace: string;
  uid: string;
  nodeName: string;
  /** The metadata holds a deletionTimestamp field (possibly an empty one: decode to know its value). */
  deleting: boolean;
  /** The encoded PodSpec message is `bytes[specStart, specEnd)` (equal: no spec). */
  specStart: number;
  specEnd: number;
}

const LEN = 2; // wire type of strings and messages

/** Calls `onField(field, reader)` for every length-delimited field up to `end`; the callback must consume it and return true, or return false to have it skipped. */
function eachField(r: protobuf.Reader, end: number, onField: (field: number) => boolean): void {
  while (r.pos < end) {
    const tag = r.uint32();
    if ((tag & 7) === LEN && onField(tag >>> 3)) continue;
    r.skipType(tag & 7);
  }
}

/**
 * Calls `onPart` for the stored Pod's metadata (1) and spec (2) messages, the reader at the
 * part's first byte (it ends at `stop`); false when the bytes are not a stored Pod of this
 * format (a throw of `onPart` counts as such: the bytes are then not a well-formed pod).
 */
function eachPodPart(bytes: Uint8Array, onPart: (part: 1 | 2, r: protobuf.Reader, stop: number) => void): boolean {
  try {
    const { info, start, end } = storedEnvelope(bytes);
    if (info.kind !== "Pod") return false;
    const r = protobuf.Reader.create(bytes);
    r.pos = start;
    eachField(r, end, (field) => {
      if (field !== 1 && field !== 2) return false;
      const stop = r.uint32() + r.pos;
      onPart(field, r, stop);
      r.pos = stop;
      return true;
    });
    return true;
  } catch {
    return false;
  }
}

/** PodSpec.nodeName of the spec message that ends at `stop` (the reader at its start); "" when unset. */
function specNodeName(r: protobuf.Reader, stop: number): string {
  let nodeName = "";
  eachField(r, stop, (f) => {
    if (f !== 10) return false;
    nodeName = r.string();
    return true;
  });
  return nodeName;
}

/**
 * peekStoredPodNodeName: only the pod's `spec.nodeName` ("" when unset), its metadata skipped
 * unread (for a reader that knows the rest); undefined when the bytes are not a stored Pod of
 * this format.
 */
export function peekStoredPodNodeName(bytes: Uint8Array): string | undefined {
  let nodeName = "";
  const ok = eachPodPart(bytes, (part, r, stop) => {
    if (part === 2) nodeName = specNodeName(r, stop);
  });
  return ok ? nodeName : undefined;
}

/** peekStoredPod: see the module doc; undefined when the bytes are not a stored Pod of this format. */
export function peekStoredPod(bytes: Uint8Array): PodPeek | undefined {
  const out: PodPeek = { name: "", namespace: "", uid: "", nodeName: "", deleting: false, specStart: 0, specEnd: 0 };
  const ok = eachPodPart(bytes, (part, r, stop) => {
    if (part === 1) {
      eachField(r, stop, (f) => {
        if (f === 1) out.name = r.string();
        else if (f === 3) out.namespace = r.string();
        else if (f === 5) out.uid = r.string();
        else if (f === 9) {
          out.deleting = true;
          return false;
        } else return false;
        return true;
      });
    } else {
      out.specStart = r.pos;
      out.specEnd = stop;
      out.nodeName = specNodeName(r, stop);
    }
  });
  return ok ? out : undefined;
}
