import type { Info } from '@temporalio/activity';
import type { Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DEFAULT_POLL_SETTINGS } from '../../src/shared/poll-options';

const quiet: Logger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** MockActivityEnvironment whose `run` keeps the activity's result type (the SDK's signature infers `unknown`). */
export type ActivityEnv = Omit<MockActivityEnvironment, 'run'> & {
  run<A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R>;
};

/**
 * A real activity context for one run; the worker's "Activity failed" warnings are kept out of the
 * test output. Its timeouts are the library's defaults, `activityTimeout` (45 s, which the worker's
 * request timeout must fit) and `deadline` (1 h), where the SDK's mock says 1 s.
 */
export function activityEnv(info: Partial<Info> = {}): ActivityEnv {
  return new MockActivityEnvironment(
    {
      startToCloseTimeoutMs: DEFAULT_POLL_SETTINGS.activityTimeoutMs,
      scheduleToCloseTimeoutMs: DEFAULT_POLL_SETTINGS.deadlineMs,
      ...info,
    },
    { logger: quiet },
  ) as ActivityEnv;
}
