import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
/** Names a system Chromium or Chrome goes by on PATH. */
const BROWSER_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];
const MAC_BROWSERS = [
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** Where the browser test's Chromium came from. */
export type ChromiumSource = 'CHROMIUM_PATH' | 'system' | 'playwright cache' | 'apt-get' | 'playwright download';

/**
 * A Chromium for the browser test, provisioned as the Temporal binary is: `CHROMIUM_PATH`; a system
 * Chromium or Chrome; Playwright's cache; else installed with Debian's `apt-get` where this user may
 * (root, or sudo without a password); else Playwright's own download (machines with internet).
 *
 * @throws Error with the one thing to do when none of these works.
 */
export async function findOrInstallChromium(
  env: NodeJS.ProcessEnv = process.env,
  log: (message: string) => void = (message) => process.stderr.write(`${message}\n`),
): Promise<{ path: string; source: ChromiumSource }> {
  if (env.CHROMIUM_PATH) {
    if (isExecutable(env.CHROMIUM_PATH)) return { path: env.CHROMIUM_PATH, source: 'CHROMIUM_PATH' };
    throw new Error(`CHROMIUM_PATH is set to ${env.CHROMIUM_PATH}, which is not an executable file`);
  }
  const system = findSystemBrowser(env);
  if (system) return { path: system, source: 'system' };
  if (isExecutable(chromium.executablePath())) return { path: chromium.executablePath(), source: 'playwright cache' };

  const tried: string[] = [];
  if (process.platform === 'linux') {
    log("No Chromium found: installing Debian's chromium (scripts/provision-browser.sh), once…");
    try {
      await run('bash', [join(ROOT, 'scripts', 'provision-browser.sh')], { timeout: 600_000, env: { ...env } });
      const installed = findSystemBrowser(env);
      if (installed) return { path: installed, source: 'apt-get' };
    } catch (err) {
      tried.push(`apt-get: ${firstLine(err)}`);
    }
  }
  log("Trying Playwright's own Chromium download (needs internet)…");
  try {
    const cli = join(dirname(require.resolve('playwright-core/package.json')), 'cli.js');
    await run(process.execPath, [cli, 'install', 'chromium'], { timeout: 600_000 });
    if (isExecutable(chromium.executablePath()))
      return { path: chromium.executablePath(), source: 'playwright download' };
  } catch (err) {
    tried.push(`Playwright download: ${firstLine(err)}`);
  }
  throw new Error(
    `No Chromium for the browser test (tried ${tried.join('; ') || 'every source'}): install Chromium or Chrome ` +
      '(Debian: `sudo apt-get install chromium`), or set CHROMIUM_PATH to one',
  );
}

/** A Chromium or Chrome on PATH or in the usual places, if any. */
export function findSystemBrowser(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  const candidates = [...dirs.flatMap((dir) => BROWSER_NAMES.map((name) => join(dir, name))), ...MAC_BROWSERS];
  return candidates.find(isExecutable);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function firstLine(err: unknown): string {
  const text = (err as { stderr?: string }).stderr || (err as Error).message || String(err);
  return text.trim().split('\n').at(-1) ?? '';
}
