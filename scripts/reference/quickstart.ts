/**
 * The README's first example is examples/quickstart's code, file by file: the quickstart test runs
 * those files from the packed tarball, so the example a reader copies is the one that was run.
 */
import { readRepositoryFile, type GeneratedBlock } from './blocks';

/** In the order a reader meets them: the shared constant, the contracts, the workflow, its worker, its client. */
export const QUICKSTART_FILES = ['task-queue.ts', 'contracts.ts', 'workflows.ts', 'worker.ts', 'start.ts'];

/** The README block holding every quickstart file in one code block, each under a comment naming it. */
export function quickstartBlocks(): GeneratedBlock[] {
  const files = QUICKSTART_FILES.map(
    (file) => `// ${file}\n${readRepositoryFile(`examples/quickstart/${file}`).trimEnd()}`,
  );
  // Prettier would reformat the code inside Markdown with other settings than the files': kept verbatim.
  const content = [
    '<!-- prettier-ignore-start -->',
    '```ts',
    files.join('\n\n'),
    '```',
    '<!-- prettier-ignore-end -->',
  ];
  return [{ file: 'README.md', name: 'quickstart', content: content.join('\n') }];
}
