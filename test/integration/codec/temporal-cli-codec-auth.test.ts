/**
 * The Temporal CLI decodes an encrypted run through the codec server when it sends the bearer token
 * (`--codec-auth`), and gets nothing in clear without it.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { AesGcmPayloadCodec } from '../../../src/codec/aes-gcm-codec';
import { startCodecServer, type CodecServer } from '../../../src/codec/codec-server';
import { findOrBuildTemporalCli } from '../../../src/provisioning/temporal-cli';
import { uniqueTaskQueue } from '../../helpers/temporal';

const TOKEN = 'tok_cli_codec_auth_1234567890';
const PHONE = '+32 470 55 44 33';
const codec = new AesGcmPayloadCodec({ keys: { k1: randomBytes(32) }, currentKeyId: 'k1' });

let connection: Connection;
let server: CodecServer;
let workflowId: string;
let temporalCli: string;
beforeAll(async () => {
  const address = process.env.TEMPORAL_TEST_ADDRESS!;
  connection = await Connection.connect({ address });
  server = await startCodecServer({ codec, port: 0, authTokens: [TOKEN] });
  temporalCli = (await findOrBuildTemporalCli({ allowBuild: false }))!.path;
  const client = new Client({ connection, dataConverter: { payloadCodecs: [codec] } });
  // No worker serves this queue: the run only has to exist, with its encrypted input.
  const taskQueue = uniqueTaskQueue('cli-codec');
  workflowId = `${taskQueue}-wf`;
  await client.workflow.start('codikaExecutionWorkflow', {
    taskQueue,
    workflowId,
    args: [{ processInstanceId: 'pi_cli', workflowId: 'http-direct-messaging', payload: { phone: PHONE } }],
  });
});
afterAll(async () => {
  await new Client({ connection }).workflow
    .getHandle(workflowId)
    .terminate('test over')
    .catch(() => undefined);
  await server?.stop();
  await connection?.close();
});

/** What `temporal workflow show --output json` prints, with every payload's bytes decoded to text. */
async function show(...codecFlags: string[]): Promise<string> {
  const printed = await showRaw(...codecFlags);
  const payloadTexts = [...printed.matchAll(/"data": "([A-Za-z0-9+/=]+)"/g)].map((m) =>
    Buffer.from(m[1]!, 'base64').toString('utf8'),
  );
  return [printed, ...payloadTexts].join('\n');
}

async function showRaw(...codecFlags: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(
    temporalCli,
    [
      'workflow',
      'show',
      '--address',
      process.env.TEMPORAL_TEST_ADDRESS!,
      '--workflow-id',
      workflowId,
      '--output',
      'json',
      ...codecFlags,
    ],
    { timeout: 30_000 },
  ).catch((err: { stdout?: string; stderr?: string }) => ({ stdout: `${err.stdout ?? ''}${err.stderr ?? ''}` }));
  return stdout;
}

test('with --codec-auth "Bearer <token>", the CLI shows the input in clear', async () => {
  const shown = await show('--codec-endpoint', server.url, '--codec-auth', `Bearer ${TOKEN}`);

  expect(shown).toContain(PHONE);
});

test('without the token, or with a wrong one, nothing is in clear', async () => {
  expect(await show('--codec-endpoint', server.url)).not.toContain(PHONE);
  expect(await show('--codec-endpoint', server.url, '--codec-auth', 'Bearer tok_wrong_000000000000000')).not.toContain(
    PHONE,
  );
  expect(await show()).not.toContain(PHONE);
});
