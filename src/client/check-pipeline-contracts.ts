/**
 * What the contracts of Codika workflows can say about a pipeline file before it runs
 * (`codika-temporal pipeline validate --contracts`): a payload with no template is checked whole; a
 * templated one, where the schema exports a JSON Schema, for the fields it must have and may have.
 * The rest is checked by the worker when each step is about to trigger.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { CodikaPipelineDefinition } from '../pipeline/definition';
import type { PipelineProblem } from '../pipeline/check-pipeline';
import { isRef } from '../pipeline/templates';
import { isApprovalStep } from '../pipeline/step-kinds';
import { contractProblems, type AnyCodikaWorkflowContract } from '../shared/contracts';
import { inputJsonSchema } from './contract-json-schema';

/** Every problem the contracts find in `pipeline`'s payloads, at their paths in the file. */
export async function checkPipelineContracts(
  pipeline: CodikaPipelineDefinition,
  contracts: readonly AnyCodikaWorkflowContract[],
): Promise<PipelineProblem[]> {
  const byWorkflowId = new Map(contracts.map((contract) => [contract.workflowId, contract]));
  const problems: PipelineProblem[] = [];
  for (const [index, step] of pipeline.steps.entries()) {
    if (isApprovalStep(step)) continue;
    const payloads = [{ workflowId: step.workflowId, payload: step.payload ?? {}, at: `steps[${index}].payload` }];
    if (step.compensate) {
      payloads.push({
        workflowId: step.compensate.workflowId,
        payload: step.compensate.payload ?? {},
        at: `steps[${index}].compensate.payload`,
      });
    }
    for (const { workflowId, payload, at } of payloads) {
      const contract = byWorkflowId.get(workflowId);
      if (contract) problems.push(...(await payloadProblems(contract, payload, at)));
    }
  }
  return problems;
}

async function payloadProblems(
  contract: AnyCodikaWorkflowContract,
  payload: Record<string, unknown>,
  at: string,
): Promise<PipelineProblem[]> {
  const where = (path: string) => (path === '(root)' ? at : `${at}.${path}`);
  const about = `breaks the contract of "${contract.workflowId}"`;
  if (!hasTemplate(payload)) {
    const checked = await (contract.input as StandardSchemaV1)['~standard'].validate(payload);
    return checked.issues
      ? contractProblems(checked.issues).map(({ path, message }) => ({
          path: where(path),
          message: `${message} (${about})`,
        }))
      : [];
  }
  // Templated: only the field names can be known now, and only from a JSON Schema.
  const schema = inputJsonSchema(contract);
  if (!schema) return [];
  const problems: PipelineProblem[] = [];
  for (const field of schema.required ?? []) {
    if (!(field in payload)) problems.push({ path: at, message: `missing field "${field}" (${about})` });
  }
  if (schema.properties && schema.additionalProperties === false) {
    for (const field of Object.keys(payload)) {
      if (!(field in schema.properties)) {
        problems.push({
          path: where(field),
          message: `unknown field; expected one of ${Object.keys(schema.properties).join(', ')} (${about})`,
        });
      }
    }
  }
  return problems;
}

/** Whether a value holds a `{"$ref"}` or a `${…}` string anywhere. */
function hasTemplate(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('${');
  if (isRef(value)) return true;
  if (Array.isArray(value)) return value.some(hasTemplate);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(hasTemplate);
  return false;
}
