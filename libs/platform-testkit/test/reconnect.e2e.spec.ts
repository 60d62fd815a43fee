import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventMatching, SoftphoneClient } from '@ringbus/client-sdk';
import { CloseCode, type ActiveLine } from '@ringbus/softphone-protocol';
import { insideLoopbackNamespace } from '@ringbus/telephony-testkit';
import { type Platform, type Softphone, type SoftphoneCall, type TestSubscriber } from '../src/index.js';
import {
  carrierNumbers,
  dialogOf,
  receivedRequest,
  sentResponse,
  startCallControlPlatform,
  waitForSipMessages,
  type CallControlPlatform,
} from './support/call-control-carrier.js';

// A softphone whose signaling socket goes away mid-call and comes back: the `state` handshake gives the
// call back from its stream, the media never stopped, and the softphone restores its media path with an
// ICE-restart `update` (protocol.md §1, "Resume"). Checked on the socket, in the stream, and at the
// carrier. The skip notice for runs outside the namespace is printed by outgoing-call.e2e.
const inNamespace = insideLoopbackNamespace();

const RTP_PACKETS = 25;

describe.skipIf(!inNamespace)('a softphone reconnects mid-call, through the whole platform', () => {
  let running: CallControlPlatform;
  let platform: Platform;
  const reconnected: SoftphoneClient[] = [];

  beforeAll(async () => {
    running = await startCallControlPlatform();
    platform = running.platform;
  });

  afterEach(async () => {
    for (const client of reconnected.splice(0)) {
      if (client.closeInfo === undefined) await client.close();
    }
  });

  afterAll(async () => {
    await running?.stop();
  });

  /** An answered call on `line` with RTP flowing both ways, and its SIP Call-ID. */
  async function answeredCall(
    softphone: Softphone,
    suffix: string,
    line: number,
  ): Promise<{ call: SoftphoneCall; sipCallId: string; answerSdp: string }> {
    const call = await softphone.placeCall(carrierNumbers.answering(suffix), { line });
    const accepted = await call.waitForEvent('accepted');
    await call.connectMedia();
    await call.peer.waitForReceived(RTP_PACKETS, 5_000);
    const stored = await platform.findCall(call.clientCallId);
    const sipCallId = (await platform.waitForCallEvent(stored, 'SipInviteSent')).data['sipCallId'];
    if (typeof sipCallId !== 'string') throw new Error('SipInviteSent has no sipCallId');
    return { call, sipCallId, answerSdp: accepted.jsep?.sdp ?? '' };
  }

  async function reconnect(subscriber: TestSubscriber, force: boolean): Promise<SoftphoneClient> {
    const client = new SoftphoneClient({ requestTimeoutMs: 8_000, handshakeTimeoutMs: 8_000 });
    reconnected.push(client);
    await client.connect({
      url: platform.signalingUrl,
      token: subscriber.token,
      tenant: subscriber.tenant,
      force,
    });
    return client;
  }

  /** The resumed line as the state handshake lists it: the call, its log newest first. */
  function expectResumedLine(line: ActiveLine | null | undefined, call: SoftphoneCall, answerSdp: string) {
    expect(line?.call_id).toBe(call.clientCallId);
    const records = (line?.call_logs ?? []).map(([, record]) => record);
    expect(records).toEqual([
      { event: 'accepted', callee: call.number, jsep: { type: 'answer', sdp: answerSdp } },
      { event: 'calling' },
    ]);
    const times = (line?.call_logs ?? []).map(([at]) => at);
    expect(times.every((at) => at >= call.sentAtMs - 1_000 && at <= Date.now())).toBe(true);
    expect(times[0]).toBeGreaterThanOrEqual(times[1] ?? 0);
  }

  /**
   * What a resuming softphone does: an ICE-restart `update`, answered ack, `updating`, then `accepted`
   * with the answer, which the peer applies; RTP then flows again. Checks the stream and the re-INVITE.
   */
  async function restoreMediaWithIceRestart(
    client: SoftphoneClient,
    call: SoftphoneCall,
    sipCallId: string,
  ): Promise<void> {
    const invitesBefore = dialogOf(running.carrier, sipCallId).filter(
      receivedRequest('INVITE', sipCallId),
    ).length;
    const offer = await call.peer.createOffer({ iceRestart: true });
    const target = { line: call.line, callId: call.clientCallId };
    const mark = client.eventMark();
    const ack = await client.update({ ...target, jsep: { type: offer.type, sdp: offer.sdp } });
    expect(ack).toMatchObject({ response: 'ack' });
    expect(client.eventsSince(mark)).toEqual([]);
    const updating = await client.waitForEvent(eventMatching('updating', target), 10_000, { since: mark });
    expect(updating.transaction).toBe(ack.transaction);
    const accepted = await client.waitForEvent(eventMatching('accepted', target), 10_000, { since: mark });
    expect(accepted).toMatchObject({ callee: call.number, jsep: { type: 'answer' } });
    expect(
      client
        .eventsSince(mark)
        .filter((event) => 'call_id' in event && event.call_id === call.clientCallId)
        .map((event) => event.event),
    ).toEqual(['updating', 'accepted']);

    const restartedAt = call.peer.counters();
    await call.peer.applyAnswer({ type: 'answer', sdp: accepted.jsep?.sdp ?? '' });
    await call.peer.waitForReceived(restartedAt.received + RTP_PACKETS, 10_000);
    expect(call.peer.counters().sent).toBeGreaterThan(restartedAt.sent);

    const stored = await platform.findCall(call.clientCallId);
    const renegotiated = await platform.waitForCallEvent(stored, 'MediaRenegotiated');
    expect(renegotiated.data).toMatchObject({ sdpOffer: offer.sdp, sdpAnswer: accepted.jsep?.sdp });
    // Janus renegotiated with the carrier too: a re-INVITE on the call's dialog, answered 200 and ACKed.
    const invites = await waitForSipMessages(
      running.carrier,
      receivedRequest('INVITE', sipCallId),
      invitesBefore + 1,
    );
    expect(invites).toHaveLength(invitesBefore + 1);
    await waitForSipMessages(running.carrier, sentResponse(200, 'INVITE', sipCallId), invitesBefore + 1);
  }

  /** Hangs up from `client`: ack, hangingup, hangup 200; NORMAL by CALLER; BYE at the carrier. */
  async function hangUpFrom(client: SoftphoneClient, call: SoftphoneCall, sipCallId: string): Promise<void> {
    const target = { line: call.line, callId: call.clientCallId };
    const mark = client.eventMark();
    const ack = await client.hangup(target);
    const hangingup = await client.waitForEvent(eventMatching('hangingup', target), 10_000, { since: mark });
    expect(hangingup.transaction).toBe(ack.transaction);
    const hangup = await client.waitForEvent(eventMatching('hangup', target), 10_000, { since: mark });
    expect(hangup.code).toBe(200);
    const stored = await platform.findCall(call.clientCallId);
    expect((await platform.waitForCallEvent(stored, 'CallEnded')).data).toMatchObject({
      reason: 'CALL_END_REASON_NORMAL',
      hungUpBy: 'CALL_PARTY_CALLER',
      sipCode: 200,
    });
    await running.carrier.waitForMessage(receivedRequest('BYE', sipCallId));
  }

  it('force=true evicts the old socket; state lists the live call; RTP never stopped; an ICE-restart update works', async () => {
    const subscriber = await platform.subscriber({ lines: 2 });
    const softphone = await platform.softphone(subscriber);
    const { call, sipCallId, answerSdp } = await answeredCall(softphone, '0301', 0);

    const client = await reconnect(subscriber, true);
    const evicted = await softphone.client.closed;
    expect(evicted.code).toBe(CloseCode.evictedByForce);

    const state = client.state;
    expect(state?.lines).toHaveLength(2);
    expectResumedLine(state?.lines[0], call, answerSdp);
    expect(state?.lines[1]).toBeNull();

    // The media path is Janus's and werift's: the socket's change did not touch it.
    const atReconnect = call.peer.counters().received;
    await call.peer.waitForReceived(atReconnect + RTP_PACKETS, 5_000);

    await restoreMediaWithIceRestart(client, call, sipCallId);
    await hangUpFrom(client, call, sipCallId);

    const stored = await platform.findCall(call.clientCallId);
    expect((await platform.callEvents(stored)).map((event) => event.type)).toEqual([
      'CallRequested',
      'SipInviteSent',
      'Answered',
      'MediaRenegotiated',
      'CallEnded',
    ]);
    expect(
      dialogOf(running.carrier, sipCallId)
        .filter((message) => message.direction === 'received')
        .map((message) => message.method),
    ).toEqual(['INVITE', 'ACK', 'INVITE', 'ACK', 'BYE']);
    // The evicted socket heard nothing after the `accepted` of its own call.
    expect(call.events().map((event) => event.event)).toEqual(['calling', 'accepted']);
  });

  it('after the socket closed, a new socket gets the call back and can hang it up; the call lived on meanwhile', async () => {
    const subscriber = await platform.subscriber({ lines: 2 });
    const softphone = await platform.softphone(subscriber);
    const { call, sipCallId, answerSdp } = await answeredCall(softphone, '0302', 1);

    await softphone.client.close();
    // While no socket is open the call goes on: media flows and nothing ends it.
    const whileAway = call.peer.counters().received;
    await call.peer.waitForReceived(whileAway + RTP_PACKETS, 5_000);
    const stored = await platform.findCall(call.clientCallId);
    expect((await platform.callEvents(stored)).map((event) => event.type)).toEqual([
      'CallRequested',
      'SipInviteSent',
      'Answered',
    ]);

    const client = await reconnect(subscriber, false);
    expect(client.state?.lines[0]).toBeNull();
    expectResumedLine(client.state?.lines[1], call, answerSdp);

    await restoreMediaWithIceRestart(client, call, sipCallId);
    await hangUpFrom(client, call, sipCallId);
    expect((await platform.callEvents(stored)).map((event) => event.type)).toEqual([
      'CallRequested',
      'SipInviteSent',
      'Answered',
      'MediaRenegotiated',
      'CallEnded',
    ]);

    // The next socket of the session finds every line idle again.
    await client.close();
    const after = await reconnect(subscriber, false);
    expect(after.state?.lines).toEqual([null, null]);
  });
});
