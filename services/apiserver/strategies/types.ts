/**
 * Strategy contract between the API server's generic registry and the per-kind rules
 * (defaults, create/update preparation, validation, kubectl table, scale subresource).
 * Every function works on plain Kubernetes JSON objects (the shape `toKubeJSON` produces).
 *
 * Order the registry is expected to follow:
 * - create: `defaults` → `prepareForCreate` → `validate`;
 * - update: `prepareForUpdate(obj, old)` → `defaults` → `validate` + `validateUpdate(obj, old)`;
 * - status update (the registry, on the stored value): `defaultStatus(obj)` when the kind has
 *   one, then only obj's status (and managedFields) replaces the stored one; nothing is
 *   validated again (no kind validates status).
 * `defaults` is idempotent, so calling it again (before or after preparation) is harmless.
 */

/** FieldCause type: Kubernetes' `field.ErrorType` as it appears in a Status cause `reason`. */
export type FieldCauseType =
  | "FieldValueRequired"
  | "FieldValueInvalid"
  | "FieldValueNotSupported"
  | "FieldValueDuplicate"
  | "FieldValueForbidden"
  | "FieldValueTooLong"
  | "FieldValueTypeInvalid"
  | "FieldValueNotFound";

/**
 * FieldCause is one validation failure, as a metav1.StatusCause: `type` is the cause reason,
 * `field` the Kubernetes field path (`spec.template.spec.containers[0].image`) and `message`
 * the error body (`Required value`, `Invalid value: -1: must be greater than or equal to 0`).
 */
export interface FieldCause {
  type: FieldCauseType;
  field: string;
  message: string;
}

/** TableColumn is a metav1.TableColumnDefinition (JSON field names). */
export interface TableColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format: string;
  description: string;
  /** 0: always shown; 1: only with `kubectl get -o wide`. */
  priority: 0 | 1;
}

/** TableSpec is how one kind prints: its columns and the cells (all priorities) of one object. */
export interface TableSpec {
  columns: TableColumn[];
  /** Cells for every column (wide ones included), `now` in epoch milliseconds for ages. */
  cells(obj: any, now: number): unknown[];
}

/** ScaleSpec converts a scalable object to its autoscaling/v1 Scale and back. */
export interface ScaleSpec {
  toScale(obj: any): any;
  /** Sets the object's desired replicas from a Scale (mutates obj). */
  applyScale(obj: any, scale: any): void;
  /** Validates a Scale body (`spec.replicas` ≥ 0). */
  validateScale(scale: any): FieldCause[];
}

/** Strategy holds the per-kind rules the generic registry calls. */
export interface Strategy {
  kind: string;
  /** Whether objects of this kind live in a namespace. */
  namespaced: boolean;
  /** Whether the kind has a status subresource (status is kept on main-resource writes). */
  hasStatus: boolean;
  /** Whether metadata.generation is tracked (1 on create, +1 on spec change). */
  tracksGeneration: boolean;
  /** Fill server defaults exactly as Kubernetes' v1 defaulting does (mutates and returns obj). */
  defaults(obj: any): any;
  /**
   * The part of {@link defaults} that fills status (mutates obj; absent when the kind's
   * defaults never touch status, so a status write may take the sent status as it is).
   */
  defaultStatus?(obj: any): void;
  /** Create-time preparation: drop status (for kinds with a status subresource), set generation 1, etc. */
  prepareForCreate(obj: any): void;
  /** Update-time preparation for the main resource: keep old status; bump metadata.generation when spec changed. */
  prepareForUpdate(obj: any, old: any): void;
  /** Metadata, spec and the kind's rules; no kind validates status. */
  validate(obj: any): FieldCause[];
  /** The part of {@link validate} about `metadata.name` (its causes are exactly those with field `metadata.name`). */
  validateName(name: unknown): FieldCause[];
  /**
   * Update-only rules: metadata identity (name, namespace, uid, creationTimestamp), generation not
   * decremented, no new finalizers while deleting, and the kind's immutable fields. It does NOT
   * repeat {@link validate}: an update is valid when `[...validate(obj), ...validateUpdate(obj, old)]` is empty.
   */
  validateUpdate(obj: any, old: any): FieldCause[];
  /** kubectl table. */
  table: TableSpec;
  /** autoscaling/v1 Scale view (Deployment, ReplicaSet, StatefulSet). */
  scale?: ScaleSpec;
}
