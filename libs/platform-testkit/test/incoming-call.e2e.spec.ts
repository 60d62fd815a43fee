import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  insideLoopbackNamespace,
  LOOPBACK_ICE_INTERFACE,
  type TracedSipMessage,
} from '@ringbus/telephony-testkit';
import {
  answeringNumber,
  startPlatform,
  type CarrierCall,
  type Platform,
  type Softphone,
} from '../src/index.js';

// Incoming calls through the whole platform: the carrier (a sipp per call) calls a user through Kamailio,
// where media-orchestration registered the user's account through Janus; signaling offers the call to the
// user's softphone, whose accept, decline or hang-up goes back the same way.
const inNamespace = insideLoopbackNamespace();
if (!inNamespace) {
  console.warn(
    `platform incoming-call e2e skipped: interface ${LOOPBACK_ICE_INTERFACE} is missing. Run: npx tsc -b && ` +
      'bash scripts/in-netns.sh npx vitest run --project e2e libs/platform-testkit',
  );
}

// 50 packets are 1 s of 20 ms audio, echoed by sipp: media flows both ways.
const RTP_PACKETS_EXPECTED = 50;
// How long the platform's carrier keeps an answered outgoing call: it keeps bob's only line busy.
const CARRIER_ANSWER_MS = 6_000;

const received =
  (what: { status?: number; method?: string; cseqMethod?: string }, sipCallId: string) =>
  (message: TracedSipMessage) =>
    message.direction === 'received' &&
    message.callId === sipCallId &&
    (what.status === undefined || message.status === what.status) &&
    (what.method === undefined || message.method === what.method) &&
    (what.cseqMethod === undefined || message.cseq?.method === what.cseqMethod);

