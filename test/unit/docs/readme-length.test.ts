import { readRepositoryFile } from '../../../scripts/reference/blocks';

// The README is the front door; reference material belongs in docs/. Its generated blocks (the
// quickstart, the failure table) grow with their sources, so the limit is checked, not remembered.
test('the README is at most 250 lines', () => {
  expect(readRepositoryFile('README.md').split('\n').length - 1).toBeLessThanOrEqual(250);
});
