/**
 * The Temporal UI (2.58), in a real browser (Debian's Chromium driven by playwright-core), on a local
 * dev server with its UI: a finished run and a running one show their summary, their current details
 * and the Codika executionId on their User Metadata tab, and the summaries of their activities and
 * timers on their timeline; so does an encrypted run, decoded by the codec server the UI is pointed at.
 * Saves the screenshots the docs show (docs/ui-*.png, with
 * CODIKA_SAVE_SCREENSHOTS=1; otherwise into the test's temp folder).
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, NativeConnection, type Worker } from '@temporalio/worker';
import { chromium, type Browser, type Page } from 'playwright-core';
import { randomBytes } from 'node:crypto';
import { answerCodikaApproval, startCodikaExecution, startCodikaPipeline } from '../../../src/client';
import { AesGcmPayloadCodec } from '../../../src/codec/aes-gcm-codec';
import { ENCODED_FAILURE_CONVERTER_PATH, encryptedDataConverter } from '../../../src/codec/codec-data-converter';
import { startCodecServer, type CodecServer } from '../../../src/codec/codec-server';
import { freePort, LocalTemporalServer } from '../../../src/testing/local-temporal-server';
import { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { createCodikaWorker } from '../../../src/worker-setup/create-codika-worker';
import { findOrInstallChromium } from '../../helpers/chromium';
import { sleep } from '../../helpers/wait';

const API_KEY = 'ck_ui_key_58';
// Background networking off: this machine's closed network refuses Chromium's own calls home.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const SCREENSHOTS = process.env.CODIKA_SAVE_SCREENSHOTS
  ? join(__dirname, '..', '..', '..', 'docs')
  : mkdtempSync(join(tmpdir(), 'codika-ui-'));
const VIEWPORT = { width: 1400, height: 950 };
const POLL = { strategy: 'timer', firstPollAfter: 500, backoffCoefficient: 1, maxPollInterval: 1_000 } as const;

let server: LocalTemporalServer;
let mock: MockCodikaServer;
let nativeConnection: NativeConnection;
let connection: Connection;
let worker: Worker;
let running: Promise<void>;
let encryptedWorker: Worker;
let encryptedRunning: Promise<void>;
let codecServer: CodecServer;
const codec = new AesGcmPayloadCodec({ keys: { k1: randomBytes(32) }, currentKeyId: 'k1' });
const CODEC_TOKEN = 'tok_ui_codec_0123456789abcdef';
let browser: Browser;
let page: Page;

beforeAll(async () => {
  // Provisioned like the Temporal binary: found, else installed where this machine allows.
  const { path: chromiumPath } = await findOrInstallChromium();
  const uiPort = await freePort();
  codecServer = await startCodecServer({
    codec,
    port: 0,
    allowOrigins: [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`],
    authTokens: [CODEC_TOKEN],
  });
  server = await LocalTemporalServer.start({ ui: true, uiPort, uiCodecEndpoint: codecServer.url, log: () => {} });
  mock = new MockCodikaServer({ apiKey: API_KEY });
  await mock.start();
  mock.script('http-direct-messaging', { durationMs: 1_500, resultData: { delivered: true } });
  mock.script('document-digest', { durationMs: Infinity });
  nativeConnection = await NativeConnection.connect({ address: server.address });
  worker = await createCodikaWorker({
    connection: nativeConnection,
    taskQueue: 'codika',
    codika: { baseUrl: mock.url, apiKey: API_KEY },
    workerOptions: { workflowBundle: { codePath: process.env.CODIKA_TEST_WORKFLOW_BUNDLE! } },
  });
  running = worker.run();
  encryptedWorker = await createCodikaWorker({
    connection: nativeConnection,
    taskQueue: 'codika-encrypted',
    codika: { baseUrl: mock.url, apiKey: API_KEY },
    workerOptions: {
      // Failure messages are encrypted too, workflow code's included: its bundle carries the converter.
      workflowBundle: await bundleWorkflowCode({
        workflowsPath: require.resolve('../../fixtures/workflows'),
        failureConverterPath: ENCODED_FAILURE_CONVERTER_PATH,
        logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} },
      }),
      dataConverter: encryptedDataConverter(codec),
    },
  });
  encryptedRunning = encryptedWorker.run();
  connection = await Connection.connect({ address: server.address });
  browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: VIEWPORT });
  // The UI sends a bearer token only as a signed-in user's OIDC access token (to an https codec
  // endpoint); here, as a reverse proxy would, the test adds the header to the UI's codec calls.
  await page.route(`${codecServer.url}/**`, (route) =>
    route.continue({ headers: { ...route.request().headers(), authorization: `Bearer ${CODEC_TOKEN}` } }),
  );
}, 900_000);

afterAll(async () => {
  await browser?.close();
  worker?.shutdown();
  encryptedWorker?.shutdown();
  await running;
  await encryptedRunning;
  await codecServer?.stop();
  await connection?.close();
  await nativeConnection?.close();
  await mock?.stop();
  await server?.stop();
});

/** The run's page on one of its tabs (Timeline, Event History, User Metadata…). */
async function openRun(handle: WorkflowHandle, tab: string): Promise<void> {
  await page.goto(`${server.uiUrl}/namespaces/default/workflows/${encodeURIComponent(handle.workflowId)}`);
  await page.getByRole('tab', { name: tab }).click();
}

