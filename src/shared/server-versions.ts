/**
 * The Temporal server versions this library is proven on, and what each feature needs. The
 * compatibility job (`npm run test:compat`) runs the core integration tests on the oldest one.
 */

/** The oldest Temporal server the library supports: task priority and fairness keys need 1.29. */
export const OLDEST_SUPPORTED_SERVER_VERSION = '1.29.1';

/** The first server version that serves each feature the library uses beyond the core path. */
export const SERVER_VERSION_NEEDED = {
  /** Executions, pipelines, Updates (operator answers, approvals), Nexus, priority and fairness. */
  core: OLDEST_SUPPORTED_SERVER_VERSION,
  /** `executeCodikaActivity` / `startCodikaActivity` / `run --standalone` (and `activity.enableStandalone`). */
  standaloneActivities: '1.31.0',
} as const;
