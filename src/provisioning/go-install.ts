/**
 * Finding and building the Go binaries the project runs (the Temporal CLI, and the cluster's server,
 * SQL tool and UI server): a cached build in `${XDG_CACHE_HOME:-$HOME/.cache}/codika-temporal/<folder>`,
 * else `go install <module>@<version>` into that folder. These machines reach the Go module proxy
 * but not GitHub releases, so building is how a binary arrives; later runs reuse the cache.
 */
import { execFile } from 'node:child_process';
import {
  accessSync,
  constants,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

/** One Go binary: where it is cached and what `go install` builds it from. */
export interface GoBinary {
  /** For messages: `the Temporal CLI`. */
  label: string;
  /** Folder under the cache root, one per binary and version (several are named `server`). */
  cacheFolder: string;
  /** The name `go install` gives the binary (the last element of the package path). */
  binaryName: string;
  /** `module/path/cmd/x@vX.Y.Z` for `go install`, or the package path alone when built in `wrapperModule`. */
  target: string;
  /**
   * The Go toolchain the module declares when it is newer than the machine's (`GOTOOLCHAIN`, which
   * the go command fetches from the module proxy). Set per binary, so older builds keep the local Go.
   */
  toolchain?: string;
  /**
   * A folder of this repository whose go.mod pins the target's dependencies: for a module whose own
   * go.mod requires a version the proxy does not serve, so `go install module@version` refuses it.
   * Built there with `go build`, the pins in the folder's go.sum deciding.
   */
  wrapperModule?: string;
}

/** Progress messages: the first build takes minutes. */
export type ProvisionLog = (message: string) => void;

/** Where the project's binaries are cached: `${XDG_CACHE_HOME:-$HOME/.cache}/codika-temporal`. */
export function provisioningCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'codika-temporal');
}

/** The folder holding a binary's cached build. */
export function cacheDirOf(binary: GoBinary, env: NodeJS.ProcessEnv = process.env): string {
  return join(provisioningCacheRoot(env), binary.cacheFolder);
}

/** The cached build of a binary, when there is one. */
export function cachedBinary(binary: GoBinary, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = join(cacheDirOf(binary, env), binary.binaryName);
  return isExecutable(path) ? path : undefined;
}

/**
 * Builds a binary with `go install` into its cache folder, unless another process just did.
 *
 * @throws Error naming the target and the build's last lines when the build fails.
 */
export async function buildWithGo(
  binary: GoBinary,
  go: string,
  env: NodeJS.ProcessEnv,
  log: ProvisionLog,
): Promise<string> {
  const cacheDir = cacheDirOf(binary, env);
  mkdirSync(cacheDir, { recursive: true });
  // A second process (demo and tests started together) waits for the first build instead of racing it.
  const release = await acquireLock(join(cacheDir, '.build-lock'), binary.label, log);
  try {
    const path = join(cacheDir, binary.binaryName);
    if (isExecutable(path)) return path;
    const toolchain = binary.toolchain ? ` with ${binary.toolchain}` : '';
    log(`Building ${binary.label} (${binary.target}${toolchain}) into ${cacheDir}: first run only, takes minutes…`);
    const started = Date.now();
    // Built elsewhere and renamed into place, so an interrupted build never leaves a half binary that looks cached.
    const staging = mkdtempSync(join(cacheDir, '.build-'));
    try {
      const buildEnv = {
        ...env,
        GOBIN: staging,
        GOFLAGS: `${env.GOFLAGS ?? ''} -buildvcs=false`.trim(),
        ...(binary.toolchain ? { GOTOOLCHAIN: binary.toolchain } : {}),
        // The wrapper module's own go.mod decides, whatever go.work is above the package's folder.
        ...(binary.wrapperModule ? { GOWORK: 'off' } : {}),
      };
      const args = binary.wrapperModule
        ? ['build', '-o', join(staging, binary.binaryName), binary.target]
        : ['install', binary.target];
      await promisify(execFile)(go, args, { env: buildEnv, cwd: binary.wrapperModule, maxBuffer: 64 * 1024 * 1024 });
      renameSync(join(staging, binary.binaryName), path);
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? String(err);
      throw new Error(`go ${buildCommandOf(binary)} failed:\n${stderr.split('\n').slice(-20).join('\n')}`);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    log(`Built ${binary.label} in ${Math.round((Date.now() - started) / 1000)} s`);
    return path;
  } finally {
    release();
  }
}

/** The build as a person would type it, for errors. */
function buildCommandOf(binary: GoBinary): string {
  const toolchain = binary.toolchain ? `GOTOOLCHAIN=${binary.toolchain} ` : '';
  if (binary.wrapperModule)
    return `build ${binary.target} (in ${binary.wrapperModule}, ${toolchain.trim() || 'local Go'})`;
  return `install ${binary.target}${toolchain ? ` (${toolchain.trim()})` : ''}`;
}

/** A lock folder holding its owner's pid; a lock whose owner died (Ctrl+C during the build) is taken over. */
async function acquireLock(lock: string, label: string, log: ProvisionLog): Promise<() => void> {
  const owner = join(lock, 'pid');
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(lock);
      writeFileSync(owner, String(process.pid));
      return () => rmSync(lock, { recursive: true, force: true });
    } catch {
      if (!isAlive(readPid(owner))) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (attempt === 0) log(`Another process is building ${label}; waiting for it…`);
      await sleep(2000);
    }
  }
}

function readPid(file: string): number | undefined {
  try {
    return Number(readFileSync(file, 'utf8')) || undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The first executable called `name` on a `PATH`-style list. */
export function findOnPath(name: string, pathVar: string): string | undefined {
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** An existing regular file this process may execute. */
export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
