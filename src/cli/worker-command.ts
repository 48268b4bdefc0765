import { Command } from 'commander';
import { EXIT, type CliOutput, type GlobalOptions } from './context';
import { TemporalUnavailableError } from './errors';

/** `codika-temporal worker`: the bundled worker of `npm run worker` and the Docker image, from the installed package. */
export function workerCommand(globals: () => GlobalOptions, io: CliOutput, setExit: (code: number) => void): Command {
  return new Command('worker')
    .summary('run the bundled Codika worker, configured by environment variables (docs/environment.md)')
    .description(
      'run the bundled Codika worker until SIGINT or SIGTERM (it drains, then exits 0); configured by the ' +
        'environment variables of docs/environment.md (CODIKA_API_KEY or CODIKA_API_KEYS, CODIKA_BASE_URL…), ' +
        '--address, --namespace and --task-queue overriding theirs',
    )
    .action(async () => {
      const { address, namespace, taskQueue, env } = globals();
      // The global flags win over the variables they stand for, as in every other command.
      const workerEnv = {
        ...env,
        ...(address ? { TEMPORAL_ADDRESS: address } : {}),
        ...(namespace ? { TEMPORAL_NAMESPACE: namespace } : {}),
        CODIKA_TASK_QUEUE: taskQueue,
      };
      // Loaded here, not at the top: the worker pulls in the SDK's native bridge, which no other command needs.
      const { BundledWorkerConnectError, runBundledWorker } = await import('../worker-setup/run-bundled-worker');
      await runBundledWorker(workerEnv, { log: (line) => io.out(line) }).catch((err: unknown) => {
        if (err instanceof BundledWorkerConnectError) {
          throw new TemporalUnavailableError(
            `cannot reach Temporal at ${err.address} (--address, TEMPORAL_ADDRESS or TEMPORAL_PROFILE): ${String(err.cause)}`,
          );
        }
        throw err;
      });
      setExit(EXIT.ok);
    });
}
