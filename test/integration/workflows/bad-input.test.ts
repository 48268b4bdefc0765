/**
 * The hostile and bad inputs of the table in docs/faults.md, through the two ways in: the client helper
 * (checks before starting anything) and the workflow itself (for callers that start it directly).
 * Each fails early, names the field, and sends nothing to Codika.
 */
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startCodikaExecution } from '../../../src/client';
import { CodikaValidationError } from '../../../src/shared/errors';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type {
  codikaExecutionWorkflow,
  CodikaExecutionWorkflowInput,
} from '../../../src/workflows/codika-execution-workflow';
import { startRunningTestbed } from '../../helpers/temporal';

const API_KEY = 'ck_bad_input_key_19';
const OK = { processInstanceId: 'pi_ok', workflowId: 'wf-ok' };

/** [what, input, the field named, words of the message] */
const ID_CASES: [string, Partial<CodikaExecutionWorkflowInput>, string, string][] = [
  ['empty processInstanceId', { processInstanceId: '' }, 'processInstanceId', 'must not be empty'],
  ['missing workflowId', { workflowId: undefined }, 'workflowId', 'expected a string, got undefined'],
  ['id with /', { workflowId: 'a/b' }, 'workflowId', 'must not contain "/"'],
  ['id with ..', { workflowId: '..' }, 'workflowId', 'must not be "." or contain ".."'],
  ['id with ?', { workflowId: 'report?x=1' }, 'workflowId', 'found "?"'],
  ['id with #', { workflowId: 'report#x' }, 'workflowId', 'found "#"'],
  ['id with %2F', { processInstanceId: 'pi%2F..' }, 'processInstanceId', ''],
  ['id with a space', { workflowId: 'daily report' }, 'workflowId', 'whitespace or control characters'],
  ['id with a control character', { workflowId: 'wf\u0007' }, 'workflowId', 'whitespace or control characters'],
  ['id with unicode', { workflowId: 'résumé' }, 'workflowId', 'found "é"'],
  [
    'id of 10,000 characters',
    { workflowId: 'w'.repeat(10_000) },
    'workflowId',
    'is 10000 characters long; at most 200',
  ],
  ['payload not an object', { payload: ['a'] as never }, 'payload', 'expected a JSON object, got an array'],
  ['payload a string', { payload: 'hello' as never }, 'payload', 'expected a JSON object, got string'],
  [
    'unknown triggerDelivery',
    { triggerDelivery: 'exactly-once' as never },
    'triggerDelivery',
    `"exactly-once" is not one of 'at-most-once'`,
  ],
  [
    'payload over 2 MB',
    { payload: { blob: 'x'.repeat(2_050_000) } },
    'payload',
    'Temporal refuses a workflow input over 2 MB',
  ],
];

const OPTION_CASES: [string, Record<string, unknown>, string, string][] = [
  ['unknown option key', { pollEvery: 5 }, 'poll.pollEvery', 'unknown option'],
  ['negative interval', { firstPollAfter: -1 }, 'poll.firstPollAfter', ''],
  ['zero interval', { maxPollInterval: 0 }, 'poll.maxPollInterval', ''],
  ['unparsable duration', { deadline: 'soon' }, 'poll.deadline', ''],
  [
    'deadline shorter than the first poll',
    { firstPollAfter: '10 seconds', deadline: '5 seconds' },
    'poll.deadline',
    'must be longer than firstPollAfter',
  ],
  ['backoff below 1', { backoffCoefficient: 0.5 }, 'poll.backoffCoefficient', 'must be a number >= 1'],
  ['unknown strategy', { strategy: 'sometimes' }, 'poll.strategy', 'is not one of timer, activity, retry, auto'],
];

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let taskQueue: string;
let stop: () => Promise<void>;
beforeAll(async () => ({ env, mock, taskQueue, stop } = await startRunningTestbed({ apiKey: API_KEY }, 'bad-input')));
afterAll(() => stop());

describe.each(ID_CASES)('%s', (_what, change, field, words) => {
  test('the client helper refuses it before starting anything', async () => {
    const err = await startCodikaExecution(env.client, { ...OK, ...change } as never, { taskQueue }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CodikaValidationError);
    expect((err as CodikaValidationError).field).toBe(field);
    expect((err as Error).message).toContain(words);
    expect(mock.requests).toHaveLength(0);
  });

  test('the workflow started directly fails at once, naming the field, with no request to Codika', async () => {
    const failure = await runDirectly({ ...OK, ...change } as CodikaExecutionWorkflowInput);
    expect(failure).toMatchObject({ type: 'CodikaValidationError' });
    expect(failure.message).toContain(`input.${field}`);
    expect(failure.message).toContain(words);
    expect(mock.requests).toHaveLength(0);
  });
});

test.each(OPTION_CASES)('poll option: %s fails the run at once, naming it', async (_what, poll, field, words) => {
  const failure = await runDirectly({ ...OK, poll } as CodikaExecutionWorkflowInput);
  expect(failure).toMatchObject({ type: 'CodikaValidationError' });
  expect(failure.message).toContain(`Invalid ${field}`);
  expect(failure.message).toContain(words);
  expect(mock.requests).toHaveLength(0);
});

test('a payload that cannot become JSON is refused by the client helper', async () => {
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  for (const payload of [circular, { n: BigInt(1) }]) {
    await expect(startCodikaExecution(env.client, { ...OK, payload }, { taskQueue })).rejects.toThrow(
      /Invalid payload: cannot be serialized to JSON/,
    );
  }
  expect(mock.requests).toHaveLength(0);
});

let counter = 0;
async function runDirectly(input: CodikaExecutionWorkflowInput): Promise<{ type?: string; message: string }> {
  counter += 1;
  const handle = await env.client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
    taskQueue,
    workflowId: `${taskQueue}-${counter}`,
    args: [input],
  });
  const err = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  return (err as WorkflowFailedError).cause as unknown as { type?: string; message: string };
}
