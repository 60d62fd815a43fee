import { CallEndReason } from '@ringbus/proto';
import { encodeServerMessage, type ServerEvent } from '@ringbus/softphone-protocol';
import { describe, expect, it } from 'vitest';
import { incomingCallView, outgoingCallView } from '../../src/domain/call-view.js';
import { hangupCause, softphoneRecordFor } from '../../src/domain/softphone-call-events.js';
import { ANSWER_SDP, callEvents, OFFER_SDP } from './call-events.js';

const requested = callEvents.requested();
const outgoing = outgoingCallView(
  requested.event.case === 'callRequested' ? requested.event.value : (undefined as never),
);
const offered = callEvents.offered();
const offeredValue = offered.event.case === 'callOffered' ? offered.event.value : (undefined as never);
const incoming = incomingCallView(offeredValue, { line: 1, clientCallId: 'carrier-abc@10.0.0.1' });
const missed = incomingCallView(offeredValue, { line: null, clientCallId: 'carrier-abc@10.0.0.1' });

describe('call events as the softphone hears them', () => {
  it('follows the typical outgoing order: nothing for the request, then calling, ringing, progress, accepted, hangup', () => {
    const heard = [
      callEvents.requested(),
      callEvents.inviteSent(),
      callEvents.ringing(),
      callEvents.earlyMedia(),
      callEvents.answered(),
      callEvents.ended({ sipCode: 200, reasonText: 'BYE' }),
    ].map((event) => softphoneRecordFor(event, outgoing));
    expect(heard).toEqual([
      undefined,
      { event: 'calling' },
      { event: 'ringing' },
      { event: 'progress', callee: '+15550199', jsep: { type: 'answer', sdp: ANSWER_SDP } },
      { event: 'accepted', callee: '+15550199', jsep: { type: 'answer', sdp: ANSWER_SDP } },
      { event: 'hangup', code: 200, reason: 'BYE' },
    ]);
  });

  it('announces an incoming call with its offer, or as missed when it has no line', () => {
    expect(softphoneRecordFor(offered, incoming)).toEqual({
      event: 'incoming_call',
      callee: '+15550001',
      caller: '+15550777',
      caller_display_name: 'Bob',
      jsep: { type: 'offer', sdp: OFFER_SDP },
    });
    expect(softphoneRecordFor(offered, missed)).toEqual({
      event: 'missed_call',
      callee: '+15550001',
      caller: '+15550777',
      caller_display_name: 'Bob',
    });
    // The answer of an incoming call is the softphone's own: it is not sent back.
    expect(softphoneRecordFor(callEvents.answered(), incoming)).toEqual({
      event: 'accepted',
      callee: '+15550001',
    });
  });

  it('maps hold, resume and transfer, and has no message for DTMF', () => {
    expect(softphoneRecordFor(callEvents.held(), outgoing)).toEqual({ event: 'holding' });
    expect(softphoneRecordFor(callEvents.resumed(), outgoing)).toEqual({ event: 'resuming' });
    expect(softphoneRecordFor(callEvents.transfer(), outgoing)).toEqual({ event: 'transferring' });
    expect(softphoneRecordFor(callEvents.dtmf(), outgoing)).toBeUndefined();
  });

  it('gives every hangup a SIP code and a reason string, from the reason when no SIP message ended the call', () => {
    const cause = (reason: CallEndReason, sipCode = 0, reasonText = '') => {
      const ended = callEvents.ended({ reason, sipCode, reasonText });
      if (ended.event.case !== 'callEnded') throw new Error('not CallEnded');
      return hangupCause(ended.event.value);
    };
    expect(cause(CallEndReason.CANCELLED)).toEqual({ code: 487, reason: 'Request Terminated' });
    expect(cause(CallEndReason.BUSY)).toEqual({ code: 486, reason: 'Busy Here' });
    expect(cause(CallEndReason.NORMAL)).toEqual({ code: 200, reason: 'Normal Clearing' });
    expect(cause(CallEndReason.GATEWAY_LOST, 0, 'janus-1 lost')).toEqual({
      code: 503,
      reason: 'janus-1 lost',
    });
    expect(cause(CallEndReason.FAILED, 488)).toEqual({ code: 488, reason: 'SIP 488' });
    expect(cause(CallEndReason.REJECTED, 603)).toEqual({ code: 603, reason: 'Decline' });
  });

  it('produces only messages the public clients accept, once scoped to a line and call', () => {
    const all = [
      callEvents.requested(),
      callEvents.offered(),
      callEvents.inviteSent(),
      callEvents.ringing(),
      callEvents.earlyMedia(),
      callEvents.answered(),
      callEvents.held(),
      callEvents.resumed(),
      callEvents.dtmf(),
      callEvents.transfer(),
      callEvents.ended(),
    ];
    for (const view of [outgoing, incoming, missed]) {
      for (const event of all) {
        const record = softphoneRecordFor(event, view);
        if (record === undefined) continue;
        const message = { ...record, line: view.line, call_id: view.clientCallId } as ServerEvent;
        expect(() => encodeServerMessage(message), `${event.event.case} (${view.direction})`).not.toThrow();
      }
    }
  });
});
