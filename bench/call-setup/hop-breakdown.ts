import { jetstream } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/transport-node';
import { type Platform } from '@ringbus/platform-testkit';
import { distribution, type CallSample, type Distribution } from './call-samples.js';

/** Where one Ringbus call's set-up time went, each hop in ms. */
export interface CallHops {
  /** Socket frame sent -> CallRequested's occurredAt (signaling: session, line claim, command built). */
  readonly socketToCommand: number;
  /** occurredAt -> the relay's message stored in JetStream (decide + append + commit + NOTIFY + relay). */
  readonly commandToJetStream: number;
  /** JetStream -> media-orchestration's consumer handed the event to the placement (delivery + queue). */
  readonly jetStreamToConsumer: number;
  /** Consumer -> INVITE at sipp (claim in PostgreSQL, warm handle, register, Janus `call`, SIP out). */
  readonly consumerToInvite: number;
  /** INVITE at sipp -> media-orchestration heard Janus's `calling`. */
  readonly inviteToCalling: number;
  /** INVITE at sipp -> `calling` on the softphone's socket (SipInviteSent stored, relayed, forwarded). */
  readonly inviteToSocketCalling: number | undefined;
  readonly total: number;
}

export type HopName = keyof Omit<CallHops, 'total'>;
export const HOP_NAMES: readonly HopName[] = [
  'socketToCommand',
  'commandToJetStream',
  'jetStreamToConsumer',
  'consumerToInvite',
  'inviteToCalling',
  'inviteToSocketCalling',
];

export interface HopBreakdown {
  readonly perHop: Record<string, Distribution | undefined>;
  readonly calls: number;
  /**
   * CallRequested events media-orchestration took per second over the phase: the arrival rate while it
   * keeps up, its capacity once its one-at-a-time consumer falls behind (jetStreamToConsumer grows).
   */
  readonly consumerTakenPerSecond: number | undefined;
  /**
   * Per second of sending (from the phase's first call): calls, median set-up and median wait at
   * media-orchestration's consumer. A stall at the one-at-a-time consumer shows as a run of seconds whose
   * wait climbs while the other hops stay put.
   */
  readonly perSecond: readonly {
    second: number;
    calls: number;
    total: number;
    jetStreamToConsumer: number;
  }[];
  /**
   * media-orchestration's serial cycle per CallRequested, measured between calls that queued (the next call
   * waited > 20 ms at the consumer, so the consumer went straight from one to the next): `cycle` = one
   * consumer start to the next, `placing` = its receive -> Janus `calling`, `afterCalling` = the rest
   * (SipInviteSent stored, ack, the other call events in between). Undefined when no call queued.
   */
  readonly consumerCycle:
    | {
        readonly cycle: Distribution | undefined;
        readonly placing: Distribution | undefined;
        readonly afterCalling: Distribution | undefined;
      }
    | undefined;
  /** The five slowest calls with their hops, sent offset in ms from the phase's first call. */
  readonly slowest: readonly (CallHops & { sentOffsetMs: number })[];
}

interface RequestedCall {
  readonly streamId: string;
  readonly callId: string;
  readonly occurredAtMs: number;
}

/**
 * Per-hop times of the Ringbus calls in `samples`, from four clocks on this machine: the bench's, the
 * events' occurredAt (signaling, media-orchestration), JetStream's message timestamps (nats-server), and
 * media-orchestration's debug line `INVITE sent` (its receive time and time spent placing).
 */
