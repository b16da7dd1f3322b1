export { mayActAs, partiesOf } from './access.js';
export { type ActOnStepInput, type ActOptions, actOnStep } from './act.js';
export { EXTERNAL_STEP_JOB, type ExternalStepJobData } from './engine.js';
export { externalStepJob } from './external.js';
export { cancelRequest, retryRequest } from './lifecycle.js';
export {
  getRequest,
  listRequests,
  type RequestEventRow,
  type RequestFilter,
  type RequestStepView,
  requestCursor,
  requestDocument,
  requestHistory,
  requestSteps,
  type StepState,
} from './queries.js';
export {
  type AmendRequestInput,
  amendRequest,
  type FileRequestInput,
  fileRequest,
  type PayloadOptions,
  resubmitRequest,
  submitRequest,
} from './service.js';
export { loadOutputs, type StepRunRow } from './store.js';
