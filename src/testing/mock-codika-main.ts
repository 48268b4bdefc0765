import { readFileSync } from 'node:fs';
import { DEMO_SCRIPTS } from './mock-codika/demo-scripts';
import { MockCodikaServer } from './mock-codika/mock-codika-server';
import type { MockExecutionScript } from './mock-codika/mock-scripts';

/**
 * Standalone mock Codika API (`npm run mock`), for the demo and for trying pipelines offline.
 * Env: CODIKA_MOCK_PORT (8787), CODIKA_MOCK_HOST (127.0.0.1), CODIKA_MOCK_API_KEY (ck_demo_key),
 * CODIKA_MOCK_WEBHOOK_SECRET, CODIKA_MOCK_SCRIPTS (a JSON file of scripts per workflowId, added to the demo ones).
 */
async function main(): Promise<void> {
  const env = process.env;
  const scripts: Record<string, MockExecutionScript> = { ...DEMO_SCRIPTS };
  if (env.CODIKA_MOCK_SCRIPTS) Object.assign(scripts, JSON.parse(readFileSync(env.CODIKA_MOCK_SCRIPTS, 'utf8')));
  const apiKey = env.CODIKA_MOCK_API_KEY ?? 'ck_demo_key';
  const mock = new MockCodikaServer({
    port: Number(env.CODIKA_MOCK_PORT ?? 8787),
    host: env.CODIKA_MOCK_HOST ?? '127.0.0.1',
    apiKey,
    webhookSecret: env.CODIKA_MOCK_WEBHOOK_SECRET || undefined,
    scripts,
  });
  const url = await mock.start();
  console.log(`Mock Codika API on ${url}; scripted workflows: ${Object.keys(scripts).join(', ')}`);
  console.log(`Point a worker at it: CODIKA_BASE_URL=${url} CODIKA_API_KEY=<the CODIKA_MOCK_API_KEY> npm run worker`);
  const stop = () => void mock.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`mock Codika server failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
