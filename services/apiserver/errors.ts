/**
 * errors: every refusal the API makes is an ApiError carrying a metav1.Status; `statusOf`
 * is the one place other errors (store, schema, bus) map to Kubernetes' codes and reasons.
 */
import { FieldSelectorError, IntOrStringError, LabelSelectorError, PatchError, QuantityError } from "../apimachinery/index.js";
import { EnvelopeError } from "../kernel/index.js";
import { SchemaError, StoredValueError } from "../schema/index.js";
import { invalidMessage } from "./strategies/index.js";
import { AlreadyExistsError, CompactedError, ConflictError, NotFoundError, StoreError } from "../store/index.js";

/** A field-level cause of a 422 (metav1.StatusCause; `reason` is the field error type). */
export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

/** A validation failure as strategies report it. */
export interface FieldProblem {
  type: string;
  message: string;
  field: string;
}

/** metav1.Status as sent to clients. */
export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
  code: number;
}

/** What an error says about the object it concerns. */
export interface Target {
  /** Plural resource, e.g. "deployments". */
  resource: string;
  group: string;
  /** Kind for 422 messages ("Deployment"). */
  kind?: string;
  name?: string;
}

/** ApiError: a request the API refuses; `status` is what the client receives. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(readonly status: Status) {
    super(status.message);
  }
  get code(): number {
    return this.status.code;
  }
}

function qualified(t: Target): string {
  return t.group ? `${t.resource}.${t.group}` : t.resource;
}

function failure(code: number, reason: string, message: string, details?: Status["details"]): ApiError {
  return new ApiError({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, ...(details ? { details } : {}), code });
}

function details(t: Target, extra: Partial<NonNullable<Status["details"]>> = {}): NonNullable<Status["details"]> {
  return { ...(t.name !== undefined ? { name: t.name } : {}), ...(t.group ? { group: t.group } : {}), kind: t.resource, ...extra };
}

export const errors = {
  badRequest: (message: string) => failure(400, "BadRequest", message),
  notFound: (t: Target) => failure(404, "NotFound", `${qualified(t)} "${t.name ?? ""}" not found`, details(t)),
  resourceNotFound: (what: string) => failure(404, "NotFound", `the server could not find the requested resource${what ? ` (${what})` : ""}`, {}),
  alreadyExists: (t: Target) => failure(409, "AlreadyExists", `${qualified(t)} "${t.name ?? ""}" already exists`, details(t)),
  conflict: (t: Target, why = "the object has been modified; please apply your changes to the latest version and try again") =>
    failure(409, "Conflict", `Operation cannot be fulfilled on ${qualified(t)} "${t.name ?? ""}": ${why}`, details(t)),
  invalid: (t: Target, problems: FieldProblem[]) =>
    failure(422, "Invalid", invalidMessage(t.group ? `${t.kind ?? t.resource}.${t.group}` : (t.kind ?? t.resource), t.name ?? "", problems as never), {
      ...details(t),
      kind: t.kind ?? t.resource,
      causes: problems.map((p) => ({ reason: p.type, message: p.message, field: p.field })),
    }),
  /** A well-formed request that cannot be applied (a JSON patch whose test fails...): 422 without field causes. */
  unprocessable: (message: string) => failure(422, "Invalid", message),
  methodNotAllowed: (message: string) => failure(405, "MethodNotAllowed", message),
  gone: (message: string) => failure(410, "Expired", message),
  tooLarge: (message: string) => failure(413, "RequestEntityTooLarge", message),
  unsupportedMediaType: (message: string) => failure(415, "UnsupportedMediaType", message),
  notAcceptable: (message: string) => failure(406, "NotAcceptable", message),
  forbidden: (t: Target, why: string) => failure(403, "Forbidden", `${qualified(t)} "${t.name ?? ""}" is forbidden: ${why}`, details(t)),
  unavailable: (message: string) => failure(503, "ServiceUnavailable", message),
  timeout: (message: string) => failure(504, "Timeout", message),
  internal: (message: string) => failure(500, "InternalError", `Internal error occurred: ${message}`),
};

/** statusOf: the Status a client sees for any error raised while serving `target`. */
export function statusOf(err: unknown, target: Target): Status {
  if (err instanceof ApiError) return err.status;
  if (err instanceof NotFoundError) return errors.notFound(target).status;
  if (err instanceof AlreadyExistsError) return errors.alreadyExists(target).status;
  if (err instanceof ConflictError) return errors.conflict(target).status;
  if (err instanceof CompactedError) return errors.gone(`too old resource version: ${err.requested} (${err.compactRevision + 1})`).status;
  if (err instanceof LabelSelectorError || err instanceof FieldSelectorError) return errors.badRequest(err.message).status;
  if (err instanceof PatchError) return (err.code === 422 ? errors.unprocessable(err.message) : errors.badRequest(err.message)).status;
  if (err instanceof QuantityError || err instanceof IntOrStringError) return errors.badRequest(err.message).status;
  if (err instanceof SchemaError) return errors.badRequest(err.message).status;
  if (err instanceof StoredValueError) return errors.badRequest(err.message).status;
  if (err instanceof EnvelopeError) return errors.badRequest(err.message).status;
  if (err instanceof StoreError) return errors.unavailable(`storage unavailable: ${err.message}`).status;
  return errors.internal(err instanceof Error ? err.message : String(err)).status;
}
