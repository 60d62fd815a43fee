import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignalingRequestError } from '@ringbus/client-sdk';
import { type RecordedEvent } from '@ringbus/event-store';
import {
  insideLoopbackNamespace,
  LOOPBACK_ICE_INTERFACE,
  type TracedSipMessage,
} from '@ringbus/telephony-testkit';
import { answeringNumber, busyNumber, startPlatform, type Platform, type Softphone } from '../src/index.js';

// The SIP Call-ID of every call Ringbus places is its own and never repeats, whatever restarts on the way:
// 200 short outgoing calls, a few at a time, across two restarts of media-orchestration (SIGTERM, then
// SIGKILL, same INSTANCE_ID) and two of Janus (SIGKILL, then SIGINT, same WebSocket port).
const inNamespace = insideLoopbackNamespace();
if (!inNamespace) {
  console.warn(
    `platform unique Call-ID e2e skipped: interface ${LOOPBACK_ICE_INTERFACE} is missing. Run: npx tsc -b && ` +
      'bash scripts/in-netns.sh npx vitest run --project e2e libs/platform-testkit',
  );
}

const CALLS = 200;
const PARALLEL = 4;
// Every fifth call is answered, the carrier hangs it up this soon; the others are refused 486.
const ANSWERED_EVERY = 5;
const CARRIER_ANSWER_MS = 200;
// After these many calls have ended, this part restarts before the next call is placed.
const RESTARTS: ReadonlyMap<number, { part: 'media-orchestration' | 'janus'; signal: NodeJS.Signals }> =
  new Map([
    [50, { part: 'media-orchestration', signal: 'SIGTERM' }],
    [100, { part: 'janus', signal: 'SIGKILL' }],
    [130, { part: 'media-orchestration', signal: 'SIGKILL' }],
    [160, { part: 'janus', signal: 'SIGINT' }],
  ]);

interface PlacedCall {
  readonly index: number;
  readonly number: string;
  readonly clientCallId: string;
  /** The socket's events of the call once it ended. */
  readonly socketEvents: readonly string[];
  readonly hangupCode: number;
}

const numberOf = (index: number) =>
  index % ANSWERED_EVERY === 0 ? answeringNumber(9000 + index) : busyNumber(9000 + index);

