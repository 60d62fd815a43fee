/**
 * `ringbus trace`: one call's timeline from its events. Pure: what to look up (`parseTraceTarget`), the
 * timeline (`callTraceOf`) and its text and JSON forms. The reading is in call-trace-lookup.ts.
 */
import { isCallId, isSipCallIdOf } from '@ringbus/call-domain';
import { type RecordedEvent } from '@ringbus/event-store';
import { CliUsageError } from './errors.js';
import { textTable } from './report-format.js';

/** What `ringbus trace <id>` was given: a callId (also derived from our Call-ID) or a carrier's Call-ID. */
export type TraceTarget =
  | { readonly kind: 'call_id'; readonly callId: string; readonly given: string }
  | { readonly kind: 'carrier_sip_call_id'; readonly sipCallId: string; readonly given: string };

// RFC 3261 `callid = word [ "@" word ]`: visible ASCII without spaces; we also bound the length.
const SIP_CALL_ID = /^[\x21-\x7e]{1,256}$/;
const OUR_SIP_CALL_ID = /^rb-([0-9a-f-]{36})(?:@.*)?$/;

/** Throws `CliUsageError` for input that is neither a callId nor a SIP Call-ID. */
export function parseTraceTarget(input: string): TraceTarget {
  const given = input.trim();
  if (isCallId(given)) return { kind: 'call_id', callId: given, given };
  if (!SIP_CALL_ID.test(given)) {
    throw new CliUsageError(
      `${JSON.stringify(input)} is neither a callId (lowercase UUIDv7) nor a SIP Call-ID ` +
        '(1-256 visible characters, no spaces)',
    );
  }
  const ours = OUR_SIP_CALL_ID.exec(given)?.[1];
  if (ours !== undefined && isSipCallIdOf(given, ours)) return { kind: 'call_id', callId: ours, given };
  return { kind: 'carrier_sip_call_id', sipCallId: given, given };
}

/**
 * Which service records each event type (docs/events.md, column "producer"). The store's metadata has no
 * producer field, so this is what the catalog says, not a record of who wrote it; `CallEnded` may come
 * from any service.
 */
export const EVENT_PRODUCERS: Readonly<Record<string, string>> = {
  CallRequested: 'signaling',
  CallOffered: 'media-orchestration',
  SipInviteSent: 'media-orchestration',
  Ringing: 'media-orchestration',
  EarlyMedia: 'media-orchestration',
  Answered: 'media-orchestration',
  HeldByUs: 'media-orchestration',
  Resumed: 'media-orchestration',
  DtmfSent: 'media-orchestration',
  MediaRenegotiated: 'media-orchestration',
  TransferRequested: 'signaling',
  CallEnded: 'any',
};

/** Data fields shown per event type, in this order; fields at their default are left out. */
const KEY_FIELDS: Readonly<Record<string, readonly string[]>> = {
  CallRequested: ['userId', 'line', 'caller', 'callee', 'clientCallId'],
  CallOffered: ['userId', 'line', 'caller', 'callee', 'carrierSipCallId', 'janusGatewayId', 'region'],
  SipInviteSent: ['sipCallId', 'janusGatewayId', 'region'],
  Ringing: ['sipCode'],
  EarlyMedia: ['sipCode'],
  Answered: [],
  HeldByUs: ['mediaDirection'],
  Resumed: [],
  DtmfSent: ['digits'],
  MediaRenegotiated: [],
  TransferRequested: ['target', 'replaceCallId'],
  CallEnded: ['reason', 'hungUpBy', 'sipCode', 'q850Cause', 'reasonText'],
};

/** Never shown: large and not what a trace is for. */
const HIDDEN_FIELDS = new Set(['callId', 'occurredAt', 'sdpOffer', 'sdpAnswer', 'sdp']);

/** Enum names without their type prefix: `CALL_END_REASON_BUSY` -> `BUSY`. */
const ENUM_PREFIXES = ['CALL_END_REASON_', 'CALL_PARTY_', 'HOLD_MEDIA_DIRECTION_'];

export interface CallTraceEntry {
  readonly streamVersion: number;
  /** ISO 8601 of `metadata.occurredAt`. */
  readonly at: string;
  /** Milliseconds since the first event. */
  readonly offsetMs: number;
  readonly type: string;
  readonly producer: string;
  readonly fields: Readonly<Record<string, string | number>>;
  /** The W3C trace id of the producing operation, or '' when untraced. */
  readonly traceId: string;
  readonly eventId: string;
}

