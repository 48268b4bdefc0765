/**
 * The pipelines the continue-as-new fuzz suite runs: together they cover every step kind and every
 * way a step ends, each built so its outcome does not depend on timing (a failing item starts with its
 * siblings, a retried execution fails by attempt, not by clock). Each case names its Codika workflows
 * `fz-<case>-<name>`, so the runs of every case can share one mock.
 */
import type { CodikaPipelineDefinition } from '../../src/pipeline/definition';
import type { MockExecutionScript } from '../../src/testing/mock-codika/mock-scripts';

/** One pipeline of the corpus, with the Codika it meets and what its operator answers. */
export interface FuzzCase {
  name: string;
  /** The pipeline, without its process instance (each run has one of its own). */
  pipeline: Omit<CodikaPipelineDefinition, 'processInstanceId'>;
  input?: unknown;
  /** The Codika workflows it triggers, each finishing after `delay(workflowId, payload)` ms. */
  scripts(delay: (workflowId: string, payload: unknown) => number): Record<string, MockExecutionScript>;
  /** How an operator answers each approval step once it waits; a step not named here is never answered. */
  answers?: Record<string, { approved: boolean; comment?: string }>;
  /** The run fails, and its redrive (`redriveCodikaPipeline`) is what the case ends as. */
  redrive?: boolean;
}

/** Quick polling with some backoff, so runs take seconds and still carry an interval across runs. */
export const FUZZ_POLL = {
  strategy: 'timer',
  firstPollAfter: 100,
  backoffCoefficient: 1.5,
  maxPollInterval: 500,
} as const;

const id = (kase: string, name: string) => `fz-${kase}-${name}`;

/** Scripts for `names`, each taking its seeded delay and answering `{ echo: payload }`. */
function plain(
  kase: string,
  delay: (workflowId: string, payload: unknown) => number,
  names: string[],
  extra: Record<string, Partial<MockExecutionScript>> = {},
): Record<string, MockExecutionScript> {
  return Object.fromEntries(
    names.map((name) => {
      const workflowId = id(kase, name);
      return [workflowId, { durationMs: (p: unknown) => delay(workflowId, p), ...extra[name] }];
    }),
  );
}

const n = (p: unknown) => (p as { n: number }).n;

