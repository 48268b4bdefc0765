/**
 * `codika-temporal/nexus`: the Nexus service `codika`, the contract another namespace calls to run a
 * Codika execution without holding a Codika key or the library's activities. Workflow-safe, so
 * callers import it in their workflow code; the handler is `codikaNexusServiceHandler`
 * (src/worker-setup), which every worker built with `CodikaPlugin` registers.
 *
 * @module nexus
 */
import * as nexus from 'nexus-rpc';
import type { CodikaExecutionInput, CodikaExecutionResult } from './execution-types';
import type { CodikaPollOptions } from './poll-options';

/** Input of the operation `runExecution`: one execution and how to wait for it. */
export interface CodikaNexusRunInput extends CodikaExecutionInput {
  /** How the handler's workflow waits for the result. @default the `auto` strategy */
  poll?: CodikaPollOptions;
}

/** The endpoint name the docs, the demo and `codika-temporal nexus endpoint` use unless told otherwise. */
export const DEFAULT_CODIKA_NEXUS_ENDPOINT = 'codika';

/**
 * The service definition: `runExecution` runs one Codika execution as a `codikaExecutionWorkflow` in
 * the handler's namespace and completes with its result (asynchronously: it may take days).
 * Cancelling the operation cancels that workflow's polling; the Codika execution itself keeps running
 * (Codika has no cancel endpoint), and the handler's run records it.
 */
export const codikaNexusService = nexus.service('codika', {
  runExecution: nexus.operation<CodikaNexusRunInput, CodikaExecutionResult>(),
});
