import { DEFAULT_FAILURE_MESSAGE } from '../../../src/codika/types';
import type { MockExecutionScript } from '../../../src/testing/mock-codika/mock-scripts';
import { API_KEY, PI, clientFor, startMock, stopMocks } from '../../helpers/mock-fixture';

afterEach(stopMocks);

/** Triggers `wf` under `script` and returns a function that reads its status. */
async function execution(script: MockExecutionScript, payload?: Record<string, unknown>) {
  const mock = await startMock({ apiKey: API_KEY, scripts: { wf: script } });
  const client = clientFor(mock);
  const { executionId } = await client.trigger({ processInstanceId: PI, workflowId: 'wf', payload });
  return { mock, executionId, status: () => client.getStatus({ processInstanceId: PI, executionId }) };
}

describe('execution status', () => {
  test('a running execution is pending, with no reportedStatus', async () => {
    const { status, mock } = await execution({ durationMs: 60_000 });

    expect(await status()).toEqual({ status: 'pending' });
    expect(mock.requestsTo('status')).toHaveLength(1);
  });

  test('a successful execution returns its resultData', async () => {
    const { status } = await execution({ resultData: { result: 'Processed output', total_sent: 3 } });

    expect(await status()).toEqual({ status: 'success', resultData: { result: 'Processed output', total_sent: 3 } });
  });

  test('resultData computed from the payload comes back as Codika sent it', async () => {
    const { status } = await execution(
      { resultData: (p: unknown) => ({ doubled: (p as { n: number }).n * 2 }) },
      { n: 21 },
    );

    expect(await status()).toEqual({ status: 'success', resultData: { doubled: 42 } });
  });

  test('success without resultData gives resultData null', async () => {
    const { status, mock } = await execution({});
    mock.injectFaults('wf', { status: [{ kind: 'http', status: 200, body: '{"execution":{"status":"success"}}' }] });

    expect(await status()).toEqual({ status: 'success', resultData: null });
  });

  test('a failed execution returns errorDetails.message', async () => {
    const { status } = await execution({ failWith: 'Recipient list is empty' });

    expect(await status()).toEqual({ status: 'failed', errorMessage: 'Recipient list is empty' });
  });

  test('a failed execution without errorDetails gets the default failure message', async () => {
    const { status } = await execution({ failWithoutMessage: true });

    expect(await status()).toEqual({ status: 'failed', errorMessage: DEFAULT_FAILURE_MESSAGE });
  });

  test('a failed execution with an empty message gets the default failure message', async () => {
    const { status } = await execution({ failWith: '' });

    expect(await status()).toEqual({ status: 'failed', errorMessage: DEFAULT_FAILURE_MESSAGE });
  });

  test('an unknown status value counts as pending and keeps the reported value', async () => {
    const { status } = await execution({ faults: { status: [{ kind: 'status_value', value: 'running' }] } });

    expect(await status()).toEqual({ status: 'pending', reportedStatus: 'running' });
    // The fault is used up: the real outcome shows on the next poll.
    expect(await status()).toMatchObject({ status: 'success' });
  });

  test('a pending execution turns to success once its scripted duration has passed', async () => {
    const { status, mock, executionId } = await execution({ durationMs: 60_000, resultData: { done: true } });

    expect(await status()).toEqual({ status: 'pending' });
    mock.finishNow(executionId);
    expect(await status()).toEqual({ status: 'success', resultData: { done: true } });
  });
});
