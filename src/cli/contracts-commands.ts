import { Command } from 'commander';
import { contractJsonSchemas } from '../client/contract-json-schema';
import { loadContractsModule } from '../worker-setup/contracts-module';
import type { CliOutput } from './context';
import { UsageError } from './errors';

/** `codika-temporal contracts schema`: the JSON Schemas of the Codika workflows' contracts, for other tools and teams. */
export function contractsCommands(io: CliOutput, setExit: (code: number) => void): Command {
  const contracts = new Command('contracts').description('typed contracts of Codika workflows (defineCodikaWorkflow)');
  contracts
    .command('schema')
    .description("print the JSON Schema (draft 2020-12) of each contract's payload and result, by Codika workflow id")
    .requiredOption('--contracts <module>', 'the module that exports the contracts')
    .option(
      '--workflow <workflowId>',
      'only the contract of this Codika workflow id (the second part of the webhook URL)',
    )
    .action((options: { contracts: string; workflow?: string }) => {
      const all = loadContractsModule(options.contracts, '--contracts');
      const chosen = options.workflow ? all.filter((contract) => contract.workflowId === options.workflow) : all;
      if (chosen.length === 0) {
        throw new UsageError(
          `--workflow: no contract for "${options.workflow}" in ${options.contracts}; it has ${all.map((c) => c.workflowId).join(', ')}`,
        );
      }
      io.out(JSON.stringify(Object.fromEntries(chosen.map((c) => [c.workflowId, contractJsonSchemas(c)])), null, 2));
      setExit(0);
    });
  return contracts;
}
