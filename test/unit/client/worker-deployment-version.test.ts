/**
 * Which refusals of SetWorkerDeploymentCurrentVersion `setCurrentCodikaVersion` waits out (no worker of
 * the version polled yet) and which it throws at once; the messages are server 1.29's.
 */
import { notPolledYet } from '../../../src/client/worker-deployment-version';

function serviceError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

test('an unknown deployment or version, or one missing a task queue, is waited out: its workers have not polled yet', () => {
  expect(
    notPolledYet(
      serviceError(9, 'no Worker Deployment found with name shop; does your Worker Deployment have pollers?'),
    ),
  ).toBe(true);
  expect(notPolledYet(serviceError(9, 'Version shop.v2 not found in deployment with error: x'))).toBe(true);
  expect(notPolledYet(serviceError(5, 'Version not found in deployment'))).toBe(true);
  const missingQueues =
    'proposed current version is missing active task queues from the current version; these would become unversioned if it is set as the current version';
  expect(notPolledYet(serviceError(9, missingQueues))).toBe(true);
});

test('any other FAILED_PRECONDITION is an answer, thrown at once', () => {
  expect(notPolledYet(serviceError(9, 'Version cannot be deleted since it is draining.'))).toBe(false);
  expect(notPolledYet(serviceError(9, 'conflict token does not match'))).toBe(false);
  expect(notPolledYet(serviceError(7, 'permission denied'))).toBe(false);
  expect(notPolledYet(new Error('no Worker Deployment found'))).toBe(false);
});
