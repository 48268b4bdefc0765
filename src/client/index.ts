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
export {
  CodikaPipelineValidationError,
  pipelineWorkflowArgs,
  startCodikaPipeline,
  type StartCodikaPipelineOptions,
} from './start-codika-pipeline';
export { connectCodikaClient } from './connect-client';
