import {
  eventMatching,
  generateCallId,
  SignalingRequestError,
  type SoftphoneClient,
} from '@ringbus/client-sdk';
import { isCallId } from '@ringbus/call-domain';
import { CallEndReason } from '@ringbus/proto';
import { type ServerEvent } from '@ringbus/softphone-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANSWER_SDP,
  eventually,
  OFFER_SDP,
  SignalingPlatform,
  TENANT,
  type SignalingInstance,
  type TestUser,
} from './support/signaling-platform.js';

let platform: SignalingPlatform;
let instance: SignalingInstance;
let other: SignalingInstance;

beforeAll(async () => {
  platform = await SignalingPlatform.start();
  instance = await platform.startInstance();
  other = await platform.startInstance();
});

afterAll(async () => {
  await platform?.stop();
});

const offer = { type: 'offer' as const, sdp: OFFER_SDP };
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

async function placeCall(
  client: SoftphoneClient,
  line = 0,
  callId = generateCallId(),
): Promise<{ clientCallId: string; callId: string }> {
  await client.request(
    'outgoing_call',
    { number: '+15550199', jsep: offer, traceparent: TRACEPARENT },
    { line, callId },
  );
  return { clientCallId: callId, callId: await platform.callIdOf(callId) };
}

/** The next events on the socket for this call, by name, in the order they arrive. */
async function nextEvents(client: SoftphoneClient, count: number, since: number): Promise<ServerEvent[]> {
  await eventually(`${count} events`, () => (client.eventsSince(since).length >= count ? true : undefined));
  return client.eventsSince(since).slice(0, count);
}

async function refusalOf(request: Promise<unknown>): Promise<{ code: number; reason: string }> {
  const error = await request.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(SignalingRequestError);
  const refused = error as SignalingRequestError;
  return { code: refused.responseCode, reason: refused.reason };
}

