import { Command, InvalidArgumentError } from 'commander';
import {
  describeCodikaRateLimits,
  ensureCodikaRateLimits,
  type CodikaRateLimits,
} from '../client/flow-control/rate-limits';
import { listCodikaFlowControl, type CodikaFlowControlListing } from '../client/flow-control/flow-control-state';
import type { FlowControlState } from '../shared/flow-control';
import { connect, type CliOutput, type GlobalOptions } from './context';
import { UsageError } from './errors';

/** `codika-temporal limits set|show`: the task queue's rate limits, held by the server for every worker. */
export function limitsCommands(globals: () => GlobalOptions, io: CliOutput, setExit: (code: number) => void): Command {
  const limits = new Command('limits').description(
    'rate limits of the Codika calls, held by the Temporal server for every worker (docs/flow-control.md)',
  );
  limits
    .command('set')
    .description('set the rate of Codika calls per process instance and over the whole task queue')
    .option('--per-key <rate>', 'calls per second of each process instance (fairness key), or "none"', rate)
    .option('--queue <rate>', 'calls per second over the whole task queue, or "none"', rate)
    .option('--reason <text>', 'kept beside the limits, shown by "limits show"')
    .action(async (options: { perKey?: Rate; queue?: Rate; reason?: string }) => {
      if (options.perKey === undefined && options.queue === undefined) {
        throw new UsageError('give --per-key, --queue or both (a number of calls per second, or "none")');
      }
      const temporal = await connect(globals());
      try {
        const now = await ensureCodikaRateLimits(temporal.client, {
          taskQueue: globals().taskQueue,
          perKeyPerSecond: limitOf(options.perKey),
          queuePerSecond: limitOf(options.queue),
          reason: options.reason,
        });
        io.out(describe(now));
        io.out(
          'Workers read the limits within 30 s; restart those started before the first limit (see docs/flow-control.md).',
        );
        setExit(0);
      } finally {
        await temporal.close();
      }
    });
  limits
    .command('show')
    .description("the rate limits the server holds for the task queue, and each key's permits and back-off")
    .option('--json', 'print them as JSON')
    .action(async (options: { json?: boolean }) => {
      const temporal = await connect(globals());
      try {
        const rates = await describeCodikaRateLimits(temporal.client, globals().taskQueue);
        const { keys, unanswered } = await listCodikaFlowControl(temporal.client, { taskQueue: globals().taskQueue });
        io.out(
          options.json
            ? JSON.stringify({ rates, keys, unanswered }, null, 2)
            : `${describe(rates)}\n${describeKeys(keys, unanswered)}`,
        );
        setExit(0);
      } finally {
        await temporal.close();
      }
    });
  return limits;
}

/** The limits as a few lines a person reads. */
function describe(limits: CodikaRateLimits): string {
  const perSecond = (value: number | undefined) => (value === undefined ? 'none' : `${value}/s`);
  const weights = Object.entries(limits.weightOverrides);
  return [
    `Task queue ${limits.taskQueue} (Codika calls, every worker together):`,
    `  per process instance: ${perSecond(limits.perKeyPerSecond)}`,
    `  whole queue:          ${perSecond(limits.queuePerSecond)}` +
      (limits.effectiveQueuePerSecond === undefined ? '' : ` (matching applies ${limits.effectiveQueuePerSecond}/s)`),
    ...(weights.length ? [`  weights: ${weights.map(([key, weight]) => `${key}=${weight}`).join(', ')}`] : []),
    ...(limits.updatedAt
      ? [`  set ${limits.updatedAt.toISOString()}${limits.reason ? `: ${limits.reason}` : ''}`]
      : []),
  ].join('\n');
}

/** Each key's permits, line and back-off, one line per key. */
function describeKeys(keys: FlowControlState[], unanswered: CodikaFlowControlListing['unanswered']): string {
  const silent = unanswered.map(({ workflowId, error }) => `  ${workflowId}: no answer (${error})`);
  if (keys.length === 0 && silent.length === 0) {
    return 'Concurrency and back-off: no key has a flow-control workflow running on this task queue.';
  }
  const lines = keys.map((key) => {
    const paused =
      (key.pausedUntilMs ?? 0) > Date.now()
        ? ` · backing off until ${new Date(key.pausedUntilMs!).toISOString()} (${key.pauseReason ?? ''})`
        : '';
    return `  ${key.key}: ${key.holders.length}/${key.limit} permits in use, ${key.waiting.length} waiting${paused}`;
  });
  return ['Concurrency and back-off, per key:', ...lines, ...silent].join('\n');
}

/** Calls per second, or `none` (commander keeps no `null`, so the word stands for it until the action). */
type Rate = number | 'none';

/** The option as the API takes it: `null` removes the limit, `undefined` leaves it. */
function limitOf(value: Rate | undefined): number | null | undefined {
  return value === 'none' ? null : value;
}

/** A rate in calls per second, or `none` (the limit is removed). */
function rate(value: string): Rate {
  if (value === 'none') return 'none';
  const parsed = Number(value);
  if (value.trim() === '' || !(Number.isFinite(parsed) && parsed >= 0)) {
    throw new InvalidArgumentError(`expected calls per second (0 or more, e.g. 5) or "none"; got "${value}"`);
  }
  return parsed;
}
