import { describe, expect, it } from 'vitest';
import { CallEndReason, CallParty } from '@ringbus/proto';
import { type SipLegEvent } from '../src/domain/sip-leg-event.js';
import {
  type CallUpdate,
  endSipLeg,
  gatewayLost,
  initialSipLegState,
  requestSipLegHangup,
  type SipLegState,
  startSipLegRenegotiation,
  translateSipLegEvent,
  translateSipLegEventInOrder,
} from '../src/domain/sip-leg-translation.js';
import { ANSWER_SDP, EARLY_SDP, sip } from './janus-events.js';

/** Feeds `events` in order and returns every update they produced, and the final state. */
function run(events: readonly SipLegEvent[], from: SipLegState = initialSipLegState) {
  let state = from;
  const updates: CallUpdate[] = [];
  for (const event of events) {
    const step = translateSipLegEvent(state, event);
    state = step.state;
    if (step.update !== undefined) updates.push(step.update);
  }
  return { state, updates };
}

const ended = (update: CallUpdate | undefined) => (update?.kind === 'ended' ? update.ending : undefined);

describe('Janus SIP plugin events -> call updates', () => {
  it('an answered call: calling, 180 (ringing and proceeding), accepted with the answer', () => {
    const { updates, state } = run([
      sip('registered'),
      sip('calling'),
      sip('ringing'),
      sip('proceeding', { code: 180 }),
      sip('accepted', { sdp: ANSWER_SDP }),
    ]);
    expect(updates).toEqual([
      { kind: 'invite-sent' },
      { kind: 'ringing', sipCode: 180 },
      { kind: 'answered', sdp: ANSWER_SDP },
    ]);
    expect(state.stage).toBe('answered');
  });

  it('the carrier hangs up an answered call with a BYE: normal, by the callee', () => {
    const { updates } = run([
      sip('calling'),
      sip('accepted', { sdp: ANSWER_SDP }),
      sip('hangup', { code: 200, reason: 'Session Terminated' }),
    ]);
    expect(ended(updates.at(-1))).toEqual({
      reason: CallEndReason.NORMAL,
      hungUpBy: CallParty.CALLEE,
      sipCode: 200,
      q850Cause: 0,
      reasonText: 'Session Terminated',
    });
  });

  it('486 Busy Here: busy, by the callee, with the Q.850 cause of the Reason header', () => {
    const { updates } = run([
      sip('calling'),
      { kind: 'media-closed', reason: 'Close PC' },
      sip('hangup', { code: 486, reason: 'Busy Here', q850Cause: 17 }),
    ]);
    expect(updates.map((u) => u.kind)).toEqual(['invite-sent', 'ended']);
    expect(ended(updates[1])).toMatchObject({
      reason: CallEndReason.BUSY,
      hungUpBy: CallParty.CALLEE,
      sipCode: 486,
      q850Cause: 17,
    });
  });

  it('503 from the far side: failed with that code', () => {
    const { updates } = run([sip('calling'), sip('hangup', { code: 503, reason: 'Service Unavailable' })]);
    expect(ended(updates[1])).toMatchObject({ reason: CallEndReason.FAILED, sipCode: 503 });
  });

  it('183 with SDP is early media; a 200 without SDP then answers with the early SDP', () => {
    const { updates } = run([
      sip('calling'),
      sip('progress', { sdp: EARLY_SDP }),
      sip('proceeding', { code: 183 }),
      sip('accepted'),
    ]);
    expect(updates).toEqual([
      { kind: 'invite-sent' },
      { kind: 'early-media', sdp: EARLY_SDP, sipCode: 183 },
      { kind: 'answered', sdp: EARLY_SDP },
    ]);
  });

  it('a 181 or 182 rings too; 100 and 183 without SDP do not', () => {
    expect(run([sip('calling'), sip('proceeding', { code: 181 })]).updates[1]).toEqual({
      kind: 'ringing',
      sipCode: 181,
    });
    expect(
      run([sip('calling'), sip('proceeding', { code: 100 }), sip('proceeding', { code: 183 })]).updates,
    ).toEqual([{ kind: 'invite-sent' }]);
  });

  it('our own hang-up: CANCEL before the answer is cancelled, BYE after it normal, both by the caller', () => {
    const ringing = run([sip('calling'), sip('ringing')]).state;
    const cancelled = run(
      [sip('hangingup'), sip('hangup', { code: 487, reason: 'Request Terminated' })],
      requestSipLegHangup(ringing),
    );
    expect(ended(cancelled.updates[0])).toMatchObject({
      reason: CallEndReason.CANCELLED,
      hungUpBy: CallParty.CALLER,
      sipCode: 487,
    });
    const answered = run([sip('calling'), sip('accepted', { sdp: ANSWER_SDP })]).state;
    const byed = run([sip('hangup', { code: 200, reason: 'to BYE' })], requestSipLegHangup(answered));
    expect(ended(byed.updates[0])).toMatchObject({
      reason: CallEndReason.NORMAL,
      hungUpBy: CallParty.CALLER,
    });
  });

  it('the media path breaking (ICE, DTLS) ends the call as media failed; the SIP teardown after it changes nothing', () => {
    const { updates } = run([
      sip('calling'),
      sip('accepted', { sdp: ANSWER_SDP }),
      { kind: 'media-closed', reason: 'DTLS alert' },
      sip('hangup', { code: 200, reason: 'to BYE' }),
    ]);
    expect(updates.map((u) => u.kind)).toEqual(['invite-sent', 'answered', 'ended']);
    expect(ended(updates[2])).toMatchObject({
      reason: CallEndReason.MEDIA_FAILED,
      hungUpBy: CallParty.SYSTEM,
    });
  });

  it('a lost line (gateway connection gone) ends the call as gateway lost, by the system', () => {
    const { updates } = run([
      sip('calling'),
      sip('accepted', { sdp: ANSWER_SDP }),
      { kind: 'line-lost', reason: 'the connection to Janus gateway j1 was lost' },
    ]);
    expect(ended(updates[2])).toEqual(gatewayLost('the connection to Janus gateway j1 was lost'));
    expect(ended(updates[2])).toMatchObject({
      reason: CallEndReason.GATEWAY_LOST,
      hungUpBy: CallParty.SYSTEM,
      sipCode: 0,
    });
  });

  it("the plugin's refusal of the call request fails the call; later errors answer other requests and end nothing", () => {
    const refused = run([{ kind: 'plugin-error', errorCode: 446, error: 'Missing SDP' }]);
    expect(ended(refused.updates[0])).toMatchObject({
      reason: CallEndReason.FAILED,
      hungUpBy: CallParty.SYSTEM,
    });
    expect(
      run([
        sip('calling'),
        sip('accepted', { sdp: ANSWER_SDP }),
        { kind: 'plugin-error', errorCode: 453, error: 'x' },
      ]).updates.map((u) => u.kind),
    ).toEqual(['invite-sent', 'answered']);
  });

  it('after the end nothing more is recorded, whatever Janus still says', () => {
    const { updates } = run([
      sip('calling'),
      sip('hangup', { code: 486, reason: 'Busy Here' }),
      sip('hangup', { code: 200 }),
      sip('accepted', { sdp: ANSWER_SDP }),
      { kind: 'line-lost', reason: 'x' },
    ]);
    expect(updates.map((u) => u.kind)).toEqual(['invite-sent', 'ended']);
    expect(endSipLeg(run([sip('hangup', { code: 486 })]).state, gatewayLost('x')).update).toBeUndefined();
  });

  it('events out of place are ignored: ringing before calling, a second calling, an answer after the end', () => {
    expect(run([sip('ringing'), sip('calling'), sip('calling')]).updates).toEqual([{ kind: 'invite-sent' }]);
  });
});