/**
 * Reads the run's tab until `done` holds, or 30 s pass (then returns what it read last, for the
 * assertions to show). The page shows what it loaded with: on a busy machine the run may get further
 * after it loaded, so it is reloaded now and then.
 */
async function readRun<T>(
  handle: WorkflowHandle,
  tab: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
): Promise<T> {
  await openRun(handle, tab);
  const deadline = Date.now() + 30_000;
  for (let attempt = 1; ; attempt += 1) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    if (attempt % 6 === 0) await openRun(handle, tab);
    await page.waitForTimeout(500);
  }
}

/** The run's User Metadata tab: the text of the page and of its Markdown frames (summary, details, current details). */
async function userMetadataOf(handle: WorkflowHandle, mustShow: string[]): Promise<string> {
  return readRun(
    handle,
    'User Metadata',
    async () => {
      // Summary and details are Markdown, rendered in frames of their own; they load after the page.
      const texts = await Promise.all(
        page.frames().map((frame) =>
          frame
            .locator('body')
            .innerText({ timeout: 1_000 })
            .catch(() => ''),
        ),
      );
      return texts.join('\n');
    },
    (text) => mustShow.every((wanted) => text.includes(wanted)),
  );
}

/**
 * The run's Timeline tab: the summary each activity and timer shows beside its bar, after the
 * activity type (`getCodikaExecutionStatus • status #1`, `wait 500 ms`). Each is a Markdown frame
 * titled "Summary" inside the event's row (a button named "Event <activity type or timer>: <state>").
 * Waits until each of `mustShow` ends one of them and every frame has loaded.
 */
async function timelineSummariesOf(handle: WorkflowHandle, mustShow: string[]): Promise<string[]> {
  return readRun(
    handle,
    'Timeline',
    async () => {
      const events = page.getByRole('button', { name: /^Event / }).filter({ has: page.getByTitle('Summary') });
      return Promise.all(
        (await events.all()).map((event) =>
          event
            .getByTitle('Summary')
            .contentFrame()
            .locator('body')
            .innerText({ timeout: 1_000 })
            .then((text) => text.trim())
            .catch(() => ''),
        ),
      );
    },
    (summaries) =>
      !summaries.includes('') && mustShow.every((wanted) => summaries.some((summary) => summary.endsWith(wanted))),
  );
}

async function screenshot(name: string): Promise<string> {
  const path = join(SCREENSHOTS, name);
  await page.screenshot({ path });
  return path;
}

