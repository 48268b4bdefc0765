import { Command } from 'commander';
import { globalDefaults, type CliOutput, type GlobalOptions } from './context';
import { codecServerCommand } from './codec-server-command';
import { contractsCommands } from './contracts-commands';
import { deploymentCommands } from './deployment-commands';
import { limitsCommands } from './limits-commands';
import { nexusCommands } from './nexus-commands';
import { packageVersion } from './package-version';
import { pipelineCommands } from './pipeline-commands';
import { resolveCommand } from './resolve-command';
import { runCommand } from './run-command';
import { scheduleCommands } from './schedule-commands';
import { workerCommand } from './worker-command';

/**
 * Every command of `codika-temporal`, its arguments and options, ready to parse. Building it runs
 * nothing and connects nowhere, so `runCli` parses with it and the CLI reference
 * (scripts/reference/cli-reference.ts) walks it. Each command writes to `io` and throws a
 * `CommanderError` instead of exiting the process; an action reports its exit code through
 * `setExit`. Option defaults come from `env` (CODIKA_TASK_QUEUE, TEMPORAL_UI_URL…).
 */
export function buildProgram(io: CliOutput, env: NodeJS.ProcessEnv, setExit: (code: number) => void): Command {
  const defaults = globalDefaults(env);
  const program = new Command('codika-temporal')
    .description('Codika executions as durable Temporal workflows')
    .version(packageVersion(), '-V, --version', 'print the version of codika-temporal')
    .option('--address <host:port>', 'Temporal frontend (else TEMPORAL_ADDRESS, TEMPORAL_PROFILE; 127.0.0.1:7233)')
    .option('--namespace <name>', 'Temporal namespace (else TEMPORAL_NAMESPACE, TEMPORAL_PROFILE; default)')
    .option('--task-queue <name>', 'task queue the Codika worker serves (CODIKA_TASK_QUEUE)', defaults.taskQueue)
    .option('--ui-url <url>', 'Temporal UI, for links to runs (TEMPORAL_UI_URL)', defaults.uiUrl)
    .showHelpAfterError();
  const globals = (): GlobalOptions => ({ ...program.opts<Omit<GlobalOptions, 'env'>>(), env });
  program.addCommand(runCommand(globals, io, setExit));
  program.addCommand(resolveCommand(globals, io, setExit));
  program.addCommand(pipelineCommands(globals, io, setExit));
  program.addCommand(scheduleCommands(globals, io, setExit));
  program.addCommand(workerCommand(globals, io, setExit));
  program.addCommand(nexusCommands(globals, io, setExit));
  program.addCommand(deploymentCommands(globals, io, setExit));
  program.addCommand(limitsCommands(globals, io, setExit));
  program.addCommand(contractsCommands(io, setExit));
  program.addCommand(codecServerCommand(io, env));
  // Commands built with `new Command` inherit nothing: each one must throw instead of exiting, and write to `io`.
  const configure = (command: Command) => {
    command
      .exitOverride()
      .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) });
    command.commands.forEach(configure);
  };
  configure(program);
  return program;
}
