/**
 * Per-kind API strategies: server defaults, create/update preparation, validation with
 * Kubernetes' field paths and messages, kubectl tables and the Scale subresource, as pure
 * functions on plain Kubernetes JSON objects.
 *
 * @example
 * ```ts
 * import { strategyFor, invalidMessage } from "./strategies/index.js";
 * const s = strategyFor("Deployment");
 * s.defaults(obj); s.prepareForCreate(obj);
 * const causes = s.validate(obj);            // [] when valid; else 422 causes
 * const row = s.table.cells(obj, Date.now()); // kubectl columns: s.table.columns
 * const scale = s.scale?.toScale(obj);        // autoscaling/v1 Scale
 * ```
 */
import { lookupResourceByKind } from "../../schema/index.js";
import { makeStrategy } from "./base.js";
import { nameIsDNSSubdomain } from "./names.js";
import {
  configMapStrategy,
  endpointsStrategy,
  eventStrategy,
  namespaceStrategy,
  nodeStrategy,
  persistentVolumeClaimStrategy,
  persistentVolumeStrategy,
  secretStrategy,
  serviceStrategy,
} from "./core.js";
import { controllerRevisionStrategy, deploymentStrategy, replicaSetStrategy, statefulSetStrategy } from "./apps.js";
import { leaseStrategy } from "./coordination.js";
import { podStrategy } from "./pod.js";
import type { Strategy } from "./types.js";

export type { FieldCause, FieldCauseType, ScaleSpec, Strategy, TableColumn, TableSpec } from "./types.js";
export { causeString, invalidMessage } from "./field.js";
export { humanDuration, translateTimestampSince } from "./duration.js";
export { formatLabelSelector, formatLabels, selectorMatches, selectorString, type LabelSelectorJSON } from "./selector.js";
export { podRowSummary, type PodRowSummary } from "./pod.js";
export { podQOSClass } from "./pod-spec.js";
export { specChanged } from "./base.js";

/** STRATEGIES: the kinds with specific rules, by kind. */
export const STRATEGIES: ReadonlyMap<string, Strategy> = new Map(
  [
    namespaceStrategy, podStrategy, nodeStrategy, serviceStrategy, endpointsStrategy, configMapStrategy, secretStrategy,
    persistentVolumeClaimStrategy, persistentVolumeStrategy, eventStrategy, deploymentStrategy, replicaSetStrategy,
    statefulSetStrategy, controllerRevisionStrategy, leaseStrategy,
  ].map((s) => [s.kind, s]),
);

const generic = new Map<string, Strategy>();

/**
 * strategyFor returns the kind's strategy; kinds without specific rules get a generic one
 * (metadata validation with DNS-subdomain names, no defaults, NAME AGE table), namespaced as the
 * schema registry says (namespaced when the kind is unknown).
 */
export function strategyFor(kind: string): Strategy {
  const specific = STRATEGIES.get(kind);
  if (specific) return specific;
  let s = generic.get(kind);
  if (!s) {
    s = makeStrategy({ kind, namespaced: lookupResourceByKind(kind)?.namespaced ?? true, nameValidator: nameIsDNSSubdomain });
    generic.set(kind, s);
  }
  return s;
}