test('a finished run shows its summary, its final details and the Codika executionId', async () => {
  const client = new Client({ connection });
  const handle = await startCodikaExecution(
    client,
    { processInstanceId: 'pi_abc123', workflowId: 'http-direct-messaging' },
    { poll: POLL },
  );
  const { executionId, polls } = await handle.result();

  const text = await userMetadataOf(handle, ['phase succeeded', executionId]);
  expect(text).toContain('Codika http-direct-messaging · pi_abc123');
  expect(text).toContain('phase succeeded');
  expect(text).toContain(`executionId ${executionId}`);
  expect(text).toContain(`polls so far ${polls}`);
  expect(statSync(await screenshot('ui-finished-run.png')).size).toBeGreaterThan(20_000);

  // The activities' and timers' summaries are on the timeline (the User Metadata tab lists them no more).
  const summaries = await timelineSummariesOf(handle, ['trigger', 'status #1', 'wait 500 ms']);
  expect(summaries).toContainEqual('triggerCodikaExecution • trigger');
  for (let poll = 1; poll <= polls; poll += 1) {
    expect(summaries).toContainEqual(`getCodikaExecutionStatus • status #${poll}`);
  }
  expect(summaries).toContainEqual('wait 500 ms');
}, 90_000);

test('a running run shows where it is: polling, its executionId, polls so far', async () => {
  const client = new Client({ connection });
  const handle = await startCodikaExecution(
    client,
    { processInstanceId: 'pi_abc123', workflowId: 'document-digest' },
    { poll: POLL },
  );
  const executionId = await waitForExecutionId(handle);
  try {
    const text = await userMetadataOf(handle, ['phase polling', executionId, 'polls so far']);
    expect(text).toContain('Codika document-digest · pi_abc123');
    expect(text).toContain('phase polling');
    expect(text).toContain(`executionId ${executionId}`);
    expect(text).toMatch(/polls so far \d+/);
    expect(text).toContain('last status pending');
    expect(statSync(await screenshot('ui-running-run.png')).size).toBeGreaterThan(20_000);
  } finally {
    mock.finishNow(executionId);
    await handle.result();
  }
}, 90_000);

test('a pipeline reads step by step: its details list each step, every activity and timer summary names its step', async () => {
  const client = new Client({ connection });
  mock.script('ui-extract', { durationMs: 600, resultData: { text: 'Q3 up' } });
  mock.script('ui-send', { durationMs: 600 });
  const handle = await startCodikaPipeline(
    client,
    {
      name: 'ui-digest',
      processInstanceId: 'pi_abc123',
      poll: POLL,
      steps: [
        { id: 'extract', workflowId: 'ui-extract' },
        {
          id: 'approve',
          dependsOn: ['extract'],
          approval: { prompt: 'Send the digest?', timeout: '10 minutes', approvers: ['ops@example.com'] },
        },
        { id: 'send', workflowId: 'ui-send', dependsOn: ['approve'], forEach: { items: [1, 2], concurrency: 2 } },
      ],
    },
    {},
    { taskQueue: 'codika' },
  );
  // Strings only the current details frame shows (the input and the timer summaries hold the others).
  const waiting = await userMetadataOf(handle, [
    'extract succeeded',
    'approve running · waits for an approval from ops@example.com until',
  ]);
  expect(waiting).toContain('Codika pipeline ui-digest · 3 steps');
  expect(waiting).toContain('extract succeeded');
  expect(waiting).toMatch(
    /approve running · waits for an approval from ops@example\.com until \d\d:\d\d:\d\d UTC: Send the digest\?/,
  );
  expect(statSync(await screenshot('ui-pipeline-approval.png')).size).toBeGreaterThan(20_000);
  await answerCodikaApproval(client, handle.workflowId, { stepId: 'approve', approved: true, by: 'ops@example.com' });
  await handle.result();

  const text = await userMetadataOf(handle, ['phase succeeded', 'send succeeded (items:']);
  expect(text).toContain('send succeeded (items: 2 done, 0 running, 0 failed, 0 left)');

  // The timeline, whole in its screenshot: a taller window for it.
  await page.setViewportSize({ width: VIEWPORT.width, height: 1150 });
  let summaries: string[];
  try {
    summaries = await timelineSummariesOf(handle, ['extract · trigger', 'send[1] · trigger', 'send[1] · status #1']);
    expect(statSync(await screenshot('ui-pipeline-run.png')).size).toBeGreaterThan(20_000);
  } finally {
    await page.setViewportSize(VIEWPORT);
  }
  for (const summary of [
    'triggerCodikaExecution • extract · trigger',
    'getCodikaExecutionStatus • extract · status #1',
    'extract · wait 500 ms',
    'approve · waits for an approval, up to 10 min',
    'triggerCodikaExecution • send[0] · trigger',
    'triggerCodikaExecution • send[1] · trigger',
    'getCodikaExecutionStatus • send[1] · status #1',
  ]) {
    expect(summaries).toContainEqual(summary);
  }
  // Every one of them, activity (after its type) or timer, names its step or item.
  for (const summary of summaries) expect(summary).toMatch(/^(\w+ • )?(extract|approve|send\[[01]\]) · /);
}, 120_000);

