/**
 * Every table of measured figures in the docs says where its figures come from and when.
 *
 * A table holds measured figures when one of its body cells is nothing but numbers, at least one with
 * a unit (`78.7 s`, `1067 ms / 1022 ms (1.04×)`, `519 MB`, `50/s`, `43% / 96%`). Defaults and limits
 * are written as code (`30 seconds`) or inside a sentence, so they do not count.
 *
 * The paragraph just above or just below such a table names a date (YYYY-MM-DD) and its source: a
 * results file under bench/results/ (`bench/results/<file>.json`, or `results/<file>.json` in
 * bench/README.md) whose text holds one of the dates named, or, for figures a test measured, that
 * test's file or folder under test/. The source exists and git does not ignore it: a file kept on one
 * machine only traces nothing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/** The docs whose tables are checked: README.md, docs/*.md, bench/README.md, examples/**\/*.md. */
function docFiles(): string[] {
  const markdownIn = (dir: string, deep: boolean): string[] =>
    existsSync(join(ROOT, dir))
      ? readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
          const path = `${dir}/${entry.name}`;
          if (entry.isDirectory()) {
            return deep && entry.name !== 'node_modules' && !entry.name.startsWith('.') ? markdownIn(path, true) : [];
          }
          return entry.name.endsWith('.md') ? [path] : [];
        })
      : [];
  return ['README.md', ...markdownIn('docs', false), 'bench/README.md', ...markdownIn('examples', true)];
}

/** A Markdown table: its first line (1-based), its body rows' cells, and the paragraphs around it. */
interface Table {
  line: number;
  body: string[][];
  above: string;
  below: string;
}

function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

/** The tables outside fenced code blocks, each with the block of text just above and just below it. */
function tablesOf(markdown: string): Table[] {
  const lines = markdown.split('\n');
  const inCode = new Array<boolean>(lines.length).fill(false);
  let fence: string | undefined;
  lines.forEach((line, i) => {
    const match = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence) {
      inCode[i] = true;
      if (match && match[1]![0] === fence[0] && match[1]!.length >= fence.length) fence = undefined;
    } else if (match) {
      inCode[i] = true;
      fence = match[1];
    }
  });
  const isRow = (i: number) => i >= 0 && i < lines.length && !inCode[i] && /^\s*\|/.test(lines[i]!);
  const blank = (i: number) => lines[i]!.trim() === '' || inCode[i];
  const listItem = (i: number) => /^\s*([-*+]|\d+\.)\s/.test(lines[i]!);
  // A paragraph, or in a list the one item next to the table: the items beyond it speak of other things.
  const block = (from: number, step: 1 | -1): string => {
    let i = from;
    while (i >= 0 && i < lines.length && blank(i)) i += step;
    const taken: string[] = [];
    while (i >= 0 && i < lines.length && !blank(i) && !isRow(i)) {
      if (step === 1 && taken.length > 0 && listItem(i)) break;
      taken.push(lines[i]!);
      if (step === -1 && listItem(i)) break;
      i += step;
    }
    return (step === 1 ? taken : taken.reverse()).join('\n');
  };
  const tables: Table[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!isRow(i) || isRow(i - 1) || !isRow(i + 1) || !/^[\s|:-]+$/.test(lines[i + 1]!)) continue;
    let end = i + 2;
    while (isRow(end)) end++;
    tables.push({
      line: i + 1,
      body: lines.slice(i + 2, end).map(cells),
      above: block(i - 1, -1),
      below: block(end, 1),
    });
  }
  return tables;
}

const NUMBER = String.raw`[<>≤≥~≈]?\s*\d[\d,]*(?:\.\d+)?`;
const UNIT = String.raw`(?:ms|s|min|h|MB|GB|KB|KiB|MiB)(?![\p{L}\p{N}])|×|\/s|%`;

/** A cell that is only figures (and `—`, `/`, brackets between them), at least one with a unit. */
function isFigureCell(cell: string): boolean {
  const text = cell.replace(/\*\*/g, '');
  if (!new RegExp(`${NUMBER}\\s*(?:${UNIT})`, 'u').test(text)) return false;
  const rest = text.replace(new RegExp(`${NUMBER}(?:\\s*(?:${UNIT}))?`, 'gu'), '');
  return /^[\s/()–,—-]*$/.test(rest);
}

function holdsFigures(table: Table): boolean {
  return table.body.some((row) => row.some(isFigureCell));
}

