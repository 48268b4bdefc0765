/**
 * The command reference of docs/cli.md, from the command tree `runCli` parses with: every command and
 * subcommand with its usage line, description, arguments and options, as `--help` prints them.
 */
import type { Argument, Command, Help, Option } from 'commander';
import { buildProgram } from '../../src/cli/program';
import type { GeneratedBlock } from './blocks';

/** The `cli reference` block of docs/cli.md. */
export function cliReferenceBlocks(): GeneratedBlock[] {
  // No environment: the defaults shown are the built-in ones, not those of whoever runs the generator.
  const program = buildProgram(silentOutput, {}, () => undefined);
  const sections = commandsOf(program).map((command) => section(command, command.createHelp()));
  return [{ file: 'docs/cli.md', name: 'cli reference', content: `\n${sections.join('\n\n')}\n` }];
}

/** The command and every command below it, depth first, in the order `--help` lists them. */
function commandsOf(command: Command): Command[] {
  return [command, ...command.commands.flatMap(commandsOf)];
}

function section(command: Command, help: Help): string {
  const parts = [
    `### \`${fullName(command)}\``,
    sentence(command.description()),
    ['```text', help.commandUsage(command), '```'].join('\n'),
  ];
  const args = command.registeredArguments;
  if (args.length > 0) {
    parts.push('Arguments:', args.map((arg) => item(argumentTerm(arg), help.argumentDescription(arg))).join('\n'));
  }
  // Every command takes --help: said once in the introduction rather than under each command.
  const options = help.visibleOptions(command).filter((option: Option) => option.long !== '--help');
  if (options.length > 0) {
    const heading = command.parent ? 'Options:' : 'Global options (before or after the command):';
    parts.push(heading, options.map((option) => item(option.flags, help.optionDescription(option))).join('\n'));
  }
  if (command.commands.length > 0) {
    const links = command.commands.map((sub) => `[\`${sub.name()}\`](#${anchorOf(sub)})`);
    parts.push(`Commands: ${links.join(', ')}.`);
  }
  return parts.join('\n\n');
}

function item(term: string, description: string): string {
  return `- \`${term}\`: ${inline(description)}`;
}

/** `<name>`, `[name]`, with `...` when it repeats: as the usage line writes it. */
function argumentTerm(arg: Argument): string {
  const name = `${arg.name()}${arg.variadic ? '...' : ''}`;
  return arg.required ? `<${name}>` : `[${name}]`;
}

function fullName(command: Command): string {
  return command.parent ? `${fullName(command.parent)} ${command.name()}` : command.name();
}

/** GitHub's anchor of a section's heading: its text, lowercased, spaces as hyphens. */
function anchorOf(command: Command): string {
  return fullName(command).toLowerCase().replace(/ /g, '-');
}

/** A description as a sentence of prose: capitalized, with a full stop. */
function sentence(text: string): string {
  const trimmed = inline(text.trim());
  return `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}${/[.!?]$/.test(trimmed) ? '' : '.'}`;
}

/** Help text as Markdown prose: what Markdown would read as markup (emphasis, an HTML tag, code) stays literal. */
function inline(text: string): string {
  return text.replace(/[\\`*<]/g, '\\$&');
}

const silentOutput = { out: () => undefined, err: () => undefined, stderr: process.stderr };
