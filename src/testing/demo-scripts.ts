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
  'invoice-check': { durationMs: 2_500, failWith: 'Invoice total does not match the sum of its line items' },
  'flaky-import': {
    durationMs: 1_500,
    resultData: { imported: 120 },
    faults: { trigger: [{ kind: 'http', status: 503, times: 2 }] },
  },
};
