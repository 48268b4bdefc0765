import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { ContractChecks } from '../../../src/activities/contract-checks';
import { loadContractsModule } from '../../../src/worker-setup/contracts-module';
import { sendSms, summarizeText } from '../../fixtures/contracts';

const checks = new ContractChecks([sendSms, summarizeText]);

test('a workflow without a contract is not checked; one with a contract gets what its schema returns', async () => {
  expect(await checks.payload({ workflowId: 'other', processInstanceId: 'pi', payload: { any: 1 } })).toEqual({
    any: 1,
  });
  expect(
    await checks.payload({
      workflowId: 'contract-send-sms',
      processInstanceId: 'pi',
      payload: { phone: '+32470123456', text: 'x' },
    }),
  ).toEqual({ phone: '+32470123456', text: 'x', channel: 'sms' });
});

test('a bad payload fails non-retryably with every problem, the first five in the message', async () => {
  const err = await checks
    .payload({ workflowId: 'contract-summarize', processInstanceId: 'pi', payload: { text_input: 7 } })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect(err).toMatchObject({ type: 'CodikaPayloadInvalid', nonRetryable: true });
  expect((err as ApplicationFailure).details?.[0]).toMatchObject({ problems: [{ path: 'text_input' }] });
});

test('a result is checked on success only, and only when the activity knows the workflow', async () => {
  const pending = { status: 'pending' } as const;
  expect(await checks.status({ workflowId: 'contract-send-sms', executionId: 'e1' }, pending)).toBe(pending);
  const bad = { status: 'success', resultData: { messageId: 1 } } as const;
  expect(await checks.status({ executionId: 'e1' }, bad)).toBe(bad); // scheduled before contracts existed
  await expect(checks.status({ workflowId: 'contract-send-sms', executionId: 'e1' }, bad)).rejects.toMatchObject({
    type: 'CodikaResultInvalid',
    nonRetryable: true,
  });
});

test('registering refuses what is not a contract and a second contract for one workflow', () => {
  expect(() => new ContractChecks([{ workflowId: 'x' }])).toThrow('Invalid contracts[0]: is not a contract');
  expect(() => new ContractChecks([sendSms, sendSms])).toThrow('a second contract for "contract-send-sms"');
});

test('a contracts module gives every exported contract; a missing one or one without contracts is named', () => {
  expect(loadContractsModule(join(__dirname, '..', '..', 'fixtures', 'contracts.ts')).map((c) => c.workflowId)).toEqual(
    ['contract-send-sms', 'contract-summarize'],
  );
  expect(() => loadContractsModule('/nowhere/contracts.js')).toThrow(
    /CODIKA_CONTRACTS_MODULE: cannot load "\/nowhere\/contracts.js"/,
  );
  expect(() =>
    loadContractsModule(join(__dirname, '..', '..', 'fixtures', 'contract-workflows.ts'), '--contracts'),
  ).toThrow(/--contracts: .* exports no contract/);
});
