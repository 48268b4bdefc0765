/**
 * Poll options are checked by the one schema the pipeline format also uses, inside workflow code,
 * so on replay too: every value accepted before the schema existed must still be accepted, with the
 * same settings. `strategy` is given in each case so no patch marker is asked for outside a workflow.
 */
import { ApplicationFailure } from '@temporalio/common';
import { resolvePollSettings } from '../../../src/workflows/engine/poll-settings';
import { DEFAULT_POLL_SETTINGS, type CodikaPollOptions } from '../../../src/shared/poll-options';

function failureOf(options: unknown): ApplicationFailure {
  try {
    resolvePollSettings(options as CodikaPollOptions);
  } catch (err) {
    if (err instanceof ApplicationFailure) return err;
    throw err;
  }
  throw new Error('no failure');
}

test('values workflow code could always pass keep their meaning', () => {
  expect(resolvePollSettings({ strategy: 'timer', backoffCoefficient: Infinity }).backoffCoefficient).toBe(Infinity);
  const nulls = { strategy: null, backoffCoefficient: null } as unknown as CodikaPollOptions;
  expect(resolvePollSettings({ ...nulls, firstPollAfter: '2s' })).toEqual({
    ...DEFAULT_POLL_SETTINGS,
    strategy: 'timer',
    firstPollAfterMs: 2_000,
  });
  expect(resolvePollSettings({ strategy: 'retry', deadline: '90 seconds', activityTimeout: 20_000 })).toEqual({
    ...DEFAULT_POLL_SETTINGS,
    strategy: 'retry',
    deadlineMs: 90_000,
    activityTimeoutMs: 20_000,
  });
});

test.each([null, true, {}, [], NaN, Infinity, -1, 0, 'soon', ''])(
  'a duration of %j is refused, naming the field and the forms that work',
  (value) => {
    const failure = failureOf({ strategy: 'timer', deadline: value });
    expect(failure.type).toBe('CodikaValidationError');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(
      /^Invalid poll\.deadline: is not a positive duration such as "30 seconds", "2m" or a number of milliseconds \(got .+\)$/,
    );
  },
);
