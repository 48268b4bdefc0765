/**
 * Generated blocks inside hand-written Markdown: a block sits between
 * `<!-- BEGIN generated: <name> … -->` and `<!-- END generated: <name> -->`, and only the lines between
 * the two markers are rewritten. One source per reference; the freshness tests compare each file's
 * block with what its generator writes today.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

/** A block of one file, relative to the repository root. */
export interface GeneratedBlock {
  file: string;
  name: string;
  content: string;
}

export const repositoryRoot = join(__dirname, '..', '..');

const markers = (name: string) => ({
  begin: new RegExp(`<!-- BEGIN generated: ${escapeRegExp(name)}\\b[^>]*-->\\n`),
  end: `<!-- END generated: ${name} -->`,
});

/** The current text between a block's markers in `text`; throws naming the block when a marker is missing. */
export function readBlock(text: string, name: string): string {
  const { begin, end } = markers(name);
  const start = begin.exec(text);
  const stop = text.indexOf(end);
  if (!start || stop < start.index) throw new Error(`no generated block "${name}" (its BEGIN and END markers)`);
  return text.slice(start.index + start[0].length, stop).replace(/\n$/, '');
}

/** `text` with the block `name` replaced by `content`. */
export function replaceBlock(text: string, name: string, content: string): string {
  const current = readBlock(text, name);
  const { begin } = markers(name);
  const start = begin.exec(text)!;
  const from = start.index + start[0].length;
  return `${text.slice(0, from)}${content.replace(/\n$/, '')}\n${text.slice(from + current.length + (current ? 1 : 0))}`;
}

/**
 * What `file` should hold: its current text with each of `blocks` (of that file) replaced, formatted by
 * prettier as the repository's check wants it. The writer saves it; a freshness test compares it.
 */
export function renderFile(file: string, blocks: GeneratedBlock[]): string {
  let text = readRepositoryFile(file);
  for (const block of blocks.filter((each) => each.file === file)) text = replaceBlock(text, block.name, block.content);
  return formatWithPrettier(text, join(repositoryRoot, file));
}

/**
 * Prettier's CLI in a child process: its API loads plugins by dynamic import, which jest refuses
 * without experimental flags, and the tests must format exactly as the writer does.
 */
function formatWithPrettier(text: string, filepath: string): string {
  const cli = require.resolve('prettier/bin/prettier.cjs');
  return execFileSync(process.execPath, [cli, '--stdin-filepath', filepath], { input: text, encoding: 'utf8' });
}

/**
 * Why `file` differs from what its generators write today (the first line that differs), or undefined
 * when it is current: the freshness tests' one check.
 */
export function staleness(file: string, blocks: GeneratedBlock[]): string | undefined {
  const found = readRepositoryFile(file).split('\n');
  const wanted = renderFile(file, blocks).split('\n');
  const line = found.findIndex((text, i) => text !== wanted[i]);
  if (line === -1 && found.length === wanted.length) return undefined;
  const at = line === -1 ? Math.min(found.length, wanted.length) : line;
  const show = (text: string | undefined) => JSON.stringify(text ?? '(end of file)');
  return `${file} is stale: run npm run reference (line ${at + 1}: found ${show(found[at])}, expected ${show(wanted[at])})`;
}

/** The file's current text (relative to the repository root). */
export function readRepositoryFile(file: string): string {
  return readFileSync(join(repositoryRoot, file), 'utf8');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
