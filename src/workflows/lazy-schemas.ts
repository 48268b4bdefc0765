/**
 * The zod schemas, loaded the first time a workflow needs one instead of when the workflow bundle
 * is imported.
 *
 * Why: the Temporal SDK runs every workflow it creates (each new run, and each replay of a run the
 * worker's cache evicted) with a fresh copy of every module the bundle imports at its top. zod's
 * modules were most of that work: bench/README.md, "Where the time goes", measures it. A `require` inside a function
 * is still bundled (webpack resolves it), but runs only when called; loading a module is
 * deterministic, so replay is unaffected.
 */
import type * as PollOptionsSchema from '../shared/poll-options-schema';
import type * as CheckPipeline from '../pipeline/check-pipeline';

/** The poll options' schema; loads zod. */
export function loadPollOptionsSchema(): typeof PollOptionsSchema.pollOptionsSchema {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, see above
  return (require('../shared/poll-options-schema') as typeof PollOptionsSchema).pollOptionsSchema;
}

/** The whole-pipeline check; loads zod. */
export function loadCheckPipeline(): typeof CheckPipeline {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, see above
  return require('../pipeline/check-pipeline') as typeof CheckPipeline;
}
