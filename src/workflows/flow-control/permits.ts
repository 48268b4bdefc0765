/**
 * The holder's side of `concurrency`: a step asks its key's flow-control workflow for a permit before
 * it triggers, waits for the grant when the key is at its limit, and gives the permit back when its
 * execution reaches a final status (or the step fails or is cancelled). A lease id names one attempt
 * of one step in one workflow chain, so asking again (a retried activity, a continued run) keeps the
 * permit or the place in line instead of taking a second one.
 */
import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CodikaFlowControlActivities } from '../../activities/flow-control-activities';
import {
  flowControlWorkflowId,
  type CodikaConcurrency,
  type CodikaPermitAnswer,
  type CodikaPermitLease,
} from '../../shared/flow-control';
import type { CodikaExecutionState } from '../../shared/execution-types';
import { permitGrantedSignal, releasePermitSignal } from './codika-flow-control-workflow';

/**
 * How long a waiting step trusts the grant's signal before asking again (the ask is idempotent): a
 * grant whose signal went astray costs at most this.
 */
export const ASK_AGAIN_EVERY_MS = 5 * 60_000;

/** Leases granted to this run by signal. Workflow code gets a fresh copy of each module per run. */
const granted = new Set<string>();
let handlerInstalled = false;
/** Steps of a user's workflow without a name of their own: `call-1`, `call-2`… in the order they ask. */
let unnamedCalls = 0;

/** How a step names its permit and whether its workflow carries it through continue-as-new. */
export interface PermitOwner {
  /** Unique in the workflow chain for one attempt of one step (`execution`, `send[3]#2`). */
  name: string;
  /** The library's workflows carry a held permit into their continued run; a user's workflow does not. */
  followsContinueAsNew: boolean;
  /** Shown in the flow-control state. */
  label?: string;
}

/** One step's claim on a key's permit: what it asks with, and gives back. */
export interface PermitClaim {
  key: string;
  limit: number;
  lease: Omit<CodikaPermitLease, 'sinceMs' | 'untold'>;
}

/** The owner of a step run by the step helper in a user's workflow: its own run, in call order. */
export function callOwner(): PermitOwner {
  unnamedCalls += 1;
  return { name: `call-${unnamedCalls}`, followsContinueAsNew: false };
}

/** The claim of a step with `concurrency` (its key defaults to the process instance). */
export function permitClaim(
  concurrency: CodikaConcurrency,
  processInstanceId: string,
  owner: PermitOwner,
): PermitClaim {
  const info = workflowInfo();
  const chainId = owner.followsContinueAsNew ? info.firstExecutionRunId : info.runId;
  return {
    key: concurrency.key ?? processInstanceId,
    limit: concurrency.limit,
    lease: {
      leaseId: `${info.workflowId}/${chainId}/${owner.name}`,
      workflowId: info.workflowId,
      runId: info.runId,
      firstRunId: info.firstExecutionRunId,
      followsContinueAsNew: owner.followsContinueAsNew,
      ...(owner.label === undefined ? {} : { label: owner.label }),
    },
  };
}

/**
 * Takes the claim's permit, waiting in line while the key is at its limit (the step's phase is then
 * `waiting_for_permit`, its place and the permits in use in `state.permit`). `held`: the step held it
 * before (a continued run whose execution runs) and takes it back without waiting.
 */
export async function acquirePermit(claim: PermitClaim, state: CodikaExecutionState, held: boolean): Promise<void> {
  installGrantHandler();
  const { requestCodikaPermit } = proxyActivities<CodikaFlowControlActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '10 seconds' },
    summary: `permit of ${claim.key} (limit ${claim.limit})`,
  });
  const { leaseId } = claim.lease;
  const phaseBefore = state.phase;
  for (;;) {
    // A grant heard before this ask is stale: the answer says where the lease stands now.
    granted.delete(leaseId);
    // Not cut short by a cancellation: the permit is given back only after the request has landed,
    // never before it (it would then be granted to a step that is gone).
    const answer: CodikaPermitAnswer = await CancellationScope.nonCancellable(() =>
      requestCodikaPermit({ key: claim.key, limit: claim.limit, lease: claim.lease, ...(held ? { held: true } : {}) }),
    );
    const view = { key: claim.key, limit: answer.limit, inUse: answer.inUse, held: false };
    if (answer.granted || granted.has(leaseId)) {
      state.permit = view;
      break;
    }
    // Whole values, not fields: the run's details follow the state's top-level changes.
    state.permit = { ...view, position: answer.position };
    state.phase = 'waiting_for_permit';
    if (await condition(() => granted.has(leaseId), ASK_AGAIN_EVERY_MS)) break;
  }
  granted.delete(leaseId);
  state.permit = {
    key: claim.key,
    limit: state.permit?.limit ?? claim.limit,
    inUse: state.permit?.inUse ?? 0,
    held: true,
  };
  state.phase = phaseBefore;
}

/**
 * Gives the permit back (or leaves the line), even while the step is being cancelled. A key whose
 * workflow has ended (it holds nothing then) needs nothing.
 */
export async function releasePermit(claim: PermitClaim, state: CodikaExecutionState): Promise<void> {
  if (state.permit)
    state.permit = { key: state.permit.key, limit: state.permit.limit, inUse: state.permit.inUse, held: false };
  await CancellationScope.nonCancellable(async () => {
    try {
      await getExternalWorkflowHandle(flowControlWorkflowId(claim.key)).signal(releasePermitSignal, {
        leaseId: claim.lease.leaseId,
      });
    } catch {
      // Not found: the key's workflow ended, so it held no permit of ours.
    }
  });
}

function installGrantHandler(): void {
  if (handlerInstalled) return;
  handlerInstalled = true;
  setHandler(permitGrantedSignal, ({ leaseId }) => void granted.add(leaseId));
}
