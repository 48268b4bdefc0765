import { ApplicationFailure } from '@temporalio/common';
import { shapeResult } from '../../../src/activities/result-shaping';
import { CodikaValidationError } from '../../../src/shared/errors';
import {
  DEFAULT_RESULT_MAX_BYTES,
  parseJsonPointer,
  validateResultOptions,
  type CodikaResultOptions,
} from '../../../src/shared/result-options';
import { TEMPORAL_PAYLOAD_LIMIT_BYTES } from '../../../src/shared/validation';

const ids = { executionId: 'exec-1', workflowId: 'summarize' };
const SECRET = 'do-not-leak-this-result';
const doc = {
  summary: { x: 1 },
  items: [
    { id: 'a', big: 'aaaa' },
    { id: 'b', big: 'bbbb' },
  ],
  blob: SECRET,
};

const shape = (resultData: unknown, select?: string[], maxBytes?: number) =>
  shapeResult(resultData, { select, maxBytes }, ids);

/** What shapeResult threw, or a test failure when it returned. */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

test('without select, or with the empty pointer, the whole result is kept as given', () => {
  expect(shapeResult(doc, undefined, ids)).toBe(doc);
  expect(shapeResult(doc, {}, ids)).toBe(doc);
  expect(shape(doc, [''])).toBe(doc);
  expect(shape(doc, ['/summary', ''])).toBe(doc);
});

test('nested pointers keep their values in place, in the result’s own key order', () => {
  expect(shape(doc, ['/items/1/id', '/summary'])).toEqual({ summary: { x: 1 }, items: [null, { id: 'b' }] });
  expect(Object.keys(shape(doc, ['/items/1/id', '/summary']) as object)).toEqual(['summary', 'items']);
  expect(shape({ a: { b: { c: 1, d: 2 }, e: 3 } }, ['/a/b/c'])).toEqual({ a: { b: { c: 1 } } });
  expect(shape({ a: null, b: 2 }, ['/a'])).toEqual({ a: null }); // a selected null is kept
});

test('arrays keep selected indexes in place, null before them and nothing after the last', () => {
  const list = ['a', 'b', 'c', 'd', 'e'];
  expect(shape({ list }, ['/list/3', '/list/1'])).toEqual({ list: [null, 'b', null, 'd'] });
  expect(shape({ list }, ['/list/0'])).toEqual({ list: ['a'] });
  expect(shape(list, ['/2'])).toEqual([null, null, 'c']);
  // out of range, `-` (past the end) and leading zeros are not indexes
  expect(shape({ list }, ['/list/9', '/list/-', '/list/01', '/list/x'])).toEqual({});
  expect(shape(list, ['/9'])).toEqual([]);
});

test('~1 reads as / and ~0 as ~ in a key, ~1 first', () => {
  const escaped = { 'a/b': 1, 'm~n': 2, '~1': 3, '/': 4, plain: 5 };
  expect(shape(escaped, ['/a~1b', '/m~0n', '/~01'])).toEqual({ 'a/b': 1, 'm~n': 2, '~1': 3 });
  expect(parseJsonPointer('/a~1b/~0/~01/')).toEqual(['a/b', '~', '~1', '']);
  expect(shape({ '': { '': 'empty keys' } }, ['//'])).toEqual({ '': { '': 'empty keys' } });
});

test('a pointer that matches nothing is left out; when none matches, the root’s empty container', () => {
  expect(shape(doc, ['/summary', '/missing', '/summary/x/deeper', '/items/0/missing'])).toEqual({
    summary: { x: 1 },
  });
  expect(shape(doc, ['/missing', '/items/5'])).toEqual({});
  expect(shape([1, 2], ['/missing'])).toEqual([]);
  expect(shape(doc, [])).toEqual({}); // keeps nothing
});

test('a key named __proto__ stays a key of the result', () => {
  const parsed = JSON.parse('{"__proto__": {"polluted": true}, "other": 1}') as unknown;
  const kept = shape(parsed, ['/__proto__']) as Record<string, unknown>;
  expect(Object.getPrototypeOf(kept)).toBe(Object.prototype);
  expect(JSON.stringify(kept)).toBe('{"__proto__":{"polluted":true}}');
  expect(shape({ a: 1 }, ['/constructor', '/toString'])).toEqual({}); // inherited members are not keys
});

test('overlapping pointers keep the wider one, in any order', () => {
  expect(shape(doc, ['/items/0/id', '/items'])).toEqual({ items: doc.items });
  expect(shape(doc, ['/items', '/items/0/id'])).toEqual({ items: doc.items });
  expect(shape({ a: { b: 1, c: 2 } }, ['/a/b', '/a', '/a/c'])).toEqual({ a: { b: 1, c: 2 } });
});

test('a root that is neither object nor array: only the empty pointer selects it, else null', () => {
  for (const root of ['text', 42, true, null, undefined]) {
    expect(shape(root, [''])).toBe(root);
    expect(shape(root, ['/0'])).toBeNull();
    expect(shape(root, ['/length'])).toBeNull();
  }
});

