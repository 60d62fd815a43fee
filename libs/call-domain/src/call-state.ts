import { type Timestamp } from '@bufbuild/protobuf/wkt';
import { type CallDirection, type CallEndReason, type CallParty } from '@ringbus/proto';

/** Stages of a live call. Outgoing: requested -> invite_sent -> ringing -> early_media -> answered;
 * incoming: offered -> answered; then answered <-> held. */
export type LiveCallStatus =
  'requested' | 'offered' | 'invite_sent' | 'ringing' | 'early_media' | 'answered' | 'held';

export type CallStatus = 'none' | LiveCallStatus | 'ended';

/** The state before a call's first event. */
export interface NoCall {
  readonly status: 'none';
}

/** What the stream has established about a call, live or ended. */
export interface CallFacts {
  readonly callId: string;
  readonly direction: CallDirection.OUTGOING | CallDirection.INCOMING;
  readonly userId: string;
  /** Softphone line slot; undefined for the guest line or when not known. */
  readonly line: number | undefined;
  readonly caller: string;
  readonly callee: string;
  /** The softphone's WTSP call_id (outgoing calls only). */
  readonly clientCallId: string;
  /** Our SIP Call-ID: set once the INVITE is sent; empty before that and for incoming calls. */
  readonly sipCallId: string;
  /** The carrier's SIP Call-ID (incoming calls only). */
  readonly carrierSipCallId: string;
  /** The Janus gateway holding the SIP dialog, once one does. */
  readonly janusGatewayId: string;
  readonly region: string;
  readonly startedAt: Timestamp;
  /** Set by Answered, and only then. */
  readonly answeredAt: Timestamp | undefined;
  /** The newest event's time: no later event may be earlier (see decide). */
  readonly lastEventAt: Timestamp;
  /** The target of the latest transfer request; empty when none was requested. */
  readonly transferTarget: string;
}

export interface LiveCall extends CallFacts {
  readonly status: LiveCallStatus;
}

export interface EndedCall extends CallFacts {
  readonly status: 'ended';
  readonly endedAt: Timestamp;
  readonly endReason: CallEndReason;
  readonly hungUpBy: CallParty;
  readonly sipCode: number;
  readonly q850Cause: number;
}

export type CallState = NoCall | LiveCall | EndedCall;

export const initialCallState: CallState = Object.freeze({ status: 'none' });