test('an encrypted run: ciphertext on the server, its summary and details readable through the codec server', async () => {
  const client = new Client({ connection, dataConverter: { payloadCodecs: [codec] } });
  const handle = await startCodikaExecution(
    client,
    { processInstanceId: 'pi_private', workflowId: 'http-direct-messaging', payload: { phone: '+32 470 99 88 77' } },
    { taskQueue: 'codika-encrypted', poll: POLL },
  );
  const { executionId } = await handle.result();
  // Without the codec, the run cannot even be described: its memo and summary are ciphertext on the server.
  await expect(new Client({ connection }).workflow.getHandle(handle.workflowId).describe()).rejects.toThrow(
    /Unknown encoding: binary\/encrypted/,
  );

  const text = await userMetadataOf(handle, ['phase succeeded', executionId]);
  expect(text).toContain('Codika http-direct-messaging · pi_private');
  expect(text).toContain(`executionId ${executionId}`);
  // The activities' summaries, ciphertext on the server too, read on the timeline.
  const summaries = await timelineSummariesOf(handle, ['trigger', 'status #1']);
  expect(summaries).toContainEqual('triggerCodikaExecution • trigger');
  expect(summaries).toContainEqual('getCodikaExecutionStatus • status #1');
}, 90_000);

test("an encrypted run that fails: Codika's message is ciphertext on the server, readable in the UI through the codec server", async () => {
  mock.script('deliver-private', { durationMs: 300, failWith: 'Could not deliver to +32 470 66 77 88' });
  const client = new Client({ connection, dataConverter: encryptedDataConverter(codec) });
  const handle = await startCodikaExecution(
    client,
    { processInstanceId: 'pi_private', workflowId: 'deliver-private' },
    { taskQueue: 'codika-encrypted', poll: POLL },
  );
  await expect(handle.result()).rejects.toThrow();
  const { history } = await new Client({ connection }).workflowService.getWorkflowExecutionHistory({
    namespace: 'default',
    execution: { workflowId: handle.workflowId },
  });
  const raw = Buffer.from(temporal.api.history.v1.History.encode(history!).finish());
  expect(raw.includes('Could not deliver')).toBe(false);
  expect(raw.includes('Encoded failure')).toBe(true);

  await page.goto(`${server.uiUrl}/namespaces/default/workflows/${encodeURIComponent(handle.workflowId)}`);
  const deadline = Date.now() + 30_000;
  let text = '';
  while (!text.includes('+32 470 66 77 88') && Date.now() < deadline) {
    await page.waitForTimeout(500);
    text = await page.locator('body').innerText();
  }
  expect(text).toContain('Could not deliver to +32 470 66 77 88');
}, 90_000);

async function waitForExecutionId(handle: WorkflowHandle): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const memo = (await handle.describe()).memo;
    if (typeof memo?.codikaExecutionId === 'string') return memo.codikaExecutionId;
    if (Date.now() > deadline) throw new Error('no codikaExecutionId in the memo after 30 s');
    await sleep(200);
  }
}
