import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  insideLoopbackNamespace,
  LOOPBACK_ICE_INTERFACE,
  type TracedSipMessage,
} from '@ringbus/telephony-testkit';
import { answeringNumber, busyNumber, startPlatform, type Platform } from '../src/index.js';

const inNamespace = insideLoopbackNamespace();
if (!inNamespace) {
  console.warn(
    `platform e2e skipped: interface ${LOOPBACK_ICE_INTERFACE} is missing. Run: npx tsc -b && ` +
      'bash scripts/in-netns.sh npx vitest run --project e2e libs/platform-testkit',
  );
}

// 50 packets are 1 s of 20 ms audio: enough to prove media flows both ways.
const RTP_PACKETS_EXPECTED = 50;
// The carrier keeps an answered call this long before its BYE: time for ICE, DTLS and 50 echoed packets.
const CARRIER_ANSWER_MS = 4_000;

const invitesTo = (number: string) => (message: TracedSipMessage) =>
  message.direction === 'received' &&
  message.method === 'INVITE' &&
  message.requestUri?.includes(number) === true;

describe.skipIf(!inNamespace)(
  'the whole platform: softphone -> signaling -> media-orchestration -> Janus -> carrier',
  () => {
    let platform: Platform;

    beforeAll(async () => {
      platform = await startPlatform({ carrierAnswerMs: CARRIER_ANSWER_MS });
    });

    afterAll(async () => {
      await platform?.stop();
    });

    it("answered outgoing call: RTP both ways, the carrier's BYE ends it, the stream and the INVITE agree", async () => {
      const softphone = await platform.softphone(await platform.subscriber());
      const number = answeringNumber('0142');
      const call = await softphone.placeCall(number, { line: 0 });

      await call.waitForEvent('calling', 10_000);
      await call.connectMedia(10_000);
      const counters = await call.peer.waitForReceived(RTP_PACKETS_EXPECTED, 5_000);
      expect(counters.sent).toBeGreaterThanOrEqual(RTP_PACKETS_EXPECTED);

      const hangup = await call.waitForEvent('hangup', CARRIER_ANSWER_MS + 10_000);
      expect(hangup).toMatchObject({ code: 200, line: 0, call_id: call.clientCallId });
      expect(call.events().map((event) => event.event)).toEqual(['calling', 'accepted', 'hangup']);

      const stored = await platform.findCall(call.clientCallId);
      const ended = await platform.waitForCallEvent(stored, 'CallEnded');
      expect(ended.data).toMatchObject({
        sipCode: 200,
        reason: 'CALL_END_REASON_NORMAL',
        hungUpBy: 'CALL_PARTY_CALLEE',
      });
      const events = await platform.callEvents(stored);
      expect(events.map((event) => event.type)).toEqual([
        'CallRequested',
        'SipInviteSent',
        'Answered',
        'CallEnded',
      ]);
      expect(events[0]?.data).toMatchObject({
        callee: number,
        sdpOffer: call.offer.sdp,
        clientCallId: call.clientCallId,
      });

      const invite = await platform.carrier.waitForMessage(invitesTo(number));
      const sipCallId = events.find((event) => event.type === 'SipInviteSent')?.data['sipCallId'];
      expect(typeof sipCallId).toBe('string');
      expect(invite.callId).toBe(sipCallId);
      // The carrier's BYE went out on the same dialog and Janus answered it.
      await platform.carrier.waitForMessage(
        (m) =>
          m.direction === 'received' &&
          m.status === 200 &&
          m.cseq?.method === 'BYE' &&
          m.callId === sipCallId,
      );
    });

    it('486 from the carrier: the socket gets hangup 486, the stream ends BUSY', async () => {
      const softphone = await platform.softphone(await platform.subscriber());
      const number = busyNumber('0143');
      const call = await softphone.placeCall(number, { line: 1 });

      const hangup = await call.waitForEvent('hangup', 10_000);
      expect(hangup).toMatchObject({ code: 486, line: 1, call_id: call.clientCallId });
      expect(call.events().map((event) => event.event)).toEqual(['calling', 'hangup']);

      const stored = await platform.findCall(call.clientCallId);
      await platform.waitForCallEvent(stored, 'CallEnded');
      const events = await platform.callEvents(stored);
      expect(events.map((event) => event.type)).toEqual(['CallRequested', 'SipInviteSent', 'CallEnded']);
      expect(events[2]?.data).toMatchObject({ sipCode: 486, reason: 'CALL_END_REASON_BUSY' });
      const invite = await platform.carrier.waitForMessage(invitesTo(number));
      expect(invite.callId).toBe(events[1]?.data['sipCallId']);
    });
  },
);
