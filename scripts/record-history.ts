/**
 * Records workflow histories for the replay tests (`npm run record-history`). Run it when a change
 * to workflow code is meant to be compatible: the new code must replay what the old code wrote.
 * Writes test/fixtures/histories/<scenario>.json, one file per run of each scenario. Histories
 * already recorded are kept (they are what older code wrote); `--force` records them again.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type History } from '@temporalio/worker';
import { MockCodikaServer } from '../src/testing/mock-codika/mock-codika-server';
import { LocalTemporalServer } from '../src/testing/local-temporal-server';
import { createCodikaWorker } from '../src/worker-setup/create-codika-worker';
import type { CodikaPipelineInput, CodikaPipelineResult } from '../src/pipeline/pipeline-types';
import {
  codikaExecutionStateQuery,
  codikaPipelineApproveUpdate,
  codikaPipelineStateQuery,
  codikaResolveTriggerUpdate,
} from '../src/workflows';
import { CodikaClient } from '../src/codika/client';
import { redriveCodikaPipeline } from '../src/client/redrive-codika-pipeline';
import type { CodikaExecutionWorkflowInput } from '../src/workflows/codika-execution-workflow';
import {
  debouncedStartSignal,
  type codikaDebounceWorkflow,
  type CodikaDebouncedStart,
  type CodikaDebounceState,
} from '../src/workflows/flow-control/codika-debounce-workflow';
import { flowControlWorkflowId } from '../src/shared/flow-control';

const OUT_DIR = join(__dirname, '..', 'test', 'fixtures', 'histories');
const API_KEY = 'ck_recording_key';
const POLL = { firstPollAfter: 200, backoffCoefficient: 1.5, maxPollInterval: 600 };

const SCENARIOS: Record<string, CodikaExecutionWorkflowInput> = {
  success: { processInstanceId: 'pi_rec', workflowId: 'rec-success', payload: { text_input: 'hello' }, poll: POLL },
  'codika-failed': { processInstanceId: 'pi_rec', workflowId: 'rec-failed', poll: POLL },
  'transient-errors': { processInstanceId: 'pi_rec', workflowId: 'rec-flaky', poll: POLL },
  'continue-as-new': { processInstanceId: 'pi_rec', workflowId: 'rec-long', poll: POLL, continueAsNewAfterPolls: 2 },
  'timed-out': { processInstanceId: 'pi_rec', workflowId: 'rec-forever', poll: { ...POLL, deadline: '2 seconds' } },
  // No poll options at all: the default strategy decides (`default-options-before-auto.json` was
  // recorded when it was timer).
  'default-options': { processInstanceId: 'pi_rec', workflowId: 'rec-success' },
  'strategy-activity': {
    processInstanceId: 'pi_rec',
    workflowId: 'rec-success',
    poll: { ...POLL, strategy: 'activity' },
  },
  'strategy-retry': { processInstanceId: 'pi_rec', workflowId: 'rec-success', poll: { ...POLL, strategy: 'retry' } },
  // Memo and search attributes (the local server registers them): recorded once they existed.
  indexed: { processInstanceId: 'pi_rec', workflowId: 'rec-success', poll: POLL },
  // Trigger delivery, recorded once it was a choice (`trigger-lost-answer-before-delivery.json` was
  // recorded before: a lost answer retried by the activity's retry policy).
  'trigger-refused-then-accepted': { processInstanceId: 'pi_rec', workflowId: 'rec-refused', poll: POLL },
  'trigger-outcome-unknown': { processInstanceId: 'pi_rec', workflowId: 'rec-lost-502', poll: POLL },
  'trigger-at-least-once-lost-answer': {
    processInstanceId: 'pi_rec',
    workflowId: 'rec-lost-answer',
    triggerDelivery: 'at-least-once',
    poll: POLL,
  },
  'indexed-continue-as-new': {
    processInstanceId: 'pi_rec',
    workflowId: 'rec-long',
    poll: POLL,
    continueAsNewAfterPolls: 2,
  },
  // Cancelled while Codika runs: the run records the execution it leaves running.
  'cancelled-left-running': { processInstanceId: 'pi_rec', workflowId: 'rec-forever', poll: POLL },
  // Issue 26: the answers a real Codika gives (404s just after the trigger, a large result kept to a
  // part), a trigger's lost answer settled by an operator both ways, and a run that attaches.
  'status-answers': {
    processInstanceId: 'pi_rec',
    workflowId: 'rec-not-found-yet',
    poll: POLL,
    result: { select: ['/summary'] },
  },
  'ask-operator-started': {
    processInstanceId: 'pi_rec',
    workflowId: 'rec-lost-502-ask',
    poll: POLL,
    onTriggerOutcomeUnknown: 'ask',
  },
  'ask-operator-not-started': {
    processInstanceId: 'pi_rec',
    workflowId: 'rec-refused-502-ask',
    poll: POLL,
    onTriggerOutcomeUnknown: 'ask',
  },
  // Its executionId is that of an execution the recorder starts on the mock first.
  attach: { processInstanceId: 'pi_rec', workflowId: 'rec-success', poll: POLL },
  // Issue 28: a permit of the key's flow-control workflow, asked, granted and given back.
  concurrency: {
    processInstanceId: 'pi_rec',
    workflowId: 'rec-success',
    poll: POLL,
    concurrency: { key: 'rec-conc-exec', limit: 1 },
  },
  // Issue 30: the library's patches answered by one marker (codika-patches-2026-12): the default
  // strategy, trigger delivery, the run index and status answers; and the record of a run left running.
  'one-marker-default': { processInstanceId: 'pi_rec', workflowId: 'rec-success' },
  'one-marker-cancelled': { processInstanceId: 'pi_rec', workflowId: 'rec-forever', poll: POLL },
  // auto's second phase in the first phase's activity: one retry checks and finds the end.
  'one-marker-auto-second-phase': { processInstanceId: 'pi_rec', workflowId: 'rec-past-first-phase' },
};

/** Scenarios whose key's flow-control workflow is recorded too (`flow-control-<scenario>.json`). */
const FLOW_CONTROL_KEYS: Record<string, string> = {
  concurrency: 'rec-conc-exec',
  'pipeline-concurrency': 'rec-conc-pipeline',
};

