import { describe, expect, it } from 'vitest';
import { sipCallIdFor } from '@ringbus/call-domain';
import { CallEndReason, CallParty, callEventFromRecord, type CallEnded } from '@ringbus/proto';
import {
  createWebRtcPeer,
  insideLoopbackNamespace,
  LOOPBACK_ICE_INTERFACE,
  type SippPeer,
  startJanus,
  type TracedSipMessage,
} from '@ringbus/telephony-testkit';
import { JanusGatewayPool } from '../src/adapters/janus/janus-gateway-pool.js';
import { type OutgoingCallPlatform, type ServiceSettings } from './support/outgoing-call-platform.js';
import { useJanusE2eFixture } from './support/janus-e2e-fixture.js';
import { sippLoggedAtMs } from './support/sipp-time.js';

const inNamespace = insideLoopbackNamespace();
if (!inNamespace) {
  console.warn(
    `media-orchestration e2e skipped: interface ${LOOPBACK_ICE_INTERFACE} is missing, so Janus could gather no ` +
      'loopback candidate. Run: npx tsc -b services/media-orchestration && ' +
      'bash scripts/in-netns.sh npx vitest run --project e2e services/media-orchestration',
  );
}

// 50 packets are 1 s of 20 ms audio: enough to prove media flows both ways.
const RTP_PACKETS_EXPECTED = 50;

const isInvite = (m: TracedSipMessage) => m.direction === 'received' && m.method === 'INVITE';

function callEndedOf(event: Awaited<ReturnType<OutgoingCallPlatform['waitForEvent']>>): CallEnded {
  const decoded = callEventFromRecord(event);
  if (decoded.event.case !== 'callEnded') throw new Error(`expected CallEnded, got ${event.type}`);
  return decoded.event.value;
}

/** Milliseconds from CallRequested stored to the INVITE in sipp's trace. */
function inviteDelayMs(invite: TracedSipMessage, requestedAtMs: number): number | undefined {
  const at = sippLoggedAtMs(invite.loggedAt);
  return at === undefined ? undefined : at - requestedAtMs;
}

