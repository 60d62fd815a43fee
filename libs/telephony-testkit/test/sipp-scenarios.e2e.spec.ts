import { randomUUID } from 'node:crypto';
import Janode, { type JanodeConnection, type JanodeSession } from 'janode';
import SipPlugin, { type SipHandle } from 'janode/plugins/sip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWebRtcPeer,
  insideLoopbackNamespace,
  type JanusGateway,
  type Jsep,
  runSipp,
  type SippOptions,
  type SippPeer,
  startJanus,
  type WebRtcPeer,
} from '../src/index.js';
import { JanusEventLog, withTimeout } from './janus-event-log.js';

// What Janus 1.1.2's SIP plugin reports for each shipped carrier behaviour, so the orchestration's event
// mapping is built on observed facts. Runs only inside scripts/in-netns.sh (see sip-call.e2e.spec.ts).
Janode.Logger.setLevel('error');

interface OutgoingCall {
  readonly callId: string;
  readonly handle: SipHandle;
  readonly events: JanusEventLog;
  readonly peer: WebRtcPeer;
  readonly sipp: SippPeer;
  /** janode's `call` promise: settles on `accepted` or on a final failure. */
  readonly answered: Promise<{ jsep?: Jsep }>;
}

describe.skipIf(!insideLoopbackNamespace())('carrier behaviours seen through Janus SIP plugin events', () => {
  let janus: JanusGateway;
  let connection: JanodeConnection;
  const sessions: JanodeSession[] = [];
  const peers: WebRtcPeer[] = [];
  const sipps: SippPeer[] = [];

  beforeAll(async () => {
    janus = await startJanus();
    connection = await Janode.connect({ address: { url: janus.wsUrl }, max_retries: 1, retry_time_secs: 1 });
  });

  afterAll(async () => {
    for (const peer of peers) await peer.close();
    for (const session of sessions) await session.destroy().catch(() => undefined);
    for (const sipp of sipps) await sipp.stop();
    await connection?.close().catch(() => undefined);
    await janus?.stop();
  });

  async function placeCall(sippOptions: SippOptions): Promise<OutgoingCall> {
    const sipp = await runSipp({ recvTimeoutMs: 20_000, globalTimeoutMs: 60_000, ...sippOptions });
    sipps.push(sipp);
    const peer = createWebRtcPeer({ offerDtlsSetup: 'active' });
    peers.push(peer);
    const session = await connection.create();
    sessions.push(session);
    const handle = await session.attach(SipPlugin);
    const events = new JanusEventLog(handle);
    await handle.register({ type: 'guest', username: 'sip:alice@127.0.0.1' });
    const callId = `rb-${randomUUID()}`;
    const answered = handle.call({ uri: sipp.uri('bob'), call_id: callId, jsep: await peer.createOffer() });
    // Observed separately below; never an unhandled rejection.
    answered.catch(() => undefined);
    return { callId, handle, events, peer, sipp, answered };
  }

  it('486 Busy Here: `call` rejects with the SIP status, Janus reports hangup {code 486}', async () => {
    const call = await placeCall({ scenario: 'uas-busy' });
    await expect(withTimeout(call.answered, 10_000, 'the call to fail')).rejects.toThrow('486 Busy Here');
    // The core's PeerConnection hangup ("Close PC") may come before or after janode settles: plugin events only.
    expect(call.events.pluginEventNames()).toEqual(['registered', 'calling', 'hangup']);
    expect((await call.events.waitFor('hangup')).result).toMatchObject({ code: 486, reason: 'Busy Here' });
    const outcome = await withTimeout(call.sipp.done, 10_000, 'sipp to finish');
    expect(outcome.passed, call.sipp.output()).toBe(true);
    expect(call.sipp.messages().find((m) => m.method === 'ACK')?.callId).toBe(call.callId);
  });

  it('ringing, then we give up: 180 arrives, our hangup sends CANCEL, the carrier ends it with 487', async () => {
    const call = await placeCall({ scenario: 'uas-ringing-no-answer' });
    const ringing = await Promise.race([call.events.waitFor('ringing'), call.events.waitFor('proceeding')]);
    console.info(`180 Ringing reported as Janus ${ringing.name} ${JSON.stringify(ringing.result)}`);
    await call.handle.sip_hangup();
    await expect(withTimeout(call.answered, 10_000, 'the call to fail')).rejects.toThrow('487');
    const cancel = await call.sipp.waitForMessage((m) => m.direction === 'received' && m.method === 'CANCEL');
    expect(cancel.callId).toBe(call.callId);
    const outcome = await withTimeout(call.sipp.done, 10_000, 'sipp to finish');
    expect(outcome.passed, call.sipp.output()).toBe(true);
    console.info(`ringing then CANCEL, Janus events: ${JSON.stringify(call.events.entries.map(summary))}`);
  });

  it('183 with SDP: early media flows before the 200, which janode still reports as accepted', async () => {
    const call = await placeCall({ scenario: 'uas-early-media', pauseMs: 2_000 });
    const progress = await call.events.waitFor('progress', 10_000);
    expect(progress.jsep?.type).toBe('answer');
    await call.peer.applyAnswer(progress.jsep as Jsep);
    await call.peer.waitForConnected(10_000);
    const early = await call.peer.waitForReceived(20, 5_000);
    const janodeVerdict = await call.answered.then(
      () => 'resolved',
      (error: Error) => `rejected: ${error.message}`,
    );
    await call.events.waitFor('accepted', 10_000);
    console.info(
      `early media: ${early.received} packets before 200; janode call() ${janodeVerdict}; Janus events: ` +
        JSON.stringify(call.events.entries.map(summary)),
    );
    await call.handle.sip_hangup();
    const outcome = await withTimeout(call.sipp.done, 10_000, 'sipp to finish');
    expect(outcome.passed, call.sipp.output()).toBe(true);
  });

  it('the carrier hangs up: Janus reports hangup after the BYE, and answers it 200', async () => {
    const call = await placeCall({ scenario: 'uas-answer-then-bye', pauseMs: 1_000 });
    const accepted = await withTimeout(call.answered, 10_000, 'accepted');
    await call.peer.applyAnswer(accepted.jsep as Jsep);
    await call.peer.waitForReceived(10, 10_000);
    const hangup = await call.events.waitFor('hangup', 10_000);
    console.info(`remote BYE reported as ${JSON.stringify(summary(hangup))}`);
    expect(hangup.result['code']).toBe(200);
    const outcome = await withTimeout(call.sipp.done, 10_000, 'sipp to finish');
    expect(outcome.passed, call.sipp.output()).toBe(true);
    const bye = call.sipp.messages().find((m) => m.direction === 'sent' && m.method === 'BYE');
    expect(bye?.callId).toBe(call.callId);
  });

  it('DTMF as SIP INFO, hold and resume as re-INVITEs, all in the dialog of our Call-ID', async () => {
    const call = await placeCall({ scenario: 'uas-answer-info-hold' });
    const accepted = await withTimeout(call.answered, 10_000, 'accepted');
    await call.peer.applyAnswer(accepted.jsep as Jsep);
    await call.peer.waitForReceived(10, 10_000);

    await sendBeyondJanode(call.handle, { request: 'dtmf_info', digit: '5', duration: 160 });
    await call.events.waitFor('dtmfsent', 5_000);
    await sendBeyondJanode(call.handle, { request: 'hold', direction: 'sendonly' });
    await call.events.waitFor('holding', 5_000);
    await reInviteAcknowledged(call.sipp, 1);
    await sendBeyondJanode(call.handle, { request: 'unhold' });
    await call.events.waitFor('resuming', 5_000);
    await reInviteAcknowledged(call.sipp, 2);
    const beforeResume = call.peer.counters().received;
    await call.peer.waitForReceived(beforeResume + 10, 5_000);

    await call.handle.sip_hangup();
    const outcome = await withTimeout(call.sipp.done, 10_000, 'sipp to finish');
    expect(outcome.passed, call.sipp.output()).toBe(true);
    const received = call.sipp.messages().filter((m) => m.direction === 'received');
    const info = received.find((m) => m.method === 'INFO');
    expect(info?.headers['content-type']?.[0]).toBe('application/dtmf-relay');
    expect(info?.body).toMatch(/Signal=5/);
    const reInvites = received.filter((m) => m.method === 'INVITE').slice(1);
    // Janus's resume offer carries no direction attribute at all, which means sendrecv.
    const direction = (body: string): string =>
      /a=(sendonly|sendrecv|recvonly|inactive)/.exec(body)?.[1] ?? 'sendrecv';
    expect(reInvites.map((m) => direction(m.body))).toEqual(['sendonly', 'sendrecv']);
    expect(received.every((m) => m.callId === call.callId)).toBe(true);
    console.info(`in-dialog requests, Janus events: ${JSON.stringify(call.events.entries.map(summary))}`);
  });
});

