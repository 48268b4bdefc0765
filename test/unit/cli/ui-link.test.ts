/** The links the CLI prints open the Temporal UI it was told about (--ui-url, TEMPORAL_UI_URL), else the dev server's. */
import { globalDefaults, uiLink } from '../../../src/cli/context';

test('TEMPORAL_UI_URL sets the base of the links; a trailing slash is dropped, ids are encoded', () => {
  const options = globalDefaults({ TEMPORAL_UI_URL: 'http://127.0.0.1:8080/' });

  expect(uiLink(options, 'billing', 'report 42/a', 'run-1')).toBe(
    'http://127.0.0.1:8080/namespaces/billing/workflows/report%2042%2Fa/run-1/history',
  );
});

test('without it, links open the dev server UI on localhost:8233', () => {
  expect(uiLink(globalDefaults({}), 'default', 'wf', 'run-1')).toBe(
    'http://localhost:8233/namespaces/default/workflows/wf/run-1/history',
  );
});
