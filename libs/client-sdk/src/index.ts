export {
  SoftphoneClient,
  type ConnectTarget,
  type SoftphoneClientEvents,
  type WaitForEventOptions,
} from './softphone-client.js';
export { type SoftphoneClientOptions } from './client-options.js';
export {
  generateCallId,
  eventMatching,
  type RequestTarget,
  type CallTarget,
  type OutgoingCallParams,
  type AcceptParams,
  type DeclineParams,
  type HoldParams,
  type UpdateParams,
  type TransferParams,
  type IceTrickleParams,
  type DtmfParams,
  type PresenceUpdateParams,
} from './call-request-params.js';
export {
  SoftphoneClientError,
  SignalingRequestError,
  SignalingTimeoutError,
  SignalingClosedError,
  SignalingConnectError,
  SignalingProtocolViolationError,
  ClientStateError,
  type SignalingTimeoutCode,
  type ClientStateCode,
  type CloseInfo,
  type ClosedBy,
} from './client-errors.js';
