import { checkConcurrency, flowControlWorkflowId, MAX_CONCURRENCY_LIMIT } from '../../../src/shared/flow-control';
import { CodikaValidationError } from '../../../src/shared/errors';
import { checkPipeline } from '../../../src/pipeline/check-pipeline';

test('a concurrency option is a limit and an optional key', () => {
  expect(checkConcurrency(undefined)).toBeUndefined();
  expect(checkConcurrency({ limit: 3 })).toEqual({ limit: 3 });
  expect(checkConcurrency({ key: 'emails', limit: 1 })).toEqual({ key: 'emails', limit: 1 });
  expect(flowControlWorkflowId('emails')).toBe('codika-flow:emails');
});

test.each([
  ['not an object', 3, 'concurrency', 'expected an object { limit, key? }'],
  ['no limit', {}, 'concurrency.limit', 'whole number from 1 to 1000'],
  ['a limit of 0', { limit: 0 }, 'concurrency.limit', 'got 0'],
  ['a fractional limit', { limit: 1.5 }, 'concurrency.limit', 'got 1.5'],
  ['a limit over the most', { limit: MAX_CONCURRENCY_LIMIT + 1 }, 'concurrency.limit', 'got 1001'],
  ['an empty key', { limit: 1, key: '' }, 'concurrency.key', 'non-empty string'],
  ['a key with a newline', { limit: 1, key: 'a\nb' }, 'concurrency.key', 'control characters'],
  ['an unknown field', { limit: 1, keys: 'x' }, 'concurrency.keys', 'unknown field'],
])('refused, naming the field: %s', (_name, value, field, reason) => {
  let err: unknown;
  try {
    checkConcurrency(value);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(CodikaValidationError);
  expect((err as CodikaValidationError).field).toBe(field);
  expect((err as Error).message).toContain(reason);
});

test('a pipeline file takes concurrency at the top and on a step, and names a bad one', () => {
  const steps = [{ id: 'send', workflowId: 'send', concurrency: { key: 'sms', limit: 2 } }];
  const problems = (definition: unknown) => {
    const check = checkPipeline(definition);
    return check.ok ? [] : check.problems.map((p) => `${p.path}: ${p.message}`);
  };
  expect(problems({ processInstanceId: 'pi', concurrency: { limit: 3 }, steps })).toEqual([]);
  expect(problems({ processInstanceId: 'pi', concurrency: { limit: 0 }, steps }).join('\n')).toMatch(
    /concurrency\.limit/,
  );
  expect(
    problems({ processInstanceId: 'pi', steps: [{ id: 's', workflowId: 'w', concurrency: { max: 2 } }] }).join('\n'),
  ).toMatch(/steps\[0\]\.concurrency/);
});
