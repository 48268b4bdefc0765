export {
  executeCodikaExecution,
  startCodikaExecution,
  type StartCodikaExecutionOptions,
} from './start-codika-execution';
export {
  startCodikaCallbackReceiver,
  type CodikaCallbackReceiver,
  type CodikaCallbackReceiverOptions,
} from './callback-receiver';
export { pipelineWorkflowArgs, startCodikaPipeline, type StartCodikaPipelineOptions } from './start-codika-pipeline';
export { CodikaPipelineValidationError } from './errors';
export { connectCodikaClient } from './connect-client';