/** Scenarios cancelled once their execution was triggered and checked once. */
const CANCELLED_AFTER_TRIGGER = new Set(['cancelled-left-running', 'one-marker-cancelled']);

/** Pipelines: side-by-side steps, templates, a failure that continues, and a saga that compensates. */
const PIPELINE_POLL = { strategy: 'timer', ...POLL } as const;
const PIPELINE_SCENARIOS: Record<string, CodikaPipelineInput> = {
  'pipeline-success': {
    input: { text: 'hello' },
    pipeline: {
      processInstanceId: 'pi_rec',
      poll: PIPELINE_POLL,
      steps: [
        { id: 'a', workflowId: 'rec-success', payload: { text_input: { $ref: 'input.text' } } },
        { id: 'b', workflowId: 'rec-failed', onFailure: 'continue' },
        { id: 'c', workflowId: 'rec-success', dependsOn: ['a'], payload: { s: '${steps.a.resultData.summary}' } },
      ],
    },
  },
  'pipeline-saga': {
    pipeline: {
      processInstanceId: 'pi_rec',
      poll: PIPELINE_POLL,
      steps: [
        { id: 'a', workflowId: 'rec-success', compensate: { workflowId: 'rec-success' } },
        { id: 'b', workflowId: 'rec-failed', dependsOn: ['a'] },
      ],
    },
  },
};