export interface CallTrace {
  readonly callId: string;
  readonly direction: 'outgoing' | 'incoming' | 'unknown';
  readonly tenant: string;
  /** Distinct trace ids of the call's events, first seen first: search these in Jaeger/Tempo. */
  readonly traceIds: readonly string[];
  readonly sipCallIds: { readonly ours: string | null; readonly carrier: string | null };
  readonly gateways: readonly string[];
  readonly ended: {
    readonly reason: string;
    readonly hungUpBy: string;
    readonly sipCode: number;
    readonly q850Cause: number;
    readonly afterMs: number;
  } | null;
  readonly events: readonly CallTraceEntry[];
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The trace id of a W3C traceparent, or '' when there is none (or it is the all-zero invalid id). */
export function traceIdOf(traceparent: string): string {
  const traceId = TRACEPARENT.exec(traceparent.trim())?.[1] ?? '';
  return /^0+$/.test(traceId) ? '' : traceId;
}

function shownValue(value: unknown): string | number | undefined {
  if (typeof value === 'number') return value === 0 ? undefined : value;
  if (typeof value === 'string') {
    if (value === '') return undefined;
    const prefix = ENUM_PREFIXES.find((each) => value.startsWith(each));
    return prefix === undefined ? value : value.slice(prefix.length);
  }
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

function keyFieldsOf(type: string, data: Readonly<Record<string, unknown>>): Record<string, string | number> {
  const names = KEY_FIELDS[type] ?? Object.keys(data).filter((name) => !HIDDEN_FIELDS.has(name));
  const fields: Record<string, string | number> = {};
  for (const name of names) {
    // `line` is optional with presence: 0 is the first line, absent is the guest line.
    const value = name === 'line' && data[name] === 0 ? 0 : shownValue(data[name]);
    if (value !== undefined) fields[name] = value;
  }
  return fields;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const num = (value: unknown): number => (typeof value === 'number' ? value : 0);

/** The timeline of one call's events, in stream order. `events` must be one stream, non-empty. */
export function callTraceOf(callId: string, events: readonly RecordedEvent[]): CallTrace {
  const first = events[0];
  const firstMs = first === undefined ? 0 : Date.parse(first.metadata.occurredAt);
  const traceIds: string[] = [];
  const gateways: string[] = [];
  let ours: string | null = null;
  let carrier: string | null = null;
  let ended: CallTrace['ended'] = null;
  const entries = events.map((event): CallTraceEntry => {
    const atMs = Date.parse(event.metadata.occurredAt);
    const offsetMs = Number.isNaN(atMs) || Number.isNaN(firstMs) ? 0 : atMs - firstMs;
    const traceId = traceIdOf(event.metadata.traceparent);
    if (traceId !== '' && !traceIds.includes(traceId)) traceIds.push(traceId);
    const gateway = text(event.data['janusGatewayId']);
    if (gateway !== '' && !gateways.includes(gateway)) gateways.push(gateway);
    if (event.type === 'SipInviteSent') ours ??= text(event.data['sipCallId']) || null;
    if (event.type === 'CallOffered') carrier ??= text(event.data['carrierSipCallId']) || null;
    if (event.type === 'CallEnded' && ended === null) {
      ended = {
        reason: String(shownValue(event.data['reason']) ?? 'UNSPECIFIED'),
        hungUpBy: String(shownValue(event.data['hungUpBy']) ?? 'UNSPECIFIED'),
        sipCode: num(event.data['sipCode']),
        q850Cause: num(event.data['q850Cause']),
        afterMs: offsetMs,
      };
    }
    return {
      streamVersion: event.streamVersion,
      at: Number.isNaN(atMs) ? event.metadata.occurredAt : new Date(atMs).toISOString(),
      offsetMs,
      type: event.type,
      producer: EVENT_PRODUCERS[event.type] ?? 'unknown',
      fields: keyFieldsOf(event.type, event.data),
      traceId,
      eventId: event.eventId,
    };
  });
  const direction =
    first?.type === 'CallRequested' ? 'outgoing' : first?.type === 'CallOffered' ? 'incoming' : 'unknown';
  return {
    callId,
    direction,
    tenant: first?.metadata.tenant ?? '',
    traceIds,
    sipCallIds: { ours, carrier },
    gateways,
    ended,
    events: entries,
  };
}

/** The trace for a person: a summary, then one row per event. */
export function callTraceText(trace: CallTrace): string {
  const ended = trace.ended;
  const summary: [string, string][] = [
    ['call', `${trace.callId} (${trace.direction}, tenant ${trace.tenant || '-'})`],
    ['SIP Call-ID', `ours ${trace.sipCallIds.ours ?? '-'}, carrier ${trace.sipCallIds.carrier ?? '-'}`],
    [
      'trace id',
      trace.traceIds.length === 0
        ? '- (events recorded without a traceparent)'
        : `${trace.traceIds.join(', ')} (search it in Jaeger/Tempo)`,
    ],
    ['gateway', trace.gateways.join(', ') || '-'],
    [
      'ended',
      ended === null
        ? 'no: the call is live (or its end was never recorded)'
        : `${ended.reason}, hung up by ${ended.hungUpBy}, SIP ${ended.sipCode || '-'}, ` +
          `Q.850 ${ended.q850Cause || '-'}, after ${ended.afterMs} ms`,
    ],
  ];
  const width = Math.max(...summary.map(([label]) => label.length));
  const rows = trace.events.map((entry) => [
    `v${entry.streamVersion}`,
    entry.at,
    `+${entry.offsetMs}`,
    entry.type,
    entry.producer,
    Object.entries(entry.fields)
      .map(([key, value]) => `${key}=${value}`)
      .join(' '),
  ]);
  return (
    summary.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n') +
    '\n\n' +
    textTable(['#', 'time', 'ms', 'type', 'producer', 'details'], rows)
  );
}

export function callTraceJson(trace: CallTrace): string {
  return `${JSON.stringify(trace, null, 2)}\n`;
}
