import { Command } from 'commander';
import { WorkflowNotFoundError } from '@temporalio/client';
import { CodikaRedriveRefusedError, redriveCodikaPipeline } from '../client/redrive-codika-pipeline';
import { connect, uiLink, type CliOutput, type GlobalOptions } from './context';
import { UsageError } from './errors';
import { followPipeline } from './follow-pipeline';
import { readJsonFile } from './json-argument';
import { CodikaPipelineValidationError } from '../client/errors';

interface RedriveOptions {
  executionId: string[];
  notStarted: string[];
  id?: string;
  file?: string;
  json?: boolean;
}

/**
 * `codika-temporal pipeline redrive <workflowId>` (the Temporal workflow id of the pipeline run): a
 * new run of a failed, timed-out, cancelled or terminated pipeline that keeps what succeeded, polls
 * what ran, and runs the rest; followed live.
 */
export function pipelineRedriveCommand(
  globals: () => GlobalOptions,
  io: CliOutput,
  setExit: (code: number) => void,
): Command {
  return new Command('redrive')
    .description('run a failed, timed-out, cancelled or terminated pipeline again, keeping what succeeded')
    .argument('<workflowId>', 'Temporal workflow id of the pipeline run to redrive')
    .option(
      '--execution-id <step=id>',
      'a step (or item, step[3]) whose trigger outcome was unknown did start: poll this execution (repeatable)',
      collect,
      [],
    )
    .option(
      '--not-started <step>',
      'a step (or item) whose trigger outcome was unknown never ran in Codika: trigger it again (repeatable)',
      collect,
      [],
    )
    .option(
      '--file <pipeline.json>',
      'a corrected definition to run instead of the old one (it keeps the ids of the steps that succeeded)',
    )
    .option(
      '--id <workflowId>',
      'Temporal workflow id of the new run (default: <workflowId>-redrive-<first 8 characters of the old run id>)',
    )
    .option('--json', 'print the result (or the failure) as JSON on stdout')
    .action(async (workflowId: string, options: RedriveOptions) => {
      const attach = Object.fromEntries(options.executionId.map(attachment));
      // Read before connecting: a file that cannot be read is the user's to fix, whatever Temporal says.
      const pipeline = options.file === undefined ? undefined : readJsonFile('pipeline file', options.file);
      const settings = globals();
      const temporal = await connect(settings);
      try {
        // The new run goes where the old one ran (the old run's task queue), not to the CLI's default.
        const { handle, plan } = await redriveCodikaPipeline(temporal.client, workflowId, {
          workflowId: options.id,
          ...(pipeline === undefined ? {} : { pipeline }),
          attach,
          notStarted: options.notStarted,
        }).catch((err: unknown) => {
          if (err instanceof CodikaRedriveRefusedError || err instanceof CodikaPipelineValidationError)
            throw new UsageError(err.message);
          if (err instanceof WorkflowNotFoundError) throw new UsageError(`no pipeline ${workflowId}: ${err.message}`);
          throw err;
        });
        const attached = Object.entries(plan.attached).map(([key, id]) => `${key}=${id}`);
        io.err(
          `Started ${handle.workflowId}, a redrive of ${workflowId}\n` +
            `  kept: ${plan.kept.join(', ') || 'none'}; polled: ${attached.join(', ') || 'none'}; run again: ${plan.rerun.join(', ') || 'none'}\n` +
            `  ${uiLink(settings, temporal.namespace, handle.workflowId, handle.firstExecutionRunId)}`,
        );
        setExit(await followPipeline(handle, io, Boolean(options.json)));
      } finally {
        await temporal.close();
      }
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `send[3]=abc` → `['send[3]', 'abc']`. */
function attachment(value: string): [string, string] {
  const at = value.indexOf('=');
  if (at <= 0 || at === value.length - 1) {
    throw new UsageError(
      `--execution-id: expected <step>=<executionId> (or <step>[<item>]=<executionId>), got "${value}"`,
    );
  }
  return [value.slice(0, at), value.slice(at + 1)];
}
