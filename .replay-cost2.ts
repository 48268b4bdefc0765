import { readFileSync } from 'node:fs';
import { bundleWorkflowCode, Worker, DefaultLogger, Runtime } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
Runtime.install({ logger: new DefaultLogger('ERROR') });
const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn() {}, error() {} } as any;
(async () => {
  const [path, file, n = '400'] = process.argv.slice(2);
  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve(path), logger: quiet });
  const raw = JSON.parse(readFileSync(file, 'utf8'));
  const history = historyFromJSON(raw);
  const run = async (count: number) => {
    const t = process.hrtime.bigint();
    const it = async function* () { for (let i = 0; i < count; i++) yield { workflowId: `w-${i}`, history }; };
    for await (const r of Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'x' }, it())) if (r.error) throw r.error;
    return Number(process.hrtime.bigint() - t) / 1e6 / count;
  };
  await run(30);
  const times = [];
  for (let k = 0; k < 3; k++) times.push(await run(Number(n)));
  console.log(`${file}: ${history.events?.length} events, ${times.map((t) => t.toFixed(2)).join(' / ')} ms per replay`);
})();
