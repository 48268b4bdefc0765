/** `codika-temporal --version` prints the version of the package it runs from. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/main';

const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
  version: string;
};

test.each([['--version'], ['-V']])('%s prints the package version and exits 0', async (flag) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    [flag],
    { out: (text) => out.push(text), err: (text) => err.push(text), stderr: process.stderr },
    {},
  );

  expect({ code, out, err }).toEqual({ code: 0, out: [version], err: [] });
});
