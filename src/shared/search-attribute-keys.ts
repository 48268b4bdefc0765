import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes the Codika workflows set when the namespace has them, so people can
 * filter runs in the UI (`CodikaStatus = "failed"`). Optional: where they are not registered the
 * workflows leave them out, since setting an unregistered one fails the workflow task.
 */
export const CODIKA_SEARCH_ATTRIBUTES = {
  /** `CodikaExecutionId`: Codika's id of the execution, once triggered. */
  executionId: defineSearchAttributeKey('CodikaExecutionId', SearchAttributeType.KEYWORD),
  /** `CodikaWorkflowId`: the Codika workflowTemplateId. */
  workflowId: defineSearchAttributeKey('CodikaWorkflowId', SearchAttributeType.KEYWORD),
  /** `CodikaStatus`: one of {@link CodikaStatusAttribute}. */
  status: defineSearchAttributeKey('CodikaStatus', SearchAttributeType.KEYWORD),
} as const;

/** Their names, as `temporal operator search-attribute create --name … --type Keyword` takes them. */
export const CODIKA_SEARCH_ATTRIBUTE_NAMES = Object.values(CODIKA_SEARCH_ATTRIBUTES).map((key) => key.name);

/** The values `CodikaStatus` takes. */
export type CodikaStatusAttribute = 'pending' | 'awaiting_operator' | 'success' | 'failed' | 'timed_out' | 'cancelled';
