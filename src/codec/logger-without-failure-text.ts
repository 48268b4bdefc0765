import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';

/**
 * Wraps a logger so no entry carries a failure's text: the `error` attribute (Codika's message, an
 * HTTP error body, the SDK's own "Activity failed" error) is replaced by the failure's type where
 * one is known. With payloads encrypted, logs must not leak what the history no longer shows; the
 * type, the ids and the executionId stay.
 */
export class LoggerWithoutFailureText implements Logger {
  constructor(private readonly inner: Logger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.inner.log(level, message, withoutFailureText(meta));
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

function withoutFailureText(meta: LogMetadata | undefined): LogMetadata | undefined {
  if (!meta || !('error' in meta)) return meta;
  const { error, ...rest } = meta;
  const type = (error as { type?: unknown; name?: unknown } | undefined)?.type ?? (error as { name?: unknown })?.name;
  return {
    ...rest,
    error: typeof type === 'string' ? `(${type}; text withheld: payloads are encrypted)` : '(withheld)',
  };
}
