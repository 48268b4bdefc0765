import type { DataConverter, PayloadCodec } from '@temporalio/common';

/**
 * The module a worker or client (and `bundleWorkflowCode`, for a prebuilt bundle) loads as its
 * failure converter so failure messages are encrypted too.
 */
export const ENCODED_FAILURE_CONVERTER_PATH = require.resolve('./encoded-failure-converter');

/**
 * The data converter of every worker and client of an encrypted namespace: payloads and failure
 * messages through the codec. A prebuilt workflow bundle must also have been bundled with
 * `failureConverterPath: ENCODED_FAILURE_CONVERTER_PATH`: workflow code converts its failures inside
 * the sandbox.
 */
export function encryptedDataConverter(codec: PayloadCodec): DataConverter {
  return { payloadCodecs: [codec], failureConverterPath: ENCODED_FAILURE_CONVERTER_PATH };
}
