import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipelineJsonSchema } from '../../../src/pipeline/json-schema';

test('the committed JSON Schema is the one the definition produces (run `npm run schema` after changing it)', () => {
  const committed: unknown = JSON.parse(
    readFileSync(join(__dirname, '..', '..', '..', 'schema', 'codika-pipeline.schema.json'), 'utf8'),
  );
  expect(committed).toEqual(pipelineJsonSchema());
});

test('the schema describes steps strictly, so an editor flags a misspelt field', () => {
  const schema = pipelineJsonSchema() as {
    required: string[];
    additionalProperties: boolean;
    properties: {
      steps: { items: { required: string[]; additionalProperties: boolean; properties: Record<string, unknown> } };
    };
  };
  expect(schema.required).toEqual(['steps']);
  expect(schema.additionalProperties).toBe(false);
  const step = schema.properties.steps.items;
  expect(step.required).toEqual(['id', 'workflowId']);
  expect(step.additionalProperties).toBe(false);
  expect(Object.keys(step.properties)).toEqual(
    expect.arrayContaining(['dependsOn', 'payload', 'onFailure', 'compensate', 'poll', 'processInstanceId']),
  );
});