export async function hopBreakdown(
  platform: Platform,
  nats: NatsConnection,
  samples: readonly CallSample[],
  sinceMs: number,
  options: { contiguous: boolean } = { contiguous: true },
): Promise<HopBreakdown> {
  const wanted = new Set(samples.filter((s) => s.path === 'ringbus').map((s) => s.number));
  const requested = await callRequestsByNumber(platform, wanted);
  const storedAt = await jetStreamTimes(nats, sinceMs);
  const placed = inviteSentLogLines(platform.mediaOrchestration.output());
  const hops: (CallHops & { sentOffsetMs: number })[] = [];
  const consumerTimes: number[] = [];
  const consumerSteps: { at: number; placingMs: number; waitedMs: number }[] = [];
  const firstSentMs = Math.min(...samples.map((sample) => sample.sentAtMs));
  for (const sample of samples) {
    const call = requested.get(sample.number);
    if (call === undefined || sample.inviteAtMs === undefined) continue;
    const jetStreamAt = storedAt.get(call.streamId);
    const log = placed.get(call.callId);
    if (jetStreamAt === undefined || log === undefined) continue;
    const consumerAt = call.occurredAtMs + log.requestAgeMs;
    consumerTimes.push(consumerAt);
    consumerSteps.push({ at: consumerAt, placingMs: log.placingMs, waitedMs: consumerAt - jetStreamAt });
    hops.push({
      socketToCommand: call.occurredAtMs - sample.sentAtMs,
      commandToJetStream: jetStreamAt - call.occurredAtMs,
      jetStreamToConsumer: consumerAt - jetStreamAt,
      consumerToInvite: sample.inviteAtMs - consumerAt,
      inviteToCalling: consumerAt + log.placingMs - sample.inviteAtMs,
      inviteToSocketCalling:
        sample.callingAtMs === undefined ? undefined : sample.callingAtMs - sample.inviteAtMs,
      total: sample.inviteAtMs - sample.sentAtMs,
      sentOffsetMs: sample.sentAtMs - firstSentMs,
    });
  }
  const perHop: Record<string, Distribution | undefined> = {};
  for (const name of [...HOP_NAMES, 'total'] as const) {
    perHop[name] = distribution(
      hops.map((hop) => hop[name]).filter((value): value is number => value !== undefined),
    );
  }
  const spanMs = Math.max(...consumerTimes) - Math.min(...consumerTimes);
  const consumerTakenPerSecond =
    options.contiguous && consumerTimes.length > 1 && spanMs > 0
      ? ((consumerTimes.length - 1) * 1000) / spanMs
      : undefined;
  const seconds = new Map<number, (CallHops & { sentOffsetMs: number })[]>();
  for (const hop of hops) {
    const second = Math.floor(hop.sentOffsetMs / 1000);
    seconds.set(second, [...(seconds.get(second) ?? []), hop]);
  }
  const perSecond = [...seconds.entries()]
    .sort(([a], [b]) => a - b)
    .map(([second, inSecond]) => ({
      second,
      calls: inSecond.length,
      total: distribution(inSecond.map((hop) => hop.total))?.p50 ?? 0,
      jetStreamToConsumer: distribution(inSecond.map((hop) => hop.jetStreamToConsumer))?.p50 ?? 0,
    }));
  consumerSteps.sort((a, b) => a.at - b.at);
  const cycles: { cycle: number; placing: number }[] = [];
  for (let i = 0; i + 1 < consumerSteps.length; i += 1) {
    const [current, next] = [consumerSteps[i]!, consumerSteps[i + 1]!];
    if (next.waitedMs > 20) cycles.push({ cycle: next.at - current.at, placing: current.placingMs });
  }
  const consumerCycle =
    cycles.length === 0
      ? undefined
      : {
          cycle: distribution(cycles.map((c) => c.cycle)),
          placing: distribution(cycles.map((c) => c.placing)),
          afterCalling: distribution(cycles.map((c) => c.cycle - c.placing)),
        };
  const slowest = [...hops].sort((a, b) => b.total - a.total).slice(0, 5);
  return { perHop, calls: hops.length, consumerTakenPerSecond, perSecond, consumerCycle, slowest };
}

async function callRequestsByNumber(
  platform: Platform,
  numbers: ReadonlySet<string>,
): Promise<Map<string, RequestedCall>> {
  const { rows } = await platform.database.pool.query<{
    stream_id: string;
    callee: string;
    call_id: string | null;
    occurred_at: string;
  }>(
    `select stream_id, data->>'callee' as callee, data->>'callId' as call_id, metadata->>'occurredAt' as occurred_at
       from events where type = 'CallRequested'`,
  );
  const byNumber = new Map<string, RequestedCall>();
  for (const row of rows) {
    if (!numbers.has(row.callee)) continue;
    byNumber.set(row.callee, {
      streamId: row.stream_id,
      callId: row.call_id ?? row.stream_id.replace(/^call-/, ''),
      occurredAtMs: Date.parse(row.occurred_at),
    });
  }
  return byNumber;
}

/** When each CallRequested was stored in JetStream (the server's timestamp), by call stream id. */
async function jetStreamTimes(nats: NatsConnection, sinceMs: number): Promise<Map<string, number>> {
  const js = jetstream(nats);
  const consumer = await js.consumers.get('RINGBUS_EVENTS', {
    filter_subjects: 'ringbus.events.*.call.*.CallRequested',
    opt_start_time: new Date(sinceMs - 1_000).toISOString(),
  });
  const times = new Map<string, number>();
  for (;;) {
    let received = 0;
    const batch = await consumer.fetch({ max_messages: 1_000, expires: 1_000 });
    for await (const message of batch) {
      received += 1;
      const streamId = message.subject.split('.')[4];
      if (streamId !== undefined) times.set(streamId, Number(message.timestampNanos / 1_000n) / 1_000);
    }
    if (received === 0) return times;
  }
}

/** media-orchestration's `INVITE sent` debug lines, by call id. */
function inviteSentLogLines(output: string): Map<string, { requestAgeMs: number; placingMs: number }> {
  const lines = new Map<string, { requestAgeMs: number; placingMs: number }>();
  for (const line of output.split('\n')) {
    if (!line.includes('"INVITE sent"')) continue;
    try {
      const entry = JSON.parse(line) as { callId?: string; requestAgeMs?: number; placingMs?: number };
      if (entry.callId !== undefined && entry.requestAgeMs !== undefined && entry.placingMs !== undefined) {
        lines.set(entry.callId, { requestAgeMs: entry.requestAgeMs, placingMs: entry.placingMs });
      }
    } catch {
      // Not a JSON log line.
    }
  }
  return lines;
}
