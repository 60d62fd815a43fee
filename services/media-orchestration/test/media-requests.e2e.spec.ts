import { describe, expect, it } from 'vitest';
import { sipCallIdFor } from '@ringbus/call-domain';
import { CallEndReason, CallParty, HoldMediaDirection, callEventFromRecord } from '@ringbus/proto';
import {
  insideLoopbackNamespace,
  type runSipp,
  type SippPeer,
  type TracedSipMessage,
  type WebRtcPeer,
} from '@ringbus/telephony-testkit';
import { useJanusE2eFixture } from './support/janus-e2e-fixture.js';

// What signaling asks of a live call's Janus leg (hold, DTMF, hang-up, ICE restart), sent as signaling
// sends it — a media request on the call's NATS subject — to media-orchestration with a real Janus and
// sipp as the carrier. The skip notice for runs outside the namespace is printed by outgoing-call.e2e.
const inNamespace = insideLoopbackNamespace();

const received =
  (method: string) =>
  (m: TracedSipMessage): boolean =>
    m.direction === 'received' && m.method === method;

describe.skipIf(!inNamespace)('media requests on live calls, real Janus and sipp', () => {
  const fixture = useJanusE2eFixture();

  async function callThrough(scenario: Parameters<typeof runSipp>[0]['scenario'], instanceId: string) {
    const sipp = await fixture.carrier({ scenario });
    await fixture.platform.startService({
      gateways: [{ id: 'janus-e2e', region: 'eu', wsUrl: fixture.janus.wsUrl, capacity: 100 }],
      carrierSipPort: sipp.sipPort,
      instanceId,
    });
    const peer = fixture.softphone();
    const { callId } = await fixture.platform.requestCall((await peer.createOffer()).sdp);
    return { sipp, peer, callId };
  }

  const answerMedia = (callId: string, peer: WebRtcPeer) => fixture.connectMedia(callId, peer, 25);

  it('DTMF as SIP INFO, hold and unhold as re-INVITEs with their directions, hang-up as BYE', async () => {
    const { sipp, peer, callId } = await callThrough('uas-answer-info-hold', 'mo-e2e-requests');
    await answerMedia(callId, peer);
    const sipCallId = sipCallIdFor(callId);

    expect(
      await fixture.platform.mediaRequest(callId, { case: 'sendDtmf', value: { digits: '1#a' } }),
    ).toEqual({
      case: 'done',
      value: expect.anything(),
    });
    const dtmf = callEventFromRecord(await fixture.platform.waitForEvent(callId, 'DtmfSent')).event;
    expect(dtmf.case === 'dtmfSent' && dtmf.value.digits).toBe('1#A');
    const infos = await waitForCount(sipp, received('INFO'), 3);
    expect(infos.map((info) => /Signal=(\S+)/.exec(info.body)?.[1])).toEqual(['1', '#', 'A']);
    expect(infos.every((info) => info.headers['content-type']?.[0] === 'application/dtmf-relay')).toBe(true);

    const hold = await fixture.platform.mediaRequest(callId, {
      case: 'hold',
      value: { mediaDirection: HoldMediaDirection.SENDONLY },
    });
    expect(hold.case).toBe('done');
    const held = callEventFromRecord(await fixture.platform.waitForEvent(callId, 'HeldByUs')).event;
    expect(held.case === 'heldByUs' && held.value.mediaDirection).toBe(HoldMediaDirection.SENDONLY);
    const [, holdInvite] = await waitForCount(sipp, received('INVITE'), 2);
    expect(holdInvite?.body).toMatch(/^a=sendonly\r?$/m);
    // The domain keeps DTMF to a call that is not on hold; the leg refuses it before Janus is asked.
    expect(await fixture.platform.mediaRequest(callId, { case: 'sendDtmf', value: { digits: '5' } })).toEqual(
      {
        case: 'refused',
        value: expect.objectContaining({ code: 447 }),
      },
    );

    expect((await fixture.platform.mediaRequest(callId, { case: 'unhold', value: {} })).case).toBe('done');
    await fixture.platform.waitForEvent(callId, 'Resumed');
    const [, , resumeInvite] = await waitForCount(sipp, received('INVITE'), 3);
    // Janus restores the direction before the hold; sendrecv is the default and written as no attribute.
    expect(resumeInvite?.body).not.toMatch(/^a=(sendonly|recvonly|inactive)\r?$/m);

    expect((await fixture.platform.mediaRequest(callId, { case: 'hangUp', value: {} })).case).toBe('done');
    await sipp.waitForMessage(received('BYE'), 10_000);
    const ended = callEventFromRecord(await fixture.platform.waitForEvent(callId, 'CallEnded')).event;
    expect(ended.case === 'callEnded' && ended.value).toMatchObject({
      reason: CallEndReason.NORMAL,
      hungUpBy: CallParty.CALLER,
      sipCode: 200,
    });
    expect(await sipp.done).toMatchObject({ passed: true });
    expect(sipp.messages().every((m) => m.callId === sipCallId)).toBe(true);
    expect(await fixture.platform.eventTypes(callId)).toEqual([
      'CallRequested',
      'SipInviteSent',
      'Answered',
      'DtmfSent',
      'HeldByUs',
      'Resumed',
      'CallEnded',
    ]);
    // The call is gone from this instance: nobody listens on its subject any more.
    await expect(fixture.platform.mediaRequest(callId, { case: 'hangUp', value: {} })).rejects.toMatchObject({
      code: 'NO_COMMAND_HANDLER',
    });
  });

  it('a hang-up while the callee rings is a CANCEL: 487, cancelled by the caller', async () => {
    const { sipp, callId } = await callThrough('uas-ringing-no-answer', 'mo-e2e-cancel');
    await fixture.platform.waitForEvent(callId, 'Ringing');
    // Hold needs an answered call.
    expect(
      await fixture.platform.mediaRequest(callId, {
        case: 'hold',
        value: { mediaDirection: HoldMediaDirection.UNSPECIFIED },
      }),
    ).toEqual({ case: 'refused', value: expect.objectContaining({ code: 447 }) });

    expect((await fixture.platform.mediaRequest(callId, { case: 'hangUp', value: {} })).case).toBe('done');
    await sipp.waitForMessage(received('CANCEL'), 10_000);
    const ended = callEventFromRecord(await fixture.platform.waitForEvent(callId, 'CallEnded')).event;
    expect(ended.case === 'callEnded' && ended.value).toMatchObject({
      reason: CallEndReason.CANCELLED,
      hungUpBy: CallParty.CALLER,
      sipCode: 487,
    });
    expect(await sipp.done).toMatchObject({ passed: true });
    expect(await fixture.platform.eventTypes(callId)).toEqual([
      'CallRequested',
      'SipInviteSent',
      'Ringing',
      'CallEnded',
    ]);
  });

  it('an ICE-restart update renegotiates through a re-INVITE, and media keeps flowing both ways', async () => {
    const { sipp, peer, callId } = await callThrough('uas-answer-reinvite', 'mo-e2e-update');
    await answerMedia(callId, peer);

    const restart = await peer.createOffer({ iceRestart: true });
    expect(
      (await fixture.platform.mediaRequest(callId, { case: 'renegotiate', value: { sdpOffer: restart.sdp } }))
        .case,
    ).toBe('done');
    const renegotiated = callEventFromRecord(
      await fixture.platform.waitForEvent(callId, 'MediaRenegotiated'),
    ).event;
    if (renegotiated.case !== 'mediaRenegotiated') throw new Error('not MediaRenegotiated');
    expect(renegotiated.value.sdpOffer).toBe(restart.sdp);
    await peer.applyAnswer({ type: 'answer', sdp: renegotiated.value.sdpAnswer });
    const before = peer.counters().received;
    const after = await peer.waitForReceived(before + 25, 10_000);
    expect(after.received).toBeGreaterThanOrEqual(before + 25);
    const invites = await waitForCount(sipp, received('INVITE'), 2);
    expect(invites.every((invite) => invite.callId === sipCallIdFor(callId))).toBe(true);

    expect((await fixture.platform.mediaRequest(callId, { case: 'hangUp', value: {} })).case).toBe('done');
    await fixture.platform.waitForEvent(callId, 'CallEnded');
    expect(await sipp.done).toMatchObject({ passed: true });
    expect(await fixture.platform.eventTypes(callId)).toEqual([
      'CallRequested',
      'SipInviteSent',
      'Answered',
      'MediaRenegotiated',
      'CallEnded',
    ]);
  });
});

async function waitForCount(
  sipp: SippPeer,
  matches: (m: TracedSipMessage) => boolean,
  count: number,
  timeoutMs = 10_000,
): Promise<TracedSipMessage[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = sipp.messages().filter(matches);
    if (found.length >= count) return found;
    if (Date.now() > deadline) {
      throw new Error(`sipp saw ${found.length} of ${count} matching messages in ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
