/**
 * `npx tsx bench/scale/summarize-profile.ts <file.cpuprofile>…`: where a V8 CPU profile's time went,
 * as markdown, for profiles a scale worker wrote (`BENCH_WORKER_NODE_ARGS="--cpu-prof
 * --cpu-prof-dir=<dir>"`; one file per thread: the main thread runs activities and the SDK's
 * bridge, the workflow threads run workflow code). Self time per function and per source area.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Source areas, first match wins: what the time was spent on, not just which file. */
const AREAS: [string, RegExp][] = [
  ['(idle)', /^\(idle\)$/],
  ['(garbage collector)', /^\(garbage collector\)$/],
  ['(program / native)', /^\((program|root)\)$/],
  ['library workflow code', /src\/(workflows|shared|pipeline)\//],
  ['library activities and HTTP client', /src\/(activities|codika)\//],
  ['bench workflows', /bench\/shared\/workflows/],
  ['SDK workflow runtime', /@temporalio\/workflow|workflow-bundle/],
  ['SDK worker (bridge, activations, payloads)', /@temporalio\/(worker|core-bridge|common|proto)/],
  ['protobufjs', /protobufjs|long\//],
  ['Node internals', /^node:|^internal\//],
  ['other', /.*/],
];

function summarize(path: string): string[] {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totalUs = profile.endTime - profile.startTime;
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const name = functionName || '(anonymous)';
    const where = url
      ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|bench)\//, '$1/')}:${lineNumber + 1}`
      : '';
    byFunction.set(`${name} ${where}`.trim(), (byFunction.get(`${name} ${where}`.trim()) ?? 0) + us);
    const area = AREAS.find(([, re]) => re.test(url || functionName))![0];
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }
  const busyUs = totalUs - (byArea.get('(idle)') ?? 0);
  const pct = (us: number, of: number) => `${((us / of) * 100).toFixed(1)}%`;
  const top = (map: Map<string, number>, n: number) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
  return [
    `#### ${basename(path)}: ${(totalUs / 1e6).toFixed(1)} s profiled, ${(busyUs / 1e6).toFixed(1)} s busy (${pct(busyUs, totalUs)})`,
    '',
    '| area | self time | of busy |',
    '| :-- | --: | --: |',
    ...top(byArea, AREAS.length)
      .filter(([area]) => area !== '(idle)')
      .map(([area, us]) => `| ${area} | ${(us / 1e6).toFixed(2)} s | ${pct(us, busyUs)} |`),
    '',
    '| function (top 15 by self time) | self time | of busy |',
    '| :-- | --: | --: |',
    ...top(byFunction, 16)
      .filter(([name]) => !name.startsWith('(idle)'))
      .slice(0, 15)
      .map(([name, us]) => `| \`${name}\` | ${(us / 1e6).toFixed(2)} s | ${pct(us, busyUs)} |`),
    '',
  ];
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: npx tsx bench/scale/summarize-profile.ts <file.cpuprofile>…');
  process.exit(2);
}
process.stdout.write(`${files.flatMap(summarize).join('\n')}\n`);
