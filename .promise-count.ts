import { readFileSync } from 'node:fs';
import { promiseHooks } from 'node:v8';
import { bundleWorkflowCode, Worker, DefaultLogger, Runtime } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
Runtime.install({ logger: new DefaultLogger('ERROR') });
const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn() {}, error() {} } as any;
(async () => {
  const [path, file] = process.argv.slice(2);
  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve(path), logger: quiet });
  const history = historyFromJSON(JSON.parse(readFileSync(file, 'utf8')));
  let count = 0;
  const sites = new Map<string, number>();
  const stop = promiseHooks.onInit((p: any) => {
    if (p.constructor !== Promise && p.constructor.constructor('return globalThis.__TEMPORAL_ACTIVATOR__')()) {
      count++;
      const st = (new Error().stack ?? '').split('\n').slice(2, 6).map((l) => l.trim().replace(/\(\/work\/main\/[^:]*:/, '(').replace(/^at /, '')).join(' < ');
      sites.set(st, (sites.get(st) ?? 0) + 1);
    }
  });
  const it = async function* () { yield { workflowId: 'w', history }; };
  for await (const r of Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'x' }, it())) if (r.error) throw r.error;
  stop();
  if (process.env.SITES) for (const [k, v] of [...sites].sort((a, b) => b[1] - a[1])) console.log(String(v).padStart(3), k.slice(0, 200));
  console.log(`${file}: ${count} workflow promises in one replay`);
})();
