/** The CLI's errors; each decides the exit code (`EXIT` in `context.ts`). */

/** A command-line value that is not usable; the CLI exits with code 2 and this message. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Temporal could not be reached; the CLI exits with code 3. */
export class TemporalUnavailableError extends Error {
  override readonly name = 'TemporalUnavailableError';
}
