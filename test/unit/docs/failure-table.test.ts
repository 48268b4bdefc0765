/**
 * The failure tables in README.md and docs/faults.md come from one catalog (src/shared/failure-catalog.ts):
 * every failure type the library raises has exactly one row there, and both files hold what
 * `npm run reference` writes from it today.
 */
import * as errors from '../../../src/shared/errors';
import { FAILURE_CATALOG } from '../../../src/shared/failure-catalog';
import { staleness } from '../../../scripts/reference/blocks';
import { failureTableBlocks } from '../../../scripts/reference/failure-table';

/** Every `type` errors.ts defines: its `CODIKA_*` string constants and the values of `CODIKA_FAILURE_TYPES`. */
function definedFailureTypes(): string[] {
  const constants = Object.entries(errors)
    .filter(([name, value]) => name.startsWith('CODIKA_') && typeof value === 'string')
    .map(([, value]) => value as string);
  return [...constants, ...Object.values(errors.CODIKA_FAILURE_TYPES)].sort();
}

test('every failure type in src/shared/errors.ts has exactly one row in the catalog, and the catalog no other', () => {
  const catalogued = FAILURE_CATALOG.flatMap((row) => row.types).sort();
  // Equal sorted lists: none missing, none twice, none unknown.
  expect(catalogued).toEqual(definedFailureTypes());
});

test.each(FAILURE_CATALOG.map((row) => [row.types.join(' / '), row] as const))(
  '%s says when, in detail, and whether it is retried, each fit for a table cell',
  (_, row) => {
    for (const cell of [row.when, row.detail, row.retried]) {
      expect(cell.trim()).not.toBe('');
      expect(cell).not.toMatch(/[|\n]/); // either would end the Markdown table's cell
    }
  },
);

const blocks = failureTableBlocks();

test.each([...new Set(blocks.map((block) => block.file))])('%s holds the failure table the catalog writes', (file) => {
  expect(staleness(file, blocks)).toBeUndefined();
});
