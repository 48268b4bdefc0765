import type { IncomingMessage } from 'node:http';

/** The whole body of an incoming request as UTF-8 text (signatures are checked over these exact bytes). */
export async function readRequestBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
