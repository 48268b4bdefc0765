import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodikaValidationError } from '../../../src/shared/errors';
import { temporalConnectSettings } from '../../../src/client/temporal-connection';

const dir = mkdtempSync(join(tmpdir(), 'codika-envconfig-'));
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEkey\n-----END PRIVATE KEY-----\n';
const API_KEY = 'sk-cloud-key-0f3a9';
writeFileSync(join(dir, 'client.pem'), CERT);
writeFileSync(join(dir, 'client.key'), KEY);
const configFile = join(dir, 'temporal.toml');
writeFileSync(
  configFile,
  `
[profile.default]
address = "127.0.0.1:7233"

[profile.cloud-api-key]
address = "orders.a1b2c.tmprl.cloud:7233"
namespace = "orders.a1b2c"
api_key = "${API_KEY}"

[profile.cloud-mtls]
address = "orders.a1b2c.tmprl.cloud:7233"
namespace = "orders.a1b2c"
[profile.cloud-mtls.tls]
client_cert_path = "${join(dir, 'client.pem')}"
client_key_path = "${join(dir, 'client.key')}"
`,
);
const withProfile = (profile: string, extra: NodeJS.ProcessEnv = {}) =>
  temporalConnectSettings({ TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: profile, ...extra });

test('an API-key profile gives the Cloud address, namespace, key and TLS', () => {
  const settings = withProfile('cloud-api-key');
  expect(settings.connectionOptions).toEqual({ address: 'orders.a1b2c.tmprl.cloud:7233', apiKey: API_KEY, tls: true });
  expect(settings.namespace).toBe('orders.a1b2c');
  expect(settings.description).toBe('orders.a1b2c.tmprl.cloud:7233 (API key, TLS)');
});

test('an mTLS profile gives the client certificate and key read from their files', () => {
  const settings = withProfile('cloud-mtls');
  const tls = settings.connectionOptions.tls as { clientCertPair: { crt: Uint8Array; key: Uint8Array } };
  expect(Buffer.from(tls.clientCertPair.crt).toString()).toBe(CERT);
  expect(Buffer.from(tls.clientCertPair.key).toString()).toBe(KEY);
  expect(settings.connectionOptions.apiKey).toBeUndefined();
  expect(settings.description).toBe('orders.a1b2c.tmprl.cloud:7233 (mTLS)');
});

test('environment variables override the profile, and flags override both', () => {
  const env = { TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_NAMESPACE: 'staging' };
  expect(withProfile('cloud-api-key', env)).toMatchObject({
    connectionOptions: { address: 'temporal.internal:7233', apiKey: API_KEY },
    namespace: 'staging',
  });
  expect(
    temporalConnectSettings(
      { TEMPORAL_CONFIG_FILE: configFile, ...env },
      { address: 'flag:7233', namespace: 'flagged' },
    ),
  ).toMatchObject({ connectionOptions: { address: 'flag:7233' }, namespace: 'flagged' });
});

test('with nothing configured: the local dev server, namespace default', () => {
  expect(temporalConnectSettings({ TEMPORAL_CONFIG_FILE: join(dir, 'absent.toml') })).toEqual({
    connectionOptions: { address: '127.0.0.1:7233' },
    namespace: 'default',
    description: '127.0.0.1:7233',
  });
});

test('an API key from the environment alone turns TLS on, as Temporal Cloud needs', () => {
  const settings = temporalConnectSettings({
    TEMPORAL_CONFIG_FILE: join(dir, 'absent.toml'),
    TEMPORAL_ADDRESS: 'orders.a1b2c.tmprl.cloud:7233',
    TEMPORAL_API_KEY: API_KEY,
  });
  expect(settings.connectionOptions).toEqual({ address: 'orders.a1b2c.tmprl.cloud:7233', apiKey: API_KEY, tls: true });
  expect(settings.description).not.toContain(API_KEY);
});

test('a profile the file lacks names TEMPORAL_PROFILE; a broken file names TEMPORAL_CONFIG_FILE', () => {
  expect(() => withProfile('prod')).toThrow(CodikaValidationError);
  expect(() => withProfile('prod')).toThrow(/TEMPORAL_PROFILE.*'prod' not found/);
  const broken = join(dir, 'broken.toml');
  writeFileSync(broken, '[profile.default\naddress = ');
  expect(() => temporalConnectSettings({ TEMPORAL_CONFIG_FILE: broken })).toThrow(/TEMPORAL_CONFIG_FILE/);
});

test('a broken file is reported by line and column, never by quoting it: it may hold a key', () => {
  const broken = join(dir, 'broken-with-key.toml');
  writeFileSync(broken, `[profile.default]\napi_key = "${API_KEY}"\naddress = "x:7233\n`);
  const call = () => temporalConnectSettings({ TEMPORAL_CONFIG_FILE: broken });
  expect(call).toThrow(/TEMPORAL_CONFIG_FILE.*line \d+, column \d+/);
  expect(call).not.toThrow(new RegExp(API_KEY));
});

test('an empty variable counts as unset: no empty API key, no forced TLS, the file profile stays', () => {
  const settings = temporalConnectSettings({
    TEMPORAL_CONFIG_FILE: configFile,
    TEMPORAL_PROFILE: '',
    TEMPORAL_API_KEY: '',
    TEMPORAL_ADDRESS: '',
  });
  expect(settings.connectionOptions).toEqual({ address: '127.0.0.1:7233' });
});
