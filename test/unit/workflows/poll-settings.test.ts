/**
 * Poll options are checked by the one schema the pipeline format also uses, inside workflow code,
 * so on replay too: every value accepted before the schema existed must still be accepted, with the
 * same settings. `strategy` is given in each case so no patch marker is asked for outside a workflow.
 */
import { ApplicationFailure } from '@temporalio/common';
import { resolvePollSettings } from '../../../src/workflows/execution/poll-settings';
import { DEFAULT_POLL_SETTINGS, POLL_OPTION_KEYS, type CodikaPollOptions } from '../../../src/shared/poll-options';
import { pollOptionsSchema } from '../../../src/shared/poll-options-schema';

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

describe('checked without zod where the answer is plain', () => {
  const samples: Record<string, unknown[]> = {
    strategy: ['timer', 'activity', 'retry', 'auto', 'sometimes', '', 3, ['timer']],
    firstPollAfter: [1, 1500, '2s', '1.5 seconds', 0, -5, NaN, Infinity, 'soon', '', '0s', true, null, {}],
    backoffCoefficient: [1, 1.5, 3, 0.5, 0, -1, NaN, '2', true, {}],
    maxPollInterval: [30_000, '30 seconds', '1m', 0, 'later', Infinity, [1]],
    deadline: ['2h', 7_200_000, '0 ms', 0, 'never', NaN],
    activityTimeout: ['20s', 20_000, -20_000, 'x', false],
  };
  const cases = Object.entries(samples).flatMap(([key, values]) => values.map((value) => [key, value] as const));

  test.each(cases)('poll.%s = %j: the same verdict and message as the schema', (key, value) => {
    const options = { strategy: 'timer', [key]: value } as CodikaPollOptions;
    const verdict = pollOptionsSchema.safeParse(options);
    if (verdict.success) {
      expect(() => resolvePollSettings(options)).not.toThrow();
    } else {
      const issue = verdict.error.issues[0]!;
      expect(failureOf(options).message).toBe(
        `Invalid ${['poll', ...issue.path.map(String)].join('.')}: ${issue.message}`,
      );
    }
  });

  test('the option names are the schema keys, in its order', () => {
    expect(POLL_OPTION_KEYS).toEqual(Object.keys(pollOptionsSchema.shape));
  });
});
