import { workerDeploymentOptions } from '../../../src/worker-setup/worker-deployment';
import { CodikaValidationError } from '../../../src/shared/errors';
import { readWorkerEnv } from '../../../src/worker-setup/worker-env';

// No profile file from the home folder of whoever runs the tests.
const NO_FILE = { TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' };

test('reads every worker setting from the environment, with defaults', () => {
  expect(readWorkerEnv({ ...NO_FILE })).toEqual({
    temporal: {
      connectionOptions: { address: '127.0.0.1:7233' },
      namespace: 'default',
      description: '127.0.0.1:7233',
    },
    taskQueue: 'codika',
    codika: {
      baseUrl: undefined,
      authMode: undefined,
      apiKey: undefined,
      apiKeys: undefined,
      webhookSecret: undefined,
      maxStatusChecksPerSecond: undefined,
    },
    metricsAddress: undefined,
    tracing: undefined,
  });
  const env = readWorkerEnv({
    ...NO_FILE,
    TEMPORAL_ADDRESS: 'temporal:7233',
    TEMPORAL_NAMESPACE: 'prod',
    CODIKA_TASK_QUEUE: 'codika-eu',
    CODIKA_BASE_URL: 'http://mock:8787',
    CODIKA_API_KEY: 'ck_default',
    CODIKA_API_KEYS: '{"pi_a":"ck_a"}',
    CODIKA_WEBHOOK_SECRET: 'whsec_abc',
    CODIKA_AUTH_MODE: 'query',
    CODIKA_MAX_STATUS_CHECKS_PER_SECOND: '50',
    CODIKA_METRICS_ADDRESS: '9464',
    CODIKA_TRACING: 'on',
  });
  expect(env).toEqual({
    temporal: {
      connectionOptions: { address: 'temporal:7233' },
      namespace: 'prod',
      description: 'temporal:7233',
    },
    taskQueue: 'codika-eu',
    codika: {
      baseUrl: 'http://mock:8787',
      authMode: 'query',
      apiKey: 'ck_default',
      apiKeys: { pi_a: 'ck_a' },
      webhookSecret: 'whsec_abc',
      maxStatusChecksPerSecond: 50,
    },
    metricsAddress: '0.0.0.0:9464',
    tracing: true,
  });
});

test('names the variable when the metrics address or the tracing switch is malformed', () => {
  expect(() => readWorkerEnv({ ...NO_FILE, CODIKA_METRICS_ADDRESS: 'metrics' })).toThrow(
    /CODIKA_METRICS_ADDRESS.*"metrics" is not a port/,
  );
  expect(() => readWorkerEnv({ ...NO_FILE, CODIKA_METRICS_ADDRESS: '127.0.0.1:99999' })).toThrow(
    /CODIKA_METRICS_ADDRESS/,
  );
  expect(readWorkerEnv({ ...NO_FILE, CODIKA_METRICS_ADDRESS: '127.0.0.1:9464' }).metricsAddress).toBe('127.0.0.1:9464');
  expect(() => readWorkerEnv({ ...NO_FILE, CODIKA_TRACING: 'maybe' })).toThrow(
    /CODIKA_TRACING.*"maybe" is not on or off/,
  );
});

test('names the variable when CODIKA_API_KEYS is malformed, without echoing its secret value', () => {
  const call = () => readWorkerEnv({ CODIKA_API_KEYS: '{"pi_a": ck_secret_value' });
  expect(call).toThrow(CodikaValidationError);
  expect(call).toThrow(/CODIKA_API_KEYS/);
  expect(() => call()).not.toThrow(/ck_secret_value/);
  expect(() => readWorkerEnv({ CODIKA_API_KEYS: '["ck_a"]' })).toThrow(/must be a JSON object/);
  expect(() => readWorkerEnv({ CODIKA_API_KEYS: '{"pi_a": 5}' })).toThrow(/"pi_a" must be a non-empty string/);
});

test('rejects an unknown CODIKA_AUTH_MODE, listing the valid ones', () => {
  expect(() => readWorkerEnv({ CODIKA_AUTH_MODE: 'bearer' })).toThrow(/CODIKA_AUTH_MODE.*header, query, signature/);
});

test('reads the status-check cap, Infinity included, and names the variable when it is not a positive number', () => {
  expect(readWorkerEnv({ CODIKA_MAX_STATUS_CHECKS_PER_SECOND: 'Infinity' }).codika.maxStatusChecksPerSecond).toBe(
    Infinity,
  );
  for (const bad of ['0', '-3', 'fast']) {
    expect(() => readWorkerEnv({ CODIKA_MAX_STATUS_CHECKS_PER_SECOND: bad })).toThrow(
      /CODIKA_MAX_STATUS_CHECKS_PER_SECOND.*not a positive number/,
    );
  }
});

test('Worker Deployment Versioning comes from TEMPORAL_DEPLOYMENT_NAME and TEMPORAL_WORKER_BUILD_ID, both or neither', () => {
  expect(readWorkerEnv({}).deployment).toBeUndefined();
  expect(
    readWorkerEnv({ TEMPORAL_DEPLOYMENT_NAME: 'codika', TEMPORAL_WORKER_BUILD_ID: '2026-11-30.1' }).deployment,
  ).toEqual({
    name: 'codika',
    buildId: '2026-11-30.1',
  });
  expect(() => readWorkerEnv({ TEMPORAL_DEPLOYMENT_NAME: 'codika' })).toThrow(
    /TEMPORAL_WORKER_BUILD_ID: is missing: Worker Deployment Versioning needs both/,
  );
  expect(() => readWorkerEnv({ TEMPORAL_WORKER_BUILD_ID: 'b1' })).toThrow(/TEMPORAL_DEPLOYMENT_NAME: is missing/);
});

test('CODIKA_CONTRACTS_MODULE loads every contract the module exports, and names itself when it cannot', () => {
  const module = require.resolve('../../fixtures/contracts');
  expect(readWorkerEnv({ CODIKA_CONTRACTS_MODULE: module }).codika.contracts?.map((c) => c.workflowId)).toEqual([
    'contract-send-sms',
    'contract-summarize',
  ]);
  expect(() => readWorkerEnv({ CODIKA_CONTRACTS_MODULE: './missing.js' })).toThrow(
    /CODIKA_CONTRACTS_MODULE: cannot load/,
  );
});

test('a deployment name with a dot or an empty build id is refused, naming the field', () => {
  expect(() => workerDeploymentOptions({ name: 'codika.eu', buildId: 'b1' })).toThrow(
    'Invalid deployment.name: must be a non-empty string without "."',
  );
  expect(() => workerDeploymentOptions({ name: 'codika', buildId: ' ' })).toThrow('Invalid deployment.buildId');
  expect(workerDeploymentOptions({ name: 'codika', buildId: 'b1' })).toEqual({
    version: { deploymentName: 'codika', buildId: 'b1' },
    useWorkerVersioning: true,
    defaultVersioningBehavior: 'PINNED',
  });
});
