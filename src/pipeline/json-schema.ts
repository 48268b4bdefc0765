import { z } from 'zod';
import { pipelineSchema } from './definition';

/**
 * The pipeline format as a JSON Schema (draft 2020-12), for editors: point a file's `$schema` at
 * `schema/codika-pipeline.schema.json` (written by `npm run schema`) to get completion and checks.
 * The schema covers shapes only; the graph checks (cycles, upstream references) are the CLI's
 * `pipeline validate`.
 */
export function pipelineJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(pipelineSchema, { unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    title: 'Codika pipeline',
    description: 'Codika executions chained by dependsOn, run by codikaPipelineWorkflow (codika-temporal).',
  };
}
