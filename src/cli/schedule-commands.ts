import type { ScheduleSpec } from '@temporalio/client';
import { Command } from 'commander';
import { pipelineWorkflowArgs } from '../client/start-codika-pipeline';
import { connect, type CliOutput, type GlobalOptions } from './context';
import { readJsonArgument, readJsonFile } from './json-argument';
import { UsageError } from './errors';
import { pipelineSummary } from '../shared/ui-summaries';

/** `codika-temporal schedule create|list|delete`: recurring pipelines as Temporal Schedules. */
export function scheduleCommands(
  globals: () => GlobalOptions,
  io: CliOutput,
  setExit: (code: number) => void,
): Command {
  const schedule = new Command('schedule').description('run pipelines on a schedule (Temporal Schedules)');

  schedule
    .command('create')
    .description('create a schedule that starts a pipeline, e.g. a daily report')
    .argument(
      '<scheduleId>',
      'a name for the schedule, unique in the namespace; the Temporal workflow ids of its runs start with codika-pipeline-<scheduleId>-',
    )
    .requiredOption('--pipeline <file>', 'the pipeline definition (JSON); checked now')
    .option('--input <json|@file>', 'what templates read as "input" on every run', '{}')
    .option('--cron <expression>', 'when to run, as a cron expression (UTC), e.g. "0 7 * * *"')
    .option('--every <duration>', 'or how often, e.g. "1 day", "6 hours"')
    .option('--paused', 'create it paused')
    .option('--note <text>', 'a note shown with the schedule')
    .action(async (scheduleId: string, options: CreateOptions) => {
      if (Boolean(options.cron) === Boolean(options.every)) {
        throw new UsageError('schedule create: give exactly one of --cron or --every');
      }
      const args = pipelineWorkflowArgs(
        readJsonFile('--pipeline', options.pipeline),
        readJsonArgument('--input', options.input),
      );
      const spec: ScheduleSpec = options.cron
        ? { cronExpressions: [options.cron] }
        : { intervals: [{ every: options.every as never }] };
      const settings = globals();
      const temporal = await connect(settings);
      try {
        const handle = await temporal.client.schedule.create({
          scheduleId,
          spec,
          action: {
            type: 'startWorkflow',
            workflowType: 'codikaPipelineWorkflow',
            // Temporal appends the scheduled time, so each run has its own id.
            workflowId: `codika-pipeline-${scheduleId}`,
            taskQueue: settings.taskQueue,
            args: [args],
            staticSummary: pipelineSummary(args.pipeline),
          },
          state: { paused: Boolean(options.paused), note: options.note },
        });
        const described = await handle.describe();
        const next = described.info.nextActionTimes[0];
        io.out(`✔ schedule ${scheduleId} created${next ? `; next run ${next.toISOString()}` : ''}`);
        setExit(0);
      } finally {
        await temporal.close();
      }
    });

  schedule
    .command('list')
    .description('list the schedules of the namespace')
    .option('--json', 'print them as JSON on stdout')
    .action(async (options: { json?: boolean }) => {
      const temporal = await connect(globals());
      try {
        const rows: ScheduleRow[] = [];
        for await (const summary of temporal.client.schedule.list()) {
          const action = summary.action as { workflowType?: string } | undefined;
          rows.push({
            scheduleId: summary.scheduleId,
            workflowType: action?.workflowType,
            paused: summary.state.paused,
            note: summary.state.note,
            nextRun: summary.info.nextActionTimes[0]?.toISOString(),
            lastRun: summary.info.recentActions.at(-1)?.takenAt.toISOString(),
          });
        }
        if (options.json) io.out(JSON.stringify(rows, null, 2));
        else if (rows.length === 0) io.out('no schedules');
        else
          for (const r of rows)
            io.out(
              `${r.scheduleId}  ${r.paused ? 'paused' : `next ${r.nextRun ?? '—'}`}  ${r.workflowType ?? ''}${r.note ? `  (${r.note})` : ''}`,
            );
        setExit(0);
      } finally {
        await temporal.close();
      }
    });

  schedule
    .command('delete')
    .description('delete a schedule (runs it started are kept)')
    .argument('<scheduleId>', 'the schedule, as named at create')
    .action(async (scheduleId: string) => {
      const temporal = await connect(globals());
      try {
        await temporal.client.schedule.getHandle(scheduleId).delete();
        io.out(`✔ schedule ${scheduleId} deleted`);
        setExit(0);
      } finally {
        await temporal.close();
      }
    });

  return schedule;
}

interface CreateOptions {
  pipeline: string;
  input: string;
  cron?: string;
  every?: string;
  paused?: boolean;
  note?: string;
}

interface ScheduleRow {
  scheduleId: string;
  workflowType?: string;
  paused: boolean;
  note?: string;
  nextRun?: string;
  lastRun?: string;
}
