/**
 * The handler of the Nexus service `codika` (src/shared/nexus-service.ts). Each `runExecution`
 * starts one `codikaExecutionWorkflow` on the handler worker's own task queue, so the caller's
 * namespace never sees a Codika key, an activity or a status check: only the input and the result.
 */
import { startWorkflow, WorkflowRunOperationHandler } from '@temporalio/nexus';
import * as nexus from 'nexus-rpc';
import { codikaExecutionStart } from '../client/start-codika-execution';
import type { CodikaExecutionResult } from '../shared/execution-types';
import { codikaNexusService, type CodikaNexusRunInput } from '../shared/nexus-service';
import { ApplicationFailure } from '@temporalio/common';
import { CODIKA_VALIDATION_FAILURE, CodikaValidationError } from '../shared/errors';
import { checkPollSettings } from '../workflows/execution/poll-settings';
import type { codikaExecutionWorkflow } from '../workflows/codika-execution-workflow';

const KNOWN_KEYS = new Set(['processInstanceId', 'workflowId', 'payload', 'triggerDelivery', 'priority', 'poll']);

/** The service handler for `Worker.create({ nexusServices })`; `CodikaPlugin` adds it on its own. */
export function codikaNexusServiceHandler(): nexus.ServiceHandler<(typeof codikaNexusService)['operations']> {
  return nexus.serviceHandler(codikaNexusService, {
    runExecution: new WorkflowRunOperationHandler<CodikaNexusRunInput, CodikaExecutionResult>(async (ctx, input) => {
      const { args, workflowStart } = checkedStart(input, ctx.requestId);
      // The request id makes the workflow id: a start Nexus retries finds the run it already started.
      return startWorkflow<typeof codikaExecutionWorkflow>(ctx, 'codikaExecutionWorkflow', {
        ...workflowStart,
        args: [args],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
    }),
  });
}

/** A bad input fails the operation at once, as a request error naming the field, and starts nothing. */
function checkedStart(input: CodikaNexusRunInput, requestId: string): ReturnType<typeof codikaExecutionStart> {
  try {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new CodikaValidationError(
        'input',
        'expected an object with processInstanceId, workflowId and an optional payload',
      );
    }
    for (const key of Object.keys(input)) {
      if (!KNOWN_KEYS.has(key))
        throw new CodikaValidationError(`input.${key}`, `unknown field; expected one of ${[...KNOWN_KEYS].join(', ')}`);
    }
    const { poll, ...execution } = input;
    // Checked here as the workflow would, so a bad option is a request error and nothing starts.
    if (poll !== undefined) checkPollSettings(poll, 'input.poll');
    // Used only once the ids pass the checks inside codikaExecutionStart.
    const workflowId = `codika-nexus-${String(execution.workflowId)}-${String(execution.processInstanceId)}-${requestId}`;
    return codikaExecutionStart(execution, { poll, workflowId });
  } catch (err) {
    const invalidPoll = err instanceof ApplicationFailure && err.type === CODIKA_VALIDATION_FAILURE;
    if (err instanceof CodikaValidationError || invalidPoll) {
      throw new nexus.HandlerError('BAD_REQUEST', `codika.runExecution: ${(err as Error).message}`, { cause: err });
    }
    throw err;
  }
}
