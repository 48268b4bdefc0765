/**
 * Contracts of the Codika workflows the demo and the examples call (the mock's DEMO_SCRIPTS stand in
 * for them): the demo's worker registers them, and `codika-temporal pipeline validate
 * examples/pipelines/<file>.json --contracts examples/contracts.ts` checks the example pipelines.
 * Strict objects, so a misspelt field is an error rather than a field silently dropped.
 */
import { z } from 'zod';
import { defineCodikaWorkflow } from '../src/shared/contracts';

const text = z.string().min(1);
const id = z.string().min(1).max(200);

// Codika's own examples (the API description's http-direct-messaging and text-summarizer).
export const sendMessage = defineCodikaWorkflow('http-direct-messaging', {
  input: z.strictObject({ phone_numbers: z.array(text).min(1), message_content: text }),
  result: z.object({ success: z.boolean(), total_sent: z.number().int() }),
});
export const summarizeText = defineCodikaWorkflow('text-summarizer', {
  input: z.strictObject({ text_input: text }),
  result: z.object({ summary: z.string(), words: z.number().int() }),
});
export const scheduledReport = defineCodikaWorkflow('scheduled-report', {
  input: z.strictObject({ report: text.optional(), sent: z.array(z.unknown()).optional() }),
  result: z.object({ report: z.string(), rows: z.number().int() }),
});
export const flakyImport = defineCodikaWorkflow('flaky-import', {
  input: z.strictObject({ source: text }),
  result: z.object({ imported: z.number().int() }),
});
export const invoiceCheck = defineCodikaWorkflow('invoice-check', {
  input: z.strictObject({ invoice: text }),
  result: z.object({ matches: z.boolean() }),
});

// The document digest (examples/document-digest.ts and its pipeline).
export const extractText = defineCodikaWorkflow('extract-text', {
  input: z.strictObject({ url: z.url() }),
  result: z.object({ text: z.string(), pages: z.number().int() }),
});
export const summarize = defineCodikaWorkflow('summarize', {
  input: z.strictObject({ text, language: z.enum(['en', 'fr', 'nl', 'de']) }),
  result: z.object({ summary: z.string(), language: z.string() }),
});

// Orders: reserve, charge, ship, and what undoes each.
export const reserveStock = defineCodikaWorkflow('reserve-stock', {
  input: z.strictObject({ sku: text, quantity: z.number().int().positive() }),
  result: z.object({ reservationId: z.string() }),
});
export const releaseStock = defineCodikaWorkflow('release-stock', {
  input: z.strictObject({ reservationId: id }),
  result: z.object({ released: z.boolean() }),
});
export const chargeCard = defineCodikaWorkflow('charge-card', {
  input: z.strictObject({ customerId: id, amount: z.number().positive() }),
  result: z.object({ paymentId: z.string() }),
});
export const refundCard = defineCodikaWorkflow('refund-card', {
  input: z.strictObject({ paymentId: id }),
  result: z.object({ refunded: z.boolean() }),
});
export const paymentCheck = defineCodikaWorkflow('payment-check', {
  input: z.strictObject({ orderId: id, amount: z.number().positive() }),
  result: z.object({ passed: z.boolean(), score: z.number() }),
});
export const createShipment = defineCodikaWorkflow('create-shipment', {
  input: z.strictObject({ reservationId: id, note: z.string().optional() }),
  result: z.object({ trackingNumber: z.string() }),
});

// The newsletter fan-out.
export const renderNewsletter = defineCodikaWorkflow('render-newsletter', {
  input: z.strictObject({ month: text }),
  result: z.object({ subject: z.string(), blocks: z.number().int() }),
});
export const sendEmail = defineCodikaWorkflow('send-email', {
  input: z.strictObject({ to: z.email(), subject: text, greeting: text }),
  result: z.object({ messageId: z.string() }),
});
