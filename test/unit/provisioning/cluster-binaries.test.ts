import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CLUSTER_BINARIES,
  findOrBuildGoBinary,
  GO_TOOLCHAIN_FOR_CURRENT_TEMPORAL,
  serverBinariesOf,
  TEMPORAL_SERVER_VERSION,
} from '../../../src/provisioning/cluster-binaries';
import { cacheDirOf, cachedBinary } from '../../../src/provisioning/go-install';
import { OLDEST_SUPPORTED_SERVER_VERSION } from '../../../src/shared/server-versions';

const quiet = () => {};

/** A `go` that records how it was called and writes the binary where `install` (GOBIN) or `build -o` puts it. */
function fakeGo(dir: string): { env: NodeJS.ProcessEnv; calls: () => string[] } {
  mkdirSync(dir, { recursive: true });
  const record = join(dir, 'calls.log');
  writeFileSync(
    join(dir, 'go'),
    [
      '#!/bin/sh',
      `echo "GOTOOLCHAIN=\${GOTOOLCHAIN:-} cwd=$(pwd) $*" >> ${record}`,
      'if [ "$1" = build ]; then out="$3"; else out="$GOBIN/$(basename "${2%@*}")"; fi',
      'printf "#!/bin/sh\\n" > "$out"; chmod +x "$out"',
    ].join('\n'),
  );
  chmodSync(join(dir, 'go'), 0o755);
  writeFileSync(record, '');
  return {
    env: { PATH: `${dir}:/usr/bin:/bin`, XDG_CACHE_HOME: join(dir, 'cache') },
    calls: () => readFileSync(record, 'utf8').trim().split('\n').filter(Boolean),
  };
}

test('each version builds into a folder of its own: a cached older server is not taken for the current one', () => {
  const env = { XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'cluster-binaries-')) };
  const old = serverBinariesOf(OLDEST_SUPPORTED_SERVER_VERSION).server;
  mkdirSync(cacheDirOf(old, env), { recursive: true });
  writeFileSync(join(cacheDirOf(old, env), 'server'), '#!/bin/sh\n');
  chmodSync(join(cacheDirOf(old, env), 'server'), 0o755);
  expect(cachedBinary(old, env)).toBeDefined();
  expect(cachedBinary(CLUSTER_BINARIES.server, env)).toBeUndefined();
  expect(cacheDirOf(CLUSTER_BINARIES.server, env)).toContain(`temporal-server-${TEMPORAL_SERVER_VERSION}`);
});

test('the current server and UI build with the newer Go toolchain; an older server with the local Go', async () => {
  const go = fakeGo(mkdtempSync(join(tmpdir(), 'fake-go-')));
  await findOrBuildGoBinary(CLUSTER_BINARIES.server, go.env, quiet);
  await findOrBuildGoBinary(serverBinariesOf(OLDEST_SUPPORTED_SERVER_VERSION).server, go.env, quiet);
  const [current, old] = go.calls();
  expect(current).toMatch(
    new RegExp(
      `^GOTOOLCHAIN=${GO_TOOLCHAIN_FOR_CURRENT_TEMPORAL} .* install go.temporal.io/server/cmd/server@v${TEMPORAL_SERVER_VERSION}$`,
    ),
  );
  expect(old).toMatch(
    new RegExp(`^GOTOOLCHAIN= .* install go.temporal.io/server/cmd/server@v${OLDEST_SUPPORTED_SERVER_VERSION}$`),
  );
  // Cached now: asked again, nothing is built.
  await findOrBuildGoBinary(CLUSTER_BINARIES.server, go.env, quiet);
  expect(go.calls()).toHaveLength(2);
});

test('the UI server builds with `go build` in its wrapper module, whose go.mod pins what the proxy serves', async () => {
  const go = fakeGo(mkdtempSync(join(tmpdir(), 'fake-go-')));
  const path = await findOrBuildGoBinary(CLUSTER_BINARIES.uiServer, go.env, quiet);
  expect(path).toBe(join(cacheDirOf(CLUSTER_BINARIES.uiServer, go.env), 'server'));
  const [call] = go.calls();
  expect(call).toContain(
    `GOTOOLCHAIN=${GO_TOOLCHAIN_FOR_CURRENT_TEMPORAL} cwd=${CLUSTER_BINARIES.uiServer.wrapperModule}`,
  );
  expect(call).toMatch(/ build -o \S+\/server github.com\/temporalio\/ui-server\/v2\/cmd\/server$/);
  const goMod = readFileSync(join(CLUSTER_BINARIES.uiServer.wrapperModule, 'go.mod'), 'utf8');
  expect(goMod).toContain('github.com/temporalio/ui-server/v2 v2.58.1');
  expect(goMod).toMatch(/go\.temporal\.io\/api v1\.64\.3/);
});

test('a failed build names the command, with the toolchain it ran with', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'failing-go-'));
  writeFileSync(join(dir, 'go'), '#!/bin/sh\necho "module lookup disabled" >&2\nexit 1\n');
  chmodSync(join(dir, 'go'), 0o755);
  const env = { PATH: `${dir}:/usr/bin:/bin`, XDG_CACHE_HOME: join(dir, 'cache') };
  await expect(findOrBuildGoBinary(CLUSTER_BINARIES.server, env, quiet)).rejects.toThrow(
    `go install go.temporal.io/server/cmd/server@v${TEMPORAL_SERVER_VERSION} (GOTOOLCHAIN=${GO_TOOLCHAIN_FOR_CURRENT_TEMPORAL}) failed:\nmodule lookup disabled`,
  );
});
