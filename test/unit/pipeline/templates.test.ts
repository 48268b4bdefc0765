import { collectRefs, renderTemplate } from '../../../src/pipeline/templates';
import { TemplateError } from '../../../src/pipeline/errors';

const scope = {
  input: { customer: { name: 'Ada', tags: ['vip', 'eu'] }, count: 3, empty: null },
  steps: { extract: { resultData: { text: 'hi', nested: { deep: [1, { x: true }] } }, executionId: 'exec_1' } },
};

test('a $ref keeps the type of the value it reads, at any depth and inside arrays', () => {
  expect(
    renderTemplate(
      {
        a: { $ref: 'input.count' },
        b: [{ $ref: 'steps.extract.resultData.nested.deep.1' }],
        c: { d: { $ref: 'input.empty' } },
        e: { $ref: 'input.customer.tags' },
      },
      scope,
      'payload',
    ),
  ).toEqual({ a: 3, b: [{ x: true }], c: { d: null }, e: ['vip', 'eu'] });
});

test('${…} puts text inside strings (JSON for objects), and $${ stays a literal ${', () => {
  expect(
    renderTemplate(
      'Hi ${input.customer.name} #${input.count} ${input.customer.tags} ${ steps.extract.executionId } $${x}',
      scope,
      'p',
    ),
  ).toBe('Hi Ada #3 ["vip","eu"] exec_1 ${x}');
});

test('a path that leads nowhere names the place and what is there instead', () => {
  const render = (template: unknown) => () => renderTemplate(template, scope, 'steps[1].payload');
  expect(render({ body: { $ref: 'steps.extract.resultData.summary' } })).toThrow(
    'steps[1].payload.body.$ref: steps.extract.resultData.summary does not exist: steps.extract.resultData has text, nested',
  );
  expect(render({ t: 'x ${input.customer.tags.5}' })).toThrow(
    'steps[1].payload.t: input.customer.tags.5 does not exist: input.customer.tags is an array of 2',
  );
  expect(render({ t: 'x ${input.count.value}' })).toThrow('input.count.value does not exist: input.count is number');
  expect(render({ $ref: 'output.x' })).toThrow(TemplateError);
  expect(render({ $ref: 'output.x' })).toThrow('must start with "input" or "steps"');
  expect(render({ $ref: 5 })).toThrow('steps[1].payload.$ref: must be a string path');
});

test('an object with $ref among other keys is plain data, not a reference', () => {
  expect(renderTemplate({ $ref: 'input.count', note: 'literal' }, scope, 'p')).toEqual({
    $ref: 'input.count',
    note: 'literal',
  });
});

test('collects every path a template reads, with where it is', () => {
  expect(
    collectRefs({ a: { $ref: 'input.x' }, b: ['${steps.s.resultData.y} and ${input.z}', '$${no}'] }, 'payload'),
  ).toEqual([
    { path: 'input.x', at: 'payload.a.$ref' },
    { path: 'steps.s.resultData.y', at: 'payload.b[0]' },
    { path: 'input.z', at: 'payload.b[0]' },
  ]);
});
