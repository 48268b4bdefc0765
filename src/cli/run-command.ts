import { Command, InvalidArgumentError, Option } from 'commander';
import { readableWorkflowId, startCodikaExecution } from '../client/start-codika-execution';
import type {
  CodikaExecutionResult,
  CodikaExecutionState,
  CodikaOnTriggerOutcomeUnknown,
} from '../shared/execution-types';
import { POLL_STRATEGIES, type CodikaPollOptions } from '../shared/poll-options';
import { ON_TRIGGER_OUTCOME_UNKNOWN, TRIGGER_DELIVERIES, type CodikaTriggerDelivery } from '../shared/trigger-delivery';
import { codikaExecutionStateQuery } from '../workflows/codika-execution-workflow';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { connect, EXIT, uiLink, type CliOutput, type GlobalOptions } from './context';
import { followRun } from './follow-run';
import { readJsonArgument } from './json-argument';
import { UsageError } from './errors';
import { runStandalone } from './run-standalone';

/**
 * `codika-temporal run <processInstanceId> <workflowId>`: one Codika execution, followed live. The
 * argument is Codika's workflow id; `--id` is the Temporal workflow id of the run.
 */
export function runCommand(globals: () => GlobalOptions, io: CliOutput, setExit: (code: number) => void): Command {
  return new Command('run')
    .description('trigger one Codika execution through Temporal and wait for its result')
    .argument(
      '<processInstanceId>',
      'Codika process instance id (the first part of the webhook URL; the worker holds its API key)',
    )
    .argument(
      '<workflowId>',
      'Codika workflow id (the second part of the webhook URL) of the workflow to trigger, e.g. http-direct-messaging',
    )
    .option('--payload <json|@file>', 'input fields for the Codika workflow, inline JSON or @file.json', '{}')
    .addOption(new Option('--strategy <strategy>', 'how to wait for the result').choices(POLL_STRATEGIES))
    .option('--deadline <duration>', 'give up after this long, e.g. "10 minutes"')
    .addOption(
      new Option(
        '--trigger-delivery <mode>',
        'when a trigger may have reached Codika but its answer was lost: fail the run (at-most-once, the default) or send it again with the same Idempotency-Key (at-least-once)',
      ).choices(TRIGGER_DELIVERIES),
    )
    .option(
      '--id <workflowId>',
      'Temporal workflow id of the run (default: a readable unique one; with --standalone, the activity id)',
    )
    .option('--priority <key>', 'task priority when the worker is saturated: 1 goes first, 3 is the default', integer)
    .option('--fairness-key <key>', 'share a saturated worker by this key (default: the process instance)')
    .option('--json', 'print the result (or the failure) as JSON on stdout')
    .option(
      '--execution-id <id>',
      'attach to an execution already running in Codika: poll it to its end, trigger nothing (no --payload)',
    )
    .addOption(
      new Option(
        '--on-trigger-outcome-unknown <choice>',
        "at-most-once and the trigger's answer was lost: fail (the default) or ask an operator (codika-temporal resolve)",
      ).choices(ON_TRIGGER_OUTCOME_UNKNOWN),
    )
    .option('--operator-timeout <duration>', 'how long "ask" waits for an operator, e.g. "4 hours" (default 1 day)')
    .option(
      '--select <pointer...>',
      'keep only these parts of the result (JSON pointers such as /summary), before it enters history',
    )
    .option(
      '--detach',
      'return once Codika accepted the trigger: print the executionId and the workflow id, and leave the run going',
    )
    .option(
      '--standalone',
      'run it as one standalone activity, with no workflow around it (Temporal server 1.31+); --id is then its activity id',
    )
    .option(
      '--heartbeat-timeout <duration>',
      'with --standalone: how long a silent worker is taken for dead before another resumes (default 10 minutes)',
    )
    .action(async (processInstanceId: string, workflowId: string, options: RunOptions) => {
      const payload = readJsonArgument('--payload', options.payload);
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
        throw new UsageError('--payload: must be a JSON object, e.g. \'{"phone": "+32470000000"}\'');
      }
      const poll: CodikaPollOptions = {};
      if (options.strategy) poll.strategy = options.strategy as CodikaPollOptions['strategy'];
      if (options.deadline) poll.deadline = options.deadline;
      // A usage error needs no server: refused before connecting.
      if (options.standalone) refuseWorkflowOnly(options);
      const settings = globals();
      const temporal = await connect(settings);
      try {
        const input = {
          processInstanceId,
          workflowId,
          payload: payload as Record<string, unknown>,
          triggerDelivery: options.triggerDelivery,
          ...(options.priority !== undefined || options.fairnessKey
            ? { priority: { priorityKey: options.priority, fairnessKey: options.fairnessKey } }
            : {}),
          ...(options.executionId === undefined ? {} : { executionId: options.executionId }),
          ...(options.select === undefined ? {} : { result: { select: options.select } }),
          ...(options.onTriggerOutcomeUnknown === undefined
            ? {}
            : { onTriggerOutcomeUnknown: options.onTriggerOutcomeUnknown }),
          ...(options.operatorTimeout === undefined ? {} : { operatorTimeout: options.operatorTimeout }),
        };
        if (options.standalone) {
          setExit(
            await runStandalone(
              temporal,
              settings,
              input,
              { activityId: options.id, poll, heartbeatTimeout: options.heartbeatTimeout },
              io,
              Boolean(options.json),
            ),
          );
          return;
        }
        if (options.heartbeatTimeout !== undefined) {
          throw new UsageError('--heartbeat-timeout: applies only with --standalone');
        }
        if (options.detach) {
          // The id makes the call idempotent: run it again with the same --id, and it returns the same execution.
          const id = options.id ?? readableWorkflowId(processInstanceId, workflowId);
          const started = await startCodikaExecution(temporal.client, input, {
            taskQueue: settings.taskQueue,
            workflowId: id,
            poll,
            waitForTrigger: true,
          }).catch((err: unknown) => {
            // The trigger's own failure (typed) is the cause of the update's.
            if (err instanceof WorkflowUpdateFailedError && err.cause) throw err.cause;
            throw err;
          });
          const { runId } = await started.handle.describe();
          if (options.json)
            io.out(JSON.stringify({ workflowId: id, runId, executionId: started.executionId }, null, 2));
          else {
            io.out(`executionId ${started.executionId}`);
            io.out(`workflowId  ${id}`);
            io.err(`  ${uiLink(settings, temporal.namespace, id, runId)}`);
          }
          setExit(EXIT.ok);
          return;
        }
        const handle = await startCodikaExecution(temporal.client, input, {
          taskQueue: settings.taskQueue,
          workflowId: options.id,
          poll,
        });
        io.err(
          `Started ${handle.workflowId}\n  ${uiLink(settings, temporal.namespace, handle.workflowId, handle.firstExecutionRunId)}`,
        );
        setExit(
          await followRun<CodikaExecutionState, CodikaExecutionResult>(
            handle,
            codikaExecutionStateQuery,
            (state) => [
              {
                text: describeExecution(state),
                active:
                  state.phase === 'triggering' || state.phase === 'polling' || state.phase === 'awaiting_operator',
              },
            ],
            (result) =>
              `✔ ${workflowId} succeeded: execution ${result.executionId}, ${result.polls} status checks\n` +
              JSON.stringify(result.resultData, null, 2),
            io,
            Boolean(options.json),
          ),
        );
      } finally {
        await temporal.close();
      }
    });
}

