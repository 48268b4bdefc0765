/**
 * A forEach step as a careful Temporal engineer writes it by hand, the floor `npm run bench -- --fanout`
 * measures the library's fan-out against: the library's activities only (each item is `bareAutoPoll`,
 * `auto`'s schedule with nothing around it), `concurrency` lanes pulling the next item, and past the
 * same 200 items a batch child workflow per 200, run one after the other so the parent's history
 * stays a few events per batch. No state query, no signals, no per-item state or results beyond the
 * executionId: what the library adds on top is what the comparison shows.
 */
import { executeChild, workflowInfo } from '@temporalio/workflow';
import { bareAutoPoll } from '../shared/bare-workflows';

/** Items run in the parent's own history; past this, batches of this many run as children (the library's limits). */
const INLINE_ITEMS = 200;

/** One fan-out: the same Codika workflow once per item, `concurrency` at a time. */
export interface BareFanoutInput {
  processInstanceId: string;
  /** The Codika workflow each item triggers, with `{ n: item }` as its payload. */
  workflowId: string;
  items: unknown[];
  concurrency: number;
}

/** Runs every item and resolves with their executionIds, in item order. */
export async function bareFanout(input: BareFanoutInput): Promise<{ executionIds: string[] }> {
  if (input.items.length <= INLINE_ITEMS) return { executionIds: await runLanes(input) };
  const executionIds: string[] = [];
  for (let from = 0, batch = 0; from < input.items.length; from += INLINE_ITEMS, batch += 1) {
    const done = await executeChild(bareFanoutBatch, {
      workflowId: `${workflowInfo().workflowId}/batch-${batch}`,
      args: [{ ...input, items: input.items.slice(from, from + INLINE_ITEMS) }],
    });
    executionIds.push(...done.executionIds);
  }
  return { executionIds };
}

/** One batch of a large fan-out: its items in lanes, as a small fan-out runs them inline. */
export async function bareFanoutBatch(input: BareFanoutInput): Promise<{ executionIds: string[] }> {
  return { executionIds: await runLanes(input) };
}

async function runLanes({ processInstanceId, workflowId, items, concurrency }: BareFanoutInput): Promise<string[]> {
  const executionIds: string[] = new Array<string>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      const done = await bareAutoPoll({ processInstanceId, workflowId, payload: { n: items[index] } });
      executionIds[index] = done.executionId;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return executionIds;
}
