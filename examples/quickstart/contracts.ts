import { z } from 'zod';
import { defineCodikaWorkflow } from 'codika-temporal/workflows';

// Two Codika workflows: the worker checks each payload before the trigger and each result after.
export const summarize = defineCodikaWorkflow('text-summarizer', {
  input: z.object({ text_input: z.string().min(1) }),
  result: z.object({ summary: z.string(), words: z.number() }),
});
export const sendMessage = defineCodikaWorkflow('http-direct-messaging', {
  input: z.object({ phone_numbers: z.array(z.string()).min(1), message_content: z.string() }),
  result: z.object({ success: z.boolean(), total_sent: z.number() }),
});
