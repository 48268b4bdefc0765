import { userInfo } from 'node:os';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { checkPipelineContracts } from '../client/check-pipeline-contracts';
import { loadContractsModule } from '../worker-setup/contracts-module';
import { Command, Option } from 'commander';
import { answerCodikaApproval, codikaPipelineState } from '../client/answer-codika-approval';
import { UsageError } from './errors';
import { startCodikaPipeline } from '../client/start-codika-pipeline';
import { checkPipeline, formatProblems } from '../pipeline/check-pipeline';
import { pipelineJsonSchema } from '../pipeline/json-schema';
import { connect, EXIT, uiLink, type CliOutput, type GlobalOptions } from './context';
import { describePipeline, followPipeline, operatorQuestions } from './follow-pipeline';
import { pipelineRedriveCommand } from './pipeline-redrive-command';
import { readJsonArgument, readJsonFile } from './json-argument';

/** Who answers an approval when `--by` is not given: the OS user running the CLI. */
function defaultAnswerer(): string {
  try {
    return userInfo().username || 'cli';
  } catch {
    return 'cli';
  }
}

/**
 * `--by <who>`, defaulting to the OS user. Its help names the rule rather than this machine's user,
 * so docs/cli.md reads the same whoever generates it.
 */
export function answererOption(): Option {
  return new Option('--by <who>', 'who answers, for the record').default(defaultAnswerer(), 'your OS user name');
}

