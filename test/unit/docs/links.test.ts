/**
 * Every link in the hand-written docs goes somewhere: a relative link names a file or folder of the
 * repository, an anchor names a heading (GitHub's slug) or an explicit `<a id>`/`<a name>` of its
 * file, and an absolute http(s) link is a well-formed URL (not fetched). Links in fenced code blocks,
 * inline code and HTML comments are not links.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

import { anchorsOf, headingText, linksOf, slug } from '../../helpers/markdown-links';

const ROOT = join(__dirname, '..', '..', '..');

/** The docs, as paths relative to the repository: README.md, docs/*.md, bench/README.md, examples/**\/*.md, CHANGELOG.md. */
function docFiles(): string[] {
  const markdownIn = (dir: string, deep: boolean): string[] =>
    existsSync(join(ROOT, dir))
      ? readdirSync(join(ROOT, dir)).flatMap((name) => {
          const path = `${dir}/${name}`;
          if (statSync(join(ROOT, path)).isDirectory()) {
            return deep && name !== 'node_modules' && !name.startsWith('.') ? markdownIn(path, true) : [];
          }
          return name.endsWith('.md') ? [path] : [];
        })
      : [];
  return [
    'README.md',
    ...markdownIn('docs', false),
    'bench/README.md',
    ...markdownIn('examples', true),
    'CHANGELOG.md',
  ];
}

const anchorCache = new Map<string, Set<string>>();
function anchorsOfFile(path: string): Set<string> {
  if (!anchorCache.has(path)) anchorCache.set(path, anchorsOf(readFileSync(path, 'utf8')));
  return anchorCache.get(path)!;
}

/** Why a link is broken, or undefined when it resolves. */
function problemOf(file: string, target: string): string | undefined {
  if (target === '') return 'empty link';
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
    if (/^mailto:[^@\s]+@[^@\s]+$/i.test(target)) return undefined;
    if (!/^https?:\/\//i.test(target)) return 'not an http(s), mailto or relative link';
    try {
      const url = new URL(target);
      if (!url.hostname || /\s/.test(target)) return 'not a well-formed URL';
      return undefined;
    } catch {
      return 'not a well-formed URL';
    }
  }
  const hash = target.indexOf('#');
  const pathPart = hash >= 0 ? target.slice(0, hash) : target;
  const anchor = hash >= 0 ? decodeURIComponent(target.slice(hash + 1)) : undefined;
  let path: string;
  try {
    path = decodeURIComponent(pathPart.split('?')[0]!);
  } catch {
    return 'not a well-formed path';
  }
  const absolute =
    path === '' ? join(ROOT, file) : path.startsWith('/') ? join(ROOT, path) : resolve(ROOT, dirname(file), path);
  if (absolute !== ROOT && !absolute.startsWith(ROOT + sep)) return 'leads outside the repository';
  if (!existsSync(absolute)) return `no such file or folder: ${relative(ROOT, absolute)}`;
  if (anchor === undefined) return undefined;
  if (statSync(absolute).isDirectory()) return 'an anchor on a folder';
  if (!absolute.endsWith('.md')) return /^L\d+(-L\d+)?$/.test(anchor) ? undefined : 'an anchor in a non-Markdown file';
  return anchorsOfFile(absolute).has(anchor)
    ? undefined
    : `no heading or <a id> "${anchor}" in ${relative(ROOT, absolute)}`;
}

describe('the GitHub heading slug', () => {
  test.each([
    ['Fan-out (`fanout/`, `--fanout`)', 'fan-out-fanout---fanout'],
    ['`approval`: a person decides', 'approval-a-person-decides'],
    ['1. A trigger whose outcome is unknown', '1-a-trigger-whose-outcome-is-unknown'],
    ["Asking an operator: `onTriggerOutcomeUnknown: 'ask'`", 'asking-an-operator-ontriggeroutcomeunknown-ask'],
    ['Server 1.32.2: every strategy (2026-12-06)', 'server-1322-every-strategy-2026-12-06'],
    ['A **bold** [link](x.md) and snake_case', 'a-bold-link-and-snake_case'],
  ])('%s → %s', (heading, expected) => {
    expect(slug(headingText(heading))).toBe(expected);
  });

  test('repeated headings get -1, -2, and explicit anchors count', () => {
    const anchors = anchorsOf('# Tests\n\n## Tests\n\n### Tests\n\n```md\n# Not a heading\n```\n\n<a id="kept"></a>\n');
    expect([...anchors].sort()).toEqual(['kept', 'tests', 'tests-1', 'tests-2']);
  });

  test('links in code and comments are not links', () => {
    const text = '[a](a.md) `[b](b.md)` <!-- [c](c.md) -->\n```\n[d](d.md)\n```\n![e](e.png "title")';
    expect(linksOf(text).map((link) => link.target)).toEqual(['a.md', 'e.png']);
  });
});

describe.each(docFiles())('%s', (file) => {
  test('every link resolves: its file or folder exists, its anchor is a heading there, its URL is well-formed', () => {
    const broken = linksOf(readFileSync(join(ROOT, file), 'utf8')).flatMap(({ line, target }) => {
      const problem = problemOf(file, target);
      return problem ? [`${file}:${line}: ${target} (${problem})`] : [];
    });
    expect(broken).toEqual([]);
  });
});
