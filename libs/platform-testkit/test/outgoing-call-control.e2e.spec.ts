import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignalingRequestError } from '@ringbus/client-sdk';
import { type RecordedEvent } from '@ringbus/event-store';
import { insideLoopbackNamespace } from '@ringbus/telephony-testkit';
import { type Platform, type SoftphoneCall, type StoredCall } from '../src/index.js';
import {
  carrierNumbers,
  dialogOf,
  EARLY_MEDIA_MS,
  receivedRequest,
  sdpDirections,
  sentResponse,
  startCallControlPlatform,
  waitForSipMessages,
  type CallControlPlatform,
} from './support/call-control-carrier.js';

// A softphone's call-control requests through the whole platform: hang-up (BYE, CANCEL), early media,
// hold/unhold (re-INVITEs) and DTMF (SIP INFO). Each test checks three views of the call: the softphone's
// socket, the call's stream, and what the carrier (sipp) saw. The skip notice for runs outside the
// namespace is printed by outgoing-call.e2e.
const inNamespace = insideLoopbackNamespace();

// 25 packets are half a second of 20 ms audio: enough to prove media flows.
const RTP_PACKETS = 25;
// During the carrier's 2 s of early media, after ICE and DTLS: a fifth of a second of echoed audio.
const EARLY_RTP_PACKETS = 10;

