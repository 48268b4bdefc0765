import { ServiceError } from '@temporalio/client';

/** gRPC's `UNIMPLEMENTED`: an old server without the method, or a new one with the feature off. */
const UNIMPLEMENTED = 12;

/**
 * Thrown when the connected Temporal server cannot run standalone activities: older than 1.31 (no such
 * method), or the feature off (`activity.enableStandalone`). Nothing was started.
 */
export class CodikaStandaloneUnsupportedError extends Error {
  /** Thrown outside Temporal only, before anything starts. */
  override readonly name = 'CodikaStandaloneUnsupportedError';
  /** @param cause - The server's answer to the start (a `ServiceError` around the gRPC error). */
  constructor(override readonly cause: unknown) {
    super(
      `This Temporal server cannot run standalone activities (${serverAnswer(cause)}): they need Temporal server 1.31 ` +
        'or later with the dynamic config activity.enableStandalone=true (on by default from 1.32). Upgrade or enable ' +
        'it, or run the execution as a workflow with startCodikaExecution.',
    );
  }
}

/**
 * Whether the error a standalone activity's start (or describe) got says the server cannot run them:
 * `UNIMPLEMENTED`, or a message that says the feature is off or the method unknown.
 */
export function isStandaloneUnsupported(err: unknown): boolean {
  const grpc = err instanceof ServiceError ? err.cause : err;
  const code = (grpc as { code?: unknown } | undefined)?.code;
  if (code === UNIMPLEMENTED) return true;
  return /standalone activit(y is|ies are) (disabled|not enabled)|unknown method \w*ActivityExecution/i.test(
    serverAnswer(err),
  );
}

/** The server's own words: the gRPC details, else the message. */
function serverAnswer(err: unknown): string {
  const grpc = (err instanceof ServiceError ? err.cause : err) as { details?: unknown; message?: unknown } | undefined;
  const text = typeof grpc?.details === 'string' && grpc.details ? grpc.details : grpc?.message;
  return typeof text === 'string' ? text : String(err);
}
