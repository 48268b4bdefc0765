// Lints texts as if they were the given files, with the project's own ESLint config, in a plain Node
// process (jest cannot load ESLint's ESM config). Input on stdin: [{ file, text }]; output on stdout:
// for each, the messages of the rules that fired.
import process from 'node:process';
import { ESLint } from 'eslint';

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
