// Lints texts as if they were the given files, with the project's own ESLint config, in a plain Node
// process (jest cannot load ESLint's ESM config). Input on stdin: [{ file, text }]; output on stdout:
// for each, the messages of the rules that fired. With `--folders`: the configuration's folder lists.
import process from 'node:process';
import { URL } from 'node:url';
import { ESLint } from 'eslint';

if (process.argv[2] === '--folders') {
  // The two lists the configuration classifies src/ folders with, for the test that every folder is in one.
  const { WORKFLOW_SAFE_FOLDERS, NOT_WORKFLOW_SAFE } = await import(
    new URL('../../eslint.config.mjs', import.meta.url).href
  );
  process.stdout.write(JSON.stringify({ WORKFLOW_SAFE_FOLDERS, NOT_WORKFLOW_SAFE }));
  process.exit(0);
}

const cases = JSON.parse(
  await new Promise((resolve) => {
    let data = '';
    process.stdin.on('data', (chunk) => (data += chunk));
    process.stdin.on('end', () => resolve(data));
  }),
);
const eslint = new ESLint({ cwd: process.cwd() });
const out = [];
for (const { file, text } of cases) {
  const [result] = await eslint.lintText(text, { filePath: file });
  out.push(result.messages.map(({ ruleId, message }) => ({ ruleId, message })));
}
process.stdout.write(JSON.stringify(out));
