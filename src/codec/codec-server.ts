import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { readRequestBody } from '../codika/read-request-body';
import { RequestBodyTooLargeError } from '../codika/errors';
import { bearerTokenMatches, isLoopbackHost } from './codec-auth';

/** Options of {@link startCodecServer}. */
export interface CodecServerOptions {
  /** Decodes and encodes the payloads, e.g. an `AesGcmPayloadCodec` holding the keys. */
  codec: PayloadCodec;
  /** @default 8888 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Origins of the Temporal UI allowed to call it from a browser. @default the local dev server's UI */
  allowOrigins?: string[];
  /**
   * Bearer tokens a caller must present (`Authorization: Bearer <token>`). Without any, the server
   * answers anyone who can reach it, so it refuses to listen on anything but a loopback address.
   * @default none (loopback only)
   */
  authTokens?: readonly string[];
}

/** A running codec server. */
export interface CodecServer {
  /** Base URL to enter as the codec endpoint in the Temporal UI. */
  url: string;
  /** Stops listening and closes open connections. */
  stop(): Promise<void>;
}

export const DEFAULT_UI_ORIGINS = ['http://localhost:8233', 'http://127.0.0.1:8233'];
/** Larger bodies are refused with 413 as they arrive: a page of payloads is far smaller. */
export const MAX_CODEC_BODY_BYTES = 8 * 1024 * 1024;
type Payloads = temporal.api.common.v1.IPayloads;

/**
 * Serves the Temporal UI's (and the CLI's) codec protocol: POST `/decode` and `/encode` with
 * `{"payloads": [...]}` in protobuf JSON, answering the same shape. With a codec endpoint set, the
 * UI shows encrypted runs in clear to the people whose browser can reach this server; the keys stay
 * here. CORS answers only the allowed origins; with `authTokens`, only callers that present one.
 *
 * @throws Error when asked to listen beyond loopback without `authTokens`.
 */
export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const host = options.host ?? '127.0.0.1';
  const tokens = options.authTokens ?? [];
  if (tokens.length === 0 && !isLoopbackHost(host)) {
    throw new Error(
      `refusing to serve decrypted payloads on ${host} without authentication: set authTokens ` +
        '(CODIKA_CODEC_AUTH_TOKENS), or listen on 127.0.0.1',
    );
  }
  const allowed = new Set(options.allowOrigins ?? DEFAULT_UI_ORIGINS);
  const server = createServer((req, res) => {
    handle(req, res, options.codec, allowed, tokens).catch((err: unknown) => {
      if (!res.headersSent) answer(res, 500, { error: `codec server failure: ${(err as Error).message}` });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8888, host, resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  codec: PayloadCodec,
  allowed: Set<string>,
  tokens: readonly string[],
): Promise<void> {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (!allowed.has(origin)) return answer(res, 403, { error: `origin ${origin} is not allowed` });
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Vary', 'Origin');
  }
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
    res.setHeader('Access-Control-Max-Age', '600');
    res.writeHead(204).end();
    return;
  }
  const path = (req.url ?? '').split('?')[0];
  if (req.method !== 'POST' || (path !== '/decode' && path !== '/encode')) {
    return answer(res, 404, { error: 'POST /decode or /encode with {"payloads": [...]}' });
  }
  // Preflights carry no credentials (browsers never send them); everything else must.
  if (tokens.length > 0 && !bearerTokenMatches(req.headers.authorization, tokens)) {
    res.setHeader('WWW-Authenticate', 'Bearer');
    return answer(res, 401, { error: 'Authorization: Bearer <token> is missing or wrong' });
  }
  let payloads: Payload[];
  try {
    const body = JSON.parse(await readRequestBody(req, MAX_CODEC_BODY_BYTES)) as Payloads;
    payloads = temporal.api.common.v1.Payloads.fromObject(body).payloads as Payload[];
  } catch (err) {
    if (err instanceof RequestBodyTooLargeError) {
      res.setHeader('Connection', 'close');
      return answer(res, 413, { error: `the body is larger than ${MAX_CODEC_BODY_BYTES} bytes` });
    }
    return answer(res, 400, { error: `expected {"payloads": [...]} in protobuf JSON: ${(err as Error).message}` });
  }
  let result: Payload[];
  try {
    result = path === '/decode' ? await codec.decode(payloads) : await codec.encode(payloads);
  } catch (err) {
    return answer(res, 400, { error: (err as Error).message });
  }
  answer(
    res,
    200,
    temporal.api.common.v1.Payloads.toObject(temporal.api.common.v1.Payloads.create({ payloads: result }), {
      bytes: String,
    }),
  );
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
