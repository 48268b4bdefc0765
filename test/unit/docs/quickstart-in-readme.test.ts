import { staleness } from '../../../scripts/reference/blocks';
import { quickstartBlocks } from '../../../scripts/reference/quickstart';

test("the README's first example is examples/quickstart's code (run npm run reference when this fails)", () => {
  expect(staleness('README.md', quickstartBlocks())).toBeUndefined();
});