/**
 * The step kinds and options of issue 16, one scenario each: conditions (a skip by condition, a
 * dependent that runs anyway, a delay), retries of a failed execution, a forEach with a failed item,
 * and an approval answered by the recorder through the update.
 */
const STEP_KIND_SCENARIOS: Record<string, CodikaPipelineInput> = {
  'pipeline-conditions': {
    pipeline: {
      processInstanceId: 'pi_rec',
      poll: PIPELINE_POLL,
      steps: [
        { id: 'check', workflowId: 'rec-success' },
        {
          id: 'refund',
          workflowId: 'rec-success',
          dependsOn: ['check'],
          when: { equals: [{ $ref: 'steps.check.resultData.summary' }, 'no'] },
        },
        { id: 'notify', workflowId: 'rec-success', dependsOn: ['refund'], runIfSkipped: true, startAfter: '1 second' },
      ],
    },
  },
  'pipeline-retry': {
    pipeline: {
      processInstanceId: 'pi_rec',
      poll: PIPELINE_POLL,
      steps: [{ id: 'flaky', workflowId: 'rec-failed', retry: { maximumAttempts: 2, initialInterval: 500 } }],
    },
  },
  'pipeline-for-each': {
    input: { items: [1, 2, 3, 4] },
    pipeline: {
      processInstanceId: 'pi_rec',
      poll: PIPELINE_POLL,
      steps: [
        {
          id: 'send',
          workflowId: 'rec-item',
          onFailure: 'continue',
          forEach: { items: { $ref: 'input.items' }, concurrency: 2 },
          payload: { n: { $ref: 'item' }, at: '${index}' },
        },
      ],
    },
  },
  // Issue 26: one forEach item's trigger loses its answer, and an operator says which execution it started.
  'pipeline-ask-item': {
    pipeline: {
      processInstanceId: 'pi_rec',
      poll: PIPELINE_POLL,
      onTriggerOutcomeUnknown: 'ask',
      steps: [
        {
          id: 'send',
          workflowId: 'rec-item-lost',
          forEach: { items: [0, 1, 2], concurrency: 3 },
          payload: { n: { $ref: 'item' } },
        },
      ],
    },
  },
  // The redrive of a run whose middle step failed (the failed run is `record-pipeline-redrive-old`).
  'pipeline-redrive': {
    pipeline: {
      processInstanceId: 'pi_rec',
      poll: PIPELINE_POLL,
      steps: [
        { id: 'a', workflowId: 'rec-success' },
        { id: 'b', workflowId: 'rec-fails-once', dependsOn: ['a'] },
        { id: 'c', workflowId: 'rec-success', dependsOn: ['b'] },
      ],
    },
  },
  // Issue 28: three items under a limit of one, so two wait in line and are granted by signal.
  'pipeline-concurrency': {
    pipeline: {
      processInstanceId: 'pi_rec',
      poll: PIPELINE_POLL,
      concurrency: { key: 'rec-conc-pipeline', limit: 1 },
      steps: [
        {
          id: 'send',
          workflowId: 'rec-batch-item',
          forEach: { items: [1, 2, 3], concurrency: 3 },
          payload: { n: { $ref: 'item' } },
        },
      ],
    },
  },
  'pipeline-approval': {
    input: { orderId: 'A-1' },
    pipeline: {
      processInstanceId: 'pi_rec',
      poll: PIPELINE_POLL,
      steps: [
        { id: 'prepare', workflowId: 'rec-success' },
        { id: 'approve', dependsOn: ['prepare'], approval: { prompt: 'Ship ${input.orderId}?', timeout: '1 hour' } },
        { id: 'ship', workflowId: 'rec-success', dependsOn: ['approve'] },
      ],
    },
  },
};

