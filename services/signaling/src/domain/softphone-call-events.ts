import { timestampMs } from '@bufbuild/protobuf/wkt';
import { CallEndReason, type CallEnded, type CallEvent } from '@ringbus/proto';
import { type CallLogRecord, type Jsep } from '@ringbus/softphone-protocol';
import { type CallView } from './call-view.js';

/**
 * What the softphone hears about one call event, without `line` and `call_id` (the shape of a call log
 * record; the live event adds both). Undefined for events a softphone has no message for: CallRequested
 * (the client's own request, answered by the ack), DtmfSent (no WTSP event; an unknown one would make
 * the public clients fail).
 *
 * The typical order of protocol.md §1 follows: `outgoing_call` -> ack -> `calling` (the INVITE went out)
 * -> `ringing` / `progress` -> `accepted` -> `hangup`.
 */
export function softphoneRecordFor(event: CallEvent, view: CallView): CallLogRecord | undefined {
  const e = event.event;
  switch (e.case) {
    case 'callRequested':
      return undefined;
    case 'callOffered':
      if (view.line === null) {
        return {
          event: 'missed_call',
          callee: e.value.callee,
          caller: e.value.caller,
          ...displayName(e.value.callerDisplayName),
        };
      }
      return {
        event: 'incoming_call',
        callee: e.value.callee,
        caller: e.value.caller,
        ...displayName(e.value.callerDisplayName),
        jsep: sdpOf('offer', e.value.sdpOffer),
      };
    case 'sipInviteSent':
      return { event: 'calling' };
    case 'ringing':
      return { event: 'ringing' };
    case 'earlyMedia':
      return { event: 'progress', callee: view.callee, jsep: sdpOf('answer', e.value.sdp) };
    case 'answered':
      // The softphone restores an outgoing call's peer from `callee` on resume; for an incoming call the
      // answer is the softphone's own, so it is not sent back.
      return view.direction === 'outgoing'
        ? { event: 'accepted', callee: view.callee, jsep: sdpOf('answer', e.value.sdpAnswer) }
        : { event: 'accepted', callee: view.callee };
    case 'mediaRenegotiated':
      // Janus's own order: `updating` answers the `update`, then `accepted` brings the answer to its offer.
      return { event: 'accepted', callee: view.callee, jsep: sdpOf('answer', e.value.sdpAnswer) };
    case 'heldByUs':
      return { event: 'holding' };
    case 'resumed':
      return { event: 'resuming' };
    case 'dtmfSent':
      return undefined;
    case 'transferRequested':
      return { event: 'transferring' };
    case 'callEnded':
      return { event: 'hangup', ...hangupCause(e.value) };
    case undefined:
      return undefined;
  }
}

function displayName(name: string): { caller_display_name?: string } {
  return name === '' ? {} : { caller_display_name: name };
}

function sdpOf(type: 'offer' | 'answer', sdp: string): Jsep {
  return { type, sdp };
}

// The SIP response that best says why a call ended when no SIP message did (sip_code 0).
const CODE_BY_REASON: Readonly<Record<CallEndReason, number>> = {
  [CallEndReason.UNSPECIFIED]: 500,
  [CallEndReason.NORMAL]: 200,
  [CallEndReason.BUSY]: 486,
  [CallEndReason.NO_ANSWER]: 480,
  [CallEndReason.CANCELLED]: 487,
  [CallEndReason.REJECTED]: 603,
  [CallEndReason.FAILED]: 500,
  [CallEndReason.GATEWAY_LOST]: 503,
  [CallEndReason.MEDIA_FAILED]: 500,
  [CallEndReason.TRANSFERRED]: 200,
};

const PHRASES: Readonly<Record<number, string>> = {
  200: 'Normal Clearing',
  408: 'Request Timeout',
  480: 'Temporarily Unavailable',
  486: 'Busy Here',
  487: 'Request Terminated',
  500: 'Server Internal Error',
  503: 'Service Unavailable',
  600: 'Busy Everywhere',
  603: 'Decline',
};

/** `hangup {code, reason}`: the final SIP code (200 for a BYE) and a reason phrase, always a string. */
export function hangupCause(ended: CallEnded): { code: number; reason: string } {
  const code = ended.sipCode !== 0 ? ended.sipCode : (CODE_BY_REASON[ended.reason] ?? 500);
  const reason = ended.reasonText !== '' ? ended.reasonText : (PHRASES[code] ?? `SIP ${code}`);
  return { code, reason };
}

/** When the event happened, in ms since the epoch (the call log's timestamps). */
export function eventTimeMs(event: CallEvent): number {
  const at = event.event.value?.occurredAt;
  return at === undefined ? 0 : timestampMs(at);
}