export const CORPUS: FuzzCase[] = [
  {
    name: 'dag',
    input: { customer: 'ada', amount: 42 },
    pipeline: {
      steps: [
        { id: 'fetch', workflowId: id('dag', 'fetch'), payload: { customer: { $ref: 'input.customer' } } },
        {
          id: 'score',
          workflowId: id('dag', 'score'),
          dependsOn: ['fetch'],
          payload: { who: { $ref: 'steps.fetch.resultData.echo.customer' } },
        },
        {
          id: 'price',
          workflowId: id('dag', 'price'),
          dependsOn: ['fetch'],
          payload: { line: 'total ${input.amount} for ${steps.fetch.resultData.echo.customer}' },
        },
        {
          id: 'report',
          workflowId: id('dag', 'report'),
          dependsOn: ['score', 'price'],
          payload: { score: { $ref: 'steps.score.resultData' }, price: { $ref: 'steps.price.resultData' } },
        },
      ],
    },
    scripts: (delay) => plain('dag', delay, ['fetch', 'score', 'price', 'report']),
  },
  {
    name: 'items',
    input: { items: [0, 1, 2, 3, 4, 5, 6, 7] },
    pipeline: {
      steps: [
        {
          id: 'send',
          workflowId: id('items', 'send'),
          forEach: { items: { $ref: 'input.items' }, concurrency: 3 },
          payload: { n: { $ref: 'item' }, at: '#${index}' },
        },
        {
          id: 'sum',
          workflowId: id('items', 'sum'),
          dependsOn: ['send'],
          payload: { all: { $ref: 'steps.send.resultData' } },
        },
      ],
    },
    scripts: (delay) => plain('items', delay, ['send', 'sum'], { send: { resultData: (p: unknown) => n(p) * 10 } }),
  },
  {
    name: 'empty',
    pipeline: {
      steps: [
        { id: 'long', workflowId: id('empty', 'long') },
        { id: 'none', workflowId: id('empty', 'none'), forEach: { items: [] } },
        {
          id: 'read',
          workflowId: id('empty', 'read'),
          dependsOn: ['long', 'none'],
          payload: { got: { $ref: 'steps.none.resultData' } },
        },
      ],
    },
    scripts: (delay) => plain('empty', delay, ['long', 'none', 'read'], { long: { durationMs: 1_500 } }),
  },
  {
    name: 'item-fails',
    pipeline: {
      steps: [
        {
          id: 'first',
          workflowId: id('item-fails', 'first'),
          compensate: { workflowId: id('item-fails', 'undo-first') },
        },
        {
          id: 'send',
          workflowId: id('item-fails', 'send'),
          dependsOn: ['first'],
          forEach: { items: [0, 1, 2, 3, 4, 5], concurrency: 6 },
          payload: { n: { $ref: 'item' } },
          compensate: { workflowId: id('item-fails', 'undo'), payload: { n: { $ref: 'item' } } },
        },
        { id: 'after', workflowId: id('item-fails', 'after'), dependsOn: ['send'] },
      ],
    },
    scripts: (delay) =>
      plain('item-fails', delay, ['first', 'undo-first', 'send', 'undo', 'after'], {
        send: {
          durationMs: (p: unknown) => (n(p) === 2 ? 50 : 800 + delay(id('item-fails', 'send'), p)),
          failIf: (p: unknown) => (n(p) === 2 ? 'item two refused' : undefined),
        },
      }),
  },
  {
    name: 'items-continue',
    pipeline: {
      steps: [
        {
          id: 'send',
          workflowId: id('items-continue', 'send'),
          forEach: { items: [0, 1, 2, 3, 4], concurrency: 2 },
          payload: { n: { $ref: 'item' } },
          onFailure: 'continue',
        },
        {
          id: 'all-failed',
          workflowId: id('items-continue', 'never'),
          forEach: { items: [7, 8] },
          payload: { n: { $ref: 'item' } },
          onFailure: 'continue',
        },
        {
          id: 'read',
          workflowId: id('items-continue', 'read'),
          dependsOn: ['send', 'all-failed'],
          payload: { some: { $ref: 'steps.send.resultData' }, none: { $ref: 'steps.all-failed.resultData' } },
        },
      ],
    },
    scripts: (delay) =>
      plain('items-continue', delay, ['send', 'never', 'read'], {
        send: { failIf: (p: unknown) => (n(p) % 2 === 1 ? `odd ${n(p)}` : undefined) },
        never: { failWith: 'always' },
      }),
  },
  {
    name: 'item-data',
    // Data that looks like a template stays data: merge tags for Codika, a $ref-shaped object, a literal $${.
    input: {
      people: [
        { text: 'Hi ${firstName}', tag: { $ref: 'input.secret' } },
        { text: 'costs $${price}', tag: { $ref: 'steps.x' } },
        { text: 'plain', tag: null },
      ],
      secret: 'must not be read',
    },
    pipeline: {
      steps: [
        {
          id: 'greet',
          workflowId: id('item-data', 'greet'),
          forEach: { items: { $ref: 'input.people' }, concurrency: 2 },
          payload: { person: { $ref: 'item' } },
        },
      ],
    },
    scripts: (delay) => plain('item-data', delay, ['greet']),
  },
  {
    name: 'batches',
    // Batch child workflows of three items; their payloads hold template-like data that stays data.
    input: {
      people: Array.from({ length: 7 }, (_, i) => ({ n: i, text: `Hi \${firstName} #${i}`, raw: { $ref: 'input.x' } })),
    },
    pipeline: {
      steps: [
        {
          id: 'send',
          workflowId: id('batches', 'send'),
          forEach: { items: { $ref: 'input.people' }, concurrency: 2, batchSize: 3 },
          payload: { person: { $ref: 'item' }, line: 'item ${index}' },
        },
        {
          id: 'count',
          workflowId: id('batches', 'count'),
          dependsOn: ['send'],
          payload: { all: { $ref: 'steps.send.resultData' } },
        },
      ],
    },
    scripts: (delay) =>
      plain('batches', delay, ['send', 'count'], {
        send: { resultData: (p: unknown) => (p as { person: { n: number } }).person.n },
      }),
  },
  {
    name: 'batch-fails',
    // Item 4 (batch 1) fails: batch 2 never starts, and the pipeline undoes each item that succeeded, once.
    // One item at a time, so which items start before the failure is seen does not depend on timing
    // (the window hands batch 1 the one place once batch 0's last item ended).
    pipeline: {
      steps: [
        {
          id: 'send',
          workflowId: id('batch-fails', 'send'),
          forEach: { items: [0, 1, 2, 3, 4, 5, 6], concurrency: 1, batchSize: 3 },
          payload: { n: { $ref: 'item' } },
          compensate: { workflowId: id('batch-fails', 'undo'), payload: { n: { $ref: 'item' } } },
        },
        { id: 'after', workflowId: id('batch-fails', 'after'), dependsOn: ['send'] },
      ],
    },
    scripts: (delay) =>
      plain('batch-fails', delay, ['send', 'undo', 'after'], {
        send: {
          durationMs: (p: unknown) => (n(p) === 4 ? 50 : 100 + delay(id('batch-fails', 'send'), p) / 2),
          failIf: (p: unknown) => (n(p) === 4 ? 'item four refused' : undefined),
        },
      }),
  },
  {
    name: 'redrive-items',
    // Item 5 fails on its first execution while 0–4 run to their end; `ticker` fails too (continue).
    // The redrive runs `ticker` again (its checks fill the history) while `send` waits its start: the
    // run continues as new before any item starts, and must still poll 0–4 rather than trigger them,
    // trigger item 5 once more, then `after`, which reads both.
    redrive: true,
    pipeline: {
      steps: [
        { id: 'ticker', workflowId: id('redrive-items', 'ticker'), onFailure: 'continue' },
        {
          id: 'send',
          workflowId: id('redrive-items', 'send'),
          startAfter: '2 seconds',
          forEach: { items: [0, 1, 2, 3, 4, 5], concurrency: 6 },
          payload: { n: { $ref: 'item' } },
        },
        {
          id: 'after',
          workflowId: id('redrive-items', 'after'),
          dependsOn: ['send'],
          payload: { sent: { $ref: 'steps.send.resultData' } },
        },
      ],
    },
    scripts: (delay) =>
      plain('redrive-items', delay, ['ticker', 'send', 'after'], {
        ticker: {
          durationMs: 3_000,
          failIf: (_p: unknown, attempt: number) => (attempt === 1 ? 'not yet' : undefined),
        },
        send: {
          durationMs: (p: unknown) => (n(p) === 5 ? 50 : 300 + delay(id('redrive-items', 'send'), p)),
          failIf: (p: unknown, attempt: number) => (n(p) === 5 && attempt === 1 ? 'not yet' : undefined),
        },
      }),
  },
  {
    name: 'redrive-batches',
    // The same in batches of two: the redrive's batches poll their items that ran before.
    redrive: true,
    pipeline: {
      steps: [
        {
          id: 'send',
          workflowId: id('redrive-batches', 'send'),
          forEach: { items: [0, 1, 2, 3, 4, 5], concurrency: 1, batchSize: 2 },
          payload: { n: { $ref: 'item' } },
        },
      ],
    },
    scripts: (delay) =>
      plain('redrive-batches', delay, ['send'], {
        send: { failIf: (p: unknown, attempt: number) => (n(p) === 3 && attempt === 1 ? 'not yet' : undefined) },
      }),
  },
  {
    name: 'batch-fails-at-once',
    // Item 1 fails while the whole of batch 0 runs: the batch says so in the message that frees its
    // place, so no later batch starts, whatever the schedule; items 0 and 2 are undone once each.
    pipeline: {
      steps: [
        {
          id: 'send',
          workflowId: id('batch-fails-at-once', 'send'),
          forEach: { items: [0, 1, 2, 3, 4, 5, 6], concurrency: 3, batchSize: 3 },
          payload: { n: { $ref: 'item' } },
          compensate: { workflowId: id('batch-fails-at-once', 'undo'), payload: { n: { $ref: 'item' } } },
        },
      ],
    },
    scripts: (delay) =>
      plain('batch-fails-at-once', delay, ['send', 'undo'], {
        send: {
          durationMs: (p: unknown) => (n(p) === 1 ? 50 : 2_500 + delay(id('batch-fails-at-once', 'send'), p)),
          failIf: (p: unknown) => (n(p) === 1 ? 'item one refused' : undefined),
        },
      }),
  },
  {
    name: 'retry',
    pipeline: {
      steps: [
        {
          id: 'flaky',
          workflowId: id('retry', 'flaky'),
          retry: { maximumAttempts: 3, initialInterval: '300 ms' },
        },
        {
          id: 'items',
          workflowId: id('retry', 'item'),
          forEach: { items: [0, 1, 2], concurrency: 3 },
          payload: { n: { $ref: 'item' } },
          retry: { maximumAttempts: 2, initialInterval: '200 ms' },
        },
        { id: 'after', workflowId: id('retry', 'after'), dependsOn: ['flaky', 'items'] },
      ],
    },
    scripts: (delay) =>
      plain('retry', delay, ['flaky', 'item', 'after'], {
        flaky: { failIf: (_p: unknown, attempt: number) => (attempt < 3 ? `attempt ${attempt} failed` : undefined) },
        item: { failIf: (p: unknown, attempt: number) => (n(p) === 1 && attempt === 1 ? 'once' : undefined) },
      }),
  },
  {
    name: 'start-after',
    pipeline: {
      steps: [
        { id: 'busy', workflowId: id('start-after', 'busy') },
        { id: 'later', workflowId: id('start-after', 'later'), startAfter: '1500 ms' },
        { id: 'last', workflowId: id('start-after', 'last'), dependsOn: ['later'], startAfter: '300 ms' },
      ],
    },
    scripts: (delay) => plain('start-after', delay, ['busy', 'later', 'last']),
  },
  {
    name: 'approved',
    pipeline: {
      steps: [
        { id: 'prepare', workflowId: id('approved', 'prepare') },
        {
          id: 'ok',
          approval: { prompt: 'Send ${steps.prepare.executionId}?', timeout: '1 minute' },
          dependsOn: ['prepare'],
        },
        {
          id: 'send',
          workflowId: id('approved', 'send'),
          dependsOn: ['ok'],
          payload: { by: { $ref: 'steps.ok.resultData.by' } },
        },
      ],
    },
    scripts: (delay) => plain('approved', delay, ['prepare', 'send']),
    answers: { ok: { approved: true, comment: 'fine' } },
  },
  {
    name: 'rejected',
    pipeline: {
      steps: [
        { id: 'reserve', workflowId: id('rejected', 'reserve'), compensate: { workflowId: id('rejected', 'release') } },
        { id: 'ok', approval: { prompt: 'Charge?' }, dependsOn: ['reserve'] },
        { id: 'charge', workflowId: id('rejected', 'charge'), dependsOn: ['ok'] },
      ],
    },
    scripts: (delay) => plain('rejected', delay, ['reserve', 'release', 'charge']),
    answers: { ok: { approved: false, comment: 'too much' } },
  },
  {
    name: 'timed-out',
    pipeline: {
      steps: [
        { id: 'busy', workflowId: id('timed-out', 'busy') },
        { id: 'auto', approval: { prompt: 'Go?', timeout: '1500 ms', onTimeout: 'approve' } },
        { id: 'after-auto', workflowId: id('timed-out', 'after'), dependsOn: ['auto'] },
        { id: 'strict', approval: { prompt: 'Really?', timeout: '2500 ms' }, dependsOn: ['after-auto'] },
        { id: 'never', workflowId: id('timed-out', 'never'), dependsOn: ['strict'] },
      ],
    },
    scripts: (delay) => plain('timed-out', delay, ['busy', 'after', 'never']),
  },
  {
    name: 'when',
    input: { tier: 'gold', count: 3 },
    pipeline: {
      steps: [
        { id: 'base', workflowId: id('when', 'base') },
        {
          id: 'gold',
          workflowId: id('when', 'gold'),
          dependsOn: ['base'],
          when: { equals: [{ $ref: 'input.tier' }, 'gold'] },
        },
        {
          id: 'silver',
          workflowId: id('when', 'silver'),
          dependsOn: ['base'],
          when: { equals: [{ $ref: 'input.tier' }, 'silver'] },
        },
        { id: 'after-silver', workflowId: id('when', 'after-silver'), dependsOn: ['silver'] },
        { id: 'anyway', workflowId: id('when', 'anyway'), dependsOn: ['silver'], runIfSkipped: true },
        {
          id: 'many',
          workflowId: id('when', 'many'),
          dependsOn: ['gold'],
          when: { greaterThan: [{ $ref: 'input.count' }, 2] },
        },
      ],
    },
    scripts: (delay) => plain('when', delay, ['base', 'gold', 'silver', 'after-silver', 'anyway', 'many']),
  },
  {
    name: 'saga',
    pipeline: {
      steps: [
        {
          id: 'reserve',
          workflowId: id('saga', 'reserve'),
          compensate: { workflowId: id('saga', 'release'), payload: { r: { $ref: 'steps.reserve.resultData' } } },
        },
        {
          id: 'charge',
          workflowId: id('saga', 'charge'),
          dependsOn: ['reserve'],
          compensate: { workflowId: id('saga', 'refund') },
        },
        { id: 'notify', workflowId: id('saga', 'notify'), onFailure: 'continue' },
        { id: 'ship', workflowId: id('saga', 'ship'), dependsOn: ['charge'] },
        { id: 'never', workflowId: id('saga', 'never'), dependsOn: ['ship'] },
      ],
    },
    scripts: (delay) =>
      plain('saga', delay, ['reserve', 'release', 'charge', 'refund', 'notify', 'ship', 'never'], {
        notify: { failWith: 'mailbox full' },
        ship: { failWith: 'no courier' },
      }),
  },
  {
    name: 'refused',
    pipeline: {
      steps: [
        { id: 'busy', workflowId: id('refused', 'busy') },
        { id: 'send', workflowId: id('refused', 'send'), payload: { text: 'hello' } },
        { id: 'after', workflowId: id('refused', 'after'), dependsOn: ['send'] },
      ],
    },
    scripts: (delay) =>
      plain('refused', delay, ['busy', 'send', 'after'], {
        send: {
          faults: {
            trigger: [
              { kind: 'http', status: 503 },
              { kind: 'http', status: 429, retryAfter: 1 },
            ],
          },
        },
      }),
  },
  {
    name: 'strategies',
    pipeline: {
      steps: [
        { id: 'timer', workflowId: id('strategies', 'timer') },
        {
          id: 'activity',
          workflowId: id('strategies', 'activity'),
          poll: { strategy: 'activity', firstPollAfter: 100, backoffCoefficient: 1.5, maxPollInterval: 400 },
        },
        {
          id: 'retry',
          workflowId: id('strategies', 'retry'),
          poll: { strategy: 'retry', firstPollAfter: 100, backoffCoefficient: 1.5, maxPollInterval: 400 },
        },
        { id: 'join', workflowId: id('strategies', 'join'), dependsOn: ['timer', 'activity', 'retry'] },
      ],
    },
    scripts: (delay) => plain('strategies', delay, ['timer', 'activity', 'retry', 'join']),
  },
];
