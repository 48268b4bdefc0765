/**
 * The standalone Temporal UI server, pointed at a frontend (the cluster's or the dev server's), with a
 * codec endpoint when the caller has one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Starts the UI on 127.0.0.1:`port`; its configuration and log live in `<dir>/ui`. */
export function startUiServer(options: {
  uiServer: string;
  dir: string;
  port: number;
  frontendAddress: string;
  namespace: string;
  codecEndpoint?: string;
}): ChildProcess {
  const root = join(options.dir, 'ui');
  mkdirSync(join(root, 'config'), { recursive: true });
  const config = [
    `temporalGrpcAddress: ${options.frontendAddress}`,
    `host: 127.0.0.1`,
    `port: ${options.port}`,
    `enableUi: true`,
    `defaultNamespace: ${options.namespace}`,
    `cors:`,
    `  allowOrigins:`,
    `    - http://127.0.0.1:${options.port}`,
    `    - http://localhost:${options.port}`,
    ...(options.codecEndpoint ? [`codec:`, `  endpoint: ${options.codecEndpoint}`, `  passAccessToken: false`] : []),
  ];
  writeFileSync(join(root, 'config', 'development.yaml'), `${config.join('\n')}\n`);
  const log = createWriteStream(join(root, 'ui-server.log'), { flags: 'a' });
  const child = spawn(options.uiServer, ['--root', root, '--config', 'config', '--env', 'development', 'start'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  // A binary that cannot start is reported in its log, not thrown at the parent as an unhandled event.
  child.once('error', (err) => log.write(`failed to start ${options.uiServer}: ${err.message}\n`));
  // The UI must not outlive the process that started it (a crash, process.exit without stop).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => {
    process.removeListener('exit', killOnExit);
    log.end();
  });
  return child;
}
