import { ResponseErrorCode, SipPluginErrorCode } from '@ringbus/softphone-protocol';

/**
 * The `code` of an error response Ringbus sends, and why each number was chosen. WTSP codes follow Janus
 * (core 403–490, SIP plugin 440–499); any other number is read as a SIP response code. docs/protocol.md
 * has this table for client authors.
 */
export const RefusalCode = {
  /** A request before the `state` handshake: Janus core "unauthorized request". */
  beforeHandshake: ResponseErrorCode.unauthorizedRequest,
  /** A line the user does not have (or the guest line, which Ringbus does not configure yet). */
  noSuchLine: SipPluginErrorCode.invalidElement,
  /** The line already carries a call: the SIP plugin's "wrong state (already in a call?)". */
  lineBusy: SipPluginErrorCode.wrongState,
  /** An SDP that is missing, not an offer where one is needed, or not a session description. */
  invalidSdp: ResponseErrorCode.invalidSdp,
  /** The client's `call_id` names a live call already: Janus core "id already in use". */
  callIdInUse: ResponseErrorCode.sessionIdInUse,
  /** SIP 481 Call/Transaction Does Not Exist: unknown `call_id`, or another user's. */
  noSuchCall: 481,
  /** SIP 500: something failed on our side; logged with the session id. */
  internalError: 500,
  /** SIP 501 Not Implemented: a request Ringbus understands but does not carry out yet. */
  notAvailableYet: 501,
  /** SIP 503: rate limit, too many requests in flight, or a dependency down. Retry later. */
  unavailable: 503,
  /** SIP 504: the request did not finish in time; its effect may still happen. */
  timeout: 504,
} as const;

export interface Refusal {
  readonly code: number;
  readonly reason: string;
}

export const refusals = {
  beforeHandshake: (): Refusal => ({
    code: RefusalCode.beforeHandshake,
    reason: 'Unauthorized request (wait for the state handshake)',
  }),
  guestLine: (): Refusal => ({
    code: RefusalCode.noSuchLine,
    reason: 'Invalid element (line: the guest line is not configured)',
  }),
  noSuchLine: (line: number, lineCount: number): Refusal => ({
    code: RefusalCode.noSuchLine,
    reason: `Invalid element (line: no line ${line}; lines 0-${Math.max(lineCount - 1, 0)} exist)`,
  }),
  lineBusy: (line: number): Refusal => ({
    code: RefusalCode.lineBusy,
    reason: `Wrong state (line ${line} already carries a call)`,
  }),
  wrongLine: (line: number | null): Refusal => ({
    code: RefusalCode.noSuchLine,
    reason: `Invalid element (line: the call is not on line ${line === null ? 'null' : line})`,
  }),
  invalidSdp: (why: string): Refusal => ({ code: RefusalCode.invalidSdp, reason: `Invalid SDP (${why})` }),
  callIdInUse: (): Refusal => ({
    code: RefusalCode.callIdInUse,
    reason: 'Call id already in use (call_id names a live call in this tenant; pick a new one)',
  }),
  noSuchCall: (): Refusal => ({ code: RefusalCode.noSuchCall, reason: 'Call/Transaction Does Not Exist' }),
  noMediaLeg: (): Refusal => ({
    code: RefusalCode.noSuchCall,
    reason: 'Call/Transaction Does Not Exist (no media gateway carries the call any more)',
  }),
  notAvailableYet: (request: string): Refusal => ({
    code: RefusalCode.notAvailableYet,
    reason: `Not Implemented (${request} is not available yet)`,
  }),
  rateLimited: (): Refusal => ({
    code: RefusalCode.unavailable,
    reason: 'Service Unavailable (request rate limit exceeded; slow down)',
  }),
  tooManyInFlight: (): Refusal => ({
    code: RefusalCode.unavailable,
    reason: 'Service Unavailable (too many requests in flight on this socket)',
  }),
  dependencyDown: (): Refusal => ({
    code: RefusalCode.unavailable,
    reason: 'Service Unavailable (try again shortly)',
  }),
  internalError: (): Refusal => ({ code: RefusalCode.internalError, reason: 'Server Internal Error' }),
  timeout: (): Refusal => ({
    code: RefusalCode.timeout,
    reason: 'Server Time-out (the request may still take effect)',
  }),
} as const;
