/**
 * Redrive: a pipeline run that ended failed, timed out, terminated or cancelled runs again from its
 * recorded successes. Steps that had succeeded are triggered 0 times again, what was running in
 * Codika is polled (not triggered), the rest runs once, and the outputs equal an uninterrupted run's.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { CodikaRedriveRefusedError, redriveCodikaPipeline } from '../../../src/client/redrive-codika-pipeline';
import type { CodikaPipelineDefinition } from '../../../src/pipeline/definition';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { codikaPipelineStateQuery } from '../../../src/workflows';
import type { codikaPipelineWorkflow } from '../../../src/workflows/codika-pipeline-workflow';
import { FAST_POLL, codikaIds } from '../../helpers/pipeline-runs';
import { failureOf, startRunningTestbed } from '../../helpers/temporal';
import { waitUntil } from '../../helpers/wait';

const API_KEY = 'ck_pipeline_redrive_key_26';
const PI = 'pi_redrive';

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let taskQueue: string;
let stop: () => Promise<void>;
beforeAll(async () => ({ env, mock, taskQueue, stop } = await startRunningTestbed({ apiKey: API_KEY }, 'redrive')));
afterAll(() => stop());

let counter = 0;
async function start(
  pipeline: Partial<CodikaPipelineDefinition>,
  options: { runTimeoutMs?: number } = {},
): Promise<WorkflowHandle<typeof codikaPipelineWorkflow>> {
  counter += 1;
  return env.client.workflow.start<typeof codikaPipelineWorkflow>('codikaPipelineWorkflow', {
    taskQueue,
    workflowId: `${taskQueue}-${counter}`,
    args: [
      { pipeline: { processInstanceId: PI, poll: FAST_POLL, ...pipeline } as CodikaPipelineDefinition, input: {} },
    ],
    ...(options.runTimeoutMs ? { workflowRunTimeout: options.runTimeoutMs } : {}),
  });
}

/** a → b → c, each result echoing its payload: the outputs of a run that nothing interrupted. */
function chain(w: Record<string, string>): Partial<CodikaPipelineDefinition> {
  return {
    steps: [
      { id: 'a', workflowId: w.a!, payload: { n: 1 } },
      { id: 'b', workflowId: w.b!, dependsOn: ['a'], payload: { from: { $ref: 'steps.a.resultData.echo.n' } } },
      { id: 'c', workflowId: w.c!, dependsOn: ['b'], payload: { from: { $ref: 'steps.b.resultData.echo.from' } } },
    ],
  };
}
const UNINTERRUPTED = { a: { echo: { n: 1 } }, b: { echo: { from: 1 } }, c: { echo: { from: 1 } } };

const triggers = (workflowId: string) => mock.requestsTo('trigger', workflowId).length;

async function redriven(workflowId: string, options = {}) {
  const { handle, plan } = await redriveCodikaPipeline(env.client, workflowId, { taskQueue, ...options });
  return { handle, plan, result: await handle.result() };
}

test('after a failed step: the steps that succeeded are not triggered again, the failed one and the rest run once', async () => {
  const w = codikaIds('failed', 'a', 'b', 'c');
  mock.script(w.a!, {});
  mock.script(w.b!, { failIf: (_payload, attempt) => (attempt === 1 ? 'out of stock' : undefined) });
  mock.script(w.c!, {});
  const old = await start(chain(w));
  expect((await failureOf(old)).type).toBe('CodikaExecutionFailed');

  const { handle, plan, result } = await redriven(old.workflowId);
  expect(plan).toEqual({ kept: ['a'], attached: {}, rerun: ['b', 'c'] });
  expect(result.outputs).toEqual(UNINTERRUPTED);
  expect([triggers(w.a!), triggers(w.b!), triggers(w.c!)]).toEqual([1, 2, 1]);
  const { memo } = await handle.describe();
  expect(memo?.codikaRedriveOf).toMatchObject({ workflowId: old.workflowId });
  expect(await (await handle.describe()).staticSummary()).toBe(`Redrive of ${old.workflowId}`);
});

