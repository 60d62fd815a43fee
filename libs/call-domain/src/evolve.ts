import { type Timestamp } from '@bufbuild/protobuf/wkt';
import { CallDirection, type CallEnded, type CallEvent } from '@ringbus/proto';
import { type CallState, type LiveCall, type LiveCallStatus } from './call-state.js';
import { EPOCH, copyOf, laterOf } from './timestamps.js';

const ANSWERABLE: ReadonlySet<LiveCallStatus> = new Set(['offered', 'invite_sent', 'ringing', 'early_media']);
const CONNECTED: ReadonlySet<LiveCallStatus> = new Set(['answered', 'held']);
const BEFORE_EARLY_MEDIA: ReadonlySet<LiveCallStatus> = new Set(['invite_sent', 'ringing']);

/**
 * Folds one event into the call's state. Total: it never throws. An event that does not fit the state
 * (another call's event, a stage the call cannot reach from here, anything after CallEnded) leaves the
 * state as it is. decide never produces such an event; a stream written under other rules (an older
 * release, a hand repair) still folds to the last consistent state instead of halting every reader.
 */
export function evolve(state: CallState, event: CallEvent): CallState {
  const { event: e } = event;
  if (e.case === undefined) return state;

  if (state.status === 'none') {
    if (e.case === 'callRequested') {
      const v = e.value;
      const at = v.occurredAt ?? EPOCH;
      return {
        status: 'requested',
        callId: v.callId,
        direction: CallDirection.OUTGOING,
        userId: v.userId,
        line: v.line,
        caller: v.caller,
        callee: v.callee,
        clientCallId: v.clientCallId,
        sipCallId: '',
        carrierSipCallId: '',
        janusGatewayId: '',
        region: '',
        startedAt: copyOf(at),
        answeredAt: undefined,
        lastEventAt: copyOf(at),
        transferTarget: '',
      };
    }
    if (e.case === 'callOffered') {
      const v = e.value;
      const at = v.occurredAt ?? EPOCH;
      return {
        status: 'offered',
        callId: v.callId,
        direction: CallDirection.INCOMING,
        userId: v.userId,
        line: v.line,
        caller: v.caller,
        callee: v.callee,
        clientCallId: '',
        sipCallId: '',
        carrierSipCallId: v.carrierSipCallId,
        janusGatewayId: v.janusGatewayId,
        region: v.region,
        startedAt: copyOf(at),
        answeredAt: undefined,
        lastEventAt: copyOf(at),
        transferTarget: '',
      };
    }
    return state;
  }

  if (state.status === 'ended' || e.value.callId !== state.callId) return state;
  // Events are kept in stream order even if a producer's clock lagged: time never runs backwards.
  const at = laterOf(e.value.occurredAt ?? state.lastEventAt, state.lastEventAt);
  const moveTo = (status: LiveCallStatus): LiveCall => ({ ...state, status, lastEventAt: at });

  switch (e.case) {
    case 'callRequested':
    case 'callOffered':
      return state;
    case 'sipInviteSent':
      if (state.status !== 'requested') return state;
      return {
        ...moveTo('invite_sent'),
        sipCallId: e.value.sipCallId,
        janusGatewayId: e.value.janusGatewayId,
        region: e.value.region,
      };
    case 'ringing':
      return state.status === 'invite_sent' ? moveTo('ringing') : state;
    case 'earlyMedia':
      return BEFORE_EARLY_MEDIA.has(state.status) ? moveTo('early_media') : state;
    case 'answered':
      return ANSWERABLE.has(state.status) ? { ...moveTo('answered'), answeredAt: at } : state;
    case 'heldByUs':
      return state.status === 'answered' ? moveTo('held') : state;
    case 'resumed':
      return state.status === 'held' ? moveTo('answered') : state;
    case 'dtmfSent':
      return state.status === 'answered' ? moveTo('answered') : state;
    case 'transferRequested':
      if (state.status !== 'answered' && state.status !== 'held') return state;
      return { ...moveTo(state.status), transferTarget: e.value.target };
    case 'mediaRenegotiated':
      return CONNECTED.has(state.status) ? moveTo(state.status) : state;
    case 'callEnded':
      return toEnded(state, at, e.value);
  }
}

function toEnded(state: LiveCall, at: Timestamp, ended: CallEnded): CallState {
  return {
    ...state,
    status: 'ended',
    lastEventAt: at,
    endedAt: at,
    endReason: ended.reason,
    hungUpBy: ended.hungUpBy,
    sipCode: ended.sipCode,
    q850Cause: ended.q850Cause,
  };
}