describe('outgoing_call', () => {
  it('acks and stores CallRequested with the full envelope', async () => {
    const user = await platform.provisionUser(2, '+15550001');
    const { client } = await platform.connect(instance, user);
    const clientCallId = generateCallId();
    const ack = await client.request(
      'outgoing_call',
      { number: '+15550199', jsep: offer, traceparent: TRACEPARENT },
      { line: 1, callId: clientCallId },
    );
    expect(ack).toMatchObject({ response: 'ack', line: 1, call_id: clientCallId });

    const callId = await platform.callIdOf(clientCallId);
    expect(isCallId(callId)).toBe(true);
    const [requested, ...rest] = await platform.callEvents(callId);
    expect(rest).toEqual([]);
    expect(requested).toMatchObject({
      streamId: `call-${callId}`,
      streamVersion: 1,
      type: 'CallRequested',
      schemaVersion: 1,
      data: {
        callId,
        userId: user.userId,
        line: 1,
        caller: '+15550001',
        callee: '+15550199',
        sdpOffer: OFFER_SDP,
        clientCallId,
      },
      metadata: { tenant: TENANT, traceparent: TRACEPARENT, correlationId: `call-${callId}` },
    });
    expect(requested?.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(requested?.metadata.causationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(Date.parse(requested?.metadata.occurredAt ?? '') - Date.now())).toBeLessThan(10_000);
  });

  it('forwards the call’s events as calling, ringing, accepted and hangup, on the call’s line and id', async () => {
    const user = await platform.provisionUser();
    // The socket sits on the other instance: events reach whichever instance holds the user's socket.
    const { client } = await platform.connect(other, user);
    const mark = client.eventMark();
    const { clientCallId, callId } = await placeCall(client);
    await platform.inviteSent(callId);
    await platform.ringing(callId);
    await platform.answered(callId);
    await platform.ended(callId, 200);
    const heard = await nextEvents(client, 4, mark);
    expect(heard).toEqual([
      { event: 'calling', line: 0, call_id: clientCallId },
      { event: 'ringing', line: 0, call_id: clientCallId },
      {
        event: 'accepted',
        line: 0,
        call_id: clientCallId,
        callee: '+15550199',
        jsep: { type: 'answer', sdp: ANSWER_SDP },
      },
      { event: 'hangup', line: 0, call_id: clientCallId, code: 200, reason: 'Normal Clearing' },
    ]);
    // The call left the live-call table: its line and call id are free again.
    await eventually('the live call to be forgotten', async () => {
      const { rowCount } = await platform.schema.pool.query(
        'select 1 from signaling_live_call where call_id = $1',
        [callId],
      );
      return rowCount === 0 ? true : undefined;
    });
    await placeCall(client, 0, clientCallId);
  });

  it('gives a reconnecting softphone its live call back in the state handshake, log newest first', async () => {
    const user = await platform.provisionUser();
    const first = await platform.connect(instance, user);
    const { clientCallId, callId } = await placeCall(first.client, 1);
    await platform.inviteSent(callId);
    await platform.ringing(callId);
    await platform.answered(callId);
    await first.client.waitForEvent(eventMatching('accepted', { callId: clientCallId }), 5_000, { since: 0 });
    await first.client.close();

    const again = await platform.connect(other, user);
    expect(again.state.lines[0]).toBeNull();
    const line = again.state.lines[1];
    expect(line?.call_id).toBe(clientCallId);
    expect(line?.call_logs.map(([, record]) => ('event' in record ? record.event : undefined))).toEqual([
      'accepted',
      'ringing',
      'calling',
    ]);
    expect(line?.call_logs[0]?.[1]).toMatchObject({ callee: '+15550199', jsep: { type: 'answer' } });
    const times = line?.call_logs.map(([ms]) => ms) ?? [];
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    // The call goes on on the new socket.
    const mark = again.client.eventMark();
    await platform.ended(callId, 200);
    expect(await nextEvents(again.client, 1, mark)).toEqual([
      { event: 'hangup', line: 1, call_id: clientCallId, code: 200, reason: 'Normal Clearing' },
    ]);
  });

  it('refuses a busy line (447) and a call id already live in the tenant (468), never merging calls', async () => {
    const alice = await platform.provisionUser();
    const bob = await platform.provisionUser();
    const a = await platform.connect(instance, alice);
    const b = await platform.connect(other, bob);
    const { clientCallId, callId } = await placeCall(a.client, 0);

    expect((await refusalOf(placeCall(a.client, 0))).code).toBe(447);
    expect((await refusalOf(placeCall(b.client, 0, clientCallId))).code).toBe(468);
    expect((await refusalOf(placeCall(a.client, 1, clientCallId))).code).toBe(468);
    // One call, one stream: the refused requests stored nothing.
    expect((await platform.callEvents(callId)).map((event) => event.type)).toEqual(['CallRequested']);
    const { rows } = await platform.schema.pool.query<{ count: string }>(
      'select count(*) from signaling_live_call where client_call_id = $1',
      [clientCallId],
    );
    expect(rows[0]?.count).toBe('1');
    await placeCall(a.client, 1);
  });

  it('decides a hangup before the INVITE went out (CANCELLED by the caller); with no media leg left, after it too', async () => {
    const user = await platform.provisionUser();
    const { client } = await platform.connect(instance, user);
    const early = await placeCall(client, 0);
    const mark = client.eventMark();
    const ack = await client.hangup({ line: 0, callId: early.clientCallId });
    expect(ack.response).toBe('ack');
    const heard = await nextEvents(client, 2, mark);
    expect(heard[0]).toMatchObject({
      event: 'hangingup',
      line: 0,
      call_id: early.clientCallId,
      transaction: ack.transaction,
    });
    expect(heard[1]).toEqual({
      event: 'hangup',
      line: 0,
      call_id: early.clientCallId,
      code: 487,
      reason: 'Cancelled by the caller before the INVITE was sent',
    });
    const events = await platform.callEvents(early.callId);
    expect(events.map((event) => event.type)).toEqual(['CallRequested', 'CallEnded']);
    expect(events[1]?.data).toMatchObject({
      reason: 'CALL_END_REASON_CANCELLED',
      hungUpBy: 'CALL_PARTY_CALLER',
    });

    const late = await placeCall(client, 1);
    await platform.inviteSent(late.callId);
    // No media-orchestration runs here, so no instance carries the call's Janus leg: requests only the leg
    // can carry out are refused as for a call that is gone, and a hangup is recorded by signaling itself.
    for (const request of [
      client.hold({ line: 1, callId: late.clientCallId }),
      client.unhold({ line: 1, callId: late.clientCallId }),
      client.update({ line: 1, callId: late.clientCallId, jsep: offer }),
      client.dtmf({ line: 1, callId: late.clientCallId, digits: '1' }),
    ]) {
      expect(await refusalOf(request)).toEqual({
        code: 481,
        reason: 'Call/Transaction Does Not Exist (no media gateway carries the call any more)',
      });
    }
    expect(
      (await refusalOf(client.transfer({ line: 1, callId: late.clientCallId, number: '+15550300' }))).code,
    ).toBe(501);
    const beforeHangup = client.eventMark();
    const hangupAck = await client.hangup({ line: 1, callId: late.clientCallId });
    expect(hangupAck.response).toBe('ack');
    const ending = await nextEvents(client, 2, beforeHangup);
    expect(ending.map((event) => event.event)).toEqual(['hangingup', 'hangup']);
    const lateEvents = await platform.callEvents(late.callId);
    expect(lateEvents.map((event) => event.type)).toEqual(['CallRequested', 'SipInviteSent', 'CallEnded']);
    expect(lateEvents[2]?.data).toMatchObject({
      reason: 'CALL_END_REASON_CANCELLED',
      hungUpBy: 'CALL_PARTY_CALLER',
      reasonText: 'Hung up by our user; no media-orchestration instance carried the call any more',
    });
  });
});

describe('incoming calls', () => {
  it('announces an offered call on the first free line, and a missed call when every line is busy', async () => {
    const user: TestUser = await platform.provisionUser(1);
    const { client } = await platform.connect(instance, user);
    const mark = client.eventMark();
    const carrierCallId = 'a84b4c76e66710@pc33.carrier.example';
    const first = await platform.offer(user.userId, carrierCallId);
    const [incoming] = await nextEvents(client, 1, mark);
    expect(incoming).toEqual({
      event: 'incoming_call',
      line: 0,
      call_id: carrierCallId,
      callee: '+15550001',
      caller: '+15550777',
      caller_display_name: 'Bob',
      jsep: { type: 'offer', sdp: OFFER_SDP },
    });

    await platform.offer(user.userId);
    const [, missed] = await nextEvents(client, 2, mark);
    expect(missed).toMatchObject({
      event: 'missed_call',
      line: null,
      callee: '+15550001',
      caller: '+15550777',
    });

    // The call is found on its line; with no media-orchestration here, nobody carries its Janus leg.
    expect((await refusalOf(client.accept({ line: 0, callId: carrierCallId, jsep: offer }))).code).toBe(465);
    const answer = { type: 'answer' as const, sdp: OFFER_SDP };
    expect((await refusalOf(client.accept({ line: 0, callId: carrierCallId, jsep: answer }))).code).toBe(481);
    expect((await refusalOf(client.decline({ line: 0, callId: carrierCallId }))).code).toBe(481);

    // A softphone woken by a push finds the offer in the state handshake.
    await client.close();
    const again = await platform.connect(other, user, { force: true });
    expect(again.state.lines[0]?.call_id).toBe(carrierCallId);
    expect(again.state.lines[0]?.call_logs).toEqual([
      [
        expect.any(Number),
        expect.objectContaining({ event: 'incoming_call', jsep: { type: 'offer', sdp: OFFER_SDP } }),
      ],
    ]);
    await platform.ended(first, 487, CallEndReason.CANCELLED);
  });

  it('gives forked offers that share the carrier’s Call-ID distinct client call ids', async () => {
    const alice = await platform.provisionUser(1);
    const bob = await platform.provisionUser(1);
    const a = await platform.connect(instance, alice);
    const b = await platform.connect(instance, bob);
    const shared = 'forked-1@carrier.example';
    const markA = a.client.eventMark();
    const markB = b.client.eventMark();
    await platform.offer(alice.userId, shared);
    const [toAlice] = await nextEvents(a.client, 1, markA);
    const bobsCall = await platform.offer(bob.userId, shared);
    const [toBob] = await nextEvents(b.client, 1, markB);
    expect(toAlice).toMatchObject({ event: 'incoming_call', call_id: shared });
    expect(toBob).toMatchObject({ event: 'incoming_call', call_id: bobsCall });
  });
});
