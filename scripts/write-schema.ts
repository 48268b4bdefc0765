/** Writes schema/codika-pipeline.schema.json from the zod definition (a test checks it is current). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'prettier';
import { pipelineJsonSchema } from '../src/pipeline/json-schema';

const path = join(__dirname, '..', 'schema', 'codika-pipeline.schema.json');
// Formatted as `npm run format:check` wants it, so writing it never leaves the tree unformatted.
void format(JSON.stringify(pipelineJsonSchema(), null, 2), { parser: 'json' }).then((text) => {
  writeFileSync(path, text);
  console.log(`wrote ${path}`);
});
