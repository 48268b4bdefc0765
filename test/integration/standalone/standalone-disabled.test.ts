/**
 * A server of this version with standalone activities turned off (`activity.enableStandalone=false`):
 * the client says what is missing and how to get it, in place of the SDK's bare gRPC error. An older server without the
 * feature at all is covered by test/integration/compat/server-features.test.ts (`npm run test:compat`).
 */
import { Client, Connection } from '@temporalio/client';
import { executeCodikaActivity } from '../../../src/client/standalone/start-codika-activity';
import { CodikaStandaloneUnsupportedError } from '../../../src/client/standalone/standalone-unsupported';
import { LocalTemporalServer } from '../../../src/testing/local-temporal-server';

let server: LocalTemporalServer;
let connection: Connection;

beforeAll(async () => {
  server = await LocalTemporalServer.start({
    version: 'current',
    dynamicConfig: { 'activity.enableStandalone': false },
    log: () => {},
  });
  connection = await Connection.connect({ address: server.address });
}, 120_000);
afterAll(async () => {
  await connection?.close();
  await server?.stop();
});

test('the start fails CodikaStandaloneUnsupportedError saying what the server needs and the way around it', async () => {
  const client = new Client({ connection });
  const err = await executeCodikaActivity(
    client,
    { processInstanceId: 'pi_off', workflowId: 'anything' },
    { taskQueue: 'codika', activityId: 'sa-disabled' },
  ).catch((e: unknown) => e);

  expect(err).toBeInstanceOf(CodikaStandaloneUnsupportedError);
  const message = (err as Error).message;
  expect(message).toContain('Standalone activity is disabled'); // the server's own words
  expect(message).toContain('they need Temporal server 1.31 or later');
  expect(message).toContain('activity.enableStandalone');
  expect(message).toContain('startCodikaExecution');
});
