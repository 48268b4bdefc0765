import { costSection } from '../cost/cost-report';
import { detectionSection } from '../detection/detection-report';
import { overheadSection } from '../overhead/overhead-report';
import { scaleSection } from '../scale/scale-report';
import { seconds } from '../shared/format';
import type { BenchResults } from './bench-results';

/** The results as markdown: one table per scenario, then what to keep in mind reading them. */
export function markdownReport(results: BenchResults): string {
  const { plan, machine } = results;
  const lines = [
    `## codika-temporal benchmark (${plan.mode})`,
    '',
    `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}; Temporal dev server ` +
      `(${results.temporal.source}); run took ${seconds(results.elapsedMs)}.`,
  ];
  if (results.overhead) lines.push('', ...overheadSection(results.overhead, plan));
  if (results.detection) lines.push('', ...detectionSection(results.detection, results.overhead, plan));
  if (results.cost) lines.push('', ...costSection(results.cost, plan));
  if (results.scale && plan.scale) lines.push('', ...scaleSection(results.scale, plan.scale));
  if (results.error) lines.push('', `**The run stopped early:** ${results.error}`);
  return `${lines.join('\n')}\n`;
}
