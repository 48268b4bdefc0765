import { condition, defineUpdate, setHandler } from '@temporalio/workflow';
import type {
  CodikaResolveTriggerRequest,
  CodikaTriggerAnswer,
  CodikaTriggerResolution,
} from '../../shared/execution-types';
import { CodikaValidationError } from '../../shared/errors';
import { validateId } from '../../shared/validation';

/**
 * Update: answers a step waiting for an operator because its trigger's outcome is unknown
 * (`onTriggerOutcomeUnknown: 'ask'`). Returns the answer as the step keeps it. The validator refuses,
 * before anything is recorded, a run or step that is not waiting, a `started` without executionId, an
 * executionId with another resolution, and an answer to a question already answered.
 */
export const codikaResolveTriggerUpdate = defineUpdate<CodikaTriggerAnswer, [CodikaResolveTriggerRequest]>(
  'codikaResolveTrigger',
);

const RESOLUTIONS: readonly CodikaTriggerResolution[] = ['started', 'not-started', 'abandon'];

/** Where a waiting step sits in its run: a pipeline's step id and forEach item; neither for a lone execution. */
export interface OperatorAddress {
  step?: string;
  item?: number;
}

/** One question waiting for its answer. */
interface Waiting {
  address: OperatorAddress;
  answer?: CodikaTriggerAnswer;
}

/**
 * The questions of this run that wait, by address. Workflow code gets a fresh copy of each module per
 * run, so this holds only the run's own; it holds nothing a continued run needs (a run does not
 * continue as new while one of its steps waits for an operator: nothing of the wait is lost).
 */
const waiting = new Map<string, Waiting>();
/** Questions answered in this run, so a second answer is refused by name rather than as "not waiting". */
const answered = new Map<string, CodikaTriggerAnswer>();
let handlerInstalled = false;

/**
 * Steps outside a pipeline (the execution workflow, the step helper in a user's workflow) have no
 * address: each is named `execution-1`, `execution-2`… in the order they ask, so two asking at once
 * can each be answered. An answer naming none reaches the one that waits, when only one does.
 */
function distinctAddress(address: OperatorAddress): OperatorAddress {
  if (address.step !== undefined) return address;
  for (let n = 1; ; n++) if (!waiting.has(`execution-${n}`)) return { step: `execution-${n}` };
}

function keyOf({ step, item }: OperatorAddress): string {
  return `${step ?? ''}${item === undefined ? '' : `[${item}]`}`;
}

function describe(address: OperatorAddress): string {
  if (address.step === undefined) return 'the execution';
  if (/^execution-\d+$/.test(address.step)) return address.step;
  return address.item === undefined ? `step "${address.step}"` : `item ${address.item} of step "${address.step}"`;
}

/**
 * Waits for an operator's answer to the question at `address`, up to `timeoutMs`. The first question
 * of a run installs the update's handler, so any workflow that runs a Codika step (the execution and
 * pipeline workflows, a user's own through the step helper) answers it without code of its own.
 *
 * @returns the answer, or `undefined` when the timeout passed first.
 */
export async function awaitOperatorAnswer(
  address: OperatorAddress,
  timeoutMs: number,
): Promise<CodikaTriggerAnswer | undefined> {
  installHandler();
  const own = distinctAddress(address);
  const key = keyOf(own);
  const question: Waiting = { address: own };
  waiting.set(key, question);
  try {
    await condition(() => question.answer !== undefined, timeoutMs);
    return question.answer;
  } finally {
    waiting.delete(key);
  }
}

/**
 * Installs the `codikaResolveTrigger` handler now (the execution and pipeline workflows do at start),
 * so an answer sent when nothing waits is refused by this library's validator, with a reason, rather
 * than by the SDK as an update nobody handles.
 */
