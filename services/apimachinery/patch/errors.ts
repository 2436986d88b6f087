/** Named errors of the patch library. */

/**
 * PatchError: a patch cannot be applied: it is malformed (bad operation, missing merge key,
 * unknown `$patch` value...), it refers to a path the document lacks, or a JSON patch `test`
 * failed. The message follows Kubernetes' wording where Kubernetes has one.
 *
 * `code` is the HTTP status Kubernetes answers with: 400 (BadRequest) when the patch document
 * itself is unreadable, 422 (Invalid) when it is well-formed but cannot be applied.
 */
export class PatchError extends Error {
  override name = "PatchError";
  constructor(message: string, readonly code: 400 | 422 = 422, options?: { cause?: unknown }) {
    super(message, options);
  }

  /** reason: the Kubernetes Status reason that matches {@link PatchError.code}. */
  get reason(): "BadRequest" | "Invalid" {
    return this.code === 400 ? "BadRequest" : "Invalid";
  }
}
