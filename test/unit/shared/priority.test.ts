import { checkPriority, executionPriority, fairnessKeyOf, mergePriorities } from '../../../src/shared/priority';

test('checkPriority keeps the fields given and names the field at fault with what is accepted', () => {
  expect(checkPriority(undefined)).toBeUndefined();
  expect(checkPriority({ priorityKey: 1, fairnessKey: 'tenant-9', fairnessWeight: 2.5 })).toEqual({
    priorityKey: 1,
    fairnessKey: 'tenant-9',
    fairnessWeight: 2.5,
  });
  expect(() => checkPriority({ priorityKey: 1.5 })).toThrow('Invalid priority.priorityKey: must be a positive integer');
  expect(() => checkPriority({ fairnessKey: '' })).toThrow('Invalid priority.fairnessKey');
  expect(() => checkPriority({ fairnessKey: 'é'.repeat(33) })).toThrow('at most 64 bytes'); // 66 bytes in UTF-8
  expect(() => checkPriority({ fairnessWeight: 0 })).toThrow(
    'Invalid priority.fairnessWeight: must be a number from 0.001 to 1000',
  );
  expect(() => checkPriority({ urgent: true })).toThrow('Invalid priority.urgent: unknown field');
  expect(() => checkPriority('high', 'steps[2].priority')).toThrow('Invalid steps[2].priority: expected an object');
});

test('the fairness key defaults to the process instance, unless the execution or its workflow has one', () => {
  expect(executionPriority('pi_a', undefined)).toEqual({ fairnessKey: 'pi_a' });
  expect(executionPriority('pi_a', { priorityKey: 1 })).toEqual({ priorityKey: 1, fairnessKey: 'pi_a' });
  expect(executionPriority('pi_a', { fairnessKey: 'tenant-9' })).toEqual({ fairnessKey: 'tenant-9' });
  expect(executionPriority('pi_a', { priorityKey: 2 }, 'tenant-9')).toEqual({ priorityKey: 2 });
  expect(mergePriorities({ priorityKey: 4, fairnessWeight: 2 }, { priorityKey: 1 })).toEqual({
    priorityKey: 1,
    fairnessWeight: 2,
  });
});

test('a process instance id longer than a fairness key allows keeps a readable prefix and stays distinct', () => {
  const long = (tail: string) => `pi_${'x'.repeat(70)}${tail}`;
  expect(fairnessKeyOf('pi_short')).toBe('pi_short');
  expect(fairnessKeyOf(long('a'))).toHaveLength(64);
  expect(fairnessKeyOf(long('a'))).toMatch(/^pi_x+~[0-9a-f]{8}$/);
  expect(fairnessKeyOf(long('a'))).not.toBe(fairnessKeyOf(long('b')));
});