/** Waits until the `ordinal`-th re-INVITE sipp received (1 = the first after the call's INVITE) is ACKed. */
async function reInviteAcknowledged(sipp: SippPeer, ordinal: number): Promise<void> {
  await sipp.waitForMessage((ack) => {
    if (ack.direction !== 'received' || ack.method !== 'ACK') return false;
    const invites = sipp.messages().filter((m) => m.direction === 'received' && m.method === 'INVITE');
    return invites[ordinal] !== undefined && ack.cseq?.number === invites[ordinal].cseq?.number;
  }, 5_000);
}

/**
 * Sends a SIP plugin request that janode 1.8's SIP wrapper does not know (hold, unhold, dtmf_info): Janus
 * does it, janode then rejects with "unmanaged event" because it cannot map the reply; anything else is a
 * real failure.
 */
async function sendBeyondJanode(handle: SipHandle, body: Record<string, unknown>): Promise<void> {
  try {
    await withTimeout(handle.message(body), 5_000, `a reply to ${String(body['request'])}`);
  } catch (error) {
    if ((error as Error).message !== 'unmanaged event') throw error;
  }
}

function summary(entry: {
  name: string;
  result: Readonly<Record<string, unknown>>;
  jsep?: unknown;
}): unknown {
  const { event: _event, ...rest } = entry.result;
  return { [entry.name]: rest, ...(entry.jsep === undefined ? {} : { jsep: true }) };
}
