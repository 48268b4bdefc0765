import { CodikaClient } from '../../../src/codika/client';
import { CodikaValidationError } from '../../../src/shared/errors';
import { MAX_ID_LENGTH } from '../../../src/shared/validation';
import { API_KEY, PI, clientFor, rejectionOf, startMock, stopMocks } from '../../helpers/mock-fixture';

afterEach(stopMocks);

const BAD_IDS: [string, unknown][] = [
  ['empty', ''],
  ['with /', 'a/b'],
  ['with ..', 'a..b'],
  ['equal to ..', '..'],
  ['with \\', 'a\\b'],
  ['with a space', 'a b'],
  ['with a tab', 'a\tb'],
  ['with a newline', 'a\nb'],
  ['with a NUL', 'a\u0000b'],
  ['with DEL', 'a\u007fb'],
  ['with a non-breaking space', 'a\u00a0b'],
  ['of 10,000 characters', 'x'.repeat(10_000)],
  ['with ?', 'a?b'],
  ['with #', 'a#b'],
  ['with %2F', 'a%2Fb'],
  ['with unicode', 'café'],
  ['with an emoji', 'wf-🚀'],
  ['a number', 42],
  ['null', null],
  ['undefined', undefined],
  ['an object', { id: 'x' }],
];

describe('id validation, before any request', () => {
  test.each(BAD_IDS)('a processInstanceId %s is rejected on trigger', async (_label, id) => {
    const mock = await startMock({ apiKey: API_KEY });

    const err = await rejectionOf<CodikaValidationError>(
      clientFor(mock).trigger({ processInstanceId: id as string, workflowId: 'wf' }),
    );

    expect(err).toBeInstanceOf(CodikaValidationError);
    expect(err.field).toBe('processInstanceId');
    expect(err.message).toMatch(/^Invalid processInstanceId: /);
    expect(mock.requests.length).toBe(0);
  });

  test.each(BAD_IDS)('a workflowId %s is rejected on trigger', async (_label, id) => {
    const mock = await startMock({ apiKey: API_KEY });

    const err = await rejectionOf<CodikaValidationError>(
      clientFor(mock).trigger({ processInstanceId: PI, workflowId: id as string }),
    );

    expect(err).toBeInstanceOf(CodikaValidationError);
    expect(err.field).toBe('workflowId');
    expect(mock.requests.length).toBe(0);
  });

  test.each(BAD_IDS)('an executionId %s is rejected on status', async (_label, id) => {
    const mock = await startMock({ apiKey: API_KEY });

    const err = await rejectionOf<CodikaValidationError>(
      clientFor(mock).getStatus({ processInstanceId: PI, executionId: id as string }),
    );

    expect(err).toBeInstanceOf(CodikaValidationError);
    expect(err.field).toBe('executionId');
    expect(mock.requests.length).toBe(0);
  });

  test('a processInstanceId is checked on status too', async () => {
    const mock = await startMock({ apiKey: API_KEY });

    const err = await rejectionOf<CodikaValidationError>(
      clientFor(mock).getStatus({ processInstanceId: '../x', executionId: 'e' }),
    );

    expect(err.field).toBe('processInstanceId');
    expect(mock.requests.length).toBe(0);
  });

  test(`an id of exactly ${MAX_ID_LENGTH} characters is accepted and one more is not`, async () => {
    const mock = await startMock({ apiKey: API_KEY });
    const client = clientFor(mock);

    await client.trigger({ processInstanceId: PI, workflowId: 'w'.repeat(MAX_ID_LENGTH) });
    const err = await rejectionOf<CodikaValidationError>(
      client.trigger({ processInstanceId: PI, workflowId: 'w'.repeat(MAX_ID_LENGTH + 1) }),
    );

    expect(err.field).toBe('workflowId');
    expect(err.message).toContain(`${MAX_ID_LENGTH + 1} characters`);
    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0].workflowId).toBe('w'.repeat(MAX_ID_LENGTH));
  });
});

describe('payload validation, before any request', () => {
  const circular: Record<string, unknown> = { a: 1 };
  circular.self = circular;

  test.each<[string, unknown]>([
    ['an array', [1, 2]],
    ['a string', 'hello'],
    ['a number', 7],
    ['a boolean', true],
    ['holding a BigInt', { n: BigInt(1) }],
    ['circular', circular],
  ])('a payload that is %s is rejected with field payload', async (_label, payload) => {
    const mock = await startMock({ apiKey: API_KEY });

    const err = await rejectionOf<CodikaValidationError>(
      clientFor(mock).trigger({ processInstanceId: PI, workflowId: 'wf', payload: payload as Record<string, unknown> }),
    );

    expect(err).toBeInstanceOf(CodikaValidationError);
    expect(err.field).toBe('payload');
    expect(mock.requests.length).toBe(0);
  });

  test('a null payload is sent as an empty payload', async () => {
    const mock = await startMock({ apiKey: API_KEY });

    await clientFor(mock).trigger({
      processInstanceId: PI,
      workflowId: 'wf',
      payload: null as unknown as Record<string, unknown>,
    });

    expect(mock.requests[0].body).toBe('{"payload":{}}');
  });
});

describe('client options', () => {
  test.each([
    ['an ftp URL', 'ftp://x'],
    ['not a URL', 'not a url'],
    ['a URL with ?api_key=', 'https://api.codika.io/?api_key=ck_secret'],
    ['a URL with credentials', 'https://user:pass@api.codika.io'],
  ])('a baseUrl that is %s throws at construction', (_label, baseUrl) => {
    let err: unknown;
    try {
      new CodikaClient({ baseUrl, auth: { mode: 'header', apiKey: API_KEY } });
    } catch (e) {
      err = e;
    }

    expect(err).toBeInstanceOf(CodikaValidationError);
    expect((err as CodikaValidationError).field).toBe('baseUrl');
  });

  test('the baseUrl rejection does not repeat the api_key it carried', () => {
    expect(
      () =>
        new CodikaClient({
          baseUrl: 'https://api.codika.io/?api_key=ck_secret',
          auth: { mode: 'header', apiKey: API_KEY },
        }),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('ck_secret') }));
  });

  test('a baseUrl with a path prefix and trailing slash is kept as the API root', async () => {
    const mock = await startMock({ apiKey: API_KEY });
    const client = new CodikaClient({ baseUrl: `${mock.url}/api/`, auth: { mode: 'header', apiKey: API_KEY } });

    expect(client.baseUrl).toBe(`${mock.url}/api`);
    await rejectionOf(client.trigger({ processInstanceId: PI, workflowId: 'wf' }));
    expect(mock.requests[0].path).toBe(`/api/webhook/${PI}/wf`);
  });

  test.each([0, -1, Number.NaN])('timeoutMs %p throws at construction', (timeoutMs) => {
    expect(() => new CodikaClient({ auth: { mode: 'header', apiKey: API_KEY }, timeoutMs })).toThrow(
      expect.objectContaining({ name: 'CodikaValidationError', field: 'timeoutMs' }),
    );
  });
});
