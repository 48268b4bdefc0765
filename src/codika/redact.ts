/** Longest response body quoted in an error message. */
export const MAX_BODY_IN_ERROR = 500;

const REDACTED = '[REDACTED]';

/**
 * Removes every known secret, and any `api_key=` query value, from text that may reach logs,
 * errors or workflow history. Secrets shorter than 4 characters are ignored: replacing them would
 * mangle ordinary text without protecting anything.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text.replace(/(api_key=)[^&\s"'#]*/gi, `$1${REDACTED}`);
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** Redacts, then cuts text to {@link MAX_BODY_IN_ERROR} characters. */
export function redactAndTruncate(text: string, secrets: readonly string[]): string {
  const clean = redact(text, secrets);
  return clean.length > MAX_BODY_IN_ERROR ? `${clean.slice(0, MAX_BODY_IN_ERROR)}… (${clean.length} chars)` : clean;
}
