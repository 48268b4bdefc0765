import { runCodikaExecution } from 'codika-temporal/workflows';
import { sendMessage, summarize } from './contracts';

// Each runCodikaExecution triggers once and waits for Codika's `success` (or throws on `failed`).
export async function weeklyDigest(processInstanceId: string, text: string, phone: string): Promise<number> {
  const summary = await runCodikaExecution(summarize, { processInstanceId, payload: { text_input: text } });
  const sent = await runCodikaExecution(
    sendMessage,
    { processInstanceId, payload: { phone_numbers: [phone], message_content: summary.resultData.summary } },
    { deadline: '10 minutes' },
  );
  return sent.resultData.total_sent;
}
