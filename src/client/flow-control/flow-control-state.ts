/**
 * What the flow-control workflows hold now: per key, the permits in use and who waits, and a `429`'s
 * back-off. Read from the running `codikaFlowControlWorkflow`s, one query each.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  FLOW_CONTROL_STATE_QUERY,
  FLOW_CONTROL_WORKFLOW_TYPE,
  flowControlWorkflowId,
  type FlowControlState,
} from '../../shared/flow-control';

/** The most keys `listCodikaFlowControl` reads by default. */
const DEFAULT_MAX_KEYS = 100;
/** How long one key's query may take: a workflow whose task queue has no worker never answers. */
const QUERY_DEADLINE_MS = 5_000;

/** A flow-control workflow that did not answer the query. */
export interface CodikaUnansweredKey {
  /** Its id, `codika-flow:<key>`. */
  workflowId: string;
  /** What the query got instead of an answer. */
  error: string;
}

/** What {@link listCodikaFlowControl} found. */
export interface CodikaFlowControlListing {
  /** The state of each key whose workflow answered, keys in id order. */
  keys: FlowControlState[];
  /** Running flow-control workflows that did not answer (no worker on their task queue, most often). */
  unanswered: CodikaUnansweredKey[];
}

/**
 * The running flow-control workflows (at most `maxKeys`; those on `taskQueue` when given) and what each holds.
 *
 * @throws ServiceError when the server cannot list them (visibility).
 */
export async function listCodikaFlowControl(
  client: Client,
  { maxKeys = DEFAULT_MAX_KEYS, taskQueue }: { maxKeys?: number; taskQueue?: string } = {},
): Promise<CodikaFlowControlListing> {
  const ids: string[] = [];
  const onQueue = taskQueue === undefined ? '' : ` AND TaskQueue = '${taskQueue.replace(/'/g, "\\'")}'`;
  const query = `WorkflowType = '${FLOW_CONTROL_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'${onQueue}`;
  for await (const run of client.workflow.list({ query })) {
    ids.push(run.workflowId);
    if (ids.length >= maxKeys) break;
  }
  const listing: CodikaFlowControlListing = { keys: [], unanswered: [] };
  const answers = await Promise.all(
    ids.sort().map(async (workflowId) => {
      try {
        const state = await client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
          client.workflow.getHandle(workflowId).query<FlowControlState>(FLOW_CONTROL_STATE_QUERY),
        );
        return { workflowId, state };
      } catch (err) {
        // Ended between the list and the query: it holds nothing.
        if (err instanceof WorkflowNotFoundError) return { workflowId };
        return { workflowId, error: (err as Error).message };
      }
    }),
  );
  for (const answer of answers) {
    if (answer.state) listing.keys.push(answer.state);
    else if (answer.error !== undefined)
      listing.unanswered.push({ workflowId: answer.workflowId, error: answer.error });
  }
  return listing;
}

/**
 * The state of one key's flow-control workflow; `undefined` when the key has none running (it holds
 * no permit and no back-off then).
 */
export async function codikaFlowControlState(client: Client, key: string): Promise<FlowControlState | undefined> {
  try {
    const handle = client.workflow.getHandle(flowControlWorkflowId(key));
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') return undefined;
    return await handle.query<FlowControlState>(FLOW_CONTROL_STATE_QUERY);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}
