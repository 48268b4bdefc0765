import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOrInstallChromium, findSystemBrowser } from '../../helpers/chromium';

function fakeBrowser(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'codika-browser-'));
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\necho fake\n');
  chmodSync(path, 0o755);
  return dir;
}

test('CHROMIUM_PATH wins, and a wrong one is named, not worked around', async () => {
  const dir = fakeBrowser('my-chrome');

  await expect(findOrInstallChromium({ CHROMIUM_PATH: join(dir, 'my-chrome') })).resolves.toEqual({
    path: join(dir, 'my-chrome'),
    source: 'CHROMIUM_PATH',
  });
  await expect(findOrInstallChromium({ CHROMIUM_PATH: join(dir, 'missing') })).rejects.toThrow(
    /CHROMIUM_PATH is set to .*missing, which is not an executable file/,
  );
});

test('a system Chromium or Chrome on PATH is found under any of its usual names', () => {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    const dir = fakeBrowser(name);
    expect(findSystemBrowser({ PATH: `/nonexistent:${dir}` })).toBe(join(dir, name));
  }
  expect(findSystemBrowser({ PATH: mkdtempSync(join(tmpdir(), 'codika-empty-')) })).toBeUndefined();
});