describe('renegotiation (the softphone `update`)', () => {
  const answered = run([sip('calling'), sip('accepted', { sdp: ANSWER_SDP })]).state;

  it('reads the `accepted` after our update as its answer, once', () => {
    const { updates, state } = run(
      [sip('updating'), sip('accepted', { sdp: 'v=0 restart answer' }), sip('accepted', { sdp: 'v=0 late' })],
      startSipLegRenegotiation(answered, 'v=0 restart offer'),
    );
    expect(updates).toEqual([
      { kind: 'renegotiated', sdpOffer: 'v=0 restart offer', sdpAnswer: 'v=0 restart answer' },
    ]);
    expect(state).toMatchObject({ stage: 'answered', renegotiationOffer: undefined });
  });

  it('does not start before the answer: the call has nothing to renegotiate yet', () => {
    const ringing = run([sip('calling'), sip('ringing')]).state;
    expect(startSipLegRenegotiation(ringing, 'v=0 offer')).toBe(ringing);
  });

  it('an `accepted` without our update changes nothing on an answered call', () => {
    expect(run([sip('accepted', { sdp: 'v=0 again' })], answered).updates).toEqual([]);
  });
});

describe('Janus answering before it says `calling` (its SIP thread beat its request thread)', () => {
  const inOrder = (events: readonly SipLegEvent[]) => {
    let state = initialSipLegState;
    const updates: CallUpdate[] = [];
    for (const event of events) {
      for (const step of translateSipLegEventInOrder(state, event)) {
        state = step.state;
        if (step.update !== undefined) updates.push(step.update);
      }
    }
    return updates;
  };

  it('a 486 before `calling` records the INVITE, then the busy end; the late `calling` changes nothing', () => {
    const updates = inOrder([sip('hangup', { code: 486, reason: 'Busy Here' }), sip('calling')]);
    expect(updates.map((u) => u.kind)).toEqual(['invite-sent', 'ended']);
    expect(ended(updates[1])).toMatchObject({ reason: CallEndReason.BUSY, sipCode: 486 });
  });

  it('an answer before `calling` records the INVITE, then the answer', () => {
    expect(inOrder([sip('accepted', { sdp: ANSWER_SDP }), sip('calling')])).toEqual([
      { kind: 'invite-sent' },
      { kind: 'answered', sdp: ANSWER_SDP },
    ]);
  });

  it('in the usual order it is the plain translation', () => {
    expect(inOrder([sip('calling'), sip('ringing')]).map((u) => u.kind)).toEqual(['invite-sent', 'ringing']);
  });
});