test('a redrive of a redrive keeps what both runs achieved', async () => {
  const w = codikaIds('twice', 'a', 'b', 'c');
  mock.script(w.a!, {});
  mock.script(w.b!, { failIf: (_payload, attempt) => (attempt === 1 ? 'first' : undefined) });
  mock.script(w.c!, { failIf: (_payload, attempt) => (attempt === 1 ? 'first' : undefined) });
  const old = await start(chain(w));
  await failureOf(old);
  const first = await redriveCodikaPipeline(env.client, old.workflowId, { taskQueue });
  expect((await failureOf(first.handle)).type).toBe('CodikaExecutionFailed');
  const { plan, result } = await redriven(first.handle.workflowId);
  expect(plan.kept).toEqual(['a', 'b']);
  expect(result.outputs).toEqual(UNINTERRUPTED);
  expect([triggers(w.a!), triggers(w.b!), triggers(w.c!)]).toEqual([1, 2, 2]);
});

describe('a run stopped while a step polls its execution', () => {
  async function stoppedWhilePolling(
    name: string,
    stopIt: (handle: WorkflowHandle) => Promise<unknown>,
    runTimeoutMs?: number,
  ) {
    const w = codikaIds(name, 'a', 'b', 'c');
    mock.script(w.a!, {});
    mock.script(w.b!, { durationMs: 4_000 });
    mock.script(w.c!, {});
    const old = await start(chain(w), { runTimeoutMs });
    await waitUntil(() => mock.requestsTo('status', w.b!).length >= 2, 'b polling');
    await stopIt(old);
    await old.result().catch(() => undefined);
    const [execution] = mock.executionsOf(w.b!);
    const { plan, result } = await redriven(old.workflowId);
    // b ran in Codika: the new run polls that execution instead of starting another.
    expect(plan.attached).toEqual({ b: execution!.executionId });
    expect(result.outputs).toEqual(UNINTERRUPTED);
    expect([triggers(w.a!), triggers(w.b!), triggers(w.c!)]).toEqual([1, 1, 1]);
    expect(result.steps.b!.executionId).toBe(execution!.executionId);
  }

  test('terminated', () => stoppedWhilePolling('terminated', (h) => h.terminate('by hand')), 60_000);
  test('cancelled', () => stoppedWhilePolling('cancelled', (h) => h.cancel()), 60_000);
  test('timed out', () => stoppedWhilePolling('timed-out', async () => undefined, 2_000), 60_000);
});