/** Twelve items in batches of four, three at a time, one of them slow: the batch window at work. */
const BATCH_WINDOW: CodikaPipelineInput = {
  input: { items: Array.from({ length: 12 }, (_, n) => n) },
  pipeline: {
    processInstanceId: 'pi_rec',
    poll: PIPELINE_POLL,
    steps: [
      {
        id: 'send',
        workflowId: 'rec-window-item',
        forEach: { items: { $ref: 'input.items' }, concurrency: 3, batchSize: 4 },
        payload: { n: { $ref: 'item' } },
      },
    ],
  },
};

/**
 * Recorded on a server that suggests continue-as-new after 40 events (the default is 4,096), so a
 * pipeline continues as new within seconds: every run of the chain becomes a fixture.
 */
const SHORT_HISTORY_SCENARIOS: Record<string, CodikaPipelineInput> = {
  'pipeline-continue-as-new': {
    pipeline: {
      processInstanceId: 'pi_rec',
      poll: PIPELINE_POLL,
      steps: [
        { id: 'long', workflowId: 'rec-pipeline-long' },
        { id: 'after', workflowId: 'rec-success', dependsOn: ['long'] },
      ],
    },
  },
  'pipeline-continue-as-new-for-each': {
    pipeline: {
      processInstanceId: 'pi_rec',
      poll: PIPELINE_POLL,
      steps: [{ id: 'send', workflowId: 'rec-long', forEach: { items: [1, 2, 3, 4, 5, 6], concurrency: 3 } }],
    },
  },
  'pipeline-continue-as-new-waits': {
    pipeline: {
      processInstanceId: 'pi_rec',
      poll: PIPELINE_POLL,
      steps: [
        { id: 'long', workflowId: 'rec-pipeline-long' },
        { id: 'approve', approval: { prompt: 'Go on?', timeout: '1 hour' } },
        { id: 'later', workflowId: 'rec-success', startAfter: '2 seconds' },
        {
          id: 'flaky',
          workflowId: 'rec-failed',
          onFailure: 'continue',
          retry: { maximumAttempts: 2, initialInterval: '2 seconds' },
        },
      ],
    },
  },
  // A large forEach: the pipeline's runs, and the first and last run of each batch child.
  'pipeline-for-each-batches': {
    input: { items: Array.from({ length: 205 }, (_, n) => n) },
    pipeline: {
      processInstanceId: 'pi_rec',
      poll: PIPELINE_POLL,
      steps: [
        {
          id: 'send',
          workflowId: 'rec-batch-item',
          forEach: { items: { $ref: 'input.items' }, concurrency: 4 },
          payload: { n: { $ref: 'item' } },
        },
      ],
    },
  },
  // Recorded once runs kept one state, with the batch window, carried trigger waits and checked sizes:
  // batches side by side handing on their room, with one slow item.
  'pipeline-batch-window': BATCH_WINDOW,
  // Issue 30: the batch window again, its pipeline's patches and every batch's answered by one marker.
  'pipeline-one-marker': BATCH_WINDOW,
  // A saga of eight compensations after the last step fails: it continues as new between two of them.
  'pipeline-saga-continue-as-new': {
    pipeline: {
      processInstanceId: 'pi_rec',
      poll: PIPELINE_POLL,
      steps: [
        {
          id: 'send',
          workflowId: 'rec-batch-item',
          forEach: { items: [1, 2, 3, 4, 5, 6, 7, 8], concurrency: 4 },
          payload: { n: { $ref: 'item' } },
          compensate: { workflowId: 'rec-batch-item', payload: { undo: { $ref: 'item' } } },
        },
        { id: 'last', workflowId: 'rec-failed', dependsOn: ['send'] },
      ],
    },
  },
  // A trigger refused for now (503, then 429 with Retry-After) while another step polls: the run
  // continues as new while the trigger waits to be sent again.
  'pipeline-trigger-wait': {
    pipeline: {
      processInstanceId: 'pi_rec',
      poll: PIPELINE_POLL,
      steps: [
        { id: 'long', workflowId: 'rec-pipeline-long' },
        { id: 'refused', workflowId: 'rec-refused-slowly' },
      ],
    },
  },
};

