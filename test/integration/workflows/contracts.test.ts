/**
 * Typed contracts on the real server: the worker's activities check a payload before the trigger
 * (a bad one reaches Codika never) and a `success` result after it, in every poll strategy, for zod
 * and valibot alike; a pipeline's templated payload is checked when its step is about to trigger.
 */
import { randomBytes } from 'node:crypto';
import { startCodikaPipeline } from '../../../src/client';
import { CODIKA_PAYLOAD_INVALID, CODIKA_RESULT_INVALID } from '../../../src/shared/errors';
import { sendSms, summarizeText } from '../../fixtures/contracts';
import type { typedSmsWorkflow, typedSummaryWorkflow } from '../../fixtures/contract-workflows';
import { failureOf, startRunningTestbed, type RunningTestbed } from '../../helpers/temporal';

const API_KEY = 'ck_contracts_key_7';
let bed: RunningTestbed & { stop(): Promise<void> };
beforeAll(async () => {
  bed = await startRunningTestbed({ apiKey: API_KEY }, 'contracts', { contracts: [sendSms, summarizeText] });
});
afterAll(() => bed?.stop());

function startSms(payload: unknown, strategy: Parameters<typeof typedSmsWorkflow>[1] = 'timer') {
  return bed.env.client.workflow.start<typeof typedSmsWorkflow>('typedSmsWorkflow', {
    taskQueue: bed.taskQueue,
    workflowId: `${bed.taskQueue}-${randomBytes(4).toString('hex')}`,
    args: [{ processInstanceId: 'pi_contracts', payload: payload as never }, strategy],
  });
}

test('a valid payload is sent as the schema gives it (defaults applied), and the result comes back typed and checked', async () => {
  bed.mock.script('contract-send-sms', { durationMs: 100, resultData: { messageId: 'm-1', segments: 2, cost: 0.04 } });
  const result = await (await startSms({ phone: '+32470123456', text: 'Your order shipped' })).result();
  expect(result).toEqual({ messageId: 'm-1', segments: 2 });
  expect(bed.mock.executionsOf('contract-send-sms').at(-1)!.payload).toEqual({
    phone: '+32470123456',
    text: 'Your order shipped',
    channel: 'sms',
  });
});

test('a payload that breaks the contract fails the step before any request, listing every problem with its path', async () => {
  const requestsBefore = bed.mock.requests.length;
  const failure = await failureOf(await startSms({ phone: '0470', text: '', channel: 'fax' }));
  expect(failure.type).toBe(CODIKA_PAYLOAD_INVALID);
  expect(failure.message).toContain('The payload for Codika workflow "contract-send-sms" breaks its contract');
  expect(failure.message).toContain('3 problems');
  expect(failure.details?.[0]).toMatchObject({
    workflowId: 'contract-send-sms',
    problems: [
      { path: 'phone', message: 'an international number, e.g. +32470123456' },
      { path: 'text', message: expect.any(String) },
      { path: 'channel', message: expect.any(String) },
    ],
  });
  expect(bed.mock.requests.length).toBe(requestsBefore); // nothing reached Codika, not even once
});

test.each(['timer', 'auto', 'retry', 'activity'] as const)(
  'a success result that breaks the contract fails the step (%s strategy), executionId and problems in the details, no result value in the message',
  async (strategy) => {
    const secret = `+3247${randomBytes(3).toString('hex')}`;
    bed.mock.script('contract-send-sms', { durationMs: 100, resultData: { messageId: 42, to: secret } });
    const handle = await startSms({ phone: '+32470123456', text: 'hi' }, strategy);
    const failure = await failureOf(handle);
    const { executionId } = bed.mock.executionsOf('contract-send-sms').at(-1)!;
    expect(failure.type).toBe(CODIKA_RESULT_INVALID);
    expect(failure.message).toContain(
      `Codika execution ${executionId} of "contract-send-sms" succeeded, but its result`,
    );
    expect(failure.details?.[0]).toMatchObject({
      executionId,
      problems: [
        { path: 'messageId', message: expect.any(String) },
        { path: 'segments', message: expect.any(String) },
      ],
    });
    expect(JSON.stringify(failure)).not.toContain(secret);
    // Non-retryable: one trigger, and the step did not check again after the answer it refused.
    expect(bed.mock.requestsTo('trigger').filter((r) => r.executionId === executionId)).toHaveLength(1);
  },
);

test('a valibot contract works the same way: typed result, and a bad payload refused before the trigger', async () => {
  bed.mock.script('contract-summarize', { durationMs: 100, resultData: { summary: 'Q3 up 4%' } });
  const start = (text_input: string) =>
    bed.env.client.workflow.start<typeof typedSummaryWorkflow>('typedSummaryWorkflow', {
      taskQueue: bed.taskQueue,
      workflowId: `${bed.taskQueue}-${randomBytes(4).toString('hex')}`,
      args: [{ processInstanceId: 'pi_contracts', payload: { text_input } }],
    });
  expect(await (await start('quarterly numbers')).result()).toBe('Q3 up 4%');
  const triggers = bed.mock.requestsTo('trigger', 'contract-summarize').length;
  const failure = await failureOf(await start('no'));
  expect(failure).toMatchObject({ type: CODIKA_PAYLOAD_INVALID });
  expect(failure.message).toMatch(/text_input: .*3/);
  expect(bed.mock.requestsTo('trigger', 'contract-summarize')).toHaveLength(triggers);
});

test('a pipeline step whose templated payload breaks the contract fails before its trigger; the steps before it ran', async () => {
  bed.mock.script('contract-count', { durationMs: 100, resultData: { count: 3 } });
  const smsTriggers = bed.mock.requestsTo('trigger', 'contract-send-sms').length;
  const handle = await startCodikaPipeline(
    bed.env.client,
    {
      processInstanceId: 'pi_contracts',
      poll: { strategy: 'timer', firstPollAfter: 100, maxPollInterval: 200 },
      steps: [
        { id: 'count', workflowId: 'contract-count' },
        {
          id: 'notify',
          workflowId: 'contract-send-sms',
          dependsOn: ['count'],
          // `count` is a number: the contract wants text.
          payload: { phone: '+32470123456', text: { $ref: 'steps.count.resultData.count' } },
        },
      ],
    },
    {},
    { taskQueue: bed.taskQueue },
  );
  const failure = await failureOf(handle);
  expect(failure.type).toBe(CODIKA_PAYLOAD_INVALID);
  expect(failure.message).toMatch(
    /^Step "notify" failed: The payload for Codika workflow "contract-send-sms" breaks its contract/,
  );
  expect(failure.message).toContain('1 problem: text: Invalid input: expected string, received number');
  expect(bed.mock.requestsTo('trigger', 'contract-count').length).toBeGreaterThan(0);
  const state = await handle.query('codikaPipelineState');
  expect(state).toMatchObject({ steps: { count: { status: 'succeeded' }, notify: { status: 'failed' } } });
  expect(bed.mock.requestsTo('trigger', 'contract-send-sms')).toHaveLength(smsTriggers);
});
