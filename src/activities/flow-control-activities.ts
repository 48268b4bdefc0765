/**
 * The activities of flow control: a step asks a key's flow-control workflow for a permit (an Update
 * that starts the workflow when the key has none), and that workflow asks which of its holders' runs
 * have ended. They talk to Temporal through the worker's own client, never to Codika.
 */
import { Context } from '@temporalio/activity';
import { isGrpcServiceError, WithStartWorkflowOperation, WorkflowNotFoundError } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import {
  FLOW_CONTROL_WORKFLOW_TYPE,
  flowControlStart,
  REQUEST_PERMIT_UPDATE,
  type CodikaPermitAnswer,
  type CodikaPermitLease,
  type CodikaPermitRequest,
} from '../shared/flow-control';

/** `WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING` and `_CONTINUED_AS_NEW` in Temporal's API. */
const RUNNING = 1;
const CONTINUED_AS_NEW = 6;
const GRPC_NOT_FOUND = 5;
/** Holder runs described at once by `findEndedPermitHolders`. */
const DESCRIBES_AT_ONCE = 20;

/** Activities behind `concurrency` (see `codikaFlowControlWorkflow`). */
export interface CodikaFlowControlActivities {
  /**
   * Asks the key's flow-control workflow for a permit, starting that workflow on this task queue when
   * the key has none; the answer says whether it was granted, or the place in line.
   */
  requestCodikaPermit(request: CodikaPermitRequest): Promise<CodikaPermitAnswer>;
  /** The leases among `holders` whose holder's run (or chain) has ended. */
  findEndedPermitHolders(holders: Omit<CodikaPermitLease, 'untold'>[]): Promise<string[]>;
}

/** Builds the flow-control activities; they use the client of the worker that runs them. */
export function createFlowControlActivities(): CodikaFlowControlActivities {
  return {
    async requestCodikaPermit(request) {
      const { client, info } = Context.current();
      return client.workflow.executeUpdateWithStart<Workflow, CodikaPermitAnswer, [CodikaPermitRequest]>(
        REQUEST_PERMIT_UPDATE,
        {
          args: [request],
          startWorkflowOperation: new WithStartWorkflowOperation(FLOW_CONTROL_WORKFLOW_TYPE, {
            ...flowControlStart(request.key, info.taskQueue, request.limit),
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        },
      );
    },

    async findEndedPermitHolders(holders) {
      const context = Context.current();
      const ended: string[] = [];
      // Some at a time, heartbeating between: many holders must not outlast the attempt's timeout.
      for (let at = 0; at < holders.length; at += DESCRIBES_AT_ONCE) {
        const batch = holders.slice(at, at + DESCRIBES_AT_ONCE);
        const running = await Promise.all(batch.map((lease) => holderRuns(context.client, lease)));
        batch.forEach((lease, i) => running[i] || ended.push(lease.leaseId));
        context.heartbeat(at);
      }
      return ended;
    },
  };
}

/** Whether the lease's holder still runs: its run, or for a lease that follows continue-as-new, its chain. */
async function holderRuns(client: Context['client'], lease: Omit<CodikaPermitLease, 'untold'>): Promise<boolean> {
  try {
    const run = await client.workflow.getHandle(lease.workflowId, lease.runId).describe();
    const status = run.raw.workflowExecutionInfo?.status;
    if (status === RUNNING) return true;
    if (status !== CONTINUED_AS_NEW || !lease.followsContinueAsNew) return false;
    const latest = await client.workflow.getHandle(lease.workflowId).describe();
    return (
      latest.raw.workflowExecutionInfo?.status === RUNNING &&
      latest.raw.workflowExecutionInfo?.firstRunId === lease.firstRunId
    );
  } catch (err) {
    // Gone from the namespace (past retention) is ended; anything else is asked again at the next look.
    if (err instanceof WorkflowNotFoundError || (isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND)) return false;
    throw err;
  }
}
