import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipelineJsonSchema } from '../../../src/pipeline/json-schema';

test('the committed JSON Schema is the one the definition produces (run `npm run schema` after changing it)', () => {
  const committed: unknown = JSON.parse(
    readFileSync(join(__dirname, '..', '..', '..', 'schema', 'codika-pipeline.schema.json'), 'utf8'),
  );
  expect(committed).toEqual(pipelineJsonSchema());
});

test('the schema describes each step kind strictly, so an editor flags a misspelt field', () => {
  type ObjectSchema = { required: string[]; additionalProperties: boolean; properties: Record<string, unknown> };
  const schema = pipelineJsonSchema() as {
    required: string[];
    additionalProperties: boolean;
    properties: { steps: { items: { anyOf: ObjectSchema[] } } };
  };
  expect(schema.required).toEqual(['steps']);
  expect(schema.additionalProperties).toBe(false);
  const [execution, approval] = schema.properties.steps.items.anyOf;
  expect(execution!.required).toEqual(['id', 'workflowId']);
  expect(execution!.additionalProperties).toBe(false);
  expect(Object.keys(execution!.properties)).toEqual(
    expect.arrayContaining([
      'dependsOn',
      'payload',
      'onFailure',
      'compensate',
      'poll',
      'processInstanceId',
      'when',
      'runIfSkipped',
      'startAfter',
      'retry',
      'forEach',
    ]),
  );
  expect(approval!.required).toEqual(['id', 'approval']);
  expect(approval!.additionalProperties).toBe(false);
  expect(Object.keys(approval!.properties)).not.toContain('workflowId');
});
