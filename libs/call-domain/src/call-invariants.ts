import { CallDirection, CallEndReason, CallParty } from '@ringbus/proto';
import { isCallId, isSipCallIdOf } from './call-identity.js';
import { type CallState, type CallStatus } from './call-state.js';
import { compareTimestamps } from './timestamps.js';

const OUTGOING_ONLY: ReadonlySet<CallStatus> = new Set([
  'requested',
  'invite_sent',
  'ringing',
  'early_media',
]);
const PAST_INVITE: ReadonlySet<CallStatus> = new Set(['invite_sent', 'ringing', 'early_media']);
const CONNECTED: ReadonlySet<CallStatus> = new Set(['answered', 'held']);

/**
 * Every way the state contradicts itself, in words; empty for a possible call. The property tests fold
 * random command sequences through decide and evolve and require this to stay empty; a service may also
 * run it after rebuilding a call from its stream.
 */
export function callStateViolations(state: CallState): string[] {
  if (state.status === 'none') return [];
  const v: string[] = [];
  const outgoing = state.direction === CallDirection.OUTGOING;
  const ended = state.status === 'ended';

  if (!isCallId(state.callId)) v.push(`callId ${JSON.stringify(state.callId)} is not a UUIDv7`);
  if (state.status === 'offered' && outgoing) v.push('an outgoing call is offered');
  if (OUTGOING_ONLY.has(state.status) && !outgoing) v.push(`an incoming call is ${state.status}`);

  // answeredAt is set exactly when the call got an answer: answered, held, or ended after either.
  if (CONNECTED.has(state.status) && state.answeredAt === undefined)
    v.push(`${state.status} without answeredAt`);
  if (!CONNECTED.has(state.status) && !ended && state.answeredAt !== undefined) {
    v.push(`answeredAt set on a ${state.status} call`);
  }

  // Our SIP Call-ID exists exactly when an outgoing call's INVITE went out, and is derived from callId.
  const inviteSent = PAST_INVITE.has(state.status) || (outgoing && state.answeredAt !== undefined);
  if (inviteSent && state.sipCallId === '') v.push(`${state.status} call without a SIP Call-ID`);
  if (state.sipCallId !== '' && (!outgoing || !isSipCallIdOf(state.sipCallId, state.callId))) {
    v.push(`SIP Call-ID ${state.sipCallId} is not this outgoing call's`);
  }
  if (state.status === 'requested' && state.sipCallId !== '')
    v.push('a requested call already has a SIP Call-ID');
  if (outgoing === (state.carrierSipCallId !== ''))
    v.push('carrier SIP Call-ID must be set exactly on incoming calls');

  if (state.transferTarget !== '' && state.answeredAt === undefined)
    v.push('transfer requested before the answer');

  // Time runs forward: started <= answered <= ended, and the newest event is the latest of all.
  if (compareTimestamps(state.startedAt, state.lastEventAt) > 0) v.push('startedAt is after lastEventAt');
  if (state.answeredAt !== undefined) {
    if (compareTimestamps(state.startedAt, state.answeredAt) > 0) v.push('answeredAt is before startedAt');
    if (compareTimestamps(state.answeredAt, state.lastEventAt) > 0) v.push('answeredAt is after lastEventAt');
  }
  if (state.status === 'ended') {
    if (compareTimestamps(state.endedAt, state.lastEventAt) !== 0)
      v.push('endedAt is not the last event time');
    if (state.answeredAt !== undefined && compareTimestamps(state.endedAt, state.answeredAt) < 0) {
      v.push('endedAt is before answeredAt');
    }
    if (state.endReason === CallEndReason.UNSPECIFIED) v.push('ended without a reason');
    if (state.hungUpBy === CallParty.UNSPECIFIED) v.push('ended without saying who hung up');
  }
  return v;
}
