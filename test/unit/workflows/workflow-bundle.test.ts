/**
 * The SDK gives every workflow it creates (each new run, each replay of an evicted one) a fresh copy
 * of every module the bundle imports at its top. zod's modules cost most of that, so workflows load
 * them on demand (src/workflows/lazy-schemas.ts). This imports the bundle the way the SDK does
 * and lists the modules that loaded.
 */
import vm from 'node:vm';
import { bundleWorkflowCode } from '@temporalio/worker';

const quietLogger = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} };

test('importing the workflows loads no zod module; a pipeline check loads it on demand', async () => {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../../src/workflows'),
    logger: quietLogger,
  });
  const moduleCache: Record<string, unknown> = {};
  const context = vm.createContext({ __webpack_module_cache__: moduleCache });
  vm.runInContext(code, context);
  const workflows = context.__TEMPORAL__.importWorkflows() as Record<string, unknown>;
  expect(workflows).toHaveProperty('codikaExecutionWorkflow');
  expect(workflows).toHaveProperty('codikaPipelineWorkflow');
  const zodModules = () => Object.keys(moduleCache).filter((id) => /node_modules\/zod\//.test(id));
  expect(zodModules()).toEqual([]);

  // The bundle still holds zod, and the on-demand load finds it.
  const lazy = Object.keys(moduleCache).find((id) => id.includes('lazy-schemas'));
  type LazySchemas = { loadPollOptionsSchema(): { safeParse(value: unknown): { success: boolean } } };
  const { loadPollOptionsSchema } = (moduleCache[lazy!] as { exports: LazySchemas }).exports;
  expect(loadPollOptionsSchema().safeParse({ strategy: 'sometimes' }).success).toBe(false);
  expect(zodModules().length).toBeGreaterThan(0);
}, 60_000);
