/**
 * Validates docker-compose.yml against the Compose Specification using
 * tools/compose-validate (compose-go, the loader `docker compose` uses).
 * No Docker engine is needed: the file is only loaded, never run.
 */
import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { homedir, tmpdir } from 'os';
import { join, resolve } from 'path';

import { TEMPORAL_SERVER_VERSION, TEMPORAL_UI_SERVER_VERSION } from '../../../src/provisioning/cluster-binaries';
import { CODIKA_SEARCH_ATTRIBUTE_NAMES } from '../../../src/shared/search-attribute-keys';
import { readClusterSettings } from '../../../src/testing/local-cluster/cluster-settings';
import { POSTGRES_PASSWORD, POSTGRES_USER } from '../../../src/testing/local-cluster/postgres';
import { schemaSteps } from '../../../src/testing/local-cluster/temporal-schema';
import { serverEnvironment } from '../../../src/testing/local-cluster/temporal-services';

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

const SERVICES = ['postgresql', 'temporal', 'temporal-schema', 'temporal-setup', 'temporal-ui', 'worker'];

describe('docker-compose.yml', () => {
  test('without profiles: PostgreSQL, the schema job, Temporal on it, the namespace job, the UI and the worker', () => {
    const project = validate(composeFile);
    expect(Object.keys(project.services).sort()).toEqual(SERVICES);

    const postgresql = project.services.postgresql;
    expect(postgresql.image).toMatch(/^postgres:\d+$/);
    expect(postgresql.healthcheck?.test).toEqual(expect.arrayContaining(['pg_isready']));
    expect(postgresql.volumes).toEqual([
      expect.objectContaining({ type: 'volume', source: 'postgresql-data', target: '/var/lib/postgresql/data' }),
    ]);
    expect(project.volumes).toHaveProperty('postgresql-data');

    // temporalio/auto-setup is deprecated: the server image, and a schema job on admin-tools.
    const schema = project.services['temporal-schema'];
    expect(schema.image).toMatch(/^temporalio\/admin-tools:1\.\d+\.\d+$/);
    expect(schema.environment).toMatchObject({ SQL_HOST: 'postgresql', SQL_USER: 'temporal' });
    expect(schema.environment?.SQL_PASSWORD).toBe(postgresql.environment?.POSTGRES_PASSWORD);
    expect(schema.depends_on?.postgresql?.condition).toBe('service_healthy');

    const temporal = project.services.temporal;
    expect(temporal.image).toMatch(/^temporalio\/server:1\.\d+\.\d+$/);
    expect(temporal.environment?.POSTGRES_PASSWORD).toBe(postgresql.environment?.POSTGRES_PASSWORD);
    expect(temporal.depends_on?.['temporal-schema']?.condition).toBe('service_completed_successfully');
    // Loopback only: starting workflows there is as good as holding the worker's Codika keys.
    expect(publishedPorts(temporal)).toEqual(['127.0.0.1:7233:7233']);

    const setup = project.services['temporal-setup'];
    const script = (setup.command ?? []).join(' ');
    for (const name of ['CodikaExecutionId', 'CodikaWorkflowId', 'CodikaStatus']) expect(script).toContain(name);
    expect(script).toContain('search-attribute create --address temporal:7233');
    // The job waits for the frontend, bounded, then creates the namespace.
    expect(script).toMatch(/^tries=0; until temporal operator cluster health --address temporal:7233/);
    expect(script).toContain('-ge 60');
    expect(setup.depends_on?.temporal?.condition).toBe('service_started');

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

describe('docker-compose.yml and `npm run cluster` agree', () => {
  const settings = readClusterSettings();
  const template = readFileSync(join(repoRoot, 'cluster', 'temporal-server.yaml'), 'utf8');

  test('on the images of the versions the native cluster builds', () => {
    const { services } = validate(composeFile);
    expect(settings.versions.temporalServer).toBe(TEMPORAL_SERVER_VERSION);
    expect(settings.versions.temporalUiServer).toBe(TEMPORAL_UI_SERVER_VERSION);
    expect(services.temporal.image).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION}`);
    expect(services['temporal-ui'].image).toBe(`temporalio/ui:${TEMPORAL_UI_SERVER_VERSION}`);
    // From 1.30 the admin tools are tagged with the server's version alone (no tctl/CLI suffix).
    expect(services['temporal-schema'].image).toBe(`temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`);
    expect(services['temporal-setup'].image).toBe(services['temporal-schema'].image);
    expect(services.postgresql.image).toBe(`postgres:${settings.versions.postgres}`);
  });

  test('the server reads the same configuration and dynamic config files', () => {
    const temporal = validate(composeFile).services.temporal;
    // Sources are relative to the compose file, which sits at the repository's root.
    const mounts = Object.fromEntries(
      (temporal.volumes ?? []).map((v) => [resolve(repoRoot, v.source ?? ''), v.target]),
    );
    // The entrypoint reads <root>/<config>/<env>.yaml: the mounted file, and nothing else.
    const entrypoint = (temporal as ComposeService & { entrypoint?: string[] }).entrypoint ?? [];
    const flag = (name: string) => entrypoint[entrypoint.indexOf(name) + 1];
    const configFile = `${flag('--root')}/${flag('--config')}/${flag('--env')}.yaml`;
    expect(mounts[join(repoRoot, 'cluster', 'temporal-server.yaml')]).toBe(configFile);
    expect(mounts[join(repoRoot, 'cluster', 'dynamicconfig.yaml')]).toBe(temporal.environment?.DYNAMIC_CONFIG_FILE);
    expect(template.startsWith('# enable-template')).toBe(true);
  });

  test('every value the configuration reads is set, and the shared ones are equal: shards, databases, user', () => {
    const environment = validate(composeFile).services.temporal.environment ?? {};
    const read = [...template.matchAll(/\{\{ env "([A-Z_]+)"/g)].map((m) => m[1]!);
    expect(read.length).toBeGreaterThan(10);
    expect(read.filter((name) => !environment[name])).toEqual([]);
    const native = serverEnvironment({
      dir: '/unused',
      settings,
      ports: settings.ports,
      postgres: { user: POSTGRES_USER, password: POSTGRES_PASSWORD },
    });
    expect(Object.keys(native).sort()).toEqual([...new Set(read)].sort());
    for (const name of ['HISTORY_SHARDS', 'TEMPORAL_DATABASE', 'VISIBILITY_DATABASE', 'POSTGRES_USER']) {
      expect({ name, compose: environment[name] }).toEqual({ name, compose: native[name] });
    }
  });

  test("the schema job runs the native cluster's schema steps, with the same plugin", () => {
    const schema = validate(composeFile).services['temporal-schema'];
    const script = (schema.command ?? []).join(' ');
    expect(schema.environment?.SQL_PLUGIN).toBe(settings.sqlPlugin);
    for (const [database, folder] of [
      [settings.databases.temporal, 'temporal'],
      [settings.databases.visibility, 'visibility'],
    ] as const) {
      for (const step of schemaSteps(database, `/etc/temporal/schema/postgresql/v12/${folder}/versioned`)) {
        expect(script).toContain(step.join(' '));
      }
    }
  });

  test('the same namespace, retention and search attributes', () => {
    const script = (validate(composeFile).services['temporal-setup'].command ?? []).join(' ');
    expect(script).toContain(
      `namespace create --address temporal:7233 --namespace ${settings.namespace.name} --retention ${settings.namespace.retention}`,
    );
    expect(script).toContain(`for name in ${CODIKA_SEARCH_ATTRIBUTE_NAMES.join(' ')}; do`);
    expect(script).toContain(
      `search-attribute create --address temporal:7233 --namespace ${settings.namespace.name} --name $name --type Keyword`,
    );
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

  test('what the worker needs at run time survives `npm ci --omit=dev`; test tools do not', () => {
    // The SDK is a peer dependency: the lock, which `npm ci` follows, says what a production install keeps.
    const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const keptInProduction = (name: string) => {
      const entry = lock.packages[`node_modules/${name}`];
      return entry !== undefined && entry.dev !== true;
    };
    for (const name of [
      '@temporalio/worker',
      '@temporalio/envconfig',
      '@temporalio/interceptors-opentelemetry',
      '@opentelemetry/exporter-trace-otlp-http',
      'commander',
    ])
      expect({ name, kept: keptInProduction(name) }).toEqual({ name, kept: true });
    for (const name of ['jest', 'playwright-core', 'tsx', '@temporalio/testing'])
      expect({ name, kept: keptInProduction(name) }).toEqual({ name, kept: false });
  });
});
