/**
 * Every link in the hand-written docs goes somewhere: a relative link names a file or folder of the
 * repository, an anchor names a heading (GitHub's slug) or an explicit `<a id>`/`<a name>` of its
 * file, and an absolute http(s) link is a well-formed URL (not fetched). Links in fenced code blocks,
 * inline code and HTML comments are not links.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

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

/** A line of a Markdown file with its code (fenced blocks, inline code) and HTML comments blanked out. */
interface ProseLine {
  number: number;
  text: string;
}

/** The file's lines outside fenced code blocks, with inline code spans and HTML comments replaced by spaces. */
function proseLines(markdown: string): ProseLine[] {
  const lines: ProseLine[] = [];
  let fence: string | undefined;
  let inComment = false;
  markdown.split('\n').forEach((raw, index) => {
    const fenceMatch = /^\s*(`{3,}|~{3,})/.exec(raw);
    if (fence) {
      if (fenceMatch && fenceMatch[1]![0] === fence[0] && fenceMatch[1]!.length >= fence.length) fence = undefined;
      return;
    }
    if (fenceMatch) {
      fence = fenceMatch[1];
      return;
    }
    let text = '';
    let rest = raw;
    while (rest.length > 0) {
      if (inComment) {
        const end = rest.indexOf('-->');
        if (end < 0) {
          text += ' '.repeat(rest.length);
          rest = '';
        } else {
          text += ' '.repeat(end + 3);
          rest = rest.slice(end + 3);
          inComment = false;
        }
        continue;
      }
      const comment = rest.indexOf('<!--');
      const tick = rest.search(/`/);
      if (comment < 0 && tick < 0) {
        text += rest;
        break;
      }
      if (comment >= 0 && (tick < 0 || comment < tick)) {
        text += rest.slice(0, comment) + '    ';
        rest = rest.slice(comment + 4);
        inComment = true;
        continue;
      }
      const ticks = /^`+/.exec(rest.slice(tick))![0];
      const close = rest.indexOf(ticks, tick + ticks.length);
      if (close < 0) {
        text += rest;
        break;
      }
      text += rest.slice(0, tick) + ' '.repeat(close + ticks.length - tick);
      rest = rest.slice(close + ticks.length);
    }
    lines.push({ number: index + 1, text });
  });
  return lines;
}

/** A heading's text as GitHub renders it: inline code kept, other markup (links, emphasis, HTML) dropped. */
function headingText(source: string): string {
  return source
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/`+([^`]*)`+/g, '$1')
    .replace(/\*\*|__|\*/g, '')
    .replace(/(^|[^\p{L}\p{N}])_([^_]+)_(?=[^\p{L}\p{N}]|$)/gu, '$1$2')
    .trim();
}

/** GitHub's heading slug (github-slugger): lowercase, punctuation but `-` and `_` dropped, each space a `-`. */
function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a Markdown file offers: its headings' slugs (a repeated one gets `-1`, `-2`…) and its explicit `<a id>`/`<a name>`. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const occurrences = new Map<string, number>();
  const add = (text: string) => {
    const base = slug(headingText(text));
    let candidate = base;
    while (occurrences.has(candidate)) {
      const n = occurrences.get(base)! + 1;
      occurrences.set(base, n);
      candidate = `${base}-${n}`;
    }
    occurrences.set(candidate, 0);
    anchors.add(candidate);
  };
  let fence: string | undefined;
  let previous = '';
  for (const line of markdown.split('\n')) {
    const fenceMatch = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (fenceMatch && fenceMatch[1]![0] === fence[0] && fenceMatch[1]!.length >= fence.length) fence = undefined;
      previous = '';
      continue;
    }
    if (fenceMatch) {
      fence = fenceMatch[1];
      previous = '';
      continue;
    }
    const atx = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (atx) add(atx[1]!);
    else if (/^ {0,3}(=+|-+)\s*$/.test(line) && previous.trim() && !/^\s*([|>#*+-]|\d+\.)/.test(previous)) {
      add(previous.trim());
    }
    for (const match of line.matchAll(/<a\s[^>]*?\b(?:id|name)\s*=\s*["']([^"']+)["']/gi)) anchors.add(match[1]!);
    previous = line;
  }
  return anchors;
}

/** A link found in prose: where, and its destination as written. */
interface Link {
  line: number;
  target: string;
}

/** Inline links and images (`[…](…)`, `![…](…)`), reference definitions, autolinks and HTML `href`/`src`. */
function linksOf(markdown: string): Link[] {
  const links: Link[] = [];
  for (const { number, text } of proseLines(markdown)) {
    for (let open = text.indexOf(']('); open >= 0; open = text.indexOf('](', open + 2)) {
      let depth = 0;
      let end = open + 2;
      for (; end < text.length; end++) {
        if (text[end] === '(') depth++;
        else if (text[end] === ')' && depth-- === 0) break;
      }
      if (end >= text.length) continue;
      const inner = text.slice(open + 2, end).trim();
      const target = inner.startsWith('<') ? inner.slice(1, inner.indexOf('>')) : inner.split(/\s+/)[0]!;
      links.push({ line: number, target });
    }
    const definition = /^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/.exec(text);
    if (definition) links.push({ line: number, target: definition[1]! });
    for (const match of text.matchAll(/<((?:https?|mailto):[^\s<>]*)>/g))
      links.push({ line: number, target: match[1]! });
    for (const match of text.matchAll(/<(?:a|img)\s[^>]*?\b(?:href|src)\s*=\s*["']([^"']*)["']/gi)) {
      links.push({ line: number, target: match[1]! });
    }
  }
  return links;
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
