/**
 * Checks a pipeline definition as a whole before anything starts: its shape (zod), then its graph
 * (duplicate and unknown step ids, cycles) and its templates (paths that lead nowhere, steps that are
 * not upstream). Every problem is reported at once, each with the path of the offending value.
 */
import { z } from 'zod';
import { approvalStepSchema, executionStepSchema, pipelineSchema, type CodikaPipelineDefinition } from './definition';
import { conditionProblems, conditionRefs } from './conditions';
import { collectRefs, pathProblem, stepOfPath, type TemplateRef } from './templates';

/** One thing wrong with a definition: where (`steps[2].dependsOn[0]`) and what to do about it. */
export interface PipelineProblem {
  /** Where, e.g. `steps[2].dependsOn[0]`. */
  path: string;
  /** What is wrong, and what to do about it. */
  message: string;
}

/** A definition that passed every check, with its steps in an order that respects `dependsOn`. @inline */
export interface CheckedPipeline {
  /** The definition as the schema parsed it. */
  pipeline: CodikaPipelineDefinition;
  /** Step ids in an order that respects `dependsOn`. */
  order: string[];
}

/** What {@link checkPipeline} found: `ok` with the checked pipeline, or every problem at once. */
export type PipelineCheck = ({ ok: true } & CheckedPipeline) | { ok: false; problems: PipelineProblem[] };

/**
 * The pipeline's own fields; each step is then checked against its kind's schema, and conditions by
 * `conditions.ts`, whose messages name the operator at fault where a union's would not.
 */
const shellSchema = pipelineSchema.extend({ steps: z.array(z.unknown()).min(1, 'a pipeline needs at least one step') });
const STEP_KINDS = {
  execution: executionStepSchema.extend({ when: z.unknown().optional() }),
  approval: approvalStepSchema.extend({ when: z.unknown().optional() }),
};

/** Checks `definition` (parsed JSON); never throws. */
export function checkPipeline(definition: unknown): PipelineCheck {
  const parsed = shellSchema.safeParse(definition);
  const problems: PipelineProblem[] = parsed.success ? [] : parsed.error.issues.map((i) => problemOf(i));
  let shapesOk = parsed.success;
  const rawSteps = (definition as { steps?: unknown } | null)?.steps;
  for (const [index, raw] of (Array.isArray(rawSteps) ? rawSteps : []).entries()) {
    const kind = typeof raw === 'object' && raw !== null && 'approval' in raw ? 'approval' : 'execution';
    const step = STEP_KINDS[kind].safeParse(raw);
    if (!step.success) {
      shapesOk = false;
      problems.push(...step.error.issues.map((i) => problemOf(i, `steps[${index}]`, kind)));
    }
  }
  // The graph is checked even when some fields are malformed, so one run lists everything.
  const steps = looseSteps(definition);
  problems.push(
    ...graphProblems(steps),
    ...steps.flatMap((s) => (s.when === undefined ? [] : conditionProblems(s.when, `steps[${s.index}].when`))),
    ...referenceProblems(steps),
    ...instanceProblems(definition),
    ...attachProblems(rawSteps),
    ...operatorTimeoutProblems(definition),
  );
  const order = topologicalOrder(steps);
  if (problems.length > 0 || !shapesOk || order === undefined) {
    return { ok: false, problems: dedupe(problems) };
  }
  return { ok: true, pipeline: parsed.data as CodikaPipelineDefinition, order };
}

/** The problems as one message, a line each, for errors and the CLI. */
export function formatProblems(problems: readonly PipelineProblem[]): string {
  const plural = problems.length === 1 ? 'problem' : 'problems';
  return [`The pipeline has ${problems.length} ${plural}:`, ...problems.map((p) => `  - ${p.path}: ${p.message}`)].join(
    '\n',
  );
}

