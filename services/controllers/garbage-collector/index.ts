/**
 * garbage-collector: ownerReferences-based cascading deletion (background, foreground,
 * orphan), as Kubernetes' garbage collector. The only public entry of this folder.
 *
 * @example
 * ```ts
 * const manager = new ControllerManager({ ..., controllers: [new GarbageCollector()] });
 * ```
 */
export { GarbageCollector, storedKinds, type GarbageCollectorOptions } from "./garbage-collector.js";
export {
  decideDependent,
  decideOwner,
  classifyOwners,
  policyFromFinalizers,
  ownerStateOf,
  needsAttention,
  hasFinalizer,
  isBeingDeleted,
  isDeletingDependents,
  isOrphaningDependents,
  referenceTo,
  refOf,
  FOREGROUND_FINALIZER,
  ORPHAN_FINALIZER,
  type GcAction,
  type GcObject,
  type GcMeta,
  type ObjectRef,
  type OwnerReference,
  type OwnerState,
  type Dependent,
  type PropagationPolicy,
} from "./decide.js";
export { OwnerIndex, type IndexChange } from "./owner-index.js";