describe.skipIf(!inNamespace)('outgoing calls through media-orchestration, real Janus and sipp', () => {
  const fixture = useJanusE2eFixture();
  const { carrier, softphone, connectMedia } = fixture;

  const settingsFor = (
    sipp: SippPeer,
    instanceId: string,
    gateway = fixture.janus,
    warmLines?: number,
  ): ServiceSettings => ({
    gateways: [{ id: 'janus-e2e', region: 'eu', wsUrl: gateway.wsUrl, capacity: 100 }],
    carrierSipPort: sipp.sipPort,
    instanceId,
    warmLines,
  });

  it('answered call: INVITE with our Call-ID, SDP answer in Answered, RTP both ways, our hang-up is a BYE', async () => {
    const sipp = await carrier({ scenario: 'uas-answer-echo' });
    const { app } = await fixture.platform.startService(settingsFor(sipp, 'mo-e2e-answer'));
    const peer = softphone();
    const offer = await peer.createOffer();

    const { callId, requestedAtMs } = await fixture.platform.requestCall(offer.sdp);
    const invite = await sipp.waitForMessage(isInvite, 10_000);
    expect(invite.callId).toBe(sipCallIdFor(callId));
    const answered = await fixture.platform.waitForEvent(callId, 'Answered');
    const answeredEvent = callEventFromRecord(answered).event;
    if (answeredEvent.case !== 'answered') throw new Error('not Answered');
    await peer.applyAnswer({ type: 'answer', sdp: answeredEvent.value.sdpAnswer });
    await peer.waitForConnected(10_000);
    const counters = await peer.waitForReceived(RTP_PACKETS_EXPECTED, 5_000);
    expect(counters.sent).toBeGreaterThanOrEqual(RTP_PACKETS_EXPECTED);
    console.info(
      `answered call: CallRequested -> INVITE at sipp ${inviteDelayMs(invite, requestedAtMs)} ms; ` +
        `-> Answered stored ${Date.parse(answered.metadata.occurredAt) - requestedAtMs} ms; RTP ${JSON.stringify(counters)}`,
    );

    await fixture.platform.hangUpAsCaller(callId, CallEndReason.NORMAL, CallParty.CALLER);
    const bye = await sipp.waitForMessage((m) => m.direction === 'received' && m.method === 'BYE', 10_000);
    expect(bye.callId).toBe(sipCallIdFor(callId));
    expect(await sipp.done).toMatchObject({ passed: true });
    expect(sipp.messages().every((m) => m.callId === sipCallIdFor(callId))).toBe(true);

    const types = await fixture.platform.eventTypes(callId);
    expect(types).toEqual(['CallRequested', 'SipInviteSent', 'Answered', 'CallEnded']);
    const inviteSent = callEventFromRecord(
      await fixture.platform.waitForEvent(callId, 'SipInviteSent'),
    ).event;
    expect(inviteSent.case === 'sipInviteSent' && inviteSent.value).toMatchObject({
      sipCallId: sipCallIdFor(callId),
      janusGatewayId: 'janus-e2e',
      region: 'eu',
    });
    expect(callEndedOf(await fixture.platform.waitForEvent(callId, 'CallEnded'))).toMatchObject({
      reason: CallEndReason.NORMAL,
      hungUpBy: CallParty.CALLER,
    });
    await fixture.platform.stopService(app);
  });

  it('a Janus handle freed by an answered call carries the next answered call, media both ways', async () => {
    const calls = 3;
    const sipp = await carrier({ scenario: 'uas-answer-echo', calls });
    // Two warm handles for three calls: at least one call runs on a handle an earlier call used.
    const { app } = await fixture.platform.startService(settingsFor(sipp, 'mo-e2e-reuse', fixture.janus, 2));
    for (let i = 0; i < calls; i += 1) {
      const peer = softphone();
      const { callId } = await fixture.platform.requestCall((await peer.createOffer()).sdp);
      const counters = await connectMedia(callId, peer, 25);
      expect(counters.received).toBeGreaterThanOrEqual(25);
      await fixture.platform.hangUpAsCaller(callId, CallEndReason.NORMAL, CallParty.CALLER);
      await sipp.waitForMessage(
        (m) => m.direction === 'received' && m.method === 'BYE' && m.callId === sipCallIdFor(callId),
      );
      await peer.close();
      // The handle goes back once Janus closed its PeerConnection.
      await expect.poll(() => app.get(JanusGatewayPool).status()[0]?.warmLines, { timeout: 5_000 }).toBe(2);
    }
    expect(await sipp.done).toMatchObject({ passed: true });
    expect(app.get(JanusGatewayPool).status()[0]?.handlesAttached).toBe(2);
    await fixture.platform.stopService(app);
  });

  it("the carrier's BYE ends an answered call: normal, by the callee, SIP 200", async () => {
    const sipp = await carrier({ scenario: 'uas-answer-then-bye', pauseMs: 2_500 });
    const { app } = await fixture.platform.startService(settingsFor(sipp, 'mo-e2e-bye'));
    const peer = softphone();
    const { callId } = await fixture.platform.requestCall((await peer.createOffer()).sdp);
    const answered = callEventFromRecord(await fixture.platform.waitForEvent(callId, 'Answered')).event;
    if (answered.case !== 'answered') throw new Error('not Answered');
    await peer.applyAnswer({ type: 'answer', sdp: answered.value.sdpAnswer });
    await peer.waitForConnected(10_000);
    await peer.waitForReceived(10, 5_000);

    const ended = callEndedOf(await fixture.platform.waitForEvent(callId, 'CallEnded', 15_000));
    expect(ended).toMatchObject({ reason: CallEndReason.NORMAL, hungUpBy: CallParty.CALLEE, sipCode: 200 });
    expect(await sipp.done).toMatchObject({ passed: true });
    expect(await fixture.platform.eventTypes(callId)).toEqual([
      'CallRequested',
      'SipInviteSent',
      'Answered',
      'CallEnded',
    ]);
    await fixture.platform.stopService(app);
  });

  it('486 from the carrier ends the call busy, by the callee, with the SIP code', async () => {
    const sipp = await carrier({ scenario: 'uas-busy' });
    const { app } = await fixture.platform.startService(settingsFor(sipp, 'mo-e2e-busy'));
    const { callId, requestedAtMs } = await fixture.platform.requestCall(
      (await softphone().createOffer()).sdp,
    );
    const ended = callEndedOf(await fixture.platform.waitForEvent(callId, 'CallEnded'));
    expect(ended).toMatchObject({ reason: CallEndReason.BUSY, hungUpBy: CallParty.CALLEE, sipCode: 486 });
    expect(await fixture.platform.eventTypes(callId)).toEqual([
      'CallRequested',
      'SipInviteSent',
      'CallEnded',
    ]);
    const invite = await sipp.waitForMessage(isInvite);
    expect(invite.callId).toBe(sipCallIdFor(callId));
    console.info(`busy call: CallRequested -> INVITE at sipp ${inviteDelayMs(invite, requestedAtMs)} ms`);
    expect(await sipp.done).toMatchObject({ passed: true });
    await fixture.platform.stopService(app);
  });

  it('50 calls in a row: 50 distinct Call-IDs at the carrier, each the one derived from its call', async () => {
    const calls = 50;
    const sipp = await carrier({ scenario: 'uas-busy', calls });
    const { app } = await fixture.platform.startService(settingsFor(sipp, 'mo-e2e-many'));
    const startedAt = Date.now();
    const callIds: string[] = [];
    const delays: number[] = [];
    for (let i = 0; i < calls; i += 1) {
      const peer = createWebRtcPeer({ offerDtlsSetup: 'active' });
      const { callId, requestedAtMs } = await fixture.platform.requestCall((await peer.createOffer()).sdp);
      callIds.push(callId);
      const ended = callEndedOf(await fixture.platform.waitForEvent(callId, 'CallEnded'));
      expect(ended.reason).toBe(CallEndReason.BUSY);
      const invite = await sipp.waitForMessage((m) => isInvite(m) && m.callId === sipCallIdFor(callId));
      const delay = inviteDelayMs(invite, requestedAtMs);
      if (delay !== undefined) delays.push(delay);
      await peer.close();
    }
    const elapsedMs = Date.now() - startedAt;
    expect(await sipp.done).toMatchObject({ passed: true });
    const inviteCallIds = sipp
      .messages()
      .filter(isInvite)
      .map((m) => m.callId);
    expect(inviteCallIds).toHaveLength(calls);
    expect(new Set(inviteCallIds).size).toBe(calls);
    expect(inviteCallIds).toEqual(callIds.map((callId) => sipCallIdFor(callId)));
    expect(elapsedMs).toBeLessThan(30_000);
    // Janus handles are reused (a new one costs Janus 100 ms): far fewer handles than calls.
    const [gateway] = app.get(JanusGatewayPool).status();
    expect(gateway?.handlesAttached).toBeLessThan(calls / 2);
    delays.sort((a, b) => a - b);
    console.info(
      `${calls} sequential calls in ${elapsedMs} ms on ${gateway?.handlesAttached} Janus handles; CallRequested -> INVITE at sipp: ` +
        `p50 ${delays[Math.floor(delays.length * 0.5)]} ms, p95 ${delays[Math.floor(delays.length * 0.95)]} ms, ` +
        `max ${delays.at(-1)} ms`,
    );
    await fixture.platform.stopService(app);
  });

  it('Janus killed mid-call: the call ends as gateway lost, by the system', async () => {
    const doomed = await startJanus({
      webRtcPorts: { min: 21_000, max: 21_099 },
      sipRtpPorts: { min: 21_100, max: 21_199 },
    });
    try {
      const sipp = await carrier({ scenario: 'uas-answer-echo' });
      const { app } = await fixture.platform.startService(settingsFor(sipp, 'mo-e2e-lost', doomed));
      const peer = softphone();
      const { callId } = await fixture.platform.requestCall((await peer.createOffer()).sdp);
      const answered = callEventFromRecord(await fixture.platform.waitForEvent(callId, 'Answered')).event;
      if (answered.case !== 'answered') throw new Error('not Answered');
      await peer.applyAnswer({ type: 'answer', sdp: answered.value.sdpAnswer });
      await peer.waitForConnected(10_000);
      await peer.waitForReceived(10, 5_000);

      const killedAt = Date.now();
      doomed.kill('SIGKILL');
      const endedEvent = await fixture.platform.waitForEvent(callId, 'CallEnded');
      const ended = callEndedOf(endedEvent);
      expect(ended).toMatchObject({
        reason: CallEndReason.GATEWAY_LOST,
        hungUpBy: CallParty.SYSTEM,
        sipCode: 0,
      });
      expect(ended.reasonText).toMatch(/janus-e2e/);
      console.info(
        `Janus SIGKILLed: CallEnded GATEWAY_LOST stored ${Date.parse(endedEvent.metadata.occurredAt) - killedAt} ms later ` +
          `(${ended.reasonText})`,
      );
      await fixture.platform.stopService(app);
      await sipp.stop();
    } finally {
      await doomed.stop();
    }
  });

  it('media-orchestration killed mid-call: its restart ends the call as gateway lost', async () => {
    const sipp = await carrier({ scenario: 'uas-answer-echo' });
    const settings = settingsFor(sipp, 'mo-e2e-restart');
    const first = await fixture.platform.spawnService(settings);
    const peer = softphone();
    const { callId } = await fixture.platform.requestCall((await peer.createOffer()).sdp);
    await fixture.platform.waitForEvent(callId, 'Answered').catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\nservice output:\n${first.output()}`);
    });

    first.kill('SIGKILL');
    await first.exited;
    // Janus drops the session of a closed WebSocket and hangs the call up towards the carrier.
    const bye = await sipp.waitForMessage((m) => m.direction === 'received' && m.method === 'BYE', 10_000);
    expect(bye.callId).toBe(sipCallIdFor(callId));
    expect(await fixture.platform.eventTypes(callId)).toEqual(['CallRequested', 'SipInviteSent', 'Answered']);

    const second = await fixture.platform.spawnService(settings);
    const ended = callEndedOf(await fixture.platform.waitForEvent(callId, 'CallEnded'));
    expect(ended).toMatchObject({
      reason: CallEndReason.GATEWAY_LOST,
      hungUpBy: CallParty.SYSTEM,
      sipCode: 0,
    });
    expect(ended.reasonText).toMatch(/restarted/);
    second.kill('SIGTERM');
    expect(await second.waitForExit(10_000)).toEqual({ code: 0, signal: null });
  });
});