interface RunOptions {
  payload: string;
  executionId?: string;
  select?: string[];
  onTriggerOutcomeUnknown?: CodikaOnTriggerOutcomeUnknown;
  operatorTimeout?: string;
  detach?: boolean;
  standalone?: boolean;
  heartbeatTimeout?: string;
  strategy?: string;
  deadline?: string;
  triggerDelivery?: CodikaTriggerDelivery;
  id?: string;
  priority?: number;
  fairnessKey?: string;
  json?: boolean;
}

/** What a standalone activity cannot do: it has no workflow to return early from, to choose a strategy in, or to wait for an operator in. */
function refuseWorkflowOnly(options: RunOptions): void {
  if (options.detach) {
    throw new UsageError(
      '--detach: not with --standalone (start it with startCodikaActivity and keep the handle instead)',
    );
  }
  if (options.strategy) {
    throw new UsageError('--strategy: not with --standalone, which always checks in its own loop (use --deadline)');
  }
  if (options.onTriggerOutcomeUnknown === 'ask') {
    throw new UsageError(
      "--on-trigger-outcome-unknown ask: not with --standalone, which has no workflow to wait in for an operator's " +
        'answer (a lost answer fails CodikaTriggerOutcomeUnknown); drop --standalone to ask, or the flag to fail',
    );
  }
  if (options.operatorTimeout !== undefined) {
    throw new UsageError(
      '--operator-timeout: not with --standalone (it applies only to --on-trigger-outcome-unknown ask)',
    );
  }
}

/** A whole number, or a usage error naming what was given. */
function integer(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return parsed;
}

/** One line: phase, execution, checks, last status. */
export function describeExecution(state: CodikaExecutionState): string {
  const parts = [`${state.workflowId}: ${state.phase}`];
  if (state.executionId) parts.push(`execution ${state.executionId}`);
  if (state.polls > 0) parts.push(`${state.polls} checks`);
  if (state.lastStatus && state.phase === 'polling') parts.push(`last status ${state.lastStatus}`);
  if (state.question) {
    parts.push(
      `trigger outcome unknown (key ${state.question.idempotencyKey}, sent at ${state.question.sentAt}): ` +
        'answer with codika-temporal resolve',
    );
  }
  return parts.join(', ');
}