function ignoredByGit(path: string): boolean {
  try {
    execFileSync('git', ['check-ignore', '-q', path], { cwd: ROOT, stdio: 'ignore' });
    return true;
  } catch {
    // 1: not ignored; anything else (no git, not a repository): nothing to tell.
    return false;
  }
}

/** What the text around a table lacks, or an empty list. */
function problemsOf(file: string, text: string): string[] {
  const dates = [...new Set(text.match(/\b20\d\d-[01]\d-[0-3]\d\b/g) ?? [])];
  const results = [...text.matchAll(/(?<![\w/.-])(bench\/)?results\/([\w.-]+\.json)/g)]
    .filter((m) => m[1] || file === 'bench/README.md')
    .map((m) => `bench/results/${m[2]}`);
  const tests = [...text.matchAll(/(?<![\w/.-])(test\/[\w./-]*[\w/])/g)].map((m) => m[1]!);
  const sources = [...new Set([...results, ...tests])];
  const problems: string[] = [];
  if (dates.length === 0) problems.push('no date (YYYY-MM-DD)');
  if (sources.length === 0)
    problems.push('no source (bench/results/<file>.json, or the test under test/ that measured it)');
  for (const source of sources) {
    if (!existsSync(join(ROOT, source))) problems.push(`${source} does not exist`);
    else if (ignoredByGit(source)) problems.push(`${source} is ignored by git, so no one else has it`);
    else if (
      source.endsWith('.json') &&
      dates.length > 0 &&
      !dates.some((date) => readFileSync(join(ROOT, source), 'utf8').includes(date))
    ) {
      problems.push(`${source} holds none of the dates named (${dates.join(', ')})`);
    }
  }
  return problems;
}

describe('what counts as a table of measured figures', () => {
  test.each(['78.7 s', '10.0 s / 6.7 s (1.51×)', '519 MB', '50/s', '43% / 96%', '— / 2 / 518 ms', '**1.57 ×**'])(
    '%s is a figure',
    (cell) => expect(isFigureCell(cell)).toBe(true),
  );
  test.each(['`30 seconds`', '1000', '0 / 0', 'no answer within 30 s', 'ended 1.7 s after `cancel()`', 'the 5th'])(
    '%s is not',
    (cell) => expect(isFigureCell(cell)).toBe(false),
  );

  test('the paragraphs just above and below a table are its context', () => {
    const [table] = tablesOf(
      'Intro.\n\nMeasured on 2026-12-06 (`bench/results/x.json`):\n\n| a |\n| -: |\n| 3 s |\n\nAfter.\nStill after.\n\nFar.',
    );
    expect(table).toMatchObject({
      line: 5,
      body: [['3 s']],
      above: expect.stringContaining('2026-12-06'),
      below: 'After.\nStill after.',
    });
  });
});

describe('what a table of measured figures must name', () => {
  test('a date and a source, both missing here', () => {
    expect(problemsOf('docs/x.md', 'Measured on one machine.')).toEqual([
      'no date (YYYY-MM-DD)',
      'no source (bench/results/<file>.json, or the test under test/ that measured it)',
    ]);
  });

  test('a results file that exists and holds the date named', () => {
    expect(problemsOf('docs/x.md', '2026-12-06, `bench/results/latest.json`')).toEqual([]);
    expect(problemsOf('docs/x.md', '2099-01-01, `bench/results/latest.json`')).toEqual([
      'bench/results/latest.json holds none of the dates named (2099-01-01)',
    ]);
    expect(problemsOf('docs/x.md', '2026-12-06, `bench/results/none.json`')).toEqual([
      'bench/results/none.json does not exist',
    ]);
  });

  test('or the test that measured it; `results/<file>` alone only in bench/README.md', () => {
    expect(problemsOf('docs/x.md', '2026-12-06 (`test/integration/standalone/`)')).toEqual([]);
    expect(problemsOf('bench/README.md', '2026-12-06 (`results/latest.json`)')).toEqual([]);
    expect(problemsOf('docs/x.md', '2026-12-06 (`results/latest.json`)')).toHaveLength(1);
  });
});

describe.each(docFiles())('%s', (file) => {
  test('every table of measured figures names its source and a date, just above or below it', () => {
    const untraced = tablesOf(readFileSync(join(ROOT, file), 'utf8'))
      .filter(holdsFigures)
      .flatMap((table) => {
        const problems = problemsOf(file, `${table.above}\n${table.below}`);
        return problems.length ? [`${file}:${table.line}: ${problems.join('; ')}`] : [];
      });
    expect(untraced).toEqual([]);
  });
});
