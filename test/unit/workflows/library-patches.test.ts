import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { COVERED_BY_2026_12 } from '../../../src/workflows/library-patches';

/**
 * A patch of the 2026-12 marker asked with `patched()` directly would record its own marker again on
 * every new run (two events and an action each), undoing the saving without any test noticing.
 */
const SRC = join(__dirname, '..', '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const files = sourceFiles(SRC).map((path) => ({ path, text: readFileSync(path, 'utf8') }));

/** Every `const NAME = 'codika-…'` of the sources: the names patch ids go by. */
const constants = new Map(
  files.flatMap(({ text }) =>
    [...text.matchAll(/const ([A-Z0-9_]+) = '(codika-[a-z0-9-]+)'/g)].map((m) => [m[1]!, m[2]!] as const),
  ),
);

/** What each direct `patched(…)` or `deprecatePatch(…)` call of the sources asks, by file. */
const directCalls = files.flatMap(({ path, text }) =>
  [...text.matchAll(/\b(?:patched|deprecatePatch)\(\s*([A-Z0-9_]+|'[^']+')\s*\)/g)].map((m) => ({
    file: relative(SRC, path),
    patchId: m[1]!.startsWith("'") ? m[1]!.slice(1, -1) : (constants.get(m[1]!) ?? m[1]!),
  })),
);

test('no patch the 2026-12 marker answers for is asked on its own', () => {
  const covered = new Set<string>(COVERED_BY_2026_12);
  const bypassing = directCalls.filter((call) => covered.has(call.patchId));
  expect(bypassing).toEqual([]);
});

test('every patch the marker answers for is still asked through libraryPatched', () => {
  const asked = new Set(
    files.flatMap(({ text }) =>
      [...text.matchAll(/\blibraryPatched\(\s*([A-Z0-9_]+|'[^']+')\s*\)/g)].map((m) =>
        m[1]!.startsWith("'") ? m[1]!.slice(1, -1) : (constants.get(m[1]!) ?? m[1]!),
      ),
    ),
  );
  expect([...COVERED_BY_2026_12].filter((id) => !asked.has(id))).toEqual([]);
});
