/**
 * Layer: one Codika execution as a step, WORKFLOW-SAFE. A sequence of durable commands: validate the
 * input (`validate-input`), resolve the poll settings (`poll-settings`), trigger once
 * (`trigger-execution`), wait with the chosen strategy (`polling-strategies`), end with a typed
 * failure (`step-failures`), and report it: logs and metrics once per execution (`step-telemetry`)
 * and the run's current details in the UI (`current-details`). `codika-step` puts them together;
 * the execution workflow, the step helper and every pipeline step run it.
 *
 * Contract: deterministic workflow code only: `@temporalio/workflow`, other workflow-safe folders, and
 * activities as types; no Node built-in, no I/O. ESLint enforces the imports for the whole folder by
 * glob; replay tests over recorded histories guard the rest.
 * A change of behaviour is guarded by `patched()` and new replay fixtures beside the old.
 */
export { executeCodikaStep, initialStepState } from './codika-step';
export { executionDetails, showingDetails } from './current-details';
export { invalid, resolvePollSettings } from './poll-settings';
export { PollNowRequests } from './polling-strategies';
export { EXECUTION_INPUT_KEYS, underPath, validateExecutionInput } from './validate-input';