describe.skipIf(!inNamespace)('call control from the softphone, through the whole platform', () => {
  let running: CallControlPlatform;
  let platform: Platform;

  beforeAll(async () => {
    running = await startCallControlPlatform();
    platform = running.platform;
  });

  afterAll(async () => {
    await running?.stop();
  });

  /** The stored call, its SIP Call-ID (from SipInviteSent), and the INVITE sipp got with it. */
  async function storedCallOf(call: SoftphoneCall): Promise<{ stored: StoredCall; sipCallId: string }> {
    const stored = await platform.findCall(call.clientCallId);
    const sent = await platform.waitForCallEvent(stored, 'SipInviteSent');
    const sipCallId = sent.data['sipCallId'];
    if (typeof sipCallId !== 'string' || sipCallId === '') throw new Error('SipInviteSent has no sipCallId');
    // Ringbus's own Call-ID, derived from the call id (never Janus's nor the softphone's).
    expect(sipCallId).toContain(stored.callId);
    expect(sipCallId).not.toContain(call.clientCallId);
    const invite = await running.carrier.waitForMessage(receivedRequest('INVITE', sipCallId));
    expect(invite.requestUri).toContain(call.number);
    return { stored, sipCallId };
  }

  async function eventTypes(stored: StoredCall): Promise<string[]> {
    return (await platform.callEvents(stored)).map((event) => event.type);
  }

  async function endedWith(stored: StoredCall): Promise<RecordedEvent['data']> {
    return (await platform.waitForCallEvent(stored, 'CallEnded')).data;
  }

  it('answered call, RTP both ways, hung up by the softphone: ack, hangingup, hangup 200; NORMAL by CALLER; BYE', async () => {
    const softphone = await platform.softphone(await platform.subscriber());
    const call = await softphone.placeCall(carrierNumbers.answering('0201'), { line: 0 });
    await call.waitForEvent('calling');
    await call.connectMedia();
    const counters = await call.peer.waitForReceived(RTP_PACKETS, 5_000);
    expect(counters.sent).toBeGreaterThanOrEqual(RTP_PACKETS);
    const { stored, sipCallId } = await storedCallOf(call);

    const mark = softphone.client.eventMark();
    const ack = await softphone.client.hangup({ line: 0, callId: call.clientCallId });
    expect(ack).toMatchObject({ response: 'ack' });
    // The ack comes first: nothing of the hang-up was on the socket when it resolved.
    expect(softphone.client.eventsSince(mark)).toEqual([]);
    const hangingup = await call.waitForEvent('hangingup');
    expect(hangingup).toMatchObject({ line: 0, call_id: call.clientCallId, transaction: ack.transaction });
    const hangup = await call.waitForEvent('hangup');
    expect(hangup).toMatchObject({ line: 0, call_id: call.clientCallId, code: 200 });
    expect(call.events().map((event) => event.event)).toEqual(['calling', 'accepted', 'hangingup', 'hangup']);

    expect(await endedWith(stored)).toMatchObject({
      reason: 'CALL_END_REASON_NORMAL',
      hungUpBy: 'CALL_PARTY_CALLER',
      sipCode: 200,
    });
    expect(await eventTypes(stored)).toEqual(['CallRequested', 'SipInviteSent', 'Answered', 'CallEnded']);

    await running.carrier.waitForMessage(receivedRequest('BYE', sipCallId));
    await running.carrier.waitForMessage(sentResponse(200, 'BYE', sipCallId));
    expect(
      dialogOf(running.carrier, sipCallId)
        .filter((message) => message.direction === 'received')
        .map((message) => message.method),
    ).toEqual(['INVITE', 'ACK', 'BYE']);
  });

  it('the carrier never answers and the softphone cancels: CANCEL, 487; the stream ends CANCELLED by CALLER', async () => {
    const softphone = await platform.softphone(await platform.subscriber());
    const call = await softphone.placeCall(carrierNumbers.ringing('0202'), { line: 1 });
    await call.waitForEvent('ringing');
    const { stored, sipCallId } = await storedCallOf(call);
    await platform.waitForCallEvent(stored, 'Ringing');

    const ack = await softphone.client.hangup({ line: 1, callId: call.clientCallId });
    expect(ack).toMatchObject({ response: 'ack' });
    expect(await call.waitForEvent('hangingup')).toMatchObject({ transaction: ack.transaction });
    const hangup = await call.waitForEvent('hangup');
    expect(hangup).toMatchObject({ line: 1, call_id: call.clientCallId, code: 487 });
    expect(call.events().map((event) => event.event)).toEqual(['calling', 'ringing', 'hangingup', 'hangup']);

    expect(await endedWith(stored)).toMatchObject({
      reason: 'CALL_END_REASON_CANCELLED',
      hungUpBy: 'CALL_PARTY_CALLER',
      sipCode: 487,
    });
    expect(await eventTypes(stored)).toEqual(['CallRequested', 'SipInviteSent', 'Ringing', 'CallEnded']);

    await running.carrier.waitForMessage(receivedRequest('CANCEL', sipCallId));
    await running.carrier.waitForMessage(sentResponse(487, 'INVITE', sipCallId));
    await running.carrier.waitForMessage(receivedRequest('ACK', sipCallId));
    // A call never answered is cancelled, not hung up with BYE.
    expect(dialogOf(running.carrier, sipCallId).some((message) => message.method === 'BYE')).toBe(false);
  });

  it('183 early media then 200: progress with the SDP (RTP flows before the answer), then accepted', async () => {
    const softphone = await platform.softphone(await platform.subscriber());
    const number = carrierNumbers.earlyMedia('0203');
    const call = await softphone.placeCall(number, { line: 0 });

    const progress = await call.waitForEvent('progress');
    expect(progress).toMatchObject({ line: 0, call_id: call.clientCallId, callee: number });
    expect(progress.jsep).toMatchObject({ type: 'answer', sdp: expect.stringContaining('m=audio') });
    // Early media is heard before the answer: the carrier echoes our RTP during its 183.
    await call.peer.applyAnswer({ type: 'answer', sdp: progress.jsep.sdp });
    await call.peer.waitForConnected(5_000);
    await call.peer.waitForReceived(EARLY_RTP_PACKETS, EARLY_MEDIA_MS);
    expect(call.events().map((event) => event.event)).not.toContain('accepted');

    const accepted = await call.waitForEvent('accepted', EARLY_MEDIA_MS + 5_000);
    expect(accepted).toMatchObject({ line: 0, call_id: call.clientCallId, callee: number });
    // The answer, if repeated, is the early dialog's SDP: the softphone's peer stays as it is.
    if (accepted.jsep !== undefined) expect(accepted.jsep.sdp).toBe(progress.jsep.sdp);
    const before = call.peer.counters().received;
    await call.peer.waitForReceived(before + RTP_PACKETS, 5_000);
    expect(call.events().map((event) => event.event)).toEqual(['calling', 'progress', 'accepted']);

    const { stored, sipCallId } = await storedCallOf(call);
    expect(await eventTypes(stored)).toEqual(['CallRequested', 'SipInviteSent', 'EarlyMedia', 'Answered']);
    const early = (await platform.callEvents(stored)).find((event) => event.type === 'EarlyMedia');
    expect(early?.data).toMatchObject({ sipCode: 183, sdp: progress.jsep.sdp });
    const sent = dialogOf(running.carrier, sipCallId).filter((message) => message.direction === 'sent');
    expect(sent.map((message) => message.status)).toEqual([100, 183, 200]);

    await softphone.client.hangup({ line: 0, callId: call.clientCallId });
    expect(await call.waitForEvent('hangup')).toMatchObject({ code: 200 });
    expect(await endedWith(stored)).toMatchObject({
      reason: 'CALL_END_REASON_NORMAL',
      hungUpBy: 'CALL_PARTY_CALLER',
    });
    await running.carrier.waitForMessage(receivedRequest('BYE', sipCallId));
  });

  it('hold and unhold are re-INVITEs with their directions, DTMF digits are SIP INFO, all from the softphone', async () => {
    const softphone = await platform.softphone(await platform.subscriber());
    const call = await softphone.placeCall(carrierNumbers.holding('0204'), { line: 0 });
    await call.connectMedia();
    await call.peer.waitForReceived(RTP_PACKETS, 5_000);
    const { stored, sipCallId } = await storedCallOf(call);
    const target = { line: 0, callId: call.clientCallId } as const;
    const invites = receivedRequest('INVITE', sipCallId);

    // DTMF: an ack, no socket event (WTSP has none), one INFO per digit.
    expect(await softphone.client.dtmf({ ...target, digits: '1#5' })).toMatchObject({ response: 'ack' });
    const infos = await waitForSipMessages(running.carrier, receivedRequest('INFO', sipCallId), 3);
    expect(infos.map((info) => info.headers['content-type']?.[0])).toEqual(
      Array(3).fill('application/dtmf-relay'),
    );
    expect(infos.map((info) => /^Signal=(\S+)\r?$/m.exec(info.body)?.[1])).toEqual(['1', '#', '5']);
    expect((await platform.waitForCallEvent(stored, 'DtmfSent')).data).toMatchObject({ digits: '1#5' });

    // Hold with the default direction: a=sendonly. `holding` (from HeldByUs) follows the ack.
    let mark = softphone.client.eventMark();
    expect(await softphone.client.hold(target)).toMatchObject({ response: 'ack' });
    expect(softphone.client.eventsSince(mark)).toEqual([]);
    expect(await call.waitForEvent('holding')).toMatchObject({ line: 0, call_id: call.clientCallId });
    const [, holdInvite] = await waitForSipMessages(running.carrier, invites, 2);
    expect(sdpDirections(holdInvite?.body ?? '')).toEqual(['sendonly']);
    // No direction asked: the stream says UNSPECIFIED (an enum's zero, left out of the JSON), which
    // call_types.proto defines as the default, sendonly.
    const heldData = (await platform.waitForCallEvent(stored, 'HeldByUs')).data;
    expect(['HOLD_MEDIA_DIRECTION_UNSPECIFIED', 'HOLD_MEDIA_DIRECTION_SENDONLY']).toContain(
      heldData['mediaDirection'] ?? 'HOLD_MEDIA_DIRECTION_UNSPECIFIED',
    );

    // No DTMF while on hold: refused on the socket, nothing reaches the carrier.
    const refusal = await softphone.client.dtmf({ ...target, digits: '9' }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(SignalingRequestError);
    expect(refusal).toMatchObject({ responseCode: 447 });

    // Unhold: the resume re-INVITE carries no hold direction (sendrecv is written as none).
    mark = softphone.client.eventMark();
    expect(await softphone.client.unhold(target)).toMatchObject({ response: 'ack' });
    expect(softphone.client.eventsSince(mark)).toEqual([]);
    expect(await call.waitForEvent('resuming')).toMatchObject({ line: 0, call_id: call.clientCallId });
    const [, , resumeInvite] = await waitForSipMessages(running.carrier, invites, 3);
    expect(sdpDirections(resumeInvite?.body ?? '')).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^(sendonly|recvonly|inactive)$/)]),
    );
    const resumedAt = call.peer.counters().received;
    await call.peer.waitForReceived(resumedAt + RTP_PACKETS, 5_000);

    // Hold with a direction the softphone chose: the re-INVITE says it.
    mark = softphone.client.eventMark();
    await softphone.client.hold({ ...target, direction: 'inactive' });
    await softphone.client.waitForEvent(
      (event) => event.event === 'holding' && 'call_id' in event && event.call_id === call.clientCallId,
      10_000,
      { since: mark },
    );
    const [, , , inactiveInvite] = await waitForSipMessages(running.carrier, invites, 4);
    expect(sdpDirections(inactiveInvite?.body ?? '')).toEqual(['inactive']);
    mark = softphone.client.eventMark();
    await softphone.client.unhold(target);
    await softphone.client.waitForEvent(
      (event) => event.event === 'resuming' && 'call_id' in event && event.call_id === call.clientCallId,
      10_000,
      { since: mark },
    );
    await waitForSipMessages(running.carrier, invites, 5);

    await softphone.client.hangup(target);
    expect(await call.waitForEvent('hangup')).toMatchObject({ code: 200 });
    expect(await endedWith(stored)).toMatchObject({
      reason: 'CALL_END_REASON_NORMAL',
      hungUpBy: 'CALL_PARTY_CALLER',
    });
    expect(call.events().map((event) => event.event)).toEqual([
      'calling',
      'accepted',
      'holding',
      'resuming',
      'holding',
      'resuming',
      'hangingup',
      'hangup',
    ]);
    const types = await eventTypes(stored);
    expect(types).toEqual([
      'CallRequested',
      'SipInviteSent',
      'Answered',
      'DtmfSent',
      'HeldByUs',
      'Resumed',
      'HeldByUs',
      'Resumed',
      'CallEnded',
    ]);
    const held = (await platform.callEvents(stored)).filter((event) => event.type === 'HeldByUs');
    expect(held[1]?.data).toMatchObject({ mediaDirection: 'HOLD_MEDIA_DIRECTION_INACTIVE' });

    // Every in-dialog request the carrier got carried the call's own Call-ID, and it got 3 INFOs, no more.
    await running.carrier.waitForMessage(receivedRequest('BYE', sipCallId));
    const received = dialogOf(running.carrier, sipCallId).filter(
      (message) => message.direction === 'received',
    );
    expect(received.filter((message) => message.method === 'INFO')).toHaveLength(3);
    expect(received.filter((message) => message.method === 'INVITE')).toHaveLength(5);
  });

  it('unhold, then hangup as soon as it is acked: the socket hears resuming before hangingup, as the stream has them', async () => {
    const softphone = await platform.softphone(await platform.subscriber());
    const call = await softphone.placeCall(carrierNumbers.holding('0205'), { line: 0 });
    await call.connectMedia();
    const { stored, sipCallId } = await storedCallOf(call);
    const target = { line: 0, callId: call.clientCallId } as const;
    await softphone.client.hold(target);
    await call.waitForEvent('holding');

    // A softphone may send its next request right after an ack; the unhold's `resuming` is owed first.
    await softphone.client.unhold(target);
    await softphone.client.hangup(target);
    await call.waitForEvent('hangup');
    await platform.waitForCallEvent(stored, 'CallEnded');
    expect(await eventTypes(stored)).toEqual([
      'CallRequested',
      'SipInviteSent',
      'Answered',
      'HeldByUs',
      'Resumed',
      'CallEnded',
    ]);
    await running.carrier.waitForMessage(receivedRequest('BYE', sipCallId));
    expect(call.events().map((event) => event.event)).toEqual([
      'calling',
      'accepted',
      'holding',
      'resuming',
      'hangingup',
      'hangup',
    ]);
  });
});
