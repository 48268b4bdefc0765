import { checkPipeline, formatProblems } from '../../../src/pipeline/check-pipeline';

test('accepts a valid pipeline and orders its steps by dependsOn', () => {
  const check = checkPipeline({
    processInstanceId: 'pi_1',
    steps: [
      {
        id: 'notify',
        workflowId: 'http-direct-messaging',
        dependsOn: ['summarize'],
        payload: { text: { $ref: 'steps.summarize.resultData.text' } },
      },
      {
        id: 'summarize',
        workflowId: 'summarize',
        dependsOn: ['extract'],
        payload: { doc: '${steps.extract.resultData.id}' },
      },
      { id: 'extract', workflowId: 'extract-text', payload: { url: { $ref: 'input.url' } } },
    ],
  });
  expect(check).toMatchObject({ ok: true, order: ['extract', 'summarize', 'notify'] });
});

test('reports every problem at once, each with its path', () => {
  const check = checkPipeline({
    processInstanceId: 'pi_1',
    poll: { deadline: 'soonish', firstPollAfter: -1, typo: 1 },
    color: 'blue',
    steps: [
      { id: 'a', workflowId: 'wf', dependsOn: ['a'] },
      { id: '1bad', workflowId: 'a/b' },
      { id: 'b', dependsOn: ['c', 'c'], onFailure: 'ignore' },
      {
        id: 'c',
        workflowId: 'wf',
        dependsOn: ['b'],
        payload: { x: { $ref: 'steps.d.resultData' }, y: '${steps.a.output}' },
      },
      {
        id: 'd',
        workflowId: 'wf',
        payload: { x: { $ref: 'steps.extrct.resultData' } },
        compensate: { workflowId: 'undo', payload: { y: { $ref: 'steps.d.resultData.id' } } },
      },
    ],
  });
  expect(check.ok).toBe(false);
  const text = check.ok ? '' : formatProblems(check.problems);
  for (const expected of [
    '(the pipeline): unknown field "color"',
    'poll.deadline: is not a positive duration',
    'poll.firstPollAfter',
    'poll: unknown field "typo"',
    'steps[0].dependsOn[0]: a step cannot depend on itself',
    'steps[1].id: must start with a letter',
    'steps[1].workflowId',
    'steps[2].workflowId: is required',
    'steps[2].onFailure',
    'steps[2].dependsOn[1]: "c" is listed twice',
    'steps[2].dependsOn: dependsOn forms a cycle: b → c → b',
    'steps[3].payload.x.$ref: reads step "d", which is not upstream of "c": add "d" to its dependsOn',
    'steps[3].payload.y: "steps.a.output" must read steps.<id>.resultData or steps.<id>.executionId',
    'steps[4].payload.x.$ref: reads step "extrct", and no step has that id',
  ]) {
    expect(text).toContain(expected);
  }
  // A compensation may read its own step's result.
  expect(text).not.toContain('compensate.payload');
});

test('a step needs a process instance, its own or the pipeline’s', () => {
  const check = checkPipeline({
    steps: [
      { id: 'a', workflowId: 'wf' },
      { id: 'b', workflowId: 'wf', processInstanceId: 'pi_b' },
    ],
  });
  expect(check.ok ? [] : check.problems).toEqual([
    {
      path: 'steps[0].processInstanceId',
      message: 'is required when the pipeline sets no processInstanceId for all its steps',
    },
  ]);
});

test('something that is not a pipeline at all is reported, not thrown', () => {
  for (const junk of [null, 42, 'steps', [], { steps: 'a' }, { steps: [] }]) {
    const check = checkPipeline(junk);
    expect(check.ok).toBe(false);
  }
});
