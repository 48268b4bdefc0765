import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as exampleContracts from '../../../examples/contracts';
import { checkPipelineContracts } from '../../../src/client/check-pipeline-contracts';
import { checkPipeline } from '../../../src/pipeline/check-pipeline';

const PIPELINES = join(__dirname, '..', '..', '..', 'examples', 'pipelines');
const files = readdirSync(PIPELINES).filter((f) => f.endsWith('.json') && !f.endsWith('.input.json'));
const contracts = Object.values(exampleContracts);

test('every Codika workflow the example pipelines call has a contract', () => {
  const called = new Set(
    files.flatMap((f) => {
      const steps = (JSON.parse(readFileSync(join(PIPELINES, f), 'utf8')) as { steps: Record<string, unknown>[] })
        .steps;
      return steps.flatMap((s) => [s.workflowId, (s.compensate as { workflowId?: string } | undefined)?.workflowId]);
    }),
  );
  called.delete(undefined);
  expect([...called].filter((id) => !contracts.some((c) => c.workflowId === id))).toEqual([]);
});

test.each(files)('examples/pipelines/%s keeps the contracts of the workflows it calls', async (file) => {
  const check = checkPipeline(JSON.parse(readFileSync(join(PIPELINES, file), 'utf8')));
  if (!check.ok) throw new Error(JSON.stringify(check.problems));
  expect(await checkPipelineContracts(check.pipeline, contracts)).toEqual([]);
});

test('a pipeline that misspells a field or leaves one out is told so, at its path', async () => {
  const check = checkPipeline({
    processInstanceId: 'pi_demo',
    steps: [{ id: 'notify', workflowId: 'http-direct-messaging', payload: { message: '${input.text}' } }],
  });
  if (!check.ok) throw new Error('the pipeline itself is valid');
  expect(await checkPipelineContracts(check.pipeline, contracts)).toEqual([
    {
      path: 'steps[0].payload',
      message: 'missing field "phone_numbers" (breaks the contract of "http-direct-messaging")',
    },
    {
      path: 'steps[0].payload',
      message: 'missing field "message_content" (breaks the contract of "http-direct-messaging")',
    },
    {
      path: 'steps[0].payload.message',
      message:
        'unknown field; expected one of phone_numbers, message_content (breaks the contract of "http-direct-messaging")',
    },
  ]);
});
