/**
 * Links and anchors of a Markdown file, as GitHub renders it: the prose outside code and comments,
 * its links (inline, images, definitions, autolinks, HTML), and its heading anchors (GitHub's slug).
 * Shared by the repository's link check and the packed package's.
 */

/** A line of a Markdown file with its code (fenced blocks, inline code) and HTML comments blanked out. */
export interface ProseLine {
  number: number;
  text: string;
}

/** The file's lines outside fenced code blocks, with inline code spans and HTML comments replaced by spaces. */
export function proseLines(markdown: string): ProseLine[] {
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
export function headingText(source: string): string {
  return source
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/`+([^`]*)`+/g, '$1')
    .replace(/\*\*|__|\*/g, '')
    .replace(/(^|[^\p{L}\p{N}])_([^_]+)_(?=[^\p{L}\p{N}]|$)/gu, '$1$2')
    .trim();
}

/** GitHub's heading slug (github-slugger): lowercase, punctuation but `-` and `_` dropped, each space a `-`. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a Markdown file offers: its headings' slugs (a repeated one gets `-1`, `-2`…) and its explicit `<a id>`/`<a name>`. */
export function anchorsOf(markdown: string): Set<string> {
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
export interface Link {
  line: number;
  target: string;
}

/** Inline links and images (`[…](…)`, `![…](…)`), reference definitions, autolinks and HTML `href`/`src`. */
export function linksOf(markdown: string): Link[] {
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