test("refused: a step whose trigger's outcome is unknown, until the operator says what happened", async () => {
  const w = codikaIds('unknown', 'a', 'b', 'c');
  mock.script(w.a!, {});
  mock.script(w.b!, { faults: { trigger: [{ kind: 'http', status: 502, strikes: 'after' }] } });
  mock.script(w.c!, {});
  const old = await start(chain(w));
  expect((await failureOf(old)).type).toBe('CodikaTriggerOutcomeUnknown');
  const refused = await redriveCodikaPipeline(env.client, old.workflowId, { taskQueue }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(CodikaRedriveRefusedError);
  expect((refused as Error).message).toMatch(/b: its trigger's outcome is unknown/);
  expect((refused as Error).message).toContain('--execution-id b=<id>');

  // The operator found it in Codika by its key: the redrive polls it, nothing is triggered twice.
  const [execution] = mock.executionsOf(w.b!);
  const { plan, result } = await redriven(old.workflowId, { attach: { b: execution!.executionId } });
  expect(plan.attached).toEqual({ b: execution!.executionId });
  expect(result.outputs).toEqual(UNINTERRUPTED);
  expect([triggers(w.a!), triggers(w.b!), triggers(w.c!)]).toEqual([1, 1, 1]);
  expect(mock.executionsOf(w.b!)).toHaveLength(1);
});

test('refused: a run whose saga compensated, naming the compensated steps; and a run that succeeded or still runs', async () => {
  const w = codikaIds('saga', 'a', 'undo', 'b');
  mock.script(w.a!, {});
  mock.script(w.undo!, {});
  mock.script(w.b!, { failWith: 'declined' });
  const old = await start({
    steps: [
      { id: 'a', workflowId: w.a!, compensate: { workflowId: w.undo! } },
      { id: 'b', workflowId: w.b!, dependsOn: ['a'] },
    ],
  });
  await failureOf(old);
  const refused = await redriveCodikaPipeline(env.client, old.workflowId, { taskQueue }).catch((e: unknown) => e);
  expect((refused as Error).message).toMatch(/its saga compensated a \(their outputs were undone\)/);

  const ok = codikaIds('fine', 'a');
  mock.script(ok.a!, { durationMs: 3_000 });
  const running = await start({ steps: [{ id: 'a', workflowId: ok.a! }] });
  const open = await redriveCodikaPipeline(env.client, running.workflowId, { taskQueue }).catch((e: unknown) => e);
  expect((open as Error).message).toMatch(/it is running/);
  await running.result();
  const done = await redriveCodikaPipeline(env.client, running.workflowId, { taskQueue }).catch((e: unknown) => e);
  expect((done as Error).message).toMatch(/it succeeded: nothing to redrive/);
});

test('a forEach step that failed on one item: the items that succeeded are polled, not triggered; the failed one runs again', async () => {
  const w = codikaIds('items', 'send');
  mock.script(w.send!, {
    failIf: (payload, attempt) => ((payload as { n: number }).n === 2 && attempt === 1 ? 'bounced' : undefined),
  });
  const pipeline: Partial<CodikaPipelineDefinition> = {
    steps: [
      {
        id: 'send',
        workflowId: w.send!,
        forEach: { items: [0, 1, 2, 3], concurrency: 4 },
        payload: { n: { $ref: 'item' } },
      },
    ],
  };
  const old = await start(pipeline);
  await failureOf(old);
  const state = await old.query(codikaPipelineStateQuery);
  const succeededBefore = state.steps.send!.items!.filter((item) => item.status === 'succeeded').length;
  const { plan, result } = await redriven(old.workflowId);
  expect(Object.keys(plan.attached)).toHaveLength(succeededBefore);
  expect(result.outputs.send).toEqual([0, 1, 2, 3].map((n) => ({ echo: { n } })));
  // Each item ran once in Codika, but the one that failed, which ran twice.
  for (const n of [0, 1, 3]) {
    expect(mock.executionsOf(w.send!).filter((e) => (e.payload as { n: number }).n === n)).toHaveLength(1);
  }
  expect(mock.executionsOf(w.send!).filter((e) => (e.payload as { n: number }).n === 2)).toHaveLength(2);
});

test('a result too large: the redrive with a corrected definition polls the execution that ran, and keeps only what it selects', async () => {
  const w = codikaIds('too-large', 'a', 'big', 'c');
  mock.script(w.a!, {});
  mock.script(w.big!, { resultBytes: 3 * 1024 * 1024 });
  mock.script(w.c!, {});
  const definition = {
    processInstanceId: PI,
    poll: FAST_POLL,
    steps: [
      { id: 'a', workflowId: w.a!, payload: { n: 1 } },
      { id: 'big', workflowId: w.big!, dependsOn: ['a'] },
      {
        id: 'c',
        workflowId: w.c!,
        dependsOn: ['big'],
        payload: { bytes: { $ref: 'steps.big.resultData.summary.bytes' } },
      },
    ],
  };
  const old = await start(definition as Partial<CodikaPipelineDefinition>);
  expect((await failureOf(old)).type).toBe('CodikaResultTooLarge');
  const [execution] = mock.executionsOf(w.big!);

  const fixed = {
    ...definition,
    steps: definition.steps.map((s) => (s.id === 'big' ? { ...s, result: { select: ['/summary'] } } : s)),
  };
  const { plan, result } = await redriven(old.workflowId, { pipeline: fixed });
  expect(plan).toEqual({ kept: ['a'], attached: { big: execution!.executionId }, rerun: ['c'] });
  expect(result.outputs.big).toEqual({ summary: { ok: true, bytes: 3 * 1024 * 1024 } });
  expect(mock.executionsOf(w.c!).map((e) => e.payload)).toEqual([{ bytes: 3 * 1024 * 1024 }]);
  // The big execution ran once in Codika: polled again, not triggered again.
  expect([triggers(w.a!), triggers(w.big!), triggers(w.c!)]).toEqual([1, 1, 1]);

  // The same old run again: refused, naming the redrive already started.
  const again = await redriveCodikaPipeline(env.client, old.workflowId, { taskQueue }).catch((e: unknown) => e);
  expect((again as Error).message).toMatch(/it was already redriven as .*-redrive-/);
  // A corrected definition that dropped a step that succeeded is refused.
  const dropped = {
    ...fixed,
    steps: fixed.steps.filter((s) => s.id !== 'a').map((s) => (s.id === 'big' ? { ...s, dependsOn: undefined } : s)),
  };
  const refused = await redriveCodikaPipeline(env.client, old.workflowId, {
    taskQueue,
    workflowId: `${old.workflowId}-x`,
    pipeline: dropped,
  }).catch((e: unknown) => e);
  expect((refused as Error).message).toContain('the corrected definition has no step a, which succeeded');
});
