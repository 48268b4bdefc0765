import type { IncomingMessage } from 'node:http';
import { RequestBodyTooLargeError } from './errors';

/**
 * The whole body of an incoming request as UTF-8 text (signatures are checked over these exact
 * bytes). With `maxBytes`, a larger body is refused as it arrives, chunked ones included: what it
 * declares and what it sends both count, and nothing past the cap is kept in memory.
 *
 * @throws RequestBodyTooLargeError past `maxBytes`.
 */
export function readRequestBody(req: IncomingMessage, maxBytes = Infinity): Promise<string> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > maxBytes) return reject(new RequestBodyTooLargeError(maxBytes));
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.off('data', onData);
      req.off('end', onEnd);
      chunks.length = 0;
      reject(new RequestBodyTooLargeError(maxBytes));
    };
    const onEnd = () => resolve(Buffer.concat(chunks).toString('utf8'));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
}
