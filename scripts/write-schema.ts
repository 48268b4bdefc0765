/** Writes schema/codika-pipeline.schema.json from the zod definition (a test checks it is current). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipelineJsonSchema } from '../src/pipeline/json-schema';

const path = join(__dirname, '..', 'schema', 'codika-pipeline.schema.json');
writeFileSync(path, `${JSON.stringify(pipelineJsonSchema(), null, 2)}\n`);
console.log(`wrote ${path}`);
