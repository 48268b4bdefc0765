import { CodikaClient, type CodikaClientOptions } from '../../src/codika/client';
import {
  MockCodikaServer,
  type MockCodikaServerOptions,
  type MockRequestRecord,
} from '../../src/testing/mock-codika/mock-codika-server';
import type { MockFault } from '../../src/testing/mock-codika/mock-scripts';

/** Shared setup for tests that talk to a real MockCodikaServer over HTTP on 127.0.0.1. */

export const API_KEY = 'ck_test_instance_key_0123456789';
export const OTHER_KEY = 'ck_other_instance_key_9876543210';
export const WEBHOOK_SECRET = 'whsec_' + Buffer.from('a-32-byte-secret-for-the-tests!!').toString('base64');
export const PI = 'pi-test';

const started: MockCodikaServer[] = [];

/** Starts a mock on a free port; {@link stopMocks} (in afterEach) stops it. */
export async function startMock(options: MockCodikaServerOptions = {}): Promise<MockCodikaServer> {
  const mock = new MockCodikaServer(options);
  await mock.start();
  started.push(mock);
  return mock;
}

export async function stopMocks(): Promise<void> {
  await Promise.all(started.splice(0).map((mock) => mock.stop()));
}

/** A client against the mock; header auth with {@link API_KEY} unless told otherwise. */
export function clientFor(mock: MockCodikaServer, options: Partial<CodikaClientOptions> = {}): CodikaClient {
  return new CodikaClient({ baseUrl: mock.url, auth: { mode: 'header', apiKey: API_KEY }, ...options });
}

/** The rejection of a promise; fails the test when it resolves. */
export async function rejectionOf<E = Error>(promise: Promise<unknown>): Promise<E> {
  let value: unknown;
  try {
    value = await promise;
  } catch (err) {
    return err as E;
  }
  throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
}

/** The one request the mock recorded, failing when it saw a different number. */
export function onlyRequest(mock: MockCodikaServer): MockRequestRecord {
  expect(mock.requests).toHaveLength(1);
  return mock.requests[0];
}

/** A `delay` fault: the mock answers normally after `ms` (stop() ends pending delays early). */
export function delayFault(ms: number): MockFault {
  return { kind: 'delay', ms };
}
