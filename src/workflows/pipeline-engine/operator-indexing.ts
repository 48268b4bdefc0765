import { upsertSearchAttributes } from '@temporalio/workflow';
import type { CodikaTriggeredExecution } from '../../shared/activity-types';
import { CODIKA_SEARCH_ATTRIBUTES } from '../../shared/search-attribute-keys';

/**
 * `CodikaStatus = "awaiting_operator"` on a pipeline run while any of its executions waits for an
 * operator, so operators list every such run with one query; removed once none waits (pipelines set
 * no other Codika search attribute). Set only when the trigger's failure said the namespace has it:
 * setting an unregistered attribute fails the workflow task.
 */
export class OperatorIndexing {
  private waiting = 0;
  private registered = false;

  awaiting(waiting: boolean, runIndex: CodikaTriggeredExecution['runIndex']): void {
    if (runIndex) this.registered = runIndex.searchAttributes.includes(CODIKA_SEARCH_ATTRIBUTES.status.name);
    const before = this.waiting;
    this.waiting += waiting ? 1 : -1;
    if (!this.registered || (before > 0 && this.waiting > 0)) return;
    upsertSearchAttributes([
      { key: CODIKA_SEARCH_ATTRIBUTES.status, value: this.waiting > 0 ? 'awaiting_operator' : null },
    ]);
  }
}
