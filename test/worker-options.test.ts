import { CodikaValidationError } from '../src/codika/errors';
import { readWorkerEnv } from '../src/worker-options';

test('reads every worker setting from the environment, with defaults', () => {
  expect(readWorkerEnv({})).toEqual({
    temporalAddress: '127.0.0.1:7233',
    namespace: 'default',
    taskQueue: 'codika',
    codika: {
      baseUrl: undefined,
      authMode: undefined,
      apiKey: undefined,
      apiKeys: undefined,
      webhookSecret: undefined,
      maxStatusChecksPerSecond: undefined,
    },
  });
  const env = readWorkerEnv({
    TEMPORAL_ADDRESS: 'temporal:7233',
    TEMPORAL_NAMESPACE: 'prod',
    CODIKA_TASK_QUEUE: 'codika-eu',
    CODIKA_BASE_URL: 'http://mock:8787',
    CODIKA_API_KEY: 'ck_default',
    CODIKA_API_KEYS: '{"pi_a":"ck_a"}',
    CODIKA_WEBHOOK_SECRET: 'whsec_abc',
    CODIKA_AUTH_MODE: 'query',
    CODIKA_MAX_STATUS_CHECKS_PER_SECOND: '50',
  });
  expect(env).toEqual({
    temporalAddress: 'temporal:7233',
    namespace: 'prod',
    taskQueue: 'codika-eu',
    codika: {
      baseUrl: 'http://mock:8787',
      authMode: 'query',
      apiKey: 'ck_default',
      apiKeys: { pi_a: 'ck_a' },
      webhookSecret: 'whsec_abc',
      maxStatusChecksPerSecond: 50,
    },
  });
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
