import { Command, InvalidArgumentError } from 'commander';
import { setCurrentCodikaVersion } from '../client/worker-deployment-version';
import { connect, type CliOutput, type GlobalOptions } from './context';

/** `codika-temporal deployment set-current`: the step that finishes a deploy under Worker Deployment Versioning. */
export function deploymentCommands(
  globals: () => GlobalOptions,
  io: CliOutput,
  setExit: (code: number) => void,
): Command {
  const deployment = new Command('deployment').description('Worker Deployment Versioning of the Codika workers');
  deployment
    .command('set-current')
    .description('make a build the current version: new runs, and running Codika workflows, go to its workers')
    .argument('<buildId>', 'the build (TEMPORAL_WORKER_BUILD_ID of its workers)')
    .option(
      '--deployment-name <name>',
      'the deployment (TEMPORAL_DEPLOYMENT_NAME of its workers)',
      globals().env.TEMPORAL_DEPLOYMENT_NAME || 'codika',
    )
    .option('--wait <seconds>', 'how long to wait for a worker of the build to poll', seconds, 60)
    .action(async (buildId: string, options: { deploymentName: string; wait: number }) => {
      const temporal = await connect(globals());
      try {
        const change = await setCurrentCodikaVersion(temporal.client.connection, {
          namespace: temporal.namespace,
          deploymentName: options.deploymentName,
          buildId,
          waitForWorkersMs: options.wait * 1000,
        });
        io.out(
          `✔ ${options.deploymentName}: build ${change.buildId} is current` +
            (change.previousBuildId ? ` (was ${change.previousBuildId})` : ''),
        );
        setExit(0);
      } finally {
        await temporal.close();
      }
    });
  return deployment;
}

/** A number of seconds, or a usage error naming what was given. */
function seconds(value: string): number {
  const parsed = Number(value);
  if (!(Number.isFinite(parsed) && parsed >= 0)) {
    throw new InvalidArgumentError(`expected a number of seconds, e.g. 60; got "${value}"`);
  }
  return parsed;
}
