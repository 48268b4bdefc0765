import { conditionProblems, evaluateCondition, type CodikaPipelineCondition } from '../../../src/pipeline/conditions';
import { TemplateError } from '../../../src/pipeline/errors';
import { checkPipeline, formatProblems } from '../../../src/pipeline/check-pipeline';
import type { TemplateScope } from '../../../src/pipeline/templates';

const scope: TemplateScope = {
  input: { country: 'BE', amount: 120, tags: ['vip', 'eu'], empty: '', zero: 0, nothing: null, when: '2026-11-30' },
  steps: { check: { resultData: { approved: false, score: 7, reason: 'limit' }, executionId: 'exec_1' } },
};
const holds = (condition: CodikaPipelineCondition) => evaluateCondition(condition, scope, 'when');

test('a $ref is truthy unless false, null, 0 or ""; booleans are themselves', () => {
  expect(holds({ $ref: 'input.country' })).toBe(true);
  expect(holds({ $ref: 'input.tags' })).toBe(true);
  for (const path of ['steps.check.resultData.approved', 'input.empty', 'input.zero', 'input.nothing']) {
    expect(holds({ $ref: path })).toBe(false);
  }
  expect(holds(true)).toBe(true);
  expect(holds(false)).toBe(false);
});

test('comparisons over templated operands: equals (deep), notEquals, in, greaterThan, lessThan', () => {
  expect(holds({ equals: [{ $ref: 'input.country' }, 'BE'] })).toBe(true);
  expect(holds({ equals: [{ $ref: 'input.tags' }, ['vip', 'eu']] })).toBe(true);
  expect(holds({ equals: ['${input.country}-${input.amount}', 'BE-120'] })).toBe(true);
  expect(holds({ notEquals: [{ $ref: 'input.country' }, 'FR'] })).toBe(true);
  expect(holds({ in: [{ $ref: 'input.country' }, ['BE', 'NL']] })).toBe(true);
  expect(holds({ in: ['vip', { $ref: 'input.tags' }] })).toBe(true);
  expect(holds({ in: ['us', { $ref: 'input.tags' }] })).toBe(false);
  expect(holds({ greaterThan: [{ $ref: 'input.amount' }, 100] })).toBe(true);
  expect(holds({ lessThan: [{ $ref: 'steps.check.resultData.score' }, 5] })).toBe(false);
  expect(holds({ lessThan: [{ $ref: 'input.when' }, '2026-12-01'] })).toBe(true);
});

test('and, or, not combine; exists never fails', () => {
  expect(holds({ and: [{ $ref: 'input.country' }, { not: { $ref: 'steps.check.resultData.approved' } }] })).toBe(true);
  expect(holds({ or: [false, { equals: [1, 2] }] })).toBe(false);
  expect(holds({ exists: 'steps.check.resultData.reason' })).toBe(true);
  expect(holds({ exists: 'input.nothing' })).toBe(true);
  expect(holds({ exists: 'steps.refund.resultData' })).toBe(false);
  expect(holds({ exists: 'input.customer.name' })).toBe(false);
});

test('a path that leads nowhere, or values that cannot be compared, fail with the place named', () => {
  expect(() => holds({ $ref: 'input.missing' })).toThrow(TemplateError);
  expect(() => holds({ $ref: 'input.missing' })).toThrow(/when\.\$ref: input\.missing does not exist/);
  expect(() => holds({ greaterThan: [{ $ref: 'input.country' }, 3] })).toThrow(
    'when.greaterThan: greaterThan compares two numbers or two strings; got string and number',
  );
  expect(() => holds({ in: ['x', { $ref: 'input.country' }] })).toThrow(
    'when.in[1]: "in" looks a value up in an array; this is string',
  );
});

test('shape problems name the operator and the operand at fault', () => {
  const problems = (c: unknown) => conditionProblems(c, 'steps[0].when').map((p) => `${p.path}: ${p.message}`);
  expect(problems('yes')).toEqual([expect.stringMatching(/^steps\[0\]\.when: is not a condition/)]);
  expect(problems({ equal: [1, 1] })).toEqual([expect.stringContaining('unknown operator "equal"')]);
  expect(problems({ equals: [1, 1], not: true })).toEqual([expect.stringContaining('combine them with "and" or "or"')]);
  expect(problems({ equals: [1] })).toEqual([expect.stringContaining('steps[0].when.equals: must be an array of two')]);
  expect(problems({ and: [] })).toEqual([expect.stringContaining('non-empty array of conditions')]);
  expect(problems({ greaterThan: [{ $ref: 'input.x' }, true] })).toEqual([
    'steps[0].when.greaterThan[1]: greaterThan compares numbers or strings; this is boolean',
  ]);
  expect(problems({ lessThan: [1, 'a'] })).toEqual([
    'steps[0].when.lessThan: compares a number with a string: it would never hold',
  ]);
  expect(problems({ in: ['a', 'abc'] })).toEqual([expect.stringContaining('steps[0].when.in[1]: must be an array')]);
  expect(problems({ not: { or: [{ exists: 3 }] } })).toEqual([
    expect.stringContaining('steps[0].when.not.or[0].exists: must be a path'),
  ]);
  expect(problems({ and: [{ $ref: 'input.a' }, { in: [{ $ref: 'input.b' }, { $ref: 'input.list' }] }] })).toEqual([]);
});

