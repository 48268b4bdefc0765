import type { MockExecutionScript } from './mock-scripts';

/**
 * Executions the standalone mock and the demo know: named after Codika's own examples, short
 * enough to watch, one that fails with Codika's message and one whose trigger needs retries.
 */
export const DEMO_SCRIPTS: Record<string, MockExecutionScript> = {
  'http-direct-messaging': {
    durationMs: 3_000,
    resultData: (payload: unknown) => {
      const phones = (payload as { phone_numbers?: unknown[] } | undefined)?.phone_numbers ?? [];
      return { success: true, total_sent: phones.length };
    },
  },
  'text-summarizer': {
    durationMs: 2_000,
    resultData: (payload: unknown) => {
      const text = String((payload as { text_input?: unknown } | undefined)?.text_input ?? '');
      return { summary: text.split(/\s+/).slice(0, 8).join(' '), words: text.split(/\s+/).filter(Boolean).length };
    },
  },
  'scheduled-report': { durationMs: 5_000, resultData: { report: 'weekly-sales', rows: 42 } },
  // The example chains and pipelines of examples/.
  'extract-text': {
    durationMs: 1_500,
    resultData: (payload: unknown) => ({
      text: `Quarterly report from ${String((payload as { url?: unknown } | undefined)?.url)}: revenue grew 12% while costs stayed flat.`,
      pages: 4,
    }),
  },
  summarize: {
    durationMs: 2_000,
    resultData: (payload: unknown) => {
      const { text, language } = (payload ?? {}) as { text?: unknown; language?: unknown };
      const words = String(text ?? '')
        .split(/\s+/)
        .slice(0, 6)
        .join(' ');
      return { summary: `[${String(language ?? 'en')}] ${words}…`, language: language ?? 'en' };
    },
  },
  'reserve-stock': { durationMs: 1_000, resultData: { reservationId: 'res_7f3a' } },
  'release-stock': { durationMs: 500, resultData: { released: true } },
  'charge-card': { durationMs: 1_500, resultData: { paymentId: 'pay_91c2' } },
  'refund-card': { durationMs: 500, resultData: { refunded: true } },
  'create-shipment': { durationMs: 1_000, resultData: { trackingNumber: 'TRK-0042' } },
  // The newsletter fan-out, the refund-on-failed-check and the approval examples.
  'render-newsletter': {
    durationMs: 1_000,
    resultData: (payload: unknown) => ({
      subject: `News for ${String((payload as { month?: unknown } | undefined)?.month ?? 'this month')}`,
      blocks: 3,
    }),
  },
  'send-email': {
    durationMs: 800,
    resultData: (payload: unknown) => ({
      messageId: `msg_${String((payload as { to?: unknown } | undefined)?.to ?? '')
        .replace(/[^a-z0-9]/gi, '')
        .slice(0, 12)}`,
    }),
  },
  'payment-check': {
    durationMs: 1_000,
    resultData: (payload: unknown) => {
      const amount = Number((payload as { amount?: unknown } | undefined)?.amount ?? 0);
      return { passed: amount <= 500, score: amount <= 500 ? 92 : 31 };
    },
  },
  'invoice-check': { durationMs: 2_500, failWith: 'Invoice total does not match the sum of its line items' },
  'flaky-import': {
    durationMs: 1_500,
    resultData: { imported: 120 },
    faults: { trigger: [{ kind: 'http', status: 503, times: 2 }] },
  },
};
