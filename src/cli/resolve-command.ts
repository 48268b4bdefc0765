import { Command, InvalidArgumentError } from 'commander';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { resolveCodikaTrigger } from '../client/resolve-codika-trigger';
import type { CodikaResolveTriggerRequest } from '../shared/execution-types';
import { connect, EXIT, type CliOutput, type GlobalOptions } from './context';
import { UsageError } from './errors';
import { answererOption } from './pipeline-commands';

interface ResolveOptions {
  step?: string;
  item?: number;
  executionId?: string;
  notStarted?: boolean;
  abandon?: boolean;
  by: string;
  json?: boolean;
}

/**
 * `codika-temporal resolve <workflowId>` (the Temporal workflow id of the run): answers a step
 * waiting for an operator because its trigger's outcome is unknown. Exactly one answer: the
 * execution Codika started, that nothing started, or to give up.
 */
export function resolveCommand(globals: () => GlobalOptions, io: CliOutput, setExit: (code: number) => void): Command {
  return new Command('resolve')
    .description("answer a step waiting for an operator because its trigger's outcome is unknown")
    .argument(
      '<workflowId>',
      'Temporal workflow id of the run (an execution run, or a pipeline run: name the step with --step)',
    )
    .option('--step <id>', "the pipeline's step (needed when more than one waits)")
    .option('--item <n>', 'the forEach item, by its index in the whole step', itemIndex)
    .option('--execution-id <id>', 'Codika did start it: the step polls this execution, triggering nothing')
    .option('--not-started', 'nothing ran in Codika: the step triggers again with the same Idempotency-Key')
    .option('--abandon', 'give up: the step fails with CodikaTriggerOutcomeUnknown, as without asking')
    .addOption(answererOption())
    .option('--json', 'print the recorded answer as JSON on stdout')
    .action(async (workflowId: string, options: ResolveOptions) => {
      const request = requestOf(options);
      const temporal = await connect(globals());
      try {
        const answer = await resolveCodikaTrigger(temporal.client, workflowId, request).catch((err: unknown) => {
          // The run's reason (not waiting, already answered…) is the cause of the update's failure.
          if (err instanceof WorkflowUpdateFailedError && err.cause) throw new UsageError(err.cause.message);
          if (err instanceof WorkflowNotFoundError) throw new UsageError(`no open run ${workflowId}: ${err.message}`);
          throw err;
        });
        if (options.json) io.out(JSON.stringify(answer, null, 2));
        else {
          const what = answer.resolution === 'started' ? `started as ${answer.executionId}` : answer.resolution;
          io.out(`✔ ${where(request)} resolved: ${what}, by ${answer.by} at ${answer.at}`);
        }
        setExit(EXIT.ok);
      } finally {
        await temporal.close();
      }
    });
}

/** Exactly one of the three answers, or a usage error naming them. */
function requestOf(options: ResolveOptions): CodikaResolveTriggerRequest {
  const chosen = [options.executionId !== undefined, Boolean(options.notStarted), Boolean(options.abandon)];
  if (chosen.filter(Boolean).length !== 1) {
    throw new UsageError('give exactly one answer: --execution-id <id>, --not-started or --abandon');
  }
  if (options.item !== undefined && options.step === undefined) throw new UsageError('--item needs --step');
  const request: CodikaResolveTriggerRequest = options.executionId
    ? { resolution: 'started', executionId: options.executionId, by: options.by }
    : { resolution: options.notStarted ? 'not-started' : 'abandon', by: options.by };
  if (options.step !== undefined) request.step = options.step;
  if (options.item !== undefined) request.item = options.item;
  return request;
}

function where({ step, item }: CodikaResolveTriggerRequest): string {
  if (step === undefined) return 'the trigger';
  return item === undefined ? step : `${step}[${item}]`;
}

function itemIndex(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('an item index, an integer from 0');
  return n;
}