/** Answers every approval step of a recorded pipeline as soon as it waits. */
async function answerApprovals(client: Client, workflowId: string, done: Promise<unknown>): Promise<void> {
  let finished = false;
  void done.finally(() => (finished = true));
  while (!finished) {
    const state = await client.workflow
      .getHandle(workflowId)
      .query(codikaPipelineStateQuery)
      .catch(() => undefined);
    const waiting = Object.entries(state?.steps ?? {}).find(
      ([, s]) => s.status === 'running' && s.approval && !s.approval.answer,
    );
    if (waiting) {
      await client.workflow
        .getHandle(workflowId)
        .executeUpdate(codikaPipelineApproveUpdate, { args: [{ stepId: waiting[0], approved: true, by: 'recorder' }] })
        .catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Answers every question of a recorded run as a truthful operator would: the execution Codika holds
 * under the question's Idempotency-Key if there is one, else "not started".
 */
async function answerOperators(client: Client, mock: MockCodikaServer, workflowId: string, done: Promise<unknown>) {
  let finished = false;
  void done.finally(() => (finished = true));
  const handle = client.workflow.getHandle(workflowId);
  while (!finished) {
    const questions: { step?: string; item?: number; key: string }[] = [];
    const single = await handle.query(codikaExecutionStateQuery).catch(() => undefined);
    if (single?.question) questions.push({ key: single.question.idempotencyKey });
    const pipeline = single ? undefined : await handle.query(codikaPipelineStateQuery).catch(() => undefined);
    for (const [step, state] of Object.entries(pipeline?.steps ?? {})) {
      if (state.question) questions.push({ step, key: state.question.idempotencyKey });
      state.items?.forEach(
        (item, i) => item.question && questions.push({ step, item: i, key: item.question.idempotencyKey }),
      );
    }
    for (const { key, ...where } of questions) {
      const started = [...mock.executions.values()].find((e) => e.idempotencyKey === key);
      const answer = started
        ? { resolution: 'started' as const, executionId: started.executionId }
        : { resolution: 'not-started' as const };
      await handle
        .executeUpdate(codikaResolveTriggerUpdate, { args: [{ ...answer, ...where, by: 'recorder' }] })
        .catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Cancels a single execution's run once it has checked Codika's status. */
async function cancelOncePolled(client: Client, workflowId: string): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  while (((await handle.query(codikaExecutionStateQuery).catch(() => undefined))?.polls ?? 0) < 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await handle.cancel();
}

/**
 * Three starts of one debounced key within its delay, signalled to the debounce workflow under the
 * recorded id (the client helper would name it after the key): one execution, with the last input.
 */
async function debouncedStarts(
  client: Client,
  taskQueue: string,
  workflowId: string,
  input: CodikaExecutionWorkflowInput,
) {
  const initial: CodikaDebounceState = { key: workflowId, ran: [], runs: 0 };
  let handle;
  for (let n = 1; n <= 3; n++) {
    handle = await client.workflow.signalWithStart<typeof codikaDebounceWorkflow, [CodikaDebouncedStart]>(
      'codikaDebounceWorkflow',
      {
        taskQueue,
        workflowId,
        args: [initial],
        signal: debouncedStartSignal,
        signalArgs: [{ input: { ...input, payload: { n } }, delayMs: 500, maxDelayMs: 5_000 }],
      },
    );
  }
  return handle!;
}

async function main(): Promise<void> {
  await record({}, [
    ...Object.entries(SCENARIOS).map(([name, input]) => ({ name, type: 'codikaExecutionWorkflow', input })),
    {
      name: 'debounce',
      type: 'codikaDebounceWorkflow',
      input: { processInstanceId: 'pi_rec', workflowId: 'rec-success', poll: POLL },
    },
    ...Object.entries(PIPELINE_SCENARIOS).map(([name, input]) => ({ name, type: 'codikaPipelineWorkflow', input })),
    ...Object.entries(STEP_KIND_SCENARIOS).map(([name, input]) => ({ name, type: 'codikaPipelineWorkflow', input })),
  ]);
  await record(
    { 'limit.historyCount.suggestContinueAsNew': 40 },
    Object.entries(SHORT_HISTORY_SCENARIOS).map(([name, input]) => ({ name, type: 'codikaPipelineWorkflow', input })),
  );
}

/** An execution started on the mock directly, as elsewhere, for the `attach` scenario to poll. */
async function attachingTo(mock: MockCodikaServer, input: CodikaExecutionWorkflowInput) {
  const client = new CodikaClient({ baseUrl: mock.url, auth: { mode: 'header', apiKey: API_KEY } });
  const { executionId } = await client.trigger({
    processInstanceId: input.processInstanceId,
    workflowId: input.workflowId,
  });
  return { ...input, executionId };
}

/** Runs the pipeline until it fails (`record-pipeline-redrive-old`), then starts its redrive under the recorded id. */
async function redriveOfFailedRun(client: Client, taskQueue: string, input: CodikaPipelineInput) {
  const old = await client.workflow.start('codikaPipelineWorkflow', {
    taskQueue,
    workflowId: 'record-pipeline-redrive-old',
    args: [input],
  });
  await old.result().catch(() => undefined);
  const { handle } = await redriveCodikaPipeline(client, old.workflowId, {
    taskQueue,
    workflowId: 'record-pipeline-redrive',
  });
  return handle;
}

/** Every run of a workflow's continue-as-new chain, first to last. */
async function runsOf(client: Client, workflowId: string, firstRunId: string | undefined): Promise<History[]> {
  const histories: History[] = [];
  for (let runId = firstRunId; runId;) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    histories.push(history);
    runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return histories;
}

function write(name: string, history: History): void {
  const file = join(OUT_DIR, `${name}.json`);
  writeFileSync(file, historyToJSON(history));
  console.log(`recorded ${file} (${history.events?.length} events)`);
}

/** Runs each scenario not recorded yet on a fresh local server, and writes every run of it. */
async function record(
  dynamicConfig: Record<string, unknown>,
  scenarios: { name: string; type: string; input: unknown }[],
): Promise<void> {
  const force = process.argv.includes('--force');
  const todo = scenarios.filter(({ name }) => force || !existsSync(join(OUT_DIR, `${name}.json`)));
  if (todo.length === 0) return;
  const server = await LocalTemporalServer.start({ dynamicConfig });
  const mock = new MockCodikaServer({
    apiKey: API_KEY,
    scripts: {
      'rec-success': { durationMs: 700, resultData: { summary: 'hello' } },
      'rec-failed': { durationMs: 400, failWith: 'Workflow input is missing text_input' },
      'rec-flaky': {
        durationMs: 500,
        faults: { trigger: [{ kind: 'http', status: 503 }], status: [{ kind: 'http', status: 502 }] },
      },
      'rec-long': { durationMs: 2_000 },
      'rec-pipeline-long': { durationMs: 3_000 },
      'rec-forever': { durationMs: Infinity },
      'rec-refused': {
        durationMs: 500,
        faults: {
          trigger: [
            { kind: 'http', status: 503 },
            { kind: 'http', status: 429, retryAfter: 1 },
          ],
        },
      },
      'rec-lost-502': { durationMs: 500, faults: { trigger: [{ kind: 'http', status: 502, strikes: 'after' }] } },
      'rec-lost-answer': { durationMs: 500, faults: { trigger: [{ kind: 'drop', strikes: 'after' }] } },
      'rec-batch-item': { durationMs: 100 },
      // Past auto's first phase (75 s) by one retry of its activity.
      'rec-past-first-phase': { durationMs: 80_000 },
      'rec-window-item': { durationMs: (p) => ((p as { n?: number }).n === 0 ? 2_500 : 200) },
      'rec-refused-slowly': {
        durationMs: 300,
        faults: {
          trigger: [
            { kind: 'http', status: 503 },
            { kind: 'http', status: 503 },
            { kind: 'http', status: 429, retryAfter: 2 },
          ],
        },
      },
      'rec-item': { durationMs: 300, failIf: (p) => ((p as { n?: number }).n === 3 ? 'item 3 refused' : undefined) },
      'rec-not-found-yet': { durationMs: 300, notFoundChecks: 2, resultBytes: 50_000 },
      'rec-lost-502-ask': { durationMs: 500, faults: { trigger: [{ kind: 'http', status: 502, strikes: 'after' }] } },
      'rec-refused-502-ask': { durationMs: 500, faults: { trigger: [{ kind: 'http', status: 502 }] } },
      'rec-item-lost': {
        durationMs: 300,
        triggerFaultIf: (p, earlier) =>
          (p as { n?: number }).n === 1 && earlier === 0 ? { kind: 'http', status: 502, strikes: 'after' } : undefined,
      },
      'rec-fails-once': {
        durationMs: 300,
        failIf: (_p, attempt) => (attempt === 1 ? 'first attempt refused' : undefined),
      },
    },
  });
  await mock.start();
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  try {
    const taskQueue = `record-${Date.now()}`;
    const worker = await createCodikaWorker({
      connection: nativeConnection,
      taskQueue,
      codika: { baseUrl: mock.url, apiKey: API_KEY },
    });
    await worker.runUntil(async () => {
      mkdirSync(OUT_DIR, { recursive: true });
      for (const { name, type, input } of todo) {
        const handle =
          name === 'pipeline-redrive'
            ? await redriveOfFailedRun(client, taskQueue, input as CodikaPipelineInput)
            : type === 'codikaDebounceWorkflow'
              ? await debouncedStarts(client, taskQueue, `record-${name}`, input as CodikaExecutionWorkflowInput)
              : await client.workflow.start(type, {
                  taskQueue,
                  workflowId: `record-${name}`,
                  args: [name === 'attach' ? await attachingTo(mock, input as CodikaExecutionWorkflowInput) : input],
                });
        const done = handle.result().catch(() => undefined);
        if (CANCELLED_AFTER_TRIGGER.has(name)) await cancelOncePolled(client, `record-${name}`);
        void answerOperators(client, mock, `record-${name}`, done);
        await answerApprovals(client, `record-${name}`, done);
        const result = (await done) as CodikaPipelineResult | undefined;
        // Every run of the chain, so continue-as-new runs are replayed too.
        const firstRunId = 'firstExecutionRunId' in handle ? handle.firstExecutionRunId : handle.signaledRunId;
        const runs = await runsOf(client, `record-${name}`, firstRunId);
        runs.forEach((history, i) => write(`${name}${i > 0 ? `-run${i + 1}` : ''}`, history));
        // The key's flow-control workflow, as it stands once the run gave its permits back (still running).
        const flowKey = FLOW_CONTROL_KEYS[name];
        if (flowKey)
          write(`flow-control-${name}`, await client.workflow.getHandle(flowControlWorkflowId(flowKey)).fetchHistory());
        // A large forEach's batch children: their first and last run (the one that reports).
        for (const [b, batch] of (result?.steps?.send?.batches ?? []).entries()) {
          const first = (await client.workflow.getHandle(batch.workflowId).describe()).raw.workflowExecutionInfo;
          const chain = await runsOf(client, batch.workflowId, first?.firstRunId ?? undefined);
          write(`${name}-batch${b}`, chain[0]!);
          if (chain.length > 1) write(`${name}-batch${b}-last`, chain.at(-1)!);
        }
      }
    });
  } finally {
    await nativeConnection.close();
    await connection.close();
    await mock.stop();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
