import type { Info } from '@temporalio/activity';
import type { Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';

const quiet: Logger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** MockActivityEnvironment whose `run` keeps the activity's result type (the SDK's signature infers `unknown`). */
export type ActivityEnv = Omit<MockActivityEnvironment, 'run'> & {
  run<A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R>;
};

/** A real activity context for one run; the worker's "Activity failed" warnings are kept out of the test output. */
export function activityEnv(info: Partial<Info> = {}): ActivityEnv {
  return new MockActivityEnvironment(info, { logger: quiet }) as ActivityEnv;
}
