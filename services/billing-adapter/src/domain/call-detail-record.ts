/**
 * The call detail record: one per call attempt (a call stream), answered or not, built from nothing but
 * the call's events. docs/billing.md describes every field.
 */

export type CdrDirection = 'outgoing' | 'incoming' | '';

/** How the attempt ended, for billing: only `answered` calls have billable seconds. */
export const CDR_DISPOSITIONS = ['answered', 'busy', 'no_answer', 'cancelled', 'failed', 'rejected'] as const;
export type CdrDisposition = (typeof CDR_DISPOSITIONS)[number];

/** Who hung up, by role (our user is the caller of an outgoing call and the callee of an incoming one). */
export type CdrParty = 'caller' | 'callee' | 'system' | '';

/** `CallEndReason` without its prefix, lower case: `normal`, `busy`, ..., `unspecified`. */
export type CdrEndReason =
  | 'unspecified'
  | 'normal'
  | 'busy'
  | 'no_answer'
  | 'cancelled'
  | 'rejected'
  | 'failed'
  | 'gateway_lost'
  | 'media_failed'
  | 'transferred';

export interface CallDetailRecord {
  readonly callId: string;
  readonly tenant: string;
  readonly direction: CdrDirection;
  readonly userId: string;
  /** The user's line slot; null for the guest line (no line given). */
  readonly line: number | null;
  /** The softphone's id of an outgoing call (WTSP `call_id`). */
  readonly clientCallId: string;
  /** Our SIP Call-ID (outgoing calls, from SipInviteSent). */
  readonly sipCallId: string;
  /** The carrier's SIP Call-ID (incoming calls). */
  readonly carrierSipCallId: string;
  readonly callerDialled: string;
  /** `+<digits>` or '' when the caller is not clearly a public number. */
  readonly callerE164: string;
  readonly calleeDialled: string;
  readonly calleeE164: string;
  readonly janusGatewayId: string;
  readonly region: string;
  /** Epoch milliseconds of the call's first event. */
  readonly createdAtMs: number;
  /** First alerting: Ringing or EarlyMedia (outgoing), the offer itself (incoming). */
  readonly ringingAtMs: number | null;
  readonly answeredAtMs: number | null;
  readonly endedAtMs: number | null;
  /** From the first event to the end; 0 while the call is live. */
  readonly durationMs: number;
  /** From the answer to the end; 0 when never answered. */
  readonly talkMs: number;
  /** Every started second of talk time (see docs/billing.md). */
  readonly billableSeconds: number;
  /** Null while the call is live: the record is final once it has a disposition. */
  readonly disposition: CdrDisposition | null;
  /** The raw end reason; '' while the call is live. */
  readonly endReason: CdrEndReason | '';
  /** The final SIP code CallEnded carried; 0 when no SIP message was involved. */
  readonly sipCode: number;
  /** Q.850 cause; 0 when unknown. */
  readonly q850Cause: number;
  readonly hungUpBy: CdrParty;
  /** The stream version of the last event folded into this record. */
  readonly lastStreamVersion: number;
}

/** Final once CallEnded was folded in: CallEnded is always a call's last event. */
export function isFinal(cdr: CallDetailRecord): boolean {
  return cdr.disposition !== null;
}
