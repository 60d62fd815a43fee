import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { type CallState, decide, evolve, initialCallState, sipCallIdFor } from '@ringbus/call-domain';
import { CallCommandSchema, CallEndReason, CallParty, type CallEvent } from '@ringbus/proto';
import { callCommandFor } from '../src/domain/call-command-for.js';
import { type SipLegEvent } from '../src/domain/sip-leg-event.js';
import { initialSipLegState, translateSipLegEvent } from '../src/domain/sip-leg-translation.js';
import { ANSWER_SDP, EARLY_SDP, sip } from './janus-events.js';

const CALL_ID = '0192f3a0-7c1e-7b2a-9c3d-5e6f7a8b9c0d';
const T0 = Date.UTC(2026, 10, 26, 9, 0, 0);

/** RequestCall, then the commands Janus's events translate to, through the real decider. */
function streamFor(events: readonly SipLegEvent[]): CallEvent[] {
  let state: CallState = initialCallState;
  const stream: CallEvent[] = [];
  const apply = (decided: CallEvent[]) => {
    for (const event of decided) {
      state = evolve(state, event);
      stream.push(event);
    }
  };
  apply(
    decide(
      create(CallCommandSchema, {
        commandId: 'c-0',
        callId: CALL_ID,
        occurredAt: timestampFromMs(T0),
        command: {
          case: 'requestCall',
          value: {
            userId: 'u-1',
            caller: '1001',
            callee: '+15551234567',
            sdpOffer: 'v=0',
            clientCallId: 'x',
          },
        },
      }),
      state,
    ),
  );
  let leg = initialSipLegState;
  events.forEach((event, index) => {
    const step = translateSipLegEvent(leg, event);
    leg = step.state;
    if (step.update === undefined) return;
    const command = callCommandFor(step.update, {
      commandId: `c-${index + 1}`,
      callId: CALL_ID,
      occurredAtMs: T0 + 10 * (index + 1),
      sipCallId: sipCallIdFor(CALL_ID),
      gatewayId: 'janus-eu-1',
      region: 'eu',
    });
    apply(decide(command, state));
  });
  return stream;
}

describe('translated Janus events make a call stream the call domain accepts', () => {
  it('answered then hung up by the carrier', () => {
    const stream = streamFor([
      sip('calling'),
      sip('ringing'),
      sip('proceeding', { code: 180 }),
      sip('accepted', { sdp: ANSWER_SDP }),
      sip('hangup', { code: 200, reason: 'Session Terminated' }),
    ]);
    expect(stream.map((e) => e.event.case)).toEqual([
      'callRequested',
      'sipInviteSent',
      'ringing',
      'answered',
      'callEnded',
    ]);
    expect(stream[1]?.event.value).toMatchObject({
      sipCallId: `rb-${CALL_ID}`,
      janusGatewayId: 'janus-eu-1',
      region: 'eu',
    });
    expect(stream[3]?.event.value).toMatchObject({ sdpAnswer: ANSWER_SDP });
    expect(stream[4]?.event.value).toMatchObject({
      reason: CallEndReason.NORMAL,
      hungUpBy: CallParty.CALLEE,
      sipCode: 200,
    });
  });

  it('early media then answer; busy; gateway lost while ringing', () => {
    expect(
      streamFor([sip('calling'), sip('progress', { sdp: EARLY_SDP }), sip('accepted')]).map(
        (e) => e.event.case,
      ),
    ).toEqual(['callRequested', 'sipInviteSent', 'earlyMedia', 'answered']);
    expect(streamFor([sip('calling'), sip('hangup', { code: 486 })]).at(-1)?.event.value).toMatchObject({
      reason: CallEndReason.BUSY,
    });
    expect(
      streamFor([sip('calling'), sip('ringing'), { kind: 'line-lost', reason: 'gone' }]).at(-1)?.event.value,
    ).toMatchObject({ reason: CallEndReason.GATEWAY_LOST, hungUpBy: CallParty.SYSTEM, sipCode: 0 });
  });
});