interface LooseStep {
  index: number;
  id?: string;
  dependsOn: { id: string; index: number }[];
  payload?: unknown;
  compensatePayload?: unknown;
  when?: unknown;
  forEachItems?: unknown;
  approvalPrompt?: unknown;
  isApproval: boolean;
}

function looseSteps(definition: unknown): LooseStep[] {
  const steps = (definition as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(steps)) return [];
  return steps.map((raw: unknown, index) => {
    const step = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const dependsOn = Array.isArray(step.dependsOn) ? step.dependsOn : [];
    const compensate = step.compensate as { payload?: unknown } | undefined;
    const forEach = step.forEach as { items?: unknown } | undefined;
    const approval = step.approval as { prompt?: unknown } | undefined;
    return {
      index,
      id: typeof step.id === 'string' ? step.id : undefined,
      dependsOn: dependsOn.flatMap((id: unknown, i) => (typeof id === 'string' ? [{ id, index: i }] : [])),
      payload: step.payload,
      compensatePayload: typeof compensate === 'object' && compensate !== null ? compensate.payload : undefined,
      when: step.when,
      forEachItems: typeof forEach === 'object' && forEach !== null ? forEach.items : undefined,
      approvalPrompt: typeof approval === 'object' && approval !== null ? approval.prompt : undefined,
      isApproval: 'approval' in step,
    };
  });
}

function graphProblems(steps: LooseStep[]): PipelineProblem[] {
  const problems: PipelineProblem[] = [];
  const firstIndex = new Map<string, number>();
  for (const step of steps) {
    if (step.id === undefined) continue;
    const earlier = firstIndex.get(step.id);
    if (earlier !== undefined) {
      problems.push({
        path: `steps[${step.index}].id`,
        message: `"${step.id}" is already the id of steps[${earlier}]`,
      });
    } else firstIndex.set(step.id, step.index);
  }
  for (const step of steps) {
    const seen = new Set<string>();
    for (const dep of step.dependsOn) {
      const at = `steps[${step.index}].dependsOn[${dep.index}]`;
      if (dep.id === step.id) problems.push({ path: at, message: 'a step cannot depend on itself' });
      else if (!firstIndex.has(dep.id))
        problems.push({ path: at, message: `no step has the id "${dep.id}"${suggest(dep.id, firstIndex.keys())}` });
      else if (seen.has(dep.id)) problems.push({ path: at, message: `"${dep.id}" is listed twice` });
      seen.add(dep.id);
    }
  }
  for (const cycle of cycles(steps)) {
    const start = steps.find((s) => s.id === cycle[0])!;
    problems.push({
      path: `steps[${start.index}].dependsOn`,
      message: `dependsOn forms a cycle: ${[...cycle, cycle[0]].join(' → ')}; no step of it could ever start`,
    });
  }
  return problems;
}

