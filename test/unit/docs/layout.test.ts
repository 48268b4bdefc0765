/** The layout section of docs/architecture.md lists every folder of src/ and test/, and nothing that is gone. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/** Folders under `dir`, as paths relative to the repository, subfolders included. */
function folders(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    return statSync(join(ROOT, path)).isDirectory() ? [path, ...folders(path)] : [];
  });
}

/** The tree in the fenced block of the "Layout" section: indentation says which folder holds which. */
function documentedFolders(): string[] {
  const text = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
  const section = text.slice(text.indexOf('## Layout'));
  const start = section.indexOf('```text') + '```text'.length;
  const block = section.slice(start, section.indexOf('```', start));
  const parents: string[] = [];
  const found: string[] = [];
  for (const line of block.split('\n')) {
    const match = /^( *)([\w.-]+)\/(\s|$)/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 2;
    parents.length = depth;
    parents.push(match[2]!);
    if (depth > 0) found.push(parents.join('/'));
  }
  return found;
}

test('the documented layout is the tree of src/ and test/', () => {
  const actual = [...folders('src'), ...folders('test')].sort();
  expect(documentedFolders().sort()).toEqual(actual);
});

test('src/ holds no loose file but its two entries', () => {
  const loose = readdirSync(join(ROOT, 'src')).filter((name) => !statSync(join(ROOT, 'src', name)).isDirectory());
  expect(loose.sort()).toEqual(['index.ts', 'worker.ts']);
});
