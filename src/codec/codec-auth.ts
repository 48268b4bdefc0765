import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks `Authorization: Bearer <token>` against the configured tokens in constant time: every
 * token is compared (as SHA-256 digests, so lengths leak nothing), whichever matches.
 */
export function bearerTokenMatches(authorization: string | undefined, tokens: readonly string[]): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  const given = digest(match?.[1] ?? '');
  let ok = false;
  for (const token of tokens) ok = timingSafeEqual(given, digest(token)) || ok;
  return ok && match !== null;
}

/** Loopback addresses: only processes on this machine can reach a server bound to one. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * The codec server's tokens from `CODIKA_CODEC_AUTH_TOKENS` (a JSON list of strings); none when unset.
 *
 * @throws Error naming the variable, never its value, when it is not a non-empty JSON list of tokens of at
 *   least 16 characters.
 */
export function codecAuthTokensFromEnv(env: NodeJS.ProcessEnv): string[] {
  const raw = env.CODIKA_CODEC_AUTH_TOKENS;
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('CODIKA_CODEC_AUTH_TOKENS is not valid JSON; expected a list of tokens: ["<token>", …]');
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((t) => typeof t === 'string' && t.length >= 16)) {
    throw new Error('CODIKA_CODEC_AUTH_TOKENS must be a non-empty JSON list of tokens of at least 16 characters');
  }
  return parsed as string[];
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