/** `codika-temporal pipeline run|validate|approve|status|schema|redrive`. */
export function pipelineCommands(
  globals: () => GlobalOptions,
  io: CliOutput,
  setExit: (code: number) => void,
): Command {
  const pipeline = new Command('pipeline').description('run and check declarative pipelines of Codika executions');

  pipeline
    .command('run')
    .description('start a pipeline and follow its steps until it ends')
    .argument('<file>', 'the pipeline definition (JSON)')
    .option('--input <json|@file>', 'what templates read as "input", inline JSON or @file.json', '{}')
    .option('--id <workflowId>', 'Temporal workflow id of the pipeline run (default: a readable unique one)')
    .option('--json', 'print the result (or the failure) as JSON on stdout')
    .action(async (file: string, options: { input: string; id?: string; json?: boolean }) => {
      const definition = readJsonFile('pipeline file', file);
      const input = readJsonArgument('--input', options.input);
      const settings = globals();
      const temporal = await connect(settings);
      try {
        const handle = await startCodikaPipeline(temporal.client, definition, input, {
          taskQueue: settings.taskQueue,
          workflowId: options.id,
        });
        io.err(
          `Started ${handle.workflowId}\n  ${uiLink(settings, temporal.namespace, handle.workflowId, handle.firstExecutionRunId)}`,
        );
        setExit(await followPipeline(handle, io, Boolean(options.json)));
      } finally {
        await temporal.close();
      }
    });

  pipeline
    .command('validate')
    .description('check a pipeline file without running it: shape, dependsOn graph and templates')
    .argument('<file>', 'the pipeline definition (JSON)')
    .option(
      '--contracts <module>',
      'also check the payloads against these contracts (as far as they can be before the run)',
    )
    .option('--json', 'print {"valid", "problems"} as JSON on stdout')
    .action(async (file: string, options: { json?: boolean; contracts?: string }) => {
      const check = checkPipeline(readJsonFile('pipeline file', file));
      const problems = check.ok
        ? options.contracts
          ? await checkPipelineContracts(check.pipeline, loadContractsModule(options.contracts, '--contracts'))
          : []
        : check.problems;
      if (options.json) io.out(JSON.stringify({ valid: problems.length === 0, problems }, null, 2));
      if (check.ok && problems.length === 0) {
        if (!options.json) io.out(`✔ ${file}: ${check.order.length} steps, in order ${check.order.join(' → ')}`);
        setExit(EXIT.ok);
      } else {
        io.err(`✖ ${file}: ${formatProblems(problems)}`);
        setExit(EXIT.usage);
      }
    });

  pipeline
    .command('approve')
    .description("answer a pipeline's approval step that is waiting (approves; --reject rejects)")
    .argument('<workflowId>', 'Temporal workflow id of the pipeline run')
    .argument('<stepId>', 'its approval step (the step id of the pipeline file)')
    .option('--reject', 'reject: the step fails, and the pipeline runs its compensations')
    .addOption(answererOption())
    .option('--comment <text>', 'why, for the record')
    .option('--json', 'print the recorded answer as JSON on stdout')
    .action(
      async (
        workflowId: string,
        stepId: string,
        options: { reject?: boolean; by: string; comment?: string; json?: boolean },
      ) => {
        const temporal = await connect(globals());
        try {
          const answer = await answerCodikaApproval(temporal.client, workflowId, {
            stepId,
            approved: !options.reject,
            by: options.by,
            ...(options.comment === undefined ? {} : { comment: options.comment }),
          }).catch((err: unknown) => {
            // The pipeline's reason (not waiting, already answered…) is the cause of the update's failure.
            if (err instanceof WorkflowUpdateFailedError && err.cause) throw new UsageError(err.cause.message);
            if (err instanceof WorkflowNotFoundError)
              throw new UsageError(`no running pipeline ${workflowId}: ${err.message}`);
            throw err;
          });
          if (options.json) io.out(JSON.stringify(answer, null, 2));
          else io.out(`✔ ${stepId} ${answer.approved ? 'approved' : 'rejected'} by ${answer.by} at ${answer.at}`);
          setExit(EXIT.ok);
        } finally {
          await temporal.close();
        }
      },
    );

  pipeline
    .command('status')
    .description("show a pipeline's steps as they are now: items, approvals waiting, attempts")
    .argument('<workflowId>', 'Temporal workflow id of the pipeline run')
    .option('--json', 'print the state as JSON on stdout')
    .action(async (workflowId: string, options: { json?: boolean }) => {
      const settings = globals();
      const temporal = await connect(settings);
      try {
        const state = await codikaPipelineState(temporal.client, workflowId).catch((err: unknown) => {
          if (err instanceof WorkflowNotFoundError) throw new UsageError(`no pipeline ${workflowId}: ${err.message}`);
          throw err;
        });
        if (options.json) io.out(JSON.stringify(state, null, 2));
        else {
          io.out(`${workflowId}: ${state.phase}`);
          for (const line of describePipeline(state)) io.out(`  ${line.text}`);
          for (const [id, step] of Object.entries(state.steps)) {
            for (const { item, question } of operatorQuestions(step)) {
              const where = item === undefined ? `--step ${id}` : `--step ${id} --item ${item}`;
              io.out(
                `\n  ${item === undefined ? id : `${id}[${item}]`} waits for an operator: its trigger's outcome is unknown ` +
                  `(Idempotency-Key ${question.idempotencyKey}, sent at ${question.sentAt}); answer with\n` +
                  `    codika-temporal resolve ${workflowId} ${where} (--execution-id <id> | --not-started | --abandon)`,
              );
            }
            if (step.status !== 'running' || !step.approval || step.approval.answer) continue;
            io.out(`\n  ${id} waits for an answer: codika-temporal pipeline approve ${workflowId} ${id} [--reject]`);
          }
          const { runId } = await temporal.client.workflow.getHandle(workflowId).describe();
          io.out(`  ${uiLink(settings, temporal.namespace, workflowId, runId)}`);
        }
        setExit(EXIT.ok);
      } finally {
        await temporal.close();
      }
    });

  pipeline
    .command('schema')
    .description("print the pipeline format's JSON Schema, for editors")
    .action(() => io.out(JSON.stringify(pipelineJsonSchema(), null, 2)));

  pipeline.addCommand(pipelineRedriveCommand(globals, io, setExit));
  return pipeline;
}
