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
import type { CodikaPipelineInput } from '../src/pipeline/pipeline-types';
import type { CodikaExecutionWorkflowInput } from '../src/workflows/codika-execution-workflow';

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
};

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
};

async function main(): Promise<void> {
  await record({}, [
    ...Object.entries(SCENARIOS).map(([name, input]) => ({ name, type: 'codikaExecutionWorkflow', input })),
    ...Object.entries(PIPELINE_SCENARIOS).map(([name, input]) => ({ name, type: 'codikaPipelineWorkflow', input })),
  ]);
  await record(
    { 'limit.historyCount.suggestContinueAsNew': 40 },
    Object.entries(SHORT_HISTORY_SCENARIOS).map(([name, input]) => ({ name, type: 'codikaPipelineWorkflow', input })),
  );
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
        const handle = await client.workflow.start(type, { taskQueue, workflowId: `record-${name}`, args: [input] });
        await handle.result().catch(() => undefined);
        // Every run of the chain, so continue-as-new runs are replayed too.
        let runId: string | undefined = handle.firstExecutionRunId;
        for (let run = 1; runId; run++) {
          const history: History = await client.workflow.getHandle(`record-${name}`, runId).fetchHistory();
          const file = join(OUT_DIR, `${name}${run > 1 ? `-run${run}` : ''}.json`);
          writeFileSync(file, historyToJSON(history));
          console.log(`recorded ${file} (${history.events?.length} events)`);
          runId =
            history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
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
