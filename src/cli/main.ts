#!/usr/bin/env node
/**
 * `codika-temporal`: run one Codika execution or a pipeline through Temporal from a terminal, check
 * pipeline files, manage schedules, set up the Nexus endpoint, finish a versioned deploy, and run
 * the worker that must serve the task queue (`codika-temporal worker`). Every command: docs/cli.md.
 * Exit codes: 0 success, 1 the run failed (Codika's message is printed), 2 bad usage or input,
 * 3 Temporal unreachable.
 */
import { CommanderError, InvalidArgumentError } from 'commander';
import { CodikaValidationError } from '../shared/errors';
import { CodikaPipelineValidationError } from '../client/errors';
import { EXIT, type CliOutput } from './context';
import { TemporalUnavailableError, UsageError } from './errors';
import { buildProgram } from './program';

/** Runs the CLI on `argv` (without `node` and the script) and resolves with the exit code. */
export async function runCli(argv: string[], io: CliOutput = processOutput(), env = process.env): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, env, (code) => {
    exitCode = code;
  });
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
