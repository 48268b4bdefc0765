/**
 * Validates docker-compose.yml against the Compose Specification using
 * tools/compose-validate (compose-go, the loader `docker compose` uses).
 * No Docker engine is needed: the file is only loaded, never run.
 */
import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { homedir, tmpdir } from 'os';
import { join, resolve } from 'path';

const repoRoot = resolve(__dirname, '..', '..', '..');
const composeFile = join(repoRoot, 'docker-compose.yml');
const validatorSrc = join(repoRoot, 'tools', 'compose-validate');
const cacheDir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'codika-temporal');
const validatorBin = join(cacheDir, 'compose-validate');

interface ComposePort {
  target: number;
  published?: string;
  protocol?: string;
  host_ip?: string;
}
interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[];
  ports?: ComposePort[];
  environment?: Record<string, string | null>;
  profiles?: string[];
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  healthcheck?: { test?: string[] };
  volumes?: { type: string; source?: string; target: string }[];
}
interface ComposeProject {
  name: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

// Interpolation reads the process environment; drop CODIKA_* so the file's
// own defaults are what gets asserted, whatever the caller's shell exports.
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('CODIKA_')) env[k] = v;
  }
  return { ...env, ...extra };
}

function validate(file: string, args: string[] = [], env: NodeJS.ProcessEnv = cleanEnv()): ComposeProject {
  const out = execFileSync(validatorBin, ['--project-name', 'codika-temporal', ...args, file], {
    encoding: 'utf8',
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out) as ComposeProject;
}

function runExpectingFailure(file: string): { status: number | null; stderr: string } {
  try {
    execFileSync(validatorBin, [file], {
      encoding: 'utf8',
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    const e = err as { status: number | null; stderr: string | Buffer };
    return { status: e.status, stderr: String(e.stderr) };
  }
  throw new Error(`validator accepted ${file}, expected it to reject it`);
}

function publishedPorts(svc: ComposeService): string[] {
  return (svc.ports ?? []).map((p) => `${p.host_ip ? `${p.host_ip}:` : ''}${p.published}:${p.target}`);
}

beforeAll(() => {
  mkdirSync(cacheDir, { recursive: true });
  // Always build: Go's build cache makes this a no-op when nothing changed.
  try {
    execFileSync('go', ['build', '-buildvcs=false', '-o', validatorBin, '.'], {
      cwd: validatorSrc,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    const e = err as { message: string; stderr?: string };
    throw new Error(`building tools/compose-validate failed: ${e.stderr || e.message}`);
  }
}, 300_000);

const SERVICES = ['postgresql', 'temporal', 'temporal-setup', 'temporal-ui', 'worker'];

describe('docker-compose.yml', () => {
  test('without profiles: PostgreSQL, Temporal on it, the search attributes, the UI and the worker', () => {
    const project = validate(composeFile);
    expect(Object.keys(project.services).sort()).toEqual(SERVICES);

    const postgresql = project.services.postgresql;
    expect(postgresql.image).toMatch(/^postgres:\d+$/);
    expect(postgresql.healthcheck?.test).toEqual(expect.arrayContaining(['pg_isready']));
    expect(postgresql.volumes).toEqual([
      expect.objectContaining({ type: 'volume', source: 'postgresql-data', target: '/var/lib/postgresql/data' }),
    ]);
    expect(project.volumes).toHaveProperty('postgresql-data');

    const temporal = project.services.temporal;
    expect(temporal.image).toMatch(/^temporalio\/auto-setup:1\.\d+\.\d+$/);
    expect(temporal.environment).toMatchObject({
      DB: 'postgres12',
      POSTGRES_SEEDS: 'postgresql',
      POSTGRES_USER: 'temporal',
      POSTGRES_PWD: 'temporal',
    });
    expect(temporal.environment?.POSTGRES_PWD).toBe(postgresql.environment?.POSTGRES_PASSWORD);
    expect(temporal.depends_on?.postgresql?.condition).toBe('service_healthy');
    // Loopback only: starting workflows there is as good as holding the worker's Codika keys.
    expect(publishedPorts(temporal)).toEqual(['127.0.0.1:7233:7233']);
    expect(temporal.healthcheck?.test).toEqual(expect.arrayContaining(['temporal', 'operator', 'cluster', 'health']));

    const setup = project.services['temporal-setup'];
    const script = (setup.command ?? []).join(' ');
    for (const name of ['CodikaExecutionId', 'CodikaWorkflowId', 'CodikaStatus']) expect(script).toContain(name);
    expect(script).toContain('search-attribute create --address temporal:7233');
    // auto-setup creates the namespace after the server is healthy: the job waits for it, bounded.
    expect(script).toMatch(/^tries=0; until temporal operator namespace describe .*--namespace default/);
    expect(script).toContain('-ge 60');
    expect(setup.depends_on?.temporal?.condition).toBe('service_healthy');

    const ui = project.services['temporal-ui'];
    expect(ui.image).toMatch(/^temporalio\/ui:/);
    expect(ui.environment).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233' });
    expect(publishedPorts(ui)).toEqual(['127.0.0.1:8080:8080']);

    const worker = project.services.worker;
    expect(worker.build?.context).toBe('.');
    expect(worker.command).toEqual(['node', 'dist/worker.js']);
    expect(worker.depends_on?.['temporal-setup']?.condition).toBe('service_completed_successfully');
    expect(worker.environment).toEqual({
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'default',
      CODIKA_TASK_QUEUE: 'codika',
      CODIKA_BASE_URL: 'https://api.codika.io',
      CODIKA_API_KEY: '',
      CODIKA_API_KEYS: '',
      CODIKA_WEBHOOK_SECRET: '',
      // Empty lets the worker choose: signature when only a webhook secret is set, header otherwise.
      CODIKA_AUTH_MODE: '',
      CODIKA_CODEC_KEYS: '',
      CODIKA_CODEC_KEY_ID: '',
      CODIKA_METRICS_ADDRESS: '9464',
    });
  });

  test('the worker can be scaled (`--scale worker=3`): no container name, no host port', () => {
    const raw = readFileSync(composeFile, 'utf8');
    const worker = validate(composeFile).services.worker as ComposeService & { container_name?: string };
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports ?? []).toEqual([]);
    expect(raw).toContain('docker compose up --scale worker=3');
  });

  test('with --profile mock adds mock-codika on 8787', () => {
    const project = validate(composeFile, ['--profile', 'mock']);
    expect(Object.keys(project.services).sort()).toEqual([...SERVICES, 'mock-codika'].sort());

    const mock = project.services['mock-codika'];
    expect(mock.profiles).toEqual(['mock']);
    expect(mock.build?.context).toBe('.');
    expect(mock.command).toEqual(['node', 'dist/testing/mock-codika-main.js']);
    expect(publishedPorts(mock)).toEqual(['127.0.0.1:8787:8787']);
    expect(mock.environment).toEqual({
      CODIKA_MOCK_PORT: '8787',
      CODIKA_MOCK_HOST: '0.0.0.0',
      CODIKA_MOCK_API_KEY: 'ck_demo_key',
    });
  });

  test('interpolates the worker settings from the environment', () => {
    const project = validate(
      composeFile,
      ['--profile', 'mock'],
      cleanEnv({
        CODIKA_BASE_URL: 'http://mock-codika:8787',
        CODIKA_API_KEY: 'ck_demo_key',
        CODIKA_AUTH_MODE: 'query',
      }),
    );
    expect(project.services.worker.environment).toMatchObject({
      CODIKA_BASE_URL: 'http://mock-codika:8787',
      CODIKA_API_KEY: 'ck_demo_key',
      CODIKA_AUTH_MODE: 'query',
    });
  });
});

describe('compose-validate rejects invalid files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'compose-validate-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('ports must be a list', () => {
    const file = join(dir, 'bad-ports.yml');
    writeFileSync(file, 'services:\n  web:\n    image: nginx\n    ports: "not-a-list"\n');
    const { status, stderr } = runExpectingFailure(file);
    expect(status).toBe(1);
    expect(stderr).toMatch(/services\.web\.ports must be a array/);
  });

  test('unknown top-level keys are rejected', () => {
    const file = join(dir, 'bad-key.yml');
    writeFileSync(file, 'services:\n  web:\n    image: nginx\nbogus: true\n');
    const { status, stderr } = runExpectingFailure(file);
    expect(status).toBe(1);
    expect(stderr).toMatch(/additional properties 'bogus' not allowed/);
  });

  test('depends_on an undefined service is rejected', () => {
    const file = join(dir, 'bad-depends.yml');
    writeFileSync(file, 'services:\n  web:\n    image: nginx\n    depends_on: [db]\n');
    const { status, stderr } = runExpectingFailure(file);
    expect(status).toBe(1);
    expect(stderr).toMatch(/depends on undefined service "db"/);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));

  test('the worker image: Node 20 slim, production dependencies only, not root', () => {
    expect(runtime).toMatch(/^FROM node:20-[a-z]+-slim AS runtime/);
    expect(runtime).toContain('npm ci --omit=dev');
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toContain('CMD ["node", "dist/worker.js"]');
    expect(runtime).not.toMatch(/COPY \. /); // only dist/ and the manifests, never the sources or tests
  });

  test('what the worker needs at run time is a production dependency; test tools are not', () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    for (const name of [
      '@temporalio/worker',
      '@temporalio/envconfig',
      '@temporalio/interceptors-opentelemetry',
      '@opentelemetry/exporter-trace-otlp-http',
    ])
      expect(manifest.dependencies).toHaveProperty([name]);
    for (const name of ['jest', 'playwright-core', 'tsx']) expect(manifest.dependencies).not.toHaveProperty([name]);
  });
});