test('checkPipeline reports every problem of conditions, step kinds, forEach and approvals at once', () => {
  const check = checkPipeline({
    processInstanceId: 'pi',
    steps: [
      { id: 'check', workflowId: 'wf-check' },
      { id: 'refund', workflowId: 'wf-refund', when: { equals: [{ $ref: 'steps.chek.resultData.ok' }, false] } },
      { id: 'notify', workflowId: 'wf', when: { $ref: 'steps.check.resultData.ok' } },
      {
        id: 'send',
        workflowId: 'wf',
        forEach: { items: { $ref: 'input.recipients' } },
        payload: { to: '${item.email}' },
      },
      { id: 'stray', workflowId: 'wf', payload: { n: { $ref: 'index' } }, dependsOn: ['send'] },
      { id: 'ids', workflowId: 'wf', dependsOn: ['send', 'ship'], payload: { a: '${steps.send.executionId}' } },
      { id: 'ship', approval: { prompt: 'Ship ${input.orderId}?', timeout: 'soon' }, workflowId: 'wf' },
      { id: 'late', workflowId: 'wf', startAfter: -5, retry: { maximumAttempts: 0 }, when: { greaterThan: [1, null] } },
      { id: 'halfway', approval: { prompt: 'ok?', onTimeout: 'ignore' }, payload: {} },
    ],
  });
  expect(check.ok).toBe(false);
  const text = check.ok ? '' : formatProblems(check.problems);
  for (const expected of [
    'steps[1].when.equals[0].$ref: reads step "chek", and no step has that id (did you mean "check"?)',
    'steps[2].when.$ref: reads step "check", which is not upstream of "notify": add "check" to its dependsOn',
    'steps[4].payload.n.$ref: reads "index", which exists only in a forEach step\'s payload',
    'steps[5].payload.a: step "send" runs once per item, with one executionId each: read steps.send.resultData',
    'steps[6]: unknown field "workflowId": an approval step waits for a person and calls no Codika workflow',
    'steps[6].approval.timeout: is not a positive duration',
    'steps[7].startAfter: is not a positive duration',
    'steps[7].retry.maximumAttempts',
    'steps[7].when.greaterThan[1]: greaterThan compares numbers or strings; this is null',
    'steps[8].approval.onTimeout',
    'steps[8]: unknown field "payload": an approval step',
  ]) {
    expect(text).toContain(expected);
  }
  // The forEach step's own payload may read its item; an approval step needs no process instance.
  expect(text).not.toContain('steps[3].payload');
  expect(text).not.toContain('steps[6].processInstanceId');
});

test('a valid pipeline with every step kind passes, in an order that respects dependsOn', () => {
  const check = checkPipeline({
    processInstanceId: 'pi',
    steps: [
      { id: 'check', workflowId: 'wf-check', retry: { maximumAttempts: 3, initialInterval: '1s' } },
      {
        id: 'approve',
        approval: { prompt: 'Refund ${input.orderId}?', timeout: '2 days', onTimeout: 'approve' },
        dependsOn: ['check'],
      },
      {
        id: 'refund',
        workflowId: 'wf-refund',
        dependsOn: ['check', 'approve'],
        when: { and: [{ not: { $ref: 'steps.check.resultData.ok' } }, { $ref: 'steps.approve.resultData.approved' }] },
        startAfter: '10 minutes',
      },
      {
        id: 'notify',
        workflowId: 'wf-notify',
        dependsOn: ['refund'],
        runIfSkipped: true,
        forEach: { items: { $ref: 'input.recipients' }, concurrency: 20 },
        payload: { to: { $ref: 'item.email' }, n: '${index}', refunded: { $ref: 'steps.check.resultData.ok' } },
        compensate: { workflowId: 'wf-unnotify', payload: { id: { $ref: 'steps.notify.resultData.messageId' } } },
      },
    ],
  });
  expect(check.ok ? check.order : formatProblems(check.problems)).toEqual(['check', 'approve', 'refund', 'notify']);
});