describe.skipIf(!inNamespace)('unique SIP Call-IDs across restarts of media-orchestration and Janus', () => {
  let platform: Platform;
  const softphones: Softphone[] = [];

  beforeAll(async () => {
    platform = await startPlatform({ carrierAnswerMs: CARRIER_ANSWER_MS });
    for (let worker = 0; worker < PARALLEL; worker += 1) {
      softphones.push(await platform.softphone(await platform.subscriber({ lines: 1 })));
    }
  });

  afterAll(async () => {
    await platform?.stop();
  });

  /** Calls `from`..`to` (1-based), PARALLEL at a time, each on a softphone of its own until it ended. */
  async function placeCalls(from: number, to: number): Promise<PlacedCall[]> {
    const placed: PlacedCall[] = [];
    let next = from;
    await Promise.all(
      softphones.map(async (softphone) => {
        while (next <= to) {
          const index = next;
          next += 1;
          const number = numberOf(index);
          const call = await placeWhenLineFree(softphone, number);
          try {
            const hangup = await call.waitForEvent('hangup', 20_000);
            placed.push({
              index,
              number,
              clientCallId: call.clientCallId,
              socketEvents: call.events().map((event) => event.event),
              hangupCode: hangup.code,
            });
          } finally {
            await call.close();
          }
        }
      }),
    );
    return placed;
  }

  /**
   * Signaling frees a line when its live-call projection has applied the CallEnded, which may be a moment
   * after the socket heard `hangup`: an `outgoing_call` right then is refused 447. Such refusals are
   * retried (counted in `lineStillBusy`, reported by the test); every other refusal fails the test.
   */
  let lineStillBusy = 0;
  let lineStillBusyMaxMs = 0;
  async function placeWhenLineFree(softphone: Softphone, number: string) {
    const firstTryAt = Date.now();
    for (let attempt = 1; ; attempt += 1) {
      try {
        const call = await softphone.placeCall(number, { line: 0 });
        if (attempt > 1) lineStillBusyMaxMs = Math.max(lineStillBusyMaxMs, Date.now() - firstTryAt);
        return call;
      } catch (error) {
        if (!(error instanceof SignalingRequestError) || error.responseCode !== 447 || attempt === 40)
          throw error;
        lineStillBusy += 1;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
  }

  async function readAllEvents(): Promise<RecordedEvent[]> {
    const all: RecordedEvent[] = [];
    for (;;) {
      const page = await platform.store.readAll({ after: all.at(-1)?.globalPosition, maxCount: 1_000 });
      all.push(...page);
      if (page.length < 1_000) return all;
    }
  }

  it(`${CALLS} calls: each has one stream ending in CallEnded, its INVITE's Call-ID is its SipInviteSent's, none repeats`, async () => {
    const startedAt = Date.now();
    const placed: PlacedCall[] = [];
    const pids = { media: [platform.mediaOrchestration.pid], janus: [platform.janus.pid] };
    let done = 0;
    for (const [after, restart] of [...RESTARTS, [CALLS, undefined] as const]) {
      placed.push(...(await placeCalls(done + 1, after)));
      done = after;
      if (restart === undefined) continue;
      if (restart.part === 'media-orchestration') {
        await platform.restartMediaOrchestration({ signal: restart.signal as 'SIGTERM' | 'SIGKILL' });
        pids.media.push(platform.mediaOrchestration.pid);
      } else {
        await platform.restartJanus({ signal: restart.signal as 'SIGINT' | 'SIGKILL' });
        pids.janus.push(platform.janus.pid);
      }
    }
    const elapsedMs = Date.now() - startedAt;
    console.info(
      `${CALLS} calls and ${RESTARTS.size} restarts took ${elapsedMs} ms; ` +
        `${lineStillBusy} outgoing_call refused 447 right after the line's previous hangup, retried ` +
        `(the line was free after at most ${lineStillBusyMaxMs} ms)`,
    );
    // Each restart brought a new process (the same Janus WebSocket port, the same INSTANCE_ID).
    expect(new Set(pids.media).size).toBe(3);
    expect(new Set(pids.janus).size).toBe(3);

    // The socket and the stream, call by call: exactly one stream per call, with one SipInviteSent and a
    // final CallEnded; the socket heard `calling`, then the end the carrier chose. Every deviation is
    // collected (with the stream and what media-orchestration logged about the call) before failing.
    expect(placed).toHaveLength(CALLS);
    const events = await readAllEvents();
    const streamsByClientCallId = new Map<string, string[]>();
    for (const event of events) {
      if (event.type !== 'CallRequested') continue;
      const clientCallId = String(event.data['clientCallId']);
      streamsByClientCallId.set(clientCallId, [
        ...(streamsByClientCallId.get(clientCallId) ?? []),
        event.streamId,
      ]);
    }
    expect(streamsByClientCallId.size).toBe(CALLS);
    const sipCallIdOf = new Map<string, PlacedCall>();
    const deviations: string[] = [];
    for (const call of placed.sort((a, b) => a.index - b.index)) {
      const streams = streamsByClientCallId.get(call.clientCallId) ?? [];
      const stream = events.filter((event) => event.streamId === streams[0]);
      const invites = stream.filter((event) => event.type === 'SipInviteSent');
      const endings = stream.filter((event) => event.type === 'CallEnded');
      const answered = call.index % ANSWERED_EVERY === 0;
      const expectedSocket = answered ? ['calling', 'accepted', 'hangup'] : ['calling', 'hangup'];
      const expectedCode = answered ? 200 : 486;
      const problems: string[] = [];
      if (streams.length !== 1) problems.push(`${streams.length} streams`);
      if (invites.length !== 1) problems.push(`${invites.length} SipInviteSent`);
      if (endings.length !== 1 || stream.at(-1)?.type !== 'CallEnded')
        problems.push('no single final CallEnded');
      if (call.socketEvents.join() !== expectedSocket.join() || call.hangupCode !== expectedCode) {
        problems.push(
          `socket ${call.socketEvents.join(', ')} (hangup ${call.hangupCode}), expected ${expectedSocket.join(', ')} (hangup ${expectedCode})`,
        );
      }
      const sipCallId = invites[0]?.data['sipCallId'];
      if (typeof sipCallId === 'string') {
        const earlier = sipCallIdOf.get(sipCallId);
        if (earlier !== undefined)
          problems.push(`Call-ID ${sipCallId} already used by call ${earlier.index}`);
        sipCallIdOf.set(sipCallId, call);
      }
      if (problems.length === 0) continue;
      const ended = endings[0]?.data ?? {};
      const callId = streams[0]?.replace(/^call-/, '') ?? '?';
      deviations.push(
        `call ${call.index} ${call.number} (client ${call.clientCallId}, call ${callId}): ${problems.join('; ')}; ` +
          `stream ${stream.map((event) => event.type).join(', ')}; CallEnded ${JSON.stringify(ended)}`,
      );
      const logged = platform
        .mediaOrchestrationOutput()
        .split('\n')
        .filter((line) => line.includes(callId));
      if (logged.length > 0) deviations.push(`  media-orchestration on ${callId}: ${logged.join('\n    ')}`);
      const traced = platform.carrier
        .messages()
        .filter((message) => message.callId?.includes(callId) === true);
      deviations.push(
        `  sipp on ${callId}: ${traced.map((message) => `${message.loggedAt} ${message.direction} ${message.startLine}`).join(' | ') || '(nothing)'}`,
      );
    }
    expect(deviations).toEqual([]);

    // sipp: one INVITE transaction per Call-ID, for exactly the calls' Call-IDs, each to its call's number.
    const tracedInvites = await waitForInvites(platform, new Set(sipCallIdOf.keys()));
    const transactionsByCallId = new Map<string, Set<string>>();
    for (const invite of tracedInvites) {
      const callId = invite.callId ?? '(none)';
      const transaction = `${invite.cseq?.number ?? '?'} ${invite.headers['via']?.[0] ?? '?'}`;
      transactionsByCallId.set(callId, (transactionsByCallId.get(callId) ?? new Set()).add(transaction));
      const call = sipCallIdOf.get(callId);
      expect(call, `INVITE with Call-ID ${callId} belongs to no call`).toBeDefined();
      expect(invite.requestUri).toContain(call?.number);
    }
    expect([...transactionsByCallId.keys()].sort()).toEqual([...sipCallIdOf.keys()].sort());
    const repeated = [...transactionsByCallId].filter(([, transactions]) => transactions.size > 1);
    expect(repeated).toEqual([]);
  }, 180_000);
});

/** sipp's INVITEs (not their retransmissions' absence) once the trace holds one for each of `callIds`. */
async function waitForInvites(platform: Platform, callIds: ReadonlySet<string>): Promise<TracedSipMessage[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const invites = platform.carrier
      .messages()
      .filter((message) => message.direction === 'received' && message.method === 'INVITE');
    const seen = new Set(invites.map((invite) => invite.callId));
    if ([...callIds].every((callId) => seen.has(callId)) || Date.now() > deadline) return invites;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