export function installHandler(): void {
  if (handlerInstalled) return;
  handlerInstalled = true;
  setHandler(
    codikaResolveTriggerUpdate,
    (request) => {
      const question = findQuestion(request)!;
      const answer: CodikaTriggerAnswer = {
        resolution: request.resolution,
        ...(request.resolution === 'started' ? { executionId: request.executionId!.trim() } : {}),
        by: request.by.trim(),
        at: new Date(Date.now()).toISOString(),
      };
      question.answer = answer;
      answered.set(keyOf(question.address), answer);
      return answer;
    },
    { validator: (request) => void findQuestion(request) },
  );
}

/** The waiting question the request answers. @throws CodikaValidationError naming what is wrong. */
function findQuestion(request: CodikaResolveTriggerRequest): Waiting {
  if (typeof request !== 'object' || request === null) {
    throw new CodikaValidationError('request', 'expected { resolution, by, executionId?, step?, item? }');
  }
  const { resolution, executionId, by, step, item } = request;
  if (!RESOLUTIONS.includes(resolution)) {
    throw new CodikaValidationError('resolution', `must be one of ${RESOLUTIONS.join(', ')}`);
  }
  if (typeof by !== 'string' || by.trim() === '') {
    throw new CodikaValidationError('by', 'name who answers (kept in history and in the step state)');
  }
  if (resolution === 'started') {
    if (typeof executionId !== 'string' || executionId.trim() === '') {
      throw new CodikaValidationError('executionId', "is required with 'started': the execution Codika started");
    }
    validateId('executionId', executionId.trim());
  } else if (executionId !== undefined) {
    throw new CodikaValidationError('executionId', `goes only with 'started', not with '${resolution}'`);
  }
  if (item !== undefined && !(Number.isInteger(item) && item >= 0)) {
    throw new CodikaValidationError('item', 'must be an item index (an integer from 0)');
  }
  if (step !== undefined || item !== undefined) {
    const address = { step, item };
    const found = waiting.get(keyOf(address)) ?? onlyItemOf(step, item);
    if (found && found.answer === undefined) return found;
    const earlier = found?.answer ?? answered.get(keyOf(address));
    if (earlier) {
      throw new CodikaValidationError(
        'request',
        `${describe(address)} was already answered ('${earlier.resolution}' by ${earlier.by} at ${earlier.at})`,
      );
    }
    const items = [...waiting.values()].filter((q) => q.address.step === step && q.answer === undefined);
    if (item === undefined && items.length > 1) {
      throw new CodikaValidationError('item', `more than one item of step "${step}" waits: name one${waitingList()}`);
    }
    throw new CodikaValidationError('step', `${describe(address)} is not waiting for an operator${waitingList()}`);
  }
  const open = [...waiting.values()].filter((question) => question.answer === undefined);
  if (open.length === 1) return open[0]!;
  if (open.length > 1) {
    throw new CodikaValidationError('step', `more than one step waits: name one with step (and item)${waitingList()}`);
  }
  const earlier = [...answered.values()].at(-1);
  if (earlier && waiting.size === 0 && answered.size === 1) {
    throw new CodikaValidationError(
      'request',
      `the question was already answered ('${earlier.resolution}' by ${earlier.by} at ${earlier.at})`,
    );
  }
  throw new CodikaValidationError('request', 'nothing in this run waits for an operator');
}

/** With a step and no item: the one item of that step that waits, when only one does. */
function onlyItemOf(step: string | undefined, item: number | undefined): Waiting | undefined {
  if (step === undefined || item !== undefined) return undefined;
  const open = [...waiting.values()].filter((q) => q.address.step === step && q.answer === undefined);
  return open.length === 1 ? open[0] : undefined;
}

/** The questions still open, in step and item order (not in the order they were asked, which varies). */
function waitingList(): string {
  const open = [...waiting.values()]
    .filter((question) => question.answer === undefined)
    .sort(
      (a, b) =>
        (a.address.step ?? '').localeCompare(b.address.step ?? '') || (a.address.item ?? -1) - (b.address.item ?? -1),
    );
  return open.length === 0 ? '' : `; waiting: ${open.map((question) => describe(question.address)).join(', ')}`;
}
