/**
 * docs/cli.md lists every command as the CLI defines it today: its generated block is what
 * scripts/reference/cli-reference.ts writes from the command tree `runCli` parses with.
 */
import { readRepositoryFile, renderFile } from '../../../scripts/reference/blocks';
import { cliReferenceBlocks } from '../../../scripts/reference/cli-reference';

test('docs/cli.md holds the reference the command definitions write', () => {
  const expected = renderFile('docs/cli.md', cliReferenceBlocks());
  const actual = readRepositoryFile('docs/cli.md');
  if (actual !== expected) {
    throw new Error(`docs/cli.md is stale: run npm run reference (${firstDifference(actual, expected)})`);
  }
});

test('the reference has a section for the program and for every command and subcommand', () => {
  const [block] = cliReferenceBlocks();
  const headings = [...block!.content.matchAll(/^### `(.+)`$/gm)].map((match) => match[1]);
  expect(headings).toEqual(
    expect.arrayContaining([
      'codika-temporal',
      'codika-temporal run',
      'codika-temporal worker',
      'codika-temporal pipeline redrive',
      'codika-temporal schedule create',
      'codika-temporal codec-server',
    ]),
  );
});

function firstDifference(actual: string, expected: string): string {
  const found = actual.split('\n');
  const wanted = expected.split('\n');
  const line = found.findIndex((text, i) => text !== wanted[i]);
  const at = line === -1 ? found.length : line;
  return `line ${at + 1}: found ${JSON.stringify(found[at] ?? '(end of file)')}, expected ${JSON.stringify(wanted[at] ?? '(end of file)')}`;
}
