export {
  initialCallState,
  type CallFacts,
  type CallState,
  type CallStatus,
  type EndedCall,
  type LiveCall,
  type LiveCallStatus,
  type NoCall,
} from './call-state.js';
export { decide } from './decide.js';
export { evolve } from './evolve.js';
export { callDecider, callStateFrom } from './call-decider.js';
export { CallCommandRejectedError, type CallRejectionCode } from './call-command-rejected.js';
export { callStateViolations } from './call-invariants.js';
export {
  CallIdError,
  callIdOfStream,
  callStreamId,
  isCallId,
  isSipCallIdOf,
  sipCallIdFor,
  type CallIdErrorCode,
} from './call-identity.js';
export { compareTimestamps } from './timestamps.js';
