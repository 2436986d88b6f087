/**
 * table: metav1.Table responses for kubectl (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`).
 * Columns and cells come from the kind's strategy; each row carries the object's metadata
 * (PartialObjectMetadata) so `-A` and `--show-labels` work.
 */
import type { KubeObject } from "../codec.js";
import { strategyFor } from "../strategies/index.js";

export type IncludeObject = "None" | "Metadata" | "Object";

export function partialObjectMetadata(obj: KubeObject): object {
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata };
}

/** toTable: a Table of `items` (one kind). `withColumns` false leaves columnDefinitions out (watch events after the first). */
export function toTable(kind: string, items: KubeObject[], listMeta: { resourceVersion?: string; continue?: string }, include: IncludeObject, now: number, withColumns = true): object {
  const spec = strategyFor(kind).table;
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: { ...(listMeta.resourceVersion ? { resourceVersion: listMeta.resourceVersion } : {}), ...(listMeta.continue ? { continue: listMeta.continue } : {}) },
    columnDefinitions: withColumns ? spec.columns : [],
    rows: items.map((obj) => ({
      cells: spec.cells(obj, now),
      ...(include === "None" ? {} : { object: include === "Object" ? obj : partialObjectMetadata(obj) }),
    })),
  };
}

/** wantsTable: the Accept header asks for a meta.k8s.io Table (first acceptable type). */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  for (const part of accept.split(",")) {
    const params = part.split(";").map((s) => s.trim());
    if (params.includes("as=Table") && params.some((p) => p === "g=meta.k8s.io") && params.some((p) => p === "v=v1" || p === "v=v1beta1")) return true;
  }
  return false;
}
