/** Errors the activities throw themselves (the Codika client's are in `src/codika/errors.ts`). Each reaches workflows as an `ApplicationFailure` whose `type` is the class name: see `src/shared/errors.ts`. */

/** Thrown when the worker holds no credential for the process instance a workflow names. */
export class CodikaCredentialsMissingError extends Error {
  /** Also the failure `type` it becomes in a workflow (`CODIKA_CREDENTIALS_MISSING`). */
  override readonly name = 'CodikaCredentialsMissingError';
  /** @param processInstanceId - The process instance the worker has no credential for. */
  constructor(readonly processInstanceId: string) {
    super(
      `No Codika API key for process instance "${processInstanceId}": set CODIKA_API_KEY, or add it to CODIKA_API_KEYS on the worker`,
    );
  }
}