function referenceProblems(steps: LooseStep[]): PipelineProblem[] {
  const problems: PipelineProblem[] = [];
  const byId = firstById(steps);
  const upstreamOf = upstreamSets(steps);
  /** `perItem`: the place runs once per forEach item, so `item` and `index` exist there. */
  const check = (step: LooseStep, refs: TemplateRef[], options: { selfAllowed?: boolean; perItem?: boolean } = {}) => {
    for (const ref of refs) {
      const shape = pathProblem(ref.path);
      if (shape) {
        problems.push({ path: ref.at, message: shape });
        continue;
      }
      const root = ref.path.split('.')[0];
      if ((root === 'item' || root === 'index') && !options.perItem) {
        const where = step.forEachItems === undefined ? 'a step without forEach' : "a forEach step's items or when";
        problems.push({
          path: ref.at,
          message: `reads "${root}", which exists only in a forEach step's payload; this is ${where}`,
        });
        continue;
      }
      const source = stepOfPath(ref.path);
      if (source === undefined) continue;
      const upstream = upstreamOf.get(step.index) ?? new Set<string>();
      const sourceStep = byId.get(source);
      if (!sourceStep) {
        problems.push({
          path: ref.at,
          message: `reads step "${source}", and no step has that id${suggest(source, byId.keys())}`,
        });
      } else if (!(upstream.has(source) || (options.selfAllowed && source === step.id))) {
        problems.push({
          path: ref.at,
          message: `reads step "${source}", which is not upstream of "${step.id ?? `steps[${step.index}]`}": add "${source}" to its dependsOn`,
        });
      } else if (
        ref.path.split('.')[2] === 'executionId' &&
        (sourceStep.forEachItems !== undefined || sourceStep.isApproval)
      ) {
        problems.push({
          path: ref.at,
          message: sourceStep.isApproval
            ? `step "${source}" is an approval: it has no executionId; read steps.${source}.resultData.approved`
            : `step "${source}" runs once per item, with one executionId each: read steps.${source}.resultData`,
        });
      }
    }
  };
  for (const step of steps) {
    const perItem = step.forEachItems !== undefined;
    check(step, collectRefs(step.payload, `steps[${step.index}].payload`), { perItem });
    // A compensation runs after its step succeeded (per item with forEach), so it may read that step's own result.
    check(step, collectRefs(step.compensatePayload, `steps[${step.index}].compensate.payload`), {
      selfAllowed: true,
      perItem,
    });
    check(step, conditionRefs(step.when, `steps[${step.index}].when`));
    check(step, collectRefs(step.forEachItems, `steps[${step.index}].forEach.items`));
    check(step, collectRefs(step.approvalPrompt, `steps[${step.index}].approval.prompt`));
  }
  return problems;
}

/** Every step (and compensation) needs a process instance: its own or the pipeline's. */
function instanceProblems(definition: unknown): PipelineProblem[] {
  const pipeline = (typeof definition === 'object' && definition !== null ? definition : {}) as Record<string, unknown>;
  if (pipeline.processInstanceId !== undefined || !Array.isArray(pipeline.steps)) return [];
  return pipeline.steps.flatMap((raw: unknown, index) => {
    const step = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    // An approval calls no Codika workflow, so it needs no process instance.
    if (step.processInstanceId !== undefined || 'approval' in step) return [];
    return [
      {
        path: `steps[${index}].processInstanceId`,
        message: 'is required when the pipeline sets no processInstanceId for all its steps',
      },
    ];
  });
}

/** Steps by id; of duplicates, the first (the others are reported as duplicates). */
/**
 * A step that attaches (`executionId`) polls one execution started elsewhere and triggers nothing:
 * a payload would never be sent, and forEach or retry would have to trigger.
 */
function attachProblems(rawSteps: unknown): PipelineProblem[] {
  if (!Array.isArray(rawSteps)) return [];
  return rawSteps.flatMap((raw: unknown, index) => {
    if (typeof raw !== 'object' || raw === null || (raw as { executionId?: unknown }).executionId === undefined)
      return [];
    return (['payload', 'forEach', 'retry'] as const)
      .filter((field) => (raw as Record<string, unknown>)[field] !== undefined)
      .map((field) => ({
        path: `steps[${index}].${field}`,
        message: `cannot go with executionId: a step that attaches polls that one execution and triggers nothing; remove ${field} or executionId`,
      }));
  });
}

/** A step's `operatorTimeout` that nothing reads: the step does not ask (neither its own choice nor the pipeline's). */
function operatorTimeoutProblems(definition: unknown): PipelineProblem[] {
  const pipeline = (typeof definition === 'object' && definition !== null ? definition : {}) as {
    onTriggerOutcomeUnknown?: unknown;
    steps?: unknown;
  };
  if (!Array.isArray(pipeline.steps)) return [];
  return pipeline.steps.flatMap((raw: unknown, index) => {
    const step = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const asks = (step.onTriggerOutcomeUnknown ?? pipeline.onTriggerOutcomeUnknown) === 'ask';
    if (step.operatorTimeout === undefined || asks) return [];
    return [
      {
        path: `steps[${index}].operatorTimeout`,
        message:
          "applies only to a step that asks: set onTriggerOutcomeUnknown 'ask' (here or for the pipeline), or remove it",
      },
    ];
  });
}

