import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callIdOfStream } from '@ringbus/call-domain';
import { CallEndReason, CallParty, callEventFromRecord, type CallEnded } from '@ringbus/proto';
import {
  createWebRtcPeer,
  insideLoopbackNamespace,
  type JanusGateway,
  type KamailioRegistrar,
  runSipp,
  type SippPeer,
  startJanus,
  startKamailio,
  type TracedSipMessage,
  type WebRtcPeer,
} from '@ringbus/telephony-testkit';
import { OutgoingCallPlatform } from './support/outgoing-call-platform.js';

// Incoming calls: media-orchestration registers the user's account at a real registrar (Kamailio); sipp,
// as the carrier, calls the user through it; the INVITE reaches the registered Janus handle and becomes
// a call of its own. Requests go as signaling sends them (media requests on the call's subject).
const inNamespace = insideLoopbackNamespace();

const USER = 'user-alice';

function endedOf(event: Awaited<ReturnType<OutgoingCallPlatform['waitForEvent']>>): CallEnded {
  const decoded = callEventFromRecord(event).event;
  if (decoded.case !== 'callEnded') throw new Error(`expected CallEnded, got ${event.type}`);
  return decoded.value;
}

describe.skipIf(!inNamespace)('incoming calls through a registrar, real Janus, Kamailio and sipp', () => {
  let platform: OutgoingCallPlatform;
  let janus: JanusGateway;
  let kamailio: KamailioRegistrar;
  const peers: WebRtcPeer[] = [];
  const sipps: SippPeer[] = [];
  let callNumber = 0;

  beforeAll(async () => {
    platform = await OutgoingCallPlatform.start();
    janus = await startJanus();
    kamailio = await startKamailio();
    await platform.startService({
      gateways: [{ id: 'janus-e2e', region: 'eu', wsUrl: janus.wsUrl, capacity: 100 }],
      carrierSipPort: 9, // no outgoing call here
      instanceId: 'mo-e2e-incoming',
      sipAccounts: {
        [USER]: {
          identity: 'sip:alice@127.0.0.1',
          registrar: kamailio.proxyUri,
          secret: 'not-challenged',
          tenant: 'acme',
          lines: 1,
        },
      },
    });
    await kamailio.waitForOutput(/registered sip:alice@127\.0\.0\.1/, 10_000);
  });

  afterEach(async () => {
    for (const peer of peers.splice(0)) await peer.close();
    for (const sipp of sipps.splice(0)) await sipp.stop();
  });

  afterAll(async () => {
    await platform?.close();
    await kamailio?.stop();
    await janus?.stop();
  });

  /** The carrier calls alice; resolves with the call Ringbus made of it. */
  async function carrierCalls(
    scenario: 'uac-invite' | 'uac-invite-refused' | 'uac-invite-cancel',
    pauseMs?: number,
  ) {
    callNumber += 1;
    const carrierSipCallId = `carrier-${callNumber}-${Date.now()}@127.0.0.1`;
    const sipp = await runSipp({
      scenario,
      remoteHost: kamailio.address,
      service: 'alice',
      callIdFormat: carrierSipCallId,
      recvTimeoutMs: 30_000,
      globalTimeoutMs: 60_000,
      ...(pauseMs === undefined ? {} : { pauseMs }),
    });
    sipps.push(sipp);
    const offered = await platform.waitForOffer(carrierSipCallId, 15_000);
    const callId = callIdOfStream(offered.streamId);
    if (callId === undefined) throw new Error(`not a call stream: ${offered.streamId}`);
    return { sipp, offered, callId, carrierSipCallId };
  }

  it('accepted by our user: CallOffered, Answered with our answer, RTP both ways, our hang-up is a BYE', async () => {
    const { sipp, offered, callId, carrierSipCallId } = await carrierCalls('uac-invite');
    const offer = callEventFromRecord(offered).event;
    if (offer.case !== 'callOffered') throw new Error('not CallOffered');
    expect(offer.value).toMatchObject({
      userId: USER,
      caller: 'carrier',
      callee: 'alice',
      carrierSipCallId,
      janusGatewayId: 'janus-e2e',
      region: 'eu',
    });
    expect(offered.metadata.tenant).toBe('acme');
    expect(offered.metadata.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    const peer = createWebRtcPeer();
    peers.push(peer);
    const answer = await peer.answerOffer({ type: 'offer', sdp: offer.value.sdpOffer });
    expect(
      (await platform.mediaRequest(callId, { case: 'accept', value: { sdpAnswer: answer.sdp } })).case,
    ).toBe('done');
    const answered = callEventFromRecord(await platform.waitForEvent(callId, 'Answered')).event;
    expect(answered.case === 'answered' && answered.value.sdpAnswer).toBe(answer.sdp);
    await peer.waitForConnected(10_000);
    expect((await peer.waitForReceived(50, 5_000)).received).toBeGreaterThanOrEqual(50);
    const ok = await sipp.waitForMessage((m) => m.direction === 'received' && m.status === 200);
    expect(ok.callId).toBe(carrierSipCallId);

    expect((await platform.mediaRequest(callId, { case: 'hangUp', value: {} })).case).toBe('done');
    await sipp.waitForMessage((m: TracedSipMessage) => m.direction === 'received' && m.method === 'BYE');
    expect(endedOf(await platform.waitForEvent(callId, 'CallEnded'))).toMatchObject({
      reason: CallEndReason.NORMAL,
      hungUpBy: CallParty.CALLEE,
    });
    expect(await sipp.done).toMatchObject({ passed: true });
    expect(await platform.eventTypes(callId)).toEqual(['CallOffered', 'Answered', 'CallEnded']);
  });

  it('declined by our user: 603 to the carrier, rejected by the callee', async () => {
    const { sipp, callId } = await carrierCalls('uac-invite-refused');
    expect((await platform.mediaRequest(callId, { case: 'decline', value: { sipCode: 0 } })).case).toBe(
      'done',
    );
    const refusal = await sipp.waitForMessage((m) => m.direction === 'received' && m.status === 603, 10_000);
    expect(refusal.status).toBe(603);
    expect(endedOf(await platform.waitForEvent(callId, 'CallEnded'))).toMatchObject({
      reason: CallEndReason.REJECTED,
      hungUpBy: CallParty.CALLEE,
      sipCode: 603,
    });
    expect(await sipp.done).toMatchObject({ passed: true });
    expect(await platform.eventTypes(callId)).toEqual(['CallOffered', 'CallEnded']);
  });

  it('declined busy (what signaling does when no line is free): 486, ended busy', async () => {
    const { sipp, callId } = await carrierCalls('uac-invite-refused');
    expect((await platform.mediaRequest(callId, { case: 'decline', value: { sipCode: 486 } })).case).toBe(
      'done',
    );
    await sipp.waitForMessage((m) => m.direction === 'received' && m.status === 486, 10_000);
    expect(endedOf(await platform.waitForEvent(callId, 'CallEnded'))).toMatchObject({
      reason: CallEndReason.BUSY,
      hungUpBy: CallParty.CALLEE,
      sipCode: 486,
    });
    expect(await sipp.done).toMatchObject({ passed: true });
  });

  it('cancelled by the carrier before our user answers: cancelled by the caller, 487', async () => {
    const { sipp, callId } = await carrierCalls('uac-invite-cancel', 1_000);
    expect(endedOf(await platform.waitForEvent(callId, 'CallEnded', 15_000))).toMatchObject({
      reason: CallEndReason.CANCELLED,
      hungUpBy: CallParty.CALLER,
    });
    expect(await sipp.done).toMatchObject({ passed: true });
    // The handle takes the next call once the cancelled one is over.
    const next = await carrierCalls('uac-invite-refused');
    expect((await platform.mediaRequest(next.callId, { case: 'decline', value: { sipCode: 0 } })).case).toBe(
      'done',
    );
    expect(await next.sipp.done).toMatchObject({ passed: true });
  });
});
