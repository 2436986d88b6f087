/** Named errors of the schema module. */

/** SchemaError: a value does not fit the schema (wrong JSON type, bad quantity, bad base64...). */
export class SchemaError extends Error {
  override name = "SchemaError";
  /**
   * @param path field path in Kubernetes' notation (`spec.template.spec.containers[0].image`); "" for the root.
   * @param detail what is wrong, without the path.
   */
  constructor(readonly path: string, readonly detail: string, options?: { cause?: unknown }) {
    super(path ? `${path}: ${detail}` : detail, options);
  }
}

/** UnknownKindError: the kind is not in the registry. */
export class UnknownKindError extends SchemaError {
  override name = "UnknownKindError";
  constructor(readonly kind: string) {
    super("kind", `unknown kind ${JSON.stringify(kind)}`);
  }
}

/** StoredValueError is the base of the errors {@link decodeStored} throws. */
export class StoredValueError extends Error {
  override name = "StoredValueError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** CorruptValueError: the bytes are not a stored value (bad magic, undecodable, unknown kind). */
export class CorruptValueError extends StoredValueError {
  override name = "CorruptValueError";
}

/** UnsupportedVersionError: a stored value in a format version this build does not read. */
export class UnsupportedVersionError extends StoredValueError {
  override name = "UnsupportedVersionError";
  constructor(readonly version: number) {
    super(`unsupported stored value format version ${version}`);
  }
}

/**
 * ProtobufBodyError: bytes are not a Kubernetes protobuf body (no "k8s\0" prefix,
 * undecodable envelope or object, unsupported content encoding, unknown kind).
 */
export class ProtobufBodyError extends Error {
  override name = "ProtobufBodyError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
