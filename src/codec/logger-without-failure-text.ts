import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';

/**
 * Wraps a logger so no entry carries a failure's text: the `error` attribute (Codika's message, an
 * HTTP error body, the SDK's own "Activity failed" error) is replaced by the failure's type where
 * one is known. With payloads encrypted, logs must not leak what the history no longer shows; the
 * type, the ids and the executionId stay.
 */
export class LoggerWithoutFailureText implements Logger {
  constructor(private readonly inner: Logger) {}

  /** Passes the entry to the wrapped logger with its `error` attribute replaced by the failure's type. */
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.inner.log(level, message, withoutFailureText(meta));
  }
  /** Logs at `TRACE`, without the failure's text. */
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  /** Logs at `DEBUG`, without the failure's text. */
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  /** Logs at `INFO`, without the failure's text. */
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  /** Logs at `WARN`, without the failure's text. */
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  /** Logs at `ERROR`, without the failure's text. */
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
