import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateCallId, SignalingRequestError } from '@ringbus/client-sdk';
import { type RecordedEvent } from '@ringbus/event-store';
import { ResponseErrorCode } from '@ringbus/softphone-protocol';
import { insideLoopbackNamespace, type TracedSipMessage } from '@ringbus/telephony-testkit';
import {
  loadSignalingProvisioning,
  locateRingbusBuild,
  Softphone,
  type Platform,
  type SoftphoneCall,
  type TestSubscriber,
} from '../src/index.js';
import {
  carrierNumbers,
  receivedRequest,
  startCallControlPlatform,
  type CallControlPlatform,
} from './support/call-control-carrier.js';

// The softphone chooses `call_id`. Two softphones that choose the same one must get two distinct calls
// (distinct streams, distinct SIP dialogs) or a clear refusal, never one call shared between them.
// The skip notice for runs outside the namespace is printed by outgoing-call.e2e.
const inNamespace = insideLoopbackNamespace();

const invitesTo = (number: string) => (message: TracedSipMessage) =>
  message.direction === 'received' &&
  message.method === 'INVITE' &&
  message.requestUri?.includes(`${number}@`) === true;

describe.skipIf(!inNamespace)('two softphones send the same call_id, through the whole platform', () => {
  let running: CallControlPlatform;
  let platform: Platform;
  const ownSoftphones: Softphone[] = [];

  beforeAll(async () => {
    running = await startCallControlPlatform();
    platform = running.platform;
  });

  afterEach(async () => {
    for (const softphone of ownSoftphones.splice(0)) await softphone.close();
  });

  afterAll(async () => {
    await running?.stop();
  });

  /** Every CallRequested in the store whose client call id is `clientCallId`. */
  async function callRequestsWith(clientCallId: string): Promise<RecordedEvent[]> {
    const found: RecordedEvent[] = [];
    let after: RecordedEvent['globalPosition'] | undefined;
    for (;;) {
      const page = await platform.store.readAll({ after, maxCount: 500 });
      for (const event of page) {
        if (event.type === 'CallRequested' && event.data['clientCallId'] === clientCallId) found.push(event);
      }
      if (page.length < 500) return found;
      after = page[page.length - 1]?.globalPosition;
    }
  }

  /** A user of another tenant, provisioned by signaling's own code, with its softphone. */
  async function softphoneOfTenant(tenant: string): Promise<Softphone> {
    const provisioning = await loadSignalingProvisioning(locateRingbusBuild());
    const userId = `user-${randomUUID()}`;
    const callerNumber = '+15550009';
    await provisioning.provisionSubscriber(platform.database.pool, {
      tenant,
      userId,
      lines: 2,
      callerNumber,
    });
    const { token } = await provisioning.mintSessionToken(platform.database.pool, { userId, tenant });
    const subscriber: TestSubscriber = { tenant, userId, callerNumber, lines: 2, token };
    const softphone = await Softphone.connect(platform.signalingUrl, subscriber);
    ownSoftphones.push(softphone);
    return softphone;
  }

  async function hangUpAndWait(softphone: Softphone, call: SoftphoneCall): Promise<void> {
    await softphone.client.hangup({ line: call.line, callId: call.clientCallId });
    await call.waitForEvent('hangup');
  }

  it('two users of one tenant at the same moment: one call, the other refused 468 and told nothing more', async () => {
    const [alice, bob] = await Promise.all([
      platform.subscriber().then((user) => platform.softphone(user)),
      platform.subscriber().then((user) => platform.softphone(user)),
    ]);
    const clientCallId = generateCallId();
    const numbers = [carrierNumbers.answering('0401'), carrierNumbers.answering('0402')] as const;
    const outcomes = await Promise.allSettled([
      alice.placeCall(numbers[0], { line: 0, clientCallId }),
      bob.placeCall(numbers[1], { line: 0, clientCallId }),
    ]);

    const placed = outcomes.flatMap((outcome, index) =>
      outcome.status === 'fulfilled' ? [{ index, call: outcome.value }] : [],
    );
    const refused = outcomes.flatMap((outcome, index) =>
      outcome.status === 'rejected' ? [{ index, error: outcome.reason as unknown }] : [],
    );
    expect(placed).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const [winner] = placed;
    const [loser] = refused;
    if (winner === undefined || loser === undefined) throw new Error('unreachable');
    expect(loser.error).toBeInstanceOf(SignalingRequestError);
    expect(loser.error).toMatchObject({ responseCode: ResponseErrorCode.sessionIdInUse });

    // The winner's call is a normal call of its own: answered, its own stream, its own dialog.
    const call = winner.call;
    await call.waitForEvent('accepted');
    const stored = await platform.findCall(clientCallId);
    const requests = await callRequestsWith(clientCallId);
    expect(requests.map((event) => event.streamId)).toEqual([stored.streamId]);
    expect(requests[0]?.data['callee']).toBe(numbers[winner.index]);
    const invite = await running.carrier.waitForMessage(invitesTo(numbers[winner.index] ?? ''));
    expect(invite.callId).toBe((await platform.waitForCallEvent(stored, 'SipInviteSent')).data['sipCallId']);
    // Nothing was dialled for the refused one, and its socket heard nothing of the other user's call.
    expect(running.carrier.messages().some(invitesTo(numbers[loser.index] ?? ''))).toBe(false);
    const loserSoftphone = loser.index === 0 ? alice : bob;
    expect(
      loserSoftphone.client
        .eventsSince(0)
        .filter((event) => 'call_id' in event && event.call_id === clientCallId),
    ).toEqual([]);

    // Once that call has ended, its call_id names nothing: the other user may use it for a new call.
    const winnerSoftphone = winner.index === 0 ? alice : bob;
    await hangUpAndWait(winnerSoftphone, call);
    await platform.waitForCallEvent(stored, 'CallEnded');
    const again = await retryWhileInUse(() =>
      loserSoftphone.placeCall(numbers[loser.index] ?? '', { line: 0, clientCallId }),
    );
    await again.waitForEvent('accepted');
    const requestsAfter = await callRequestsWith(clientCallId);
    expect(requestsAfter).toHaveLength(2);
    expect(new Set(requestsAfter.map((event) => event.streamId)).size).toBe(2);
    const secondInvite = await running.carrier.waitForMessage(invitesTo(numbers[loser.index] ?? ''));
    expect(secondInvite.callId).not.toBe(invite.callId);
    await hangUpAndWait(loserSoftphone, again);
  });

  it('one user on two lines with the same call_id: the second line is refused 468 and stays free', async () => {
    const softphone = await platform.softphone(await platform.subscriber({ lines: 2 }));
    const clientCallId = generateCallId();
    const first = await softphone.placeCall(carrierNumbers.answering('0403'), { line: 0, clientCallId });
    await first.waitForEvent('accepted');

    const second = await softphone
      .placeCall(carrierNumbers.answering('0404'), { line: 1, clientCallId })
      .catch((error: unknown) => error);
    expect(second).toBeInstanceOf(SignalingRequestError);
    expect(second).toMatchObject({ responseCode: ResponseErrorCode.sessionIdInUse });
    expect(running.carrier.messages().some(invitesTo(carrierNumbers.answering('0404')))).toBe(false);
    expect(await callRequestsWith(clientCallId)).toHaveLength(1);
    // The first call is untouched: still on line 0, and the socket heard only its events.
    expect(first.events().map((event) => [event.event, 'line' in event ? event.line : undefined])).toEqual([
      ['calling', 0],
      ['accepted', 0],
    ]);

    // Line 1 is free: another call id places a call there.
    const other = await softphone.placeCall(carrierNumbers.answering('0405'), { line: 1 });
    await other.waitForEvent('accepted');
    await hangUpAndWait(softphone, other);
    await hangUpAndWait(softphone, first);
  });

  it('two users of different tenants: two distinct calls, streams and SIP dialogs, each socket hears only its own', async () => {
    const [acme, globex] = await Promise.all([
      platform.subscriber().then((user) => platform.softphone(user)),
      softphoneOfTenant(`globex-${randomUUID().slice(0, 8)}`),
    ]);
    const clientCallId = generateCallId();
    const numbers = [carrierNumbers.answering('0406'), carrierNumbers.answering('0407')] as const;
    const [acmeCall, globexCall] = await Promise.all([
      acme.placeCall(numbers[0], { line: 0, clientCallId }),
      globex.placeCall(numbers[1], { line: 0, clientCallId }),
    ]);
    const [acmeAccepted, globexAccepted] = await Promise.all([
      acmeCall.waitForEvent('accepted'),
      globexCall.waitForEvent('accepted'),
    ]);
    expect(acmeAccepted.callee).toBe(numbers[0]);
    expect(globexAccepted.callee).toBe(numbers[1]);
    expect(acmeAccepted.jsep?.sdp).not.toBe(globexAccepted.jsep?.sdp);

    const requests = await callRequestsWith(clientCallId);
    expect(requests).toHaveLength(2);
    const streams = new Set(requests.map((event) => event.streamId));
    expect(streams.size).toBe(2);
    expect(requests.map((event) => event.data['callee']).sort()).toEqual([...numbers].sort());
    const [acmeInvite, globexInvite] = await Promise.all(
      numbers.map((number) => running.carrier.waitForMessage(invitesTo(number))),
    );
    expect(acmeInvite?.callId).not.toBe(globexInvite?.callId);

    // Ending one leaves the other alone.
    await hangUpAndWait(acme, acmeCall);
    await running.carrier.waitForMessage(receivedRequest('BYE', acmeInvite?.callId ?? ''));
    expect(globexCall.events().map((event) => event.event)).toEqual(['calling', 'accepted']);
    expect(running.carrier.messages().some(receivedRequest('BYE', globexInvite?.callId ?? ''))).toBe(false);
    await hangUpAndWait(globex, globexCall);
    expect(acmeCall.events().map((event) => event.event)).toEqual([
      'calling',
      'accepted',
      'hangingup',
      'hangup',
    ]);
  });
});

/**
 * The ended call leaves signaling's live-call table when its CallEnded is projected, a moment after the
 * stream has it: until then the call id is still in use (468).
 */
async function retryWhileInUse<T>(attempt: () => Promise<T>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      const inUse =
        error instanceof SignalingRequestError && error.responseCode === ResponseErrorCode.sessionIdInUse;
      if (!inUse || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
