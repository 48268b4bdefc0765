/**
 * Codika and Temporal both name a workflow by a `workflowId`, and the CLI takes both: every argument
 * and option that takes one says in its help which it is (docs/cli.md, "Two workflow ids").
 */
import type { Command } from 'commander';
import { buildProgram } from '../../../src/cli/program';

const program = buildProgram({ out: () => undefined, err: () => undefined, stderr: process.stderr }, {}, () => {});

function commandsOf(command: Command): Command[] {
  return [command, ...command.commands.flatMap(commandsOf)];
}

/** Every argument named `workflowId` and every option whose value is one, with its help text. */
const takers = commandsOf(program).flatMap((command) => [
  ...command.registeredArguments
    .filter((arg) => arg.name() === 'workflowId')
    .map((arg) => ({ where: `${command.name()} <workflowId>`, help: arg.description })),
  ...command.options
    .filter((option) => option.flags.includes('<workflowId>'))
    .map((option) => ({ where: `${command.name()} ${option.flags}`, help: option.description })),
]);

test('the commands take workflow ids in several places', () => {
  expect(takers.length).toBeGreaterThanOrEqual(8);
});

test.each(takers)('$where says whether it is a Codika or a Temporal workflow id', ({ help }) => {
  expect(help).toMatch(/^(only the contract of this )?(Codika|Temporal) workflow id\b/);
});

test('run: the argument is the Codika workflow id, --id the Temporal one', () => {
  const run = program.commands.find((command) => command.name() === 'run')!;
  expect(run.registeredArguments[1]!.description).toMatch(/^Codika workflow id \(the second part of the webhook URL\)/);
  expect(run.options.find((option) => option.long === '--id')!.description).toMatch(/^Temporal workflow id of the run/);
});
