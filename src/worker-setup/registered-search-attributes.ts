import type { NativeConnection } from '@temporalio/worker';
import { CODIKA_SEARCH_ATTRIBUTE_NAMES } from '../shared/search-attribute-keys';

/** `IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD` in Temporal's API. */
const KEYWORD = 2;

/**
 * Which of the Codika search attributes the namespace has, as Keywords. An error (a permission the
 * connection lacks, an older server) means none: the workflows then run without them.
 */
export async function registeredCodikaSearchAttributes(
  connection: Pick<NativeConnection, 'operatorService'>,
  namespace: string,
  warn: (message: string) => void = (message) => console.warn(message),
): Promise<string[]> {
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    return CODIKA_SEARCH_ATTRIBUTE_NAMES.filter((name) => Number(customAttributes?.[name]) === KEYWORD);
  } catch (err) {
    warn(
      `codika-temporal: cannot list the search attributes of namespace "${namespace}" (${(err as Error).message}); ` +
        'runs will not set CodikaExecutionId, CodikaWorkflowId or CodikaStatus',
    );
    return [];
  }
}
