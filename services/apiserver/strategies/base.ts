/**
 * The shared skeleton of every strategy: metadata validation, status and generation handling
 * on create/update, status-subresource preparation. Kinds plug in their own rules.
 */
import { clone, deepEqual, validateObjectMeta, validateObjectMetaUpdate, validateObjectName } from "./meta.js";
import type { NameValidator } from "./names.js";
import type { FieldCause, ScaleSpec, Strategy, TableColumn, TableSpec } from "./types.js";
import { translateTimestampSince } from "./duration.js";

/** KindRules: what one kind adds to the skeleton. */
export interface KindRules {
  kind: string;
  namespaced: boolean;
  nameValidator: NameValidator;
  /** Status subresource: status dropped (or initialised) on create and kept on main-resource updates. */
  hasStatus?: boolean;
  /** metadata.generation is 1 on create and bumped on spec changes. */
  tracksGeneration?: boolean;
  /** Annotation changes bump the generation too (Deployment). */
  generationCountsAnnotations?: boolean;
  /** Defaults of everything but status (never writes obj.status). */
  defaults?(obj: any): void;
  /** Defaults of status (see Strategy.defaultStatus). */
  defaultStatus?(obj: any): void;
  /** The status a new object starts with (default: none). */
  initialStatus?(obj: any): any;
  /** Extra create-time preparation, after the skeleton's. */
  prepareForCreate?(obj: any): void;
  /** Extra update-time preparation, after status is restored and before generation is computed. */
  prepareForUpdate?(obj: any, old: any): void;
  /** Kind-specific validation (metadata is validated by the skeleton). */
  validate?(obj: any): FieldCause[];
  /** Kind-specific update rules (immutable fields); the caller runs {@link validate} too. */
  validateUpdate?(obj: any, old: any): FieldCause[];
  table?: TableSpec;
  scale?: ScaleSpec;
}

const NON_SPEC_KEYS = new Set(["metadata", "status", "apiVersion", "kind"]);

/** specChanged: did anything outside metadata/status/apiVersion/kind change? */
export function specChanged(obj: any, old: any): boolean {
  const keys = new Set([...Object.keys(obj ?? {}), ...Object.keys(old ?? {})]);
  for (const k of keys) if (!NON_SPEC_KEYS.has(k) && !deepEqual(obj?.[k], old?.[k])) return true;
  return false;
}

function setOrDelete(target: any, key: string, value: unknown): void {
  if (value === undefined) delete target[key];
  else target[key] = value;
}

/** makeStrategy builds a {@link Strategy} from a kind's rules. */
export function makeStrategy(rules: KindRules): Strategy {
  const metaRules = { namespaced: rules.namespaced, nameValidator: rules.nameValidator };
  const hasStatus = rules.hasStatus ?? false;
  const tracksGeneration = rules.tracksGeneration ?? false;
  const strategy: Strategy = {
    kind: rules.kind,
    namespaced: rules.namespaced,
    hasStatus,
    tracksGeneration,
    defaults(obj) {
      rules.defaults?.(obj);
      rules.defaultStatus?.(obj);
      return obj;
    },
    prepareForCreate(obj) {
      obj.metadata ??= {};
      if (hasStatus) setOrDelete(obj, "status", rules.initialStatus?.(obj));
      if (tracksGeneration) obj.metadata.generation = 1;
      else delete obj.metadata.generation;
      rules.prepareForCreate?.(obj);
    },
    prepareForUpdate(obj, old) {
      obj.metadata ??= {};
      // Defaults first (they are idempotent), so a PUT of a minimal manifest is not seen as a spec change.
      rules.defaults?.(obj);
      rules.defaultStatus?.(obj);
      if (hasStatus) setOrDelete(obj, "status", clone(old?.status));
      rules.prepareForUpdate?.(obj, old);
      const oldGeneration = old?.metadata?.generation;
      setOrDelete(obj.metadata, "generation", oldGeneration);
      if (tracksGeneration) {
        const changed = specChanged(obj, old) ||
          (rules.generationCountsAnnotations === true && !deepEqual(obj.metadata.annotations ?? {}, old?.metadata?.annotations ?? {}));
        if (changed) obj.metadata.generation = (oldGeneration ?? 0) + 1;
      }
    },
    validate(obj) {
      return [...validateObjectMeta(obj?.metadata, metaRules), ...(rules.validate?.(obj) ?? [])];
    },
    validateName(name) {
      return validateObjectName(name, metaRules);
    },
    validateUpdate(obj, old) {
      return [...validateObjectMetaUpdate(obj?.metadata, old?.metadata), ...(rules.validateUpdate?.(obj, old) ?? [])];
    },
    table: rules.table ?? genericTable(),
  };
  if (rules.scale) strategy.scale = rules.scale;
  if (rules.defaultStatus) strategy.defaultStatus = rules.defaultStatus;
  return strategy;
}

// ---- tables ------------------------------------------------------------------------

const NAME_DESCRIPTION =
  "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const AGE_DESCRIPTION =
  "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/** column builds a table column definition. */
export function column(name: string, type: TableColumn["type"], description: string, priority: 0 | 1 = 0, format = ""): TableColumn {
  return { name, type, format, description, priority };
}

/** nameColumn is the `Name` column every kind starts with. */
export function nameColumn(priority: 0 | 1 = 0): TableColumn {
  return column("Name", "string", NAME_DESCRIPTION, priority, "name");
}

/** ageColumn is the `Age` column (creationTimestamp). */
export function ageColumn(): TableColumn {
  return column("Age", "string", AGE_DESCRIPTION);
}

/** age is the Age cell of an object. */
export function age(obj: any, now: number): string {
  return translateTimestampSince(obj?.metadata?.creationTimestamp, now);
}

/** genericTable is the fallback NAME AGE table. */
export function genericTable(): TableSpec {
  return {
    columns: [nameColumn(), ageColumn()],
    cells: (obj, now) => [obj?.metadata?.name ?? "", age(obj, now)],
  };
}

/** containerCells is kubectl's `layoutContainerCells`: names and images joined by commas. */
export function containerCells(containers: any[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c?.name ?? "").join(","), list.map((c) => c?.image ?? "").join(",")];
}
