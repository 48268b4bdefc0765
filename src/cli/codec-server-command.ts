import { Command } from 'commander';
import { codecFromEnv } from '../codec/aes-gcm-codec';
import { codecAuthTokensFromEnv, isLoopbackHost } from '../codec/codec-auth';
import { DEFAULT_UI_ORIGINS, startCodecServer } from '../codec/codec-server';
import type { CliOutput } from './context';
import { UsageError } from './errors';

/** `codika-temporal codec-server`: decrypts payloads for the Temporal UI; runs until stopped. */
export function codecServerCommand(io: CliOutput, env: NodeJS.ProcessEnv): Command {
  return new Command('codec-server')
    .description(
      'serve /decode and /encode so the Temporal UI can show encrypted runs (keys from CODIKA_CODEC_KEYS; ' +
        'callers authenticate with a bearer token from CODIKA_CODEC_AUTH_TOKENS)',
    )
    .option('--port <port>', 'port to listen on', '8888')
    .option('--host <host>', 'address to listen on (beyond loopback only with CODIKA_CODEC_AUTH_TOKENS)', '127.0.0.1')
    .option('--allow-origin <origin...>', 'Temporal UI origins allowed to call it', DEFAULT_UI_ORIGINS)
    .action(async (options: { port: string; host: string; allowOrigin: string[] }) => {
      const codec = codecFromEnv(env);
      if (!codec)
        throw new UsageError(
          'codec-server: set CODIKA_CODEC_KEYS (and CODIKA_CODEC_KEY_ID) to the keys the worker uses',
        );
      let authTokens: string[];
      try {
        authTokens = codecAuthTokensFromEnv(env);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      if (authTokens.length === 0 && !isLoopbackHost(options.host)) {
        throw new UsageError(
          `--host ${options.host}: without CODIKA_CODEC_AUTH_TOKENS the codec server answers anyone who can reach it, ` +
            'so it listens on loopback only; set tokens to listen beyond this machine',
        );
      }
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535)
        throw new UsageError(`--port: "${options.port}" is not a port number`);
      const server = await startCodecServer({
        codec,
        port,
        host: options.host,
        allowOrigins: options.allowOrigin,
        authTokens,
      });
      io.out(
        `codec server on ${server.url} for ${options.allowOrigin.join(', ')}; in the Temporal UI, set the codec endpoint to ${server.url}`,
      );
      io.out(
        authTokens.length > 0
          ? `callers must send Authorization: Bearer <token> (${authTokens.length} token${authTokens.length === 1 ? '' : 's'} from CODIKA_CODEC_AUTH_TOKENS)`
          : 'no CODIKA_CODEC_AUTH_TOKENS: no authentication, so listening on loopback only (anyone on this machine can decode)',
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.stop();
    });
}