describe.skipIf(!inNamespace)(
  'incoming calls through the whole platform: carrier -> Kamailio -> Janus -> media-orchestration -> signaling -> softphone',
  () => {
    let platform: Platform;
    const softphones: Softphone[] = [];

    beforeAll(async () => {
      platform = await startPlatform({
        carrierAnswerMs: CARRIER_ANSWER_MS,
        registeredUsers: [
          { name: 'alice', lines: 2 },
          { name: 'bob', lines: 1 },
        ],
      });
    });

    afterEach(async () => {
      for (const softphone of softphones.splice(0)) await softphone.close();
    });

    afterAll(async () => {
      await platform?.stop();
    });

    async function softphoneOf(name: string): Promise<Softphone> {
      const softphone = await platform.softphone(platform.registeredUser(name));
      softphones.push(softphone);
      return softphone;
    }

    /** The stream of the call the carrier's INVITE became, once it has its CallEnded. */
    async function endedStream(carrier: CarrierCall) {
      const stored = await platform.findOfferedCall(carrier.carrierSipCallId);
      await platform.waitForCallEvent(stored, 'CallEnded', 15_000);
      const events = await platform.callEvents(stored);
      expect(events[0]?.type).toBe('CallOffered');
      expect(events[0]?.data).toMatchObject({
        userId: carrier.user.userId,
        caller: 'carrier',
        callee: carrier.user.sipName,
        carrierSipCallId: carrier.carrierSipCallId,
      });
      expect(events[0]?.metadata.tenant).toBe(platform.tenant);
      return events;
    }

    it('accepted: incoming_call, accepting, accepted, RTP both ways, 200 OK to the carrier; our hang-up is a BYE', async () => {
      const softphone = await softphoneOf('alice');
      const carrier = await platform.callUser('alice', { scenario: 'uac-invite' });

      const incoming = await softphone.waitForIncomingCall({ clientCallId: carrier.carrierSipCallId });
      expect(incoming.line).toBe(0);
      expect(incoming.offered).toMatchObject({ caller: 'carrier', callee: 'alice' });
      expect(incoming.offer.sdp).toMatch(/^m=audio /m);

      await incoming.accept();
      await incoming.waitForEvent('accepted', 10_000);
      const peer = incoming.peer;
      if (peer === undefined) throw new Error('accept() made no peer');
      await peer.waitForConnected(10_000);
      const counters = await peer.waitForReceived(RTP_PACKETS_EXPECTED, 5_000);
      expect(counters.sent).toBeGreaterThanOrEqual(RTP_PACKETS_EXPECTED);
      const ok = await carrier.sipp.waitForMessage(
        received({ status: 200, cseqMethod: 'INVITE' }, carrier.carrierSipCallId),
      );
      expect(ok.body).toMatch(/^m=audio \d+ RTP\/AVP 0/m);

      await incoming.hangup();
      const hangup = await incoming.waitForEvent('hangup', 10_000);
      expect(hangup).toMatchObject({ code: 200, line: 0, call_id: carrier.carrierSipCallId });
      await carrier.sipp.waitForMessage(received({ method: 'BYE' }, carrier.carrierSipCallId));
      expect(await carrier.sipp.done).toMatchObject({ passed: true });
      expect(incoming.events().map((event) => event.event)).toEqual([
        'incoming_call',
        'accepting',
        'accepted',
        'hangingup',
        'hangup',
      ]);

      const events = await endedStream(carrier);
      expect(events.map((event) => event.type)).toEqual(['CallOffered', 'Answered', 'CallEnded']);
      expect(events[2]?.data).toMatchObject({
        reason: 'CALL_END_REASON_NORMAL',
        hungUpBy: 'CALL_PARTY_CALLEE',
      });
    });

    it("accepted, then the carrier hangs up: its BYE is answered 200, the socket's hangup says 200", async () => {
      const softphone = await softphoneOf('alice');
      const carrier = await platform.callUser('alice', {
        scenario: 'carrier-calls-then-bye',
        pauseMs: 2_000,
      });

      const incoming = await softphone.waitForIncomingCall({ clientCallId: carrier.carrierSipCallId });
      await incoming.accept();
      await incoming.waitForEvent('accepted', 10_000);
      await incoming.peer?.waitForConnected(10_000);
      await incoming.peer?.waitForReceived(RTP_PACKETS_EXPECTED, 5_000);

      const hangup = await incoming.waitForEvent('hangup', 10_000);
      expect(hangup).toMatchObject({ code: 200, line: incoming.line, call_id: carrier.carrierSipCallId });
      await carrier.sipp.waitForMessage(
        received({ status: 200, cseqMethod: 'BYE' }, carrier.carrierSipCallId),
      );
      expect(await carrier.sipp.done).toMatchObject({ passed: true });
      expect(incoming.events().map((event) => event.event)).toEqual([
        'incoming_call',
        'accepting',
        'accepted',
        'hangup',
      ]);

      const events = await endedStream(carrier);
      expect(events.map((event) => event.type)).toEqual(['CallOffered', 'Answered', 'CallEnded']);
      expect(events[2]?.data).toMatchObject({
        reason: 'CALL_END_REASON_NORMAL',
        hungUpBy: 'CALL_PARTY_CALLER',
      });
    });

    it('declined: the carrier gets 603, the socket declining then hangup 603, the stream ends REJECTED', async () => {
      const softphone = await softphoneOf('alice');
      const carrier = await platform.callUser('alice', { scenario: 'uac-invite-refused' });

      const incoming = await softphone.waitForIncomingCall({ clientCallId: carrier.carrierSipCallId });
      await incoming.decline();
      const hangup = await incoming.waitForEvent('hangup', 10_000);
      expect(hangup).toMatchObject({ code: 603, line: incoming.line, call_id: carrier.carrierSipCallId });
      expect(incoming.events().map((event) => event.event)).toEqual(['incoming_call', 'declining', 'hangup']);
      await carrier.sipp.waitForMessage(received({ status: 603 }, carrier.carrierSipCallId));
      expect(await carrier.sipp.done).toMatchObject({ passed: true });

      const events = await endedStream(carrier);
      expect(events.map((event) => event.type)).toEqual(['CallOffered', 'CallEnded']);
      expect(events[1]?.data).toMatchObject({
        reason: 'CALL_END_REASON_REJECTED',
        hungUpBy: 'CALL_PARTY_CALLEE',
        sipCode: 603,
      });
    });

    it('every line busy: the socket gets missed_call, the carrier 486, the stream CallOffered then CallEnded BUSY', async () => {
      const softphone = await softphoneOf('bob');
      expect(softphone.state.lines).toHaveLength(1);
      // bob's only line: an outgoing call the carrier answers and keeps for CARRIER_ANSWER_MS.
      const outgoing = await softphone.placeCall(answeringNumber('0701'), { line: 0 });
      await outgoing.waitForEvent('accepted', 10_000);

      const carrier = await platform.callUser('bob', { scenario: 'uac-invite-refused' });
      const missed = await softphone.waitForMissedCall({ clientCallId: carrier.carrierSipCallId });
      expect(missed).toMatchObject({ line: null, caller: 'carrier', callee: 'bob' });
      await carrier.sipp.waitForMessage(received({ status: 486 }, carrier.carrierSipCallId));
      expect(await carrier.sipp.done).toMatchObject({ passed: true });
      expect(softphone.eventsOfCall(carrier.carrierSipCallId).map((event) => event.event)).toEqual([
        'missed_call',
      ]);

      const events = await endedStream(carrier);
      expect(events.map((event) => event.type)).toEqual(['CallOffered', 'CallEnded']);
      expect(events[1]?.data).toMatchObject({ reason: 'CALL_END_REASON_BUSY', sipCode: 486 });
      // The call on the line was not disturbed.
      expect(outgoing.events().map((event) => event.event)).toEqual(['calling', 'accepted']);
    });

    it('cancelled by the carrier before the answer: the socket gets hangup 487, the stream ends CANCELLED', async () => {
      const softphone = await softphoneOf('alice');
      const carrier = await platform.callUser('alice', { scenario: 'uac-invite-cancel', pauseMs: 1_500 });

      const incoming = await softphone.waitForIncomingCall({ clientCallId: carrier.carrierSipCallId });
      const hangup = await incoming.waitForEvent('hangup', 10_000);
      expect(hangup).toMatchObject({ code: 487, line: incoming.line, call_id: carrier.carrierSipCallId });
      expect(incoming.events().map((event) => event.event)).toEqual(['incoming_call', 'hangup']);
      await carrier.sipp.waitForMessage(received({ status: 487 }, carrier.carrierSipCallId));
      expect(await carrier.sipp.done).toMatchObject({ passed: true });

      const events = await endedStream(carrier);
      expect(events.map((event) => event.type)).toEqual(['CallOffered', 'CallEnded']);
      expect(events[1]?.data).toMatchObject({
        reason: 'CALL_END_REASON_CANCELLED',
        hungUpBy: 'CALL_PARTY_CALLER',
      });
    });
  },
);