test('a result within the limit is returned; one over it fails non-retryably without its content', () => {
  const json = JSON.stringify(doc);
  expect(shape(doc, undefined, json.length)).toBe(doc);
  // UTF-8 bytes, not characters: é is 2 bytes, 😀 is 4
  expect(shape({ t: 'é😀' }, undefined, 14)).toEqual({ t: 'é😀' }); // {"t":"é😀"}: 8 ASCII + 2 + 4
  expect(thrown(() => shape({ t: 'é😀' }, undefined, 13))).toMatchObject({ details: [{ sizeBytes: 14 }] });

  const err = thrown(() => shape(doc, undefined, json.length - 1));
  expect(err).toBeInstanceOf(ApplicationFailure);
  const failure = err as ApplicationFailure;
  expect(failure).toMatchObject({ type: 'CodikaResultTooLarge', nonRetryable: true });
  expect(failure.details).toEqual([
    { executionId: 'exec-1', workflowId: 'summarize', sizeBytes: json.length, limitBytes: json.length - 1 },
  ]);
  expect(failure.message).toContain('exec-1');
  expect(failure.message).toContain(`${json.length} bytes`);
  expect(failure.message).toContain(`${json.length - 1}-byte limit`);
  expect(failure.message).toContain('set result.select to keep only what the workflow needs, or raise result.maxBytes');
  for (const text of [SECRET, 'aaaa', '"summary"']) expect(failure.message).not.toContain(text);
  expect(failure.stack).toBe(`ApplicationFailure: ${failure.message}`);
});

test('the limit applies after select, and the message says so', () => {
  const big = { keep: 'k', blob: 'x'.repeat(100) };
  expect(shape(big, ['/keep'], 20)).toEqual({ keep: 'k' });
  const err = thrown(() => shape(big, ['/blob'], 20)) as ApplicationFailure;
  expect(err.message).toContain('after result.select');
  expect(err.details?.[0]).toMatchObject({ sizeBytes: 111 });
  const noWorkflow = thrown(() => shapeResult(big, { maxBytes: 20 }, { executionId: 'exec-2' })) as ApplicationFailure;
  expect(noWorkflow.details).toEqual([
    { executionId: 'exec-2', workflowId: undefined, sizeBytes: 122, limitBytes: 20 },
  ]);
});

test('without maxBytes the default limit applies, well under Temporal’s 2 MB', () => {
  expect(DEFAULT_RESULT_MAX_BYTES).toBeLessThan(TEMPORAL_PAYLOAD_LIMIT_BYTES);
  const fits = 'x'.repeat(DEFAULT_RESULT_MAX_BYTES - 2); // with its quotes, exactly the limit
  expect(shapeResult(fits, undefined, ids)).toBe(fits);
  expect(shapeResult(fits, { select: [''] }, ids)).toBe(fits);
  const over = thrown(() => shapeResult(`${fits}x`, undefined, ids));
  expect(over).toMatchObject({
    type: 'CodikaResultTooLarge',
    details: [{ sizeBytes: DEFAULT_RESULT_MAX_BYTES + 1, limitBytes: DEFAULT_RESULT_MAX_BYTES }],
  });
});

test('the validator returns the options given, and nothing for none', () => {
  expect(validateResultOptions(undefined, 'result')).toBeUndefined();
  expect(validateResultOptions({}, 'result')).toEqual({});
  expect(validateResultOptions({ select: ['', '/a/~0/~1'], maxBytes: 10 }, 'result')).toEqual({
    select: ['', '/a/~0/~1'],
    maxBytes: 10,
  });
  expect(validateResultOptions({ select: undefined }, 'result')).toEqual({});
});

test.each<[options: unknown, field: string, reason: string]>([
  [null, 'result', 'expected an object such as'],
  [['/a'], 'result', 'got an array'],
  [{ selct: ['/a'] }, 'result.selct', 'is not a result option; the known ones are select and maxBytes'],
  [{ select: '/a' }, 'result.select', 'expected a list of JSON pointers'],
  [{ select: ['/a', 'b'] }, 'result.select[1]', `must be a JSON pointer ('' or starting with '/'), got "b"`],
  [{ select: ['/a', '/b', 3] }, 'result.select[2]', 'must be a JSON pointer (a string), got number'],
  [{ select: ['/a~2'] }, 'result.select[0]', 'has a "~" not followed by 0 or 1'],
  [{ select: ['/a~'] }, 'result.select[0]', 'has a "~" not followed by 0 or 1'],
  [{ maxBytes: 0 }, 'result.maxBytes', 'must be a positive integer number of bytes, got 0'],
  [{ maxBytes: -5 }, 'result.maxBytes', 'got -5'],
  [{ maxBytes: 1.5 }, 'result.maxBytes', 'got 1.5'],
  [{ maxBytes: Infinity }, 'result.maxBytes', 'got Infinity'],
  [{ maxBytes: '100' }, 'result.maxBytes', 'got string'],
])('the validator refuses %j, naming %s', (options, field, reason) => {
  const err = thrown(() => validateResultOptions(options, 'result'));
  expect(err).toBeInstanceOf(CodikaValidationError);
  expect((err as CodikaValidationError).field).toBe(field);
  expect((err as CodikaValidationError).reason).toContain(reason);
});

test('the validator names fields under the caller’s path, and shapeResult checks options again', () => {
  expect(() => validateResultOptions({ select: ['x'] }, 'steps[2].result')).toThrow(
    "Invalid steps[2].result.select[0]: must be a JSON pointer ('' or starting with '/')",
  );
  const bad = { select: ['items'] } as CodikaResultOptions;
  expect(() => shapeResult(doc, bad, ids)).toThrow('Invalid result.select[0]');
});
