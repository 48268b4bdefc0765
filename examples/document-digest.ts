/**
 * Example: three Codika workflows chained in ordinary TypeScript inside your own Temporal workflow.
 * Extract the text of a document, summarize it in two languages at once (fan-out with Promise.all),
 * then send the English summary by WhatsApp with Codika's `http-direct-messaging`.
 *
 * In your project, import from 'codika-temporal/workflows' instead of '../src/workflows'.
 */
import { runCodikaExecution, runCodikaExecutionAsChild } from '../src/workflows';

/** What the digest needs: where the document is and who gets the summary. */
export interface DocumentDigestInput {
  processInstanceId: string;
  documentUrl: string;
  phoneNumber: string;
}

export interface DocumentDigestResult {
  summaries: { en: string; fr: string };
  messageExecutionId: string;
}

/** Each step runs inside this workflow's own history: the simplest shape for a short chain. */
export async function documentDigestWorkflow(input: DocumentDigestInput): Promise<DocumentDigestResult> {
  const { processInstanceId } = input;
  const extracted = await runCodikaExecution<{ text: string }>({
    processInstanceId,
    workflowId: 'extract-text',
    payload: { url: input.documentUrl },
  });

  const [en, fr] = await Promise.all(
    (['en', 'fr'] as const).map((language) =>
      runCodikaExecution<{ summary: string }>({
        processInstanceId,
        workflowId: 'summarize',
        payload: { text: extracted.resultData.text, language },
      }),
    ),
  );

  const message = await runCodikaExecution({
    processInstanceId,
    workflowId: 'http-direct-messaging',
    payload: { phone_numbers: [input.phoneNumber], message_content: en!.resultData.summary },
  });
  return {
    summaries: { en: en!.resultData.summary, fr: fr!.resultData.summary },
    messageExecutionId: message.executionId,
  };
}

/**
 * The same chain with each Codika execution as a child workflow: every execution is its own row in
 * the Temporal UI (`<this id>/codika/extract`, …), with its own history and state query.
 */
export async function documentDigestWithChildrenWorkflow(input: DocumentDigestInput): Promise<DocumentDigestResult> {
  const { processInstanceId } = input;
  const extracted = await runCodikaExecutionAsChild<{ text: string }>('extract', {
    processInstanceId,
    workflowId: 'extract-text',
    payload: { url: input.documentUrl },
  });

  const [en, fr] = await Promise.all(
    (['en', 'fr'] as const).map((language) =>
      runCodikaExecutionAsChild<{ summary: string }>(`summarize-${language}`, {
        processInstanceId,
        workflowId: 'summarize',
        payload: { text: extracted.resultData.text, language },
      }),
    ),
  );

  const message = await runCodikaExecutionAsChild('notify', {
    processInstanceId,
    workflowId: 'http-direct-messaging',
    payload: { phone_numbers: [input.phoneNumber], message_content: en!.resultData.summary },
  });
  return {
    summaries: { en: en!.resultData.summary, fr: fr!.resultData.summary },
    messageExecutionId: message.executionId,
  };
}
