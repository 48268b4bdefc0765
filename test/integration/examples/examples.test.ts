import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { documentDigestWithChildrenWorkflow, documentDigestWorkflow } from '../../../examples/document-digest';
import { startCodikaPipeline } from '../../../src/client/start-codika-pipeline';
import type { CodikaPipelineResult } from '../../../src/pipeline/pipeline-types';
import { checkPipeline } from '../../../src/pipeline/check-pipeline';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { quickDemoScripts, startRunningTestbed } from '../../helpers/temporal';

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
    expect(message!.payload).toEqual({ phone_numbers: ['+32470000000'], message: result.summaries.en });
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
  expect(pipelineFiles.length).toBeGreaterThanOrEqual(3);
  for (const file of pipelineFiles) {
    const check = checkPipeline(JSON.parse(readFileSync(join(PIPELINES, file), 'utf8')));
    expect({ file, ok: check.ok, problems: check.ok ? [] : check.problems }).toEqual({ file, ok: true, problems: [] });
  }
});

test.each(pipelineFiles)('the example pipeline %s runs green against the mock', async (file) => {
  const definition: unknown = JSON.parse(readFileSync(join(PIPELINES, file), 'utf8'));
  const input: unknown = JSON.parse(readFileSync(join(PIPELINES, file.replace(/\.json$/, '.input.json')), 'utf8'));
  const handle = await startCodikaPipeline(env.client, definition, input, { taskQueue });
  const result: CodikaPipelineResult = await handle.result();
  expect(Object.values(result.steps).every((step) => step.status === 'succeeded')).toBe(true);
  expect(Object.keys(result.outputs).sort()).toEqual(Object.keys(result.steps).sort());
});
