import { randomUUID } from 'node:crypto';
import Janode, { type JanodeConnection, type JanodeSession } from 'janode';
import SipPlugin from 'janode/plugins/sip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWebRtcPeer,
  insideLoopbackNamespace,
  type JanusGateway,
  type Jsep,
  type KamailioRegistrar,
  LOOPBACK_ICE_INTERFACE,
  runSipp,
  type SippOutcome,
  type SippPeer,
  startJanus,
  startKamailio,
  type WebRtcPeer,
} from '../src/index.js';
import { JanusEventLog, withTimeout } from './janus-event-log.js';

const inNamespace = insideLoopbackNamespace();
if (!inNamespace) {
  console.warn(
    `sip-call e2e skipped: interface ${LOOPBACK_ICE_INTERFACE} is missing, so Janus could gather no loopback ` +
      'candidate. Run: bash scripts/in-netns.sh npx vitest run --project e2e libs/telephony-testkit',
  );
}

// Enough to prove media flows both ways without making the test slow: 50 packets are 1 s of 20 ms audio.
const RTP_PACKETS_EXPECTED = 50;

Janode.Logger.setLevel('warn');

describe.skipIf(!inNamespace)('SIP calls through our own Janus, on loopback in the test namespace', () => {
  let janus: JanusGateway;
  let connection: JanodeConnection;

  beforeAll(async () => {
    janus = await startJanus();
    console.info(`janus pid ${janus.pid} accepted WebSocket connections ${janus.startedInMs} ms after spawn`);
    connection = await Janode.connect({ address: { url: janus.wsUrl }, max_retries: 1, retry_time_secs: 1 });
  });

  afterAll(async () => {
    await connection?.close().catch(() => undefined);
    const stoppingAt = Date.now();
    const exit = await janus?.stop();
    console.info(`janus stopped (${JSON.stringify(exit)}) ${Date.now() - stoppingAt} ms after SIGINT`);
  });

  it.each(['actpass', 'active'] as const)(
    'calls sipp with our SIP Call-ID, carries RTP both ways, and hangs up with a BYE (offer a=setup:%s)',
    async (offerDtlsSetup) => {
      const sipp = await runSipp({
        scenario: 'uas-answer-echo',
        recvTimeoutMs: 30_000,
        globalTimeoutMs: 60_000,
      });
      const peer = createWebRtcPeer({ offerDtlsSetup });
      const session = await connection.create();
      try {
        const handle = await session.attach(SipPlugin);
        const events = new JanusEventLog(handle);
        await handle.register({ type: 'guest', username: 'sip:alice@127.0.0.1' });
        const callId = `rb-${randomUUID()}`;

        const startedAt = Date.now();
        const offer = await peer.createOffer();
        const offeredAt = Date.now();
        const accepted = await withTimeout(
          handle.call({ uri: sipp.uri('bob'), call_id: callId, jsep: offer }),
          15_000,
          'Janus `accepted`',
        );
        const acceptedAt = Date.now();
        expect(accepted.jsep?.type).toBe('answer');
        expect(candidateAddresses(accepted.jsep?.sdp ?? '')).toEqual(['127.0.0.1']);
        await peer.applyAnswer(accepted.jsep as Jsep);
        await peer.waitForConnected(10_000);
        const connectedAt = Date.now();
        await peer.waitForReceived(1, 5_000);
        const firstRtpAt = Date.now();
        const counters = await peer.waitForReceived(RTP_PACKETS_EXPECTED, 5_000);
        console.info(
          `outgoing call (a=setup:${offerDtlsSetup}): offer gathered in ${offeredAt - startedAt} ms, accepted ` +
            `${acceptedAt - offeredAt} ms later, WebRTC connected ${connectedAt - acceptedAt} ms later, first ` +
            `echoed RTP ${firstRtpAt - connectedAt} ms later; counters ${JSON.stringify(counters)}`,
        );
        expect(counters.sent).toBeGreaterThan(0);

        const invite = await sipp.waitForMessage((m) => m.direction === 'received' && m.method === 'INVITE');
        expect(invite.callId).toBe(callId);
        expect(invite.body).toMatch(/m=audio \d+ RTP\/AVP 0\b/);
        expect(invite.body).toMatch(/c=IN IP4 127\.0\.0\.1/);
        expect((await events.waitFor('calling')).result['call_id']).toBe(callId);

        await handle.sip_hangup();
        const bye = await sipp.waitForMessage((m) => m.direction === 'received' && m.method === 'BYE');
        expect(bye.callId).toBe(callId);
        const outcome = await withTimeout(sipp.done, 10_000, 'sipp to finish its call');
        expect(outcome, sipp.output()).toMatchObject<Partial<SippOutcome>>({ passed: true });
        expect(sipp.messages().every((m) => m.callId === callId)).toBe(true);
        const hangup = await events.waitFor('hangup');
        console.info(
          `outgoing call, Janus events: ${events.names().join(', ')}; hangup ${JSON.stringify(hangup.result)}`,
        );
        expect(events.names()).toEqual(expect.arrayContaining(['calling', 'accepted', 'webrtcup', 'hangup']));
      } finally {
        await closeAll(peer, session, sipp);
      }
    },
  );

  describe('incoming, through a registrar', () => {
    let kamailio: KamailioRegistrar;

    beforeAll(async () => {
      kamailio = await startKamailio();
      console.info(`kamailio pid ${kamailio.pid} answered SIP ${kamailio.startedInMs} ms after spawn`);
    });

    afterAll(async () => {
      await kamailio?.stop();
    });

    it('registers at Kamailio, gets the carrier INVITE as incomingcall, answers, carries RTP, hangs up', async () => {
      const peer = createWebRtcPeer();
      const session = await connection.create();
      let sipp: SippPeer | undefined;
      try {
        const handle = await session.attach(SipPlugin);
        const events = new JanusEventLog(handle);
        const registered = await handle.register({
          username: 'sip:alice@127.0.0.1',
          secret: 'not-challenged',
          proxy: kamailio.proxyUri,
        });
        expect(registered.register_sent).toBe(true);
        await kamailio.waitForOutput(/registered sip:alice@127\.0\.0\.1/, 5_000);

        const startedAt = Date.now();
        sipp = await runSipp({
          scenario: 'uac-invite',
          remoteHost: kamailio.address,
          service: 'alice',
          callIdFormat: 'carrier-%u-%p@127.0.0.1',
          recvTimeoutMs: 30_000,
          globalTimeoutMs: 60_000,
        });
        const incoming = await events.waitFor('incomingcall', 15_000);
        const offeredAt = Date.now();
        const carrierCallId = incoming.result['call_id'];
        expect(carrierCallId).toMatch(/^carrier-1-\d+@127\.0\.0\.1$/);
        expect(incoming.result['callee']).toMatch(/^sip:alice@127\.0\.0\.1/);
        expect(incoming.jsep?.type).toBe('offer');
        expect(candidateAddresses(incoming.jsep?.sdp ?? '')).toEqual(['127.0.0.1']);

        const answer = await peer.answerOffer(incoming.jsep as Jsep);
        const answeredAt = Date.now();
        await withTimeout(handle.accept({ jsep: answer }), 10_000, 'Janus `accepted` for our answer');
        await peer.waitForConnected(10_000);
        const connectedAt = Date.now();
        const counters = await peer.waitForReceived(RTP_PACKETS_EXPECTED, 5_000);
        console.info(
          `incoming call: incomingcall ${offeredAt - startedAt} ms after sipp started, answer gathered in ` +
            `${answeredAt - offeredAt} ms, WebRTC connected ${connectedAt - answeredAt} ms later; ` +
            `counters ${JSON.stringify(counters)}`,
        );

        const ok = await sipp.waitForMessage((m) => m.direction === 'received' && m.status === 200);
        expect(ok.callId).toBe(carrierCallId);
        expect(ok.headers['record-route']?.[0]).toContain(kamailio.address);

        await handle.sip_hangup();
        const bye = await sipp.waitForMessage((m) => m.direction === 'received' && m.method === 'BYE');
        expect(bye.callId).toBe(carrierCallId);
        const outcome = await withTimeout(sipp.done, 10_000, 'sipp to finish its call');
        expect(outcome, sipp.output()).toMatchObject<Partial<SippOutcome>>({ passed: true });
        const hangup = await events.waitFor('hangup');
        const carrierSaw = sipp.messages().map((m) => `${m.direction} ${m.method ?? m.status}`);
        console.info(
          `incoming call, Janus events: ${events.names().join(', ')}; hangup ${JSON.stringify(hangup.result)}; ` +
            `incomingcall ${JSON.stringify(incoming.result)}; carrier's SIP: ${carrierSaw.join(', ')}`,
        );
        expect(events.names()).toEqual(
          expect.arrayContaining(['registered', 'incomingcall', 'accepted', 'webrtcup', 'hangup']),
        );
      } finally {
        await closeAll(peer, session, sipp);
      }
    });
  });
});

/** The distinct connection addresses of the ICE candidates in an SDP. */
function candidateAddresses(sdp: string): string[] {
  const addresses = [...sdp.matchAll(/^a=candidate:\S+ \d+ \S+ \d+ (\S+) /gm)].map((match) => match[1] ?? '');
  return [...new Set(addresses)];
}

async function closeAll(peer: WebRtcPeer, session: JanodeSession, sipp: SippPeer | undefined): Promise<void> {
  await peer.close();
  await session.destroy().catch(() => undefined);
  await sipp?.stop();
}
