import { DefaultFailureConverter } from '@temporalio/common';

/**
 * For encrypted namespaces: a failure's message and stack travel inside an encoded payload, which
 * the payload codec encrypts, instead of in clear beside it (history stores "Encoded failure").
 * Workers load it by path (`failureConverterPath`): it also runs inside the workflow sandbox.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
