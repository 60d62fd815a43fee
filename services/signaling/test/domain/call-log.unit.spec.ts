import { encodeServerMessage } from '@ringbus/softphone-protocol';
import { describe, expect, it } from 'vitest';
import { callLogFor } from '../../src/domain/call-log.js';
import { incomingCallView, outgoingCallView } from '../../src/domain/call-view.js';
import { callEvents, OFFER_SDP } from './call-events.js';

describe('call log of a live call (state handshake)', () => {
  it('lists what the softphone heard, newest first, with the events’ times', () => {
    const requested = callEvents.requested(1_000);
    if (requested.event.case !== 'callRequested') throw new Error('not CallRequested');
    const view = outgoingCallView(requested.event.value);
    const log = callLogFor(
      [requested, callEvents.inviteSent(1_100), callEvents.ringing(1_200), callEvents.answered(1_300)],
      view,
    );
    expect(log.map(([ms, record]) => [ms, 'event' in record ? record.event : '?'])).toEqual([
      [1_300, 'accepted'],
      [1_200, 'ringing'],
      [1_100, 'calling'],
    ]);
    // On resume, the Flutter app restores an outgoing call's peer from the accepted event's callee.
    expect(log[0]?.[1]).toMatchObject({ event: 'accepted', callee: '+15550199' });
  });

  it('holds an incoming call’s offer as its earliest entry', () => {
    const offered = callEvents.offered(1_000);
    if (offered.event.case !== 'callOffered') throw new Error('not CallOffered');
    const view = incomingCallView(offered.event.value, { line: 0, clientCallId: 'carrier-abc@10.0.0.1' });
    const log = callLogFor([offered, callEvents.answered(1_300)], view);
    expect(log.at(-1)).toEqual([
      1_000,
      {
        event: 'incoming_call',
        callee: '+15550001',
        caller: '+15550777',
        caller_display_name: 'Bob',
        jsep: { type: 'offer', sdp: OFFER_SDP },
      },
    ]);
    expect(log[0]).toEqual([1_300, { event: 'accepted', callee: '+15550001' }]);
  });

  it('fits the state handshake the public clients parse', () => {
    const offered = callEvents.offered();
    if (offered.event.case !== 'callOffered') throw new Error('not CallOffered');
    const view = incomingCallView(offered.event.value, { line: 0, clientCallId: 'carrier-abc@10.0.0.1' });
    const log = callLogFor([offered, callEvents.answered(), callEvents.held(), callEvents.dtmf()], view);
    expect(() =>
      encodeServerMessage({
        handshake: 'state',
        keepalive_interval: 30_000,
        timestamp: 2_000,
        registration: { status: 'registered' },
        lines: [{ call_id: view.clientCallId, call_logs: log }, null],
      }),
    ).not.toThrow();
  });
});
