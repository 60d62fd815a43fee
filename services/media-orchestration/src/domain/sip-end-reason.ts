import { CallEndReason } from '@ringbus/proto';

/**
 * Why a call that was never answered ended, from the final SIP response that ended it (RFC 3261 codes;
 * the grouping follows what a caller would be told).
 */
export function endReasonForUnansweredCall(sipCode: number): CallEndReason {
  switch (sipCode) {
    case 486: // Busy Here
    case 600: // Busy Everywhere
      return CallEndReason.BUSY;
    case 487: // Request Terminated: the INVITE was cancelled
      return CallEndReason.CANCELLED;
    case 408: // Request Timeout
    case 480: // Temporarily Unavailable (also what many switches send on their ring timeout)
      return CallEndReason.NO_ANSWER;
    case 403: // Forbidden
    case 603: // Decline
      return CallEndReason.REJECTED;
    default:
      // 3xx we do not follow, other 4xx, 5xx, 6xx, and 0 (no response at all).
      return CallEndReason.FAILED;
  }
}

/** Why an answered call ended: a BYE (Janus reports it as 200) is a normal hang-up, anything else failed. */
export function endReasonForAnsweredCall(sipCode: number): CallEndReason {
  return sipCode >= 200 && sipCode < 300 ? CallEndReason.NORMAL : CallEndReason.FAILED;
}
