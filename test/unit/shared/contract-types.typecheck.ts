/**
 * Type-level tests of contracts, checked by `npm run typecheck` (tsc), not run by jest: every
 * `@ts-expect-error` below must meet an error, so a contract that stopped typing payloads or results
 * fails the typecheck.
 */
import * as v from 'valibot';
import { z } from 'zod';
import { defineCodikaWorkflow, runCodikaExecution } from '../../../src/workflows';

const sendSms = defineCodikaWorkflow('send-sms', {
  input: z.object({ phone: z.string(), text: z.string().min(1) }),
  result: z.object({ messageId: z.string(), segments: z.number() }),
});
const summarize = defineCodikaWorkflow('summarize', {
  input: v.object({ text_input: v.string() }),
  result: v.object({ summary: v.string() }),
});

export async function typedSteps(processInstanceId: string): Promise<string> {
  const sms = await runCodikaExecution(sendSms, { processInstanceId, payload: { phone: '+32470', text: 'hi' } });
  const segments: number = sms.resultData.segments;
  const summary = await runCodikaExecution(summarize, { processInstanceId, payload: { text_input: 'numbers' } });
  const text: string = summary.resultData.summary;

  // @ts-expect-error a misspelt payload field
  await runCodikaExecution(sendSms, { processInstanceId, payload: { phon: '+32470', text: 'hi' } });
  // @ts-expect-error a payload field of the wrong type
  await runCodikaExecution(sendSms, { processInstanceId, payload: { phone: 32470, text: 'hi' } });
  // @ts-expect-error a missing payload
  await runCodikaExecution(sendSms, { processInstanceId });
  // @ts-expect-error the contract names the workflow: no workflowId beside it
  await runCodikaExecution(summarize, { processInstanceId, workflowId: 'other', payload: { text_input: 'x' } });
  // @ts-expect-error a result field the contract does not have
  const missing: string = sms.resultData.messageID;
  // @ts-expect-error a result field of another type
  const wrongType: string = sms.resultData.segments;

  // Without a contract, the step stays as it was: any payload, and the result type the caller asserts.
  const untyped = await runCodikaExecution<{ rows: number }>({ processInstanceId, workflowId: 'report', payload: {} });
  const rows: number = untyped.resultData.rows;
  return `${segments} ${text} ${missing} ${wrongType} ${rows}`;
}
