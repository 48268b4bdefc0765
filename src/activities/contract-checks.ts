/**
 * The worker's side of typed contracts: the trigger activity checks a payload before any request,
 * and every status activity checks `resultData` when Codika says `success`. Here rather than in
 * workflow code so that a contract can change without any recorded history failing on replay, and so
 * that workflow bundles never load a schema library.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { CodikaExecutionStatus } from '../codika/types';
import {
  contractProblems,
  isCodikaWorkflowContract,
  type CodikaContractProblem,
  type AnyCodikaWorkflowContract,
} from '../shared/contracts';
import { CODIKA_PAYLOAD_INVALID, CODIKA_RESULT_INVALID, CodikaValidationError } from '../shared/errors';
import { nonRetryableFailure } from '../shared/failures';

/** Problems a failure message lists; its details hold them all. */
const PROBLEMS_IN_MESSAGE = 5;

/** The contracts a worker holds, by Codika workflowId. */
export class ContractChecks {
  private readonly byWorkflowId = new Map<string, AnyCodikaWorkflowContract>();

  /** @throws CodikaValidationError on something that is not a contract, or two contracts for one workflow. */
  constructor(contracts: readonly unknown[] = []) {
    contracts.forEach((contract, i) => {
      if (!isCodikaWorkflowContract(contract)) {
        throw new CodikaValidationError(
          `contracts[${i}]`,
          'is not a contract: make each one with defineCodikaWorkflow',
        );
      }
      if (this.byWorkflowId.has(contract.workflowId)) {
        throw new CodikaValidationError(`contracts[${i}]`, `a second contract for "${contract.workflowId}"`);
      }
      this.byWorkflowId.set(contract.workflowId, contract);
    });
  }

  /**
   * The payload Codika receives: the input schema's value when the workflow has a contract, else the
   * payload as given.
   *
   * @throws ApplicationFailure `CodikaPayloadInvalid` (non-retryable) listing every problem.
   */
  async payload(request: {
    workflowId: string;
    processInstanceId: string;
    payload?: Record<string, unknown>;
  }): Promise<Record<string, unknown> | undefined> {
    const contract = this.byWorkflowId.get(request.workflowId);
    if (!contract) return request.payload;
    const checked = await validate(contract.input, request.payload ?? {});
    const invalid = (problems: CodikaContractProblem[]) =>
      nonRetryableFailure(
        CODIKA_PAYLOAD_INVALID,
        `The payload for Codika workflow "${request.workflowId}" breaks its contract, so it was not sent: ${summary(problems)}`,
        { workflowId: request.workflowId, processInstanceId: request.processInstanceId, problems },
      );
    if (checked.issues) throw invalid(contractProblems(checked.issues));
    if (!isPlainObject(checked.value)) {
      throw invalid([{ path: '(root)', message: "the contract's input schema must give a JSON object" }]);
    }
    return checked.value;
  }

  /**
   * The status as the step sees it: on `success`, with `resultData` as the result schema gives it.
   * Runs scheduled without a workflowId (before contracts existed) are not checked.
   *
   * @throws ApplicationFailure `CodikaResultInvalid` (non-retryable), executionId and problems in its details.
   */
  async status(
    request: { workflowId?: string; executionId: string },
    status: CodikaExecutionStatus,
  ): Promise<CodikaExecutionStatus> {
    const contract = request.workflowId === undefined ? undefined : this.byWorkflowId.get(request.workflowId);
    if (!contract || status.status !== 'success') return status;
    const checked = await validate(contract.result, status.resultData);
    if (!checked.issues) return { ...status, resultData: checked.value };
    const problems = contractProblems(checked.issues);
    throw nonRetryableFailure(
      CODIKA_RESULT_INVALID,
      `Codika execution ${request.executionId} of "${request.workflowId}" succeeded, but its result breaks the contract: ${summary(problems)}`,
      { workflowId: request.workflowId, executionId: request.executionId, problems },
    );
  }
}

async function validate(schema: StandardSchemaV1, value: unknown): Promise<StandardSchemaV1.Result<unknown>> {
  return schema['~standard'].validate(value);
}

/** `2 problems: phone: Required; text: Too short` (the first few; all are in the details). */
function summary(problems: readonly CodikaContractProblem[]): string {
  const shown = problems.slice(0, PROBLEMS_IN_MESSAGE).map(({ path, message }) => `${path}: ${message}`);
  const more = problems.length > PROBLEMS_IN_MESSAGE ? `; and ${problems.length - PROBLEMS_IN_MESSAGE} more` : '';
  return `${problems.length} problem${problems.length === 1 ? '' : 's'}: ${shown.join('; ')}${more}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
