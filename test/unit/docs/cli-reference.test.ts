/**
 * docs/cli.md lists every command as the CLI defines it today: its generated block is what
 * scripts/reference/cli-reference.ts writes from the command tree `runCli` parses with.
 */
import { staleness } from '../../../scripts/reference/blocks';
import { cliReferenceBlocks } from '../../../scripts/reference/cli-reference';

test('docs/cli.md holds the reference the command definitions write', () => {
  expect(staleness('docs/cli.md', cliReferenceBlocks())).toBeUndefined();
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
