#!/usr/bin/env node
/**
 * `codika-temporal`: run one Codika execution or a pipeline through Temporal from a terminal, check
 * pipeline files, manage schedules, set up the Nexus endpoint and finish a versioned deploy. A worker (`npm run worker`) must serve the task queue.
 * Exit codes: 0 success, 1 the run failed (Codika's message is printed), 2 bad usage or input,
 * 3 Temporal unreachable.
 */
import { CommanderError, Command, InvalidArgumentError } from 'commander';
import { CodikaValidationError } from '../shared/errors';
import { CodikaPipelineValidationError } from '../client/errors';
import { EXIT, globalDefaults, type CliOutput, type GlobalOptions } from './context';
import { TemporalUnavailableError } from './errors';
import { UsageError } from './errors';
import { pipelineCommands } from './pipeline-commands';
import { codecServerCommand } from './codec-server-command';
import { runCommand } from './run-command';
import { resolveCommand } from './resolve-command';
import { scheduleCommands } from './schedule-commands';
import { nexusCommands } from './nexus-commands';
import { deploymentCommands } from './deployment-commands';
import { limitsCommands } from './limits-commands';
import { contractsCommands } from './contracts-commands';

/** Runs the CLI on `argv` (without `node` and the script) and resolves with the exit code. */
export async function runCli(argv: string[], io: CliOutput = processOutput(), env = process.env): Promise<number> {
  const defaults = globalDefaults(env);
  let exitCode: number = EXIT.ok;
  const program = new Command('codika-temporal')
    .description('Codika executions as durable Temporal workflows')
    .option('--address <host:port>', 'Temporal frontend (else TEMPORAL_ADDRESS, TEMPORAL_PROFILE; 127.0.0.1:7233)')
    .option('--namespace <name>', 'Temporal namespace (else TEMPORAL_NAMESPACE, TEMPORAL_PROFILE; default)')
    .option('--task-queue <name>', 'task queue the Codika worker serves (CODIKA_TASK_QUEUE)', defaults.taskQueue)
    .option('--ui-url <url>', 'Temporal UI, for links to runs (TEMPORAL_UI_URL)', defaults.uiUrl)
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) })
    .showHelpAfterError();
  const globals = (): GlobalOptions => ({ ...program.opts<Omit<GlobalOptions, 'env'>>(), env });
  const setExit = (code: number) => {
    exitCode = code;
  };
  program.addCommand(runCommand(globals, io, setExit));
  program.addCommand(resolveCommand(globals, io, setExit));
  program.addCommand(pipelineCommands(globals, io, setExit));
  program.addCommand(scheduleCommands(globals, io, setExit));
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
  program.commands.forEach(configure);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    return exitCodeOf(err, io);
  }
}

function exitCodeOf(err: unknown, io: CliOutput): number {
  if (err instanceof CommanderError) {
    // Help and version end "with an error" in commander's terms; they are a success here.
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof UsageError || err instanceof CodikaValidationError || err instanceof InvalidArgumentError) {
    io.err(`✖ ${err.message}`);
    return EXIT.usage;
  }
  if (err instanceof CodikaPipelineValidationError) {
    io.err(`✖ ${err.message}`);
    return EXIT.usage;
  }
  if (err instanceof TemporalUnavailableError) {
    io.err(`✖ ${err.message}`);
    return EXIT.unavailable;
  }
  io.err(`✖ ${err instanceof Error ? err.message : String(err)}`);
  return EXIT.failed;
}

function processOutput(): CliOutput {
  return {
    out: (text) => void process.stdout.write(`${text}\n`),
    err: (text) => void process.stderr.write(`${text}\n`),
    stderr: process.stderr,
  };
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = EXIT.failed;
    },
  );
}