function firstById(steps: LooseStep[]): Map<string, LooseStep> {
  const byId = new Map<string, LooseStep>();
  for (const step of steps) if (step.id !== undefined && !byId.has(step.id)) byId.set(step.id, step);
  return byId;
}

/** For each step (by index), every step it depends on, directly or not. */
function upstreamSets(steps: LooseStep[]): Map<number, Set<string>> {
  const byId = firstById(steps);
  const result = new Map<number, Set<string>>();
  for (const step of steps) {
    const upstream = new Set<string>();
    const stack = step.dependsOn.map((d) => d.id);
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (upstream.has(id) || id === step.id) continue;
      upstream.add(id);
      for (const d of byId.get(id)?.dependsOn ?? []) stack.push(d.id);
    }
    result.set(step.index, upstream);
  }
  return result;
}

/** Each distinct cycle once, as the ids along it. */
function cycles(steps: LooseStep[]): string[][] {
  const byId = firstById(steps);
  const state = new Map<string, 'visiting' | 'done'>();
  const found: string[][] = [];
  const trail: string[] = [];
  const visit = (id: string) => {
    state.set(id, 'visiting');
    trail.push(id);
    for (const dep of byId.get(id)?.dependsOn ?? []) {
      if (dep.id === id || !byId.has(dep.id)) continue; // reported elsewhere
      if (state.get(dep.id) === 'visiting') found.push(trail.slice(trail.indexOf(dep.id)));
      else if (!state.has(dep.id)) visit(dep.id);
    }
    trail.pop();
    state.set(id, 'done');
  };
  for (const id of byId.keys()) if (!state.has(id)) visit(id);
  return found;
}

/** Kahn's order, keeping the file's order among ready steps; undefined when a cycle blocks it. */
function topologicalOrder(steps: LooseStep[]): string[] | undefined {
  const pending = steps.filter((s) => s.id !== undefined);
  const done = new Set<string>();
  const order: string[] = [];
  while (pending.length > 0) {
    const ready = pending.findIndex((s) => s.dependsOn.every((d) => done.has(d.id)));
    if (ready < 0) return undefined;
    const [step] = pending.splice(ready, 1);
    done.add(step!.id!);
    order.push(step!.id!);
  }
  return order;
}

/** `prefix`: where the checked value sits (`steps[2]`); `kind`: the step kind it was checked as. */
function problemOf(issue: z.core.$ZodIssue, prefix = '', kind?: keyof typeof STEP_KINDS): PipelineProblem {
  const path = issue.path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
    prefix,
  );
  return { path: path || '(the pipeline)', message: messageOf(issue, kind) };
}

/** Fields only the other step kind has, to say why they are refused. */
const OTHER_KIND_FIELDS: Record<keyof typeof STEP_KINDS, Set<string>> = {
  execution: new Set(['approval']),
  approval: new Set(Object.keys(executionStepSchema.shape).filter((k) => !(k in approvalStepSchema.shape))),
};

function messageOf(issue: z.core.$ZodIssue, kind?: keyof typeof STEP_KINDS): string {
  if (issue.code === 'unrecognized_keys') {
    const list = `${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    if (kind === 'approval' && issue.keys.some((k) => OTHER_KIND_FIELDS.approval.has(k))) {
      return `unknown field${list}: an approval step waits for a person and calls no Codika workflow`;
    }
    return `unknown field${list}`;
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return `is required (${issue.expected})`;
  return issue.message;
}

function suggest(id: string, known: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(id, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

function dedupe(problems: PipelineProblem[]): PipelineProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\n${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
