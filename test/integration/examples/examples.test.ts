import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { documentDigestWithChildrenWorkflow, documentDigestWorkflow } from '../../../examples/document-digest';
import { startCodikaPipeline } from '../../../src/client/start-codika-pipeline';
import { answerCodikaApproval, codikaPipelineState } from '../../../src/client/answer-codika-approval';
import { sleep } from '../../helpers/wait';
import type { CodikaPipelineResult } from '../../../src/pipeline/pipeline-types';
import { checkPipeline } from '../../../src/pipeline/check-pipeline';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { quickDemoScripts, startRunningTestbed } from '../../helpers/temporal';
import * as exampleContracts from '../../../examples/contracts';

const API_KEY = 'ck_examples_key_12';
const PIPELINES = join(__dirname, '..', '..', '..', 'examples', 'pipelines');

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let taskQueue: string;
let stop: () => Promise<void>;
beforeAll(
  async () =>
    ({ env, mock, taskQueue, stop } = await startRunningTestbed(
      { apiKey: API_KEY, scripts: quickDemoScripts() },
      'examples',
      // The examples' contracts check every payload and result below, as the demo's worker does.
      { contracts: Object.values(exampleContracts) },
    )),
);
afterAll(() => stop());

const digestInput = {
  processInstanceId: 'pi_demo',
  documentUrl: 'https://files.example/q3.pdf',
  phoneNumber: '+32470000000',
};

test.each(['documentDigestWorkflow', 'documentDigestWithChildrenWorkflow'] as const)(
  'the %s example chains extract → two summaries side by side → message',
  async (workflowType) => {
    const workflowId = `${taskQueue}-${workflowType}`;
    const result = await env.client.workflow.execute<
      typeof documentDigestWorkflow | typeof documentDigestWithChildrenWorkflow
    >(workflowType, { taskQueue, workflowId, args: [digestInput] });
    expect(result.summaries.en).toMatch(/^\[en\] Quarterly report from https:\/\/files\.example\/q3\.pdf/);
    expect(result.summaries.fr).toMatch(/^\[fr\] /);
    const [message] = mock
      .executionsOf('http-direct-messaging')
      .filter((e) => e.executionId === result.messageExecutionId);
    expect(message!.payload).toEqual({ phone_numbers: ['+32470000000'], message_content: result.summaries.en });
    if (workflowType === 'documentDigestWithChildrenWorkflow') {
      // Each Codika execution is its own workflow, under a deterministic id.
      for (const name of ['extract', 'summarize-en', 'summarize-fr', 'notify']) {
        const child = await env.client.workflow.getHandle(`${workflowId}/codika/${name}`).describe();
        expect(child.status.name).toBe('COMPLETED');
        expect(child.parentExecution?.workflowId).toBe(workflowId);
      }
    }
  },
);

const pipelineFiles = readdirSync(PIPELINES).filter((f) => f.endsWith('.json') && !f.endsWith('.input.json'));

test('every example pipeline passes its checks', () => {
  expect(pipelineFiles.length).toBeGreaterThanOrEqual(6);
  for (const file of pipelineFiles) {
    const check = checkPipeline(JSON.parse(readFileSync(join(PIPELINES, file), 'utf8')));
    expect({ file, ok: check.ok, problems: check.ok ? [] : check.problems }).toEqual({ file, ok: true, problems: [] });
  }
});

test.each(pipelineFiles)('the example pipeline %s runs green against the mock', async (file) => {
  const definition: unknown = JSON.parse(readFileSync(join(PIPELINES, file), 'utf8'));
  const input: unknown = JSON.parse(readFileSync(join(PIPELINES, file.replace(/\.json$/, '.input.json')), 'utf8'));
  const handle = await startCodikaPipeline(env.client, definition, input, { taskQueue });
  // An approval step waits for a person: answer each as soon as it waits.
  const answering = (async () => {
    for (let i = 0; i < 200; i += 1) {
      const state = await codikaPipelineState(env.client, handle.workflowId).catch(() => undefined);
      if (state === undefined || state.phase !== 'running') return;
      const waiting = Object.entries(state.steps).find(
        ([, s]) => s.status === 'running' && s.approval && !s.approval.answer,
      );
      if (waiting)
        await answerCodikaApproval(env.client, handle.workflowId, {
          stepId: waiting[0],
          approved: true,
          by: waiting[1].approval!.approvers?.[0] ?? 'examples-test',
        });
      await sleep(100);
    }
  })();
  const result: CodikaPipelineResult = await handle.result();
  await answering;
  // Every step succeeded, or was skipped by its condition (the refund of an order whose check passed).
  for (const [id, step] of Object.entries(result.steps)) {
    expect({ id, status: step.status }).toEqual({
      id,
      status: step.skippedBy === 'condition' ? 'skipped' : 'succeeded',
    });
  }
  const ran = Object.keys(result.steps).filter((id) => result.steps[id]!.status === 'succeeded');
  expect(Object.keys(result.outputs).sort()).toEqual(ran.sort());
});
