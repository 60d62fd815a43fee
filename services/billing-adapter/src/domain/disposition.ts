import { type CdrDisposition, type CdrEndReason } from './call-detail-record.js';

/**
 * The CDR disposition of a call that ended for `reason`. An answered call is `answered` whatever ended
 * it (a gateway lost mid-call still talked, and is billed); an unanswered one maps its reason, and every
 * reason that is not a clear busy, no answer, cancel or reject — including reasons this code does not
 * know yet — is `failed`.
 */
export function dispositionOf(reason: CdrEndReason, answered: boolean): CdrDisposition {
  if (answered) return 'answered';
  switch (reason) {
    case 'busy':
      return 'busy';
    case 'no_answer':
      return 'no_answer';
    case 'cancelled':
      return 'cancelled';
    case 'rejected':
      return 'rejected';
    case 'normal':
    case 'failed':
    case 'gateway_lost':
    case 'media_failed':
    case 'transferred':
    case 'unspecified':
      return 'failed';
  }
}

/**
 * Billable seconds of `talkMs` of talk time: every started second counts (ceil), the way carriers bill
 * in one-second increments, so an answered call of 200 ms is one second and never free.
 */
export function billableSecondsOf(talkMs: number): number {
  return talkMs <= 0 ? 0 : Math.ceil(talkMs / 1000);
}
