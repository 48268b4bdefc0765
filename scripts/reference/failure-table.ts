/**
 * The failure tables of README.md (one line per cause) and docs/faults.md (with details fields and
 * edge cases, and the benign types), both written from `FAILURE_CATALOG`.
 */
import { posix } from 'node:path';
import { FAILURE_CATALOG, type FailureCatalogRow } from '../../src/shared/failure-catalog';
import type { GeneratedBlock } from './blocks';

/** The block's name in both files: `<!-- BEGIN generated: failure table … -->`. */
export const FAILURE_TABLE_BLOCK = 'failure table';

/** The README's table (what callers match on) and docs/faults.md's (every type, benign ones marked). */
export function failureTableBlocks(): GeneratedBlock[] {
  return [
    {
      file: 'README.md',
      name: FAILURE_TABLE_BLOCK,
      content: table(
        'README.md',
        FAILURE_CATALOG.filter((row) => !row.benign),
        (row) => row.when,
      ),
    },
    {
      file: 'docs/faults.md',
      name: FAILURE_TABLE_BLOCK,
      content: table('docs/faults.md', FAILURE_CATALOG, (row) => row.detail),
    },
  ];
}

function table(file: string, rows: readonly FailureCatalogRow[], when: (row: FailureCatalogRow) => string): string {
  const lines = rows.map((row) => {
    const types = row.types.map((type) => `\`${type}\``).join(' / ') + (row.benign ? ' (benign)' : '');
    return `| ${types} | ${linksFrom(file, when(row))} | ${row.retried} |`;
  });
  // Prettier aligns the columns when the file is rendered.
  return ['| `type` | when | retried? |', '| --- | --- | --- |', ...lines].join('\n');
}

/**
 * The catalog's links are written from the repository root; `file` may sit in a folder. A link that
 * shows its own path (`[docs/polling.md](docs/polling.md)`) shows the path from `file` too.
 */
function linksFrom(file: string, markdown: string): string {
  return markdown.replace(/\[([^\]]*)\]\(([^)#:]+)(#[^)]*)?\)/g, (_, text: string, target: string, anchor = '') => {
    const path = posix.relative(posix.dirname(file), target);
    return `[${text === target ? path : text}](${path}${anchor as string})`;
  });
}
