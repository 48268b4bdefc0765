import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOrBuildTemporalCli, temporalCliCacheDir } from '../../../src/provisioning/temporal-cli';

const root = mkdtempSync(join(tmpdir(), 'temporal-cli-test-'));

function fakeBinary(dir: string, name = 'temporal'): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, '#!/bin/sh\nexit 0\n');
  chmodSync(file, 0o755);
  return file;
}

const onPathDir = join(root, 'bin');
const onPath = fakeBinary(onPathDir);
const cacheHome = join(root, 'cache');
const cached = fakeBinary(temporalCliCacheDir({ XDG_CACHE_HOME: cacheHome }));
const explicit = fakeBinary(join(root, 'explicit'), 'my-temporal');
const quiet = () => {};

test('TEMPORAL_CLI_PATH wins over PATH and the cache', async () => {
  const env = { TEMPORAL_CLI_PATH: explicit, PATH: onPathDir, XDG_CACHE_HOME: cacheHome };
  await expect(findOrBuildTemporalCli({ env, log: quiet })).resolves.toEqual({
    path: explicit,
    source: 'TEMPORAL_CLI_PATH',
  });
});

test('a TEMPORAL_CLI_PATH that is not an executable file is a clear error, not a silent fallback', async () => {
  const env = { TEMPORAL_CLI_PATH: join(root, 'missing'), PATH: onPathDir };
  await expect(findOrBuildTemporalCli({ env, log: quiet })).rejects.toThrow(
    /TEMPORAL_CLI_PATH=.*missing is not an executable file/,
  );
});

test('temporal on PATH comes before the cached build', async () => {
  const env = { PATH: `/nonexistent:${onPathDir}`, XDG_CACHE_HOME: cacheHome };
  await expect(findOrBuildTemporalCli({ env, log: quiet })).resolves.toEqual({ path: onPath, source: 'PATH' });
});

test('the cached build is used when nothing else is there', async () => {
  const env = { PATH: '/nonexistent', XDG_CACHE_HOME: cacheHome };
  await expect(findOrBuildTemporalCli({ env, log: quiet })).resolves.toEqual({ path: cached, source: 'cache' });
  expect(cached).toContain(join(cacheHome, 'codika-temporal', 'temporal-cli-1.5.1'));
});

test('with no binary and no build allowed, the caller is told to fall back (undefined)', async () => {
  const env = { PATH: '/nonexistent', XDG_CACHE_HOME: join(root, 'empty-cache') };
  await expect(findOrBuildTemporalCli({ env, log: quiet, allowBuild: false })).resolves.toBeUndefined();
});
