import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { readRequestBody } from '../codika/read-request-body';
import { RequestBodyTooLargeError } from '../codika/errors';
import { SignedRequestVerifier, webhookFor } from '../codika/webhook-signature';
import { codikaPollNowSignal } from '../workflows/codika-execution-workflow';

/** Options of {@link startCodikaCallbackReceiver}. */
export interface CodikaCallbackReceiverOptions {
  /** Temporal client used to signal the waiting workflow. */
  client: Client;
  /** Standard Webhooks secret (`whsec_…`) the Codika workflow signs its callback with. */
  webhookSecret: string;
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /**
   * Keys the HMAC in each callback URL that binds it to its workflow. Keep it stable across restarts
   * (callback URLs live in running executions' payloads).
   * @default derived from `webhookSecret`
   */
  urlSecret?: string;
  /** Close a connection whose headers have not all arrived after this long. @default 10000 */
  headersTimeoutMs?: number;
  /** Close a connection whose request has not all arrived after this long. @default 15000 */
  requestTimeoutMs?: number;
}

/** A running receiver. */
export interface CodikaCallbackReceiver {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** The URL a Codika workflow should call when the given Temporal workflow's execution ends. */
  callbackUrlFor(temporalWorkflowId: string): string;
  /** Stops listening and closes open connections. */
  stop(): Promise<void>;
}

const CALLBACK_PATH = /^\/codika\/callback\/([^/]+)\/([0-9a-f]{64})$/;
/** A callback says an execution ended; Codika's body for that is a few hundred bytes. */
export const MAX_CALLBACK_BODY_BYTES = 64 * 1024;

/**
 * Receives "execution finished" callbacks from Codika workflows and wakes the waiting
 * `codikaExecutionWorkflow` with the `codikaPollNow` signal, so the result arrives at once instead
 * of at the next poll. The callback only triggers a status check: the result still comes from
 * Codika's status endpoint, so polling remains the safety net and a callback carries no authority.
 * Requests must be signed (Standard Webhooks); stale, forged or replayed ones are refused.
 *
 * Codika writes and signs the body, so a signature alone cannot say which workflow a callback may
 * wake: each callback URL carries an HMAC of its workflow id (keyed by `urlSecret`), checked before
 * anything else. Bodies are capped at 64 KiB, and slow senders are cut off.
 *
 * `POST /codika/callback/{temporalWorkflowId}/{hmac}` → 202 signalled, 403 URL not issued by this
 * receiver, 413 body over 64 KiB, 401 bad signature, 404 no such workflow.
 *
 * @throws CodikaValidationError when the secret is not a Standard Webhooks secret.
 */
export async function startCodikaCallbackReceiver(
  options: CodikaCallbackReceiverOptions,
): Promise<CodikaCallbackReceiver> {
  const verifier = new SignedRequestVerifier(webhookFor('webhookSecret', options.webhookSecret));
  const urlKey = options.urlSecret ?? `codika-callback-url\n${options.webhookSecret}`;
  const macOf = (workflowId: string) => createHmac('sha256', urlKey).update(workflowId).digest('hex');

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const reply = (status: number, error?: string) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(error ? { error } : { signalled: true }));
    };
    const match =
      req.method === 'POST' ? CALLBACK_PATH.exec(new URL(req.url ?? '/', 'http://receiver').pathname) : null;
    if (!match) return reply(404, 'expected POST /codika/callback/{temporalWorkflowId}/{hmac}');
    let workflowId: string;
    try {
      workflowId = decodeURIComponent(match[1]!);
    } catch {
      return reply(400, 'malformed workflow id');
    }
    if (!timingSafeEqual(Buffer.from(macOf(workflowId)), Buffer.from(match[2]!))) {
      return reply(403, 'this callback URL was not issued by this receiver for that workflow');
    }
    let body: string;
    try {
      body = await readRequestBody(req, MAX_CALLBACK_BODY_BYTES);
    } catch (err) {
      if (!(err instanceof RequestBodyTooLargeError)) throw err;
      res.setHeader('Connection', 'close');
      return reply(413, `the body is larger than ${MAX_CALLBACK_BODY_BYTES} bytes`);
    }
    const refused = verifier.verify(body, req.headers);
    if (refused) return reply(401, refused);
    try {
      await options.client.workflow.getHandle(workflowId).signal(codikaPollNowSignal);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return reply(404, `no running workflow ${workflowId}`);
      throw err;
    }
    reply(202);
  };

  const server: Server = createServer(
    {
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      requestTimeout: options.requestTimeoutMs ?? 15_000,
      // How often Node checks those timeouts (30 s by default, longer than the timeouts themselves).
      connectionsCheckingInterval: 1_000,
    },
    (req, res) => {
      handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: `could not signal: ${(err as Error).message}` }));
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    url,
    callbackUrlFor: (temporalWorkflowId) =>
      `${url}/codika/callback/${encodeURIComponent(temporalWorkflowId)}/${macOf(temporalWorkflowId)}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
