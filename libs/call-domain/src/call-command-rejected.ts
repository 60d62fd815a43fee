import { RingbusError } from '@ringbus/errors';
import { type CallStatus } from './call-state.js';

export type CallRejectionCode =
  /** The command needs an existing call, and the stream has no events. */
  | 'CALL_NOT_FOUND'
  /** RequestCall/OfferCall for a call id that already has a stream. */
  | 'CALL_ALREADY_EXISTS'
  /** Any command but Hangup on an ended call. */
  | 'CALL_ALREADY_ENDED'
  /** The call's stage does not allow the command (e.g. DTMF before the answer). */
  | 'INVALID_TRANSITION'
  /** A field is missing or malformed; the same command will never be accepted. */
  | 'INVALID_COMMAND'
  /** RecordInviteSent with a SIP Call-ID not derived from the call id (see sipCallIdFor). */
  | 'SIP_CALL_ID_MISMATCH';

/**
 * decide's answer to a command the call cannot accept. Never retryable as is: decide is pure, so the
 * same command on the same state is rejected again. (A command handler that lost a version race
 * re-reads the stream and decides anew; that is a different state, not a retry of this rejection.)
 */
export class CallCommandRejectedError extends RingbusError<CallRejectionCode> {
  readonly retryable = false;
  constructor(
    readonly code: CallRejectionCode,
    message: string,
    readonly callId: string,
    readonly command: string,
    readonly status: CallStatus,
    options?: { cause?: unknown },
  ) {
    super(`${command} on call ${callId || '(no id)'} (${status}): ${message}`, options);
  }
}
