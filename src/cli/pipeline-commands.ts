import { Command } from 'commander';
import { startCodikaPipeline } from '../client/start-codika-pipeline';
import type { CodikaPipelineResult, CodikaPipelineState, CodikaPipelineStepState } from '../pipeline/pipeline-types';
import { checkPipeline, formatProblems } from '../pipeline/check-pipeline';
import { pipelineJsonSchema } from '../pipeline/json-schema';
import { codikaPipelineStateQuery } from '../workflows/codika-pipeline-workflow';
import { connect, EXIT, uiLink, type CliOutput, type GlobalOptions } from './context';
import { followRun } from './follow-run';
import { readJsonArgument, readJsonFile } from './json-argument';

/** `codika-temporal pipeline run|validate|schema`. */
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
    .option('--id <workflowId>', 'the Temporal workflow id (default: a readable unique one)')
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
        setExit(
          await followRun<CodikaPipelineState, CodikaPipelineResult>(
            handle,
            codikaPipelineStateQuery,
            describePipeline,
            (result) => `✔ pipeline succeeded\n${JSON.stringify(result.outputs, null, 2)}`,
            io,
            Boolean(options.json),
          ),
        );
      } finally {
        await temporal.close();
      }
    });

  pipeline
    .command('validate')
    .description('check a pipeline file without running it: shape, dependsOn graph and templates')
    .argument('<file>', 'the pipeline definition (JSON)')
    .option('--json', 'print {"valid", "problems"} as JSON on stdout')
    .action((file: string, options: { json?: boolean }) => {
      const check = checkPipeline(readJsonFile('pipeline file', file));
      if (options.json) io.out(JSON.stringify({ valid: check.ok, problems: check.ok ? [] : check.problems }, null, 2));
      if (check.ok) {
        if (!options.json) io.out(`✔ ${file}: ${check.order.length} steps, in order ${check.order.join(' → ')}`);
        setExit(EXIT.ok);
      } else {
        io.err(`✖ ${file}: ${formatProblems(check.problems)}`);
        setExit(EXIT.usage);
      }
    });

  pipeline
    .command('schema')
    .description("print the pipeline format's JSON Schema, for editors")
    .action(() => io.out(JSON.stringify(pipelineJsonSchema(), null, 2)));

  return pipeline;
}

const MARKS: Record<CodikaPipelineStepState['status'], string> = {
  pending: '·',
  running: '…',
  succeeded: '✔',
  failed: '✖',
  skipped: '-',
  compensating: '↺',
  compensated: '↺',
  cancelled: '⊘',
};

/** One line per step, in dependency order. */
export function describePipeline(state: CodikaPipelineState): { text: string; active: boolean }[] {
  const width = Math.max(...state.order.map((id) => id.length));
  return state.order.map((id) => {
    const step = state.steps[id]!;
    const parts = [`${MARKS[step.status]} ${id.padEnd(width)}  ${step.status}`];
    if (step.executionId) parts.push(`execution ${step.executionId}`);
    if (step.polls > 0) parts.push(`${step.polls} checks`);
    if (step.error && (step.status === 'failed' || step.status === 'skipped')) parts.push(step.error);
    if (step.compensation) parts.push(`compensation ${step.compensation.status}`);
    return { text: parts.join(', '), active: step.status === 'running' || step.status === 'compensating' };
  });
}
