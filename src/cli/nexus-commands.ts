import { Command } from 'commander';
import { ensureCodikaNexusEndpoint } from '../client/codika-nexus-endpoint';
import { DEFAULT_CODIKA_NEXUS_ENDPOINT } from '../shared/nexus-service';
import { connect, type CliOutput, type GlobalOptions } from './context';

/** `codika-temporal nexus endpoint`: the operator step that lets other namespaces call Codika through Nexus. */
export function nexusCommands(globals: () => GlobalOptions, io: CliOutput, setExit: (code: number) => void): Command {
  const nexus = new Command('nexus').description('serve Codika to other namespaces through Nexus');
  nexus
    .command('endpoint')
    .description(
      'create or update the Nexus endpoint that targets the Codika worker (its namespace: --namespace; its task queue: --task-queue)',
    )
    .option('--name <name>', 'the endpoint name callers use', DEFAULT_CODIKA_NEXUS_ENDPOINT)
    .action(async (options: { name: string }) => {
      const settings = globals();
      const temporal = await connect(settings);
      try {
        const endpoint = await ensureCodikaNexusEndpoint(temporal.client.connection, {
          name: options.name,
          targetNamespace: temporal.namespace,
          targetTaskQueue: settings.taskQueue,
        });
        io.out(
          `✔ Nexus endpoint ${endpoint.name} ${endpoint.outcome}: service "codika" → namespace ${temporal.namespace}, task queue ${settings.taskQueue}`,
        );
        setExit(0);
      } finally {
        await temporal.close();
      }
    });
  return nexus;
}
