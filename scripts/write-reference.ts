/**
 * Rewrites every generated reference block in the README and docs (`npm run reference`): the failure
 * table, the CLI reference, and the others each generator lists. Formatted as `npm run format:check`
 * wants it, so writing never leaves the tree unformatted; the freshness tests in test/unit/docs fail
 * when a block differs from what this writes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderFile, repositoryRoot, type GeneratedBlock } from './reference/blocks';
import { cliReferenceBlocks } from './reference/cli-reference';
import { failureTableBlocks } from './reference/failure-table';
import { quickstartBlocks } from './reference/quickstart';

const generators: (() => GeneratedBlock[] | Promise<GeneratedBlock[]>)[] = [
  cliReferenceBlocks,
  failureTableBlocks,
  quickstartBlocks,
];

async function main(): Promise<void> {
  const blocks = (await Promise.all(generators.map((generate) => generate()))).flat();
  const files = [...new Set(blocks.map((block) => block.file))];
  for (const file of files) {
    writeFileSync(join(repositoryRoot, file), await renderFile(file, blocks));
    console.log(`wrote ${file}`);
  }
}

void main();
