import { globalPositionOf, type RecordedEvent } from '@ringbus/event-store';
import { describe, expect, it } from 'vitest';
import {
  callTraceJson,
  callTraceOf,
  callTraceText,
  CliUsageError,
  parseTraceTarget,
  traceIdOf,
} from '../src/index.js';

const CALL_ID = '0192f1c2-7a3b-7c4d-8e5f-0123456789ab';
const TRACE_A = '0af7651916cd43dd8448eb211c80319c';
const TRACE_B = '1bf7651916cd43dd8448eb211c80319d';

function event(
  version: number,
  at: string,
  type: string,
  data: Record<string, unknown>,
  traceparent = `00-${TRACE_A}-b7ad6b7169203331-01`,
): RecordedEvent {
  return {
    eventId: `e${version}`,
    streamId: `call-${CALL_ID}`,
    streamVersion: version,
    globalPosition: globalPositionOf(1n, BigInt(version)),
    type,
    schemaVersion: 1,
    data: { callId: CALL_ID, occurredAt: at, ...data },
    metadata: {
      occurredAt: at,
      causationId: `c${version}`,
      correlationId: CALL_ID,
      tenant: 'acme',
      traceparent,
    },
  };
}

const outgoingBusy: RecordedEvent[] = [
  event(1, '2026-11-25T09:10:00.000Z', 'CallRequested', {
    userId: 'user-7',
    line: 0,
    caller: '+15550100',
    callee: '+4930123456789',
    sdpOffer: 'v=0',
    clientCallId: 'c1',
  }),
  event(2, '2026-11-25T09:10:00.050Z', 'SipInviteSent', {
    sipCallId: `rb-${CALL_ID}@ringbus.example`,
    janusGatewayId: 'gw-eu-1',
    region: 'eu',
  }),
  event(3, '2026-11-25T09:10:00.300Z', 'Ringing', { sipCode: 180 }, `00-${TRACE_B}-b7ad6b7169203332-01`),
  event(
    4,
    '2026-11-25T09:10:00.700Z',
    'CallEnded',
    { reason: 'CALL_END_REASON_BUSY', hungUpBy: 'CALL_PARTY_CALLEE', sipCode: 486, q850Cause: 17 },
    '',
  ),
];

describe('ringbus trace: what the id names', () => {
  it('a callId, and our SIP Call-ID with or without a domain, name the call directly', () => {
    expect(parseTraceTarget(CALL_ID)).toEqual({ kind: 'call_id', callId: CALL_ID, given: CALL_ID });
    expect(parseTraceTarget(`rb-${CALL_ID}`)).toMatchObject({ kind: 'call_id', callId: CALL_ID });
    expect(parseTraceTarget(`rb-${CALL_ID}@ringbus.example`)).toMatchObject({
      kind: 'call_id',
      callId: CALL_ID,
    });
  });

  it("anything else that is a SIP Call-ID is looked up as a carrier's", () => {
    expect(parseTraceTarget('a84b4c76e66710@pc33.carrier.example')).toEqual({
      kind: 'carrier_sip_call_id',
      sipCallId: 'a84b4c76e66710@pc33.carrier.example',
      given: 'a84b4c76e66710@pc33.carrier.example',
    });
    // Upper case is not our UUIDv7 callId, but is a fine carrier Call-ID.
    expect(parseTraceTarget(CALL_ID.toUpperCase()).kind).toBe('carrier_sip_call_id');
    // `rb-` with something that is not a callId is not ours.
    expect(parseTraceTarget('rb-12345@x').kind).toBe('carrier_sip_call_id');
  });

  it('empty input, spaces or over-long ids are usage errors', () => {
    for (const bad of ['', '   ', 'two words', 'x'.repeat(257), 'tab\there']) {
      expect(() => parseTraceTarget(bad), bad).toThrow(CliUsageError);
    }
    expect(() => parseTraceTarget('two words')).toThrow('is neither a callId');
  });
});

describe('ringbus trace: the timeline', () => {
  it('orders events with ISO time and ms offset, the producer from the catalog, and key fields only', () => {
    const trace = callTraceOf(CALL_ID, outgoingBusy);
    expect(trace.events.map((each) => [each.offsetMs, each.type, each.producer, each.fields])).toEqual([
      [
        0,
        'CallRequested',
        'signaling',
        { userId: 'user-7', line: 0, caller: '+15550100', callee: '+4930123456789', clientCallId: 'c1' },
      ],
      [
        50,
        'SipInviteSent',
        'media-orchestration',
        { sipCallId: `rb-${CALL_ID}@ringbus.example`, janusGatewayId: 'gw-eu-1', region: 'eu' },
      ],
      [300, 'Ringing', 'media-orchestration', { sipCode: 180 }],
      [700, 'CallEnded', 'any', { reason: 'BUSY', hungUpBy: 'CALLEE', sipCode: 486, q850Cause: 17 }],
    ]);
    expect(trace.events[3]!.at).toBe('2026-11-25T09:10:00.700Z');
  });

  it('summarises direction, Call-IDs, gateways, distinct trace ids and the end', () => {
    const trace = callTraceOf(CALL_ID, outgoingBusy);
    expect(trace).toMatchObject({
      callId: CALL_ID,
      direction: 'outgoing',
      tenant: 'acme',
      traceIds: [TRACE_A, TRACE_B],
      sipCallIds: { ours: `rb-${CALL_ID}@ringbus.example`, carrier: null },
      gateways: ['gw-eu-1'],
      ended: { reason: 'BUSY', hungUpBy: 'CALLEE', sipCode: 486, q850Cause: 17, afterMs: 700 },
    });
  });

  it("an incoming call shows the carrier's Call-ID; the guest line (no `line`) is left out; a live call has no end", () => {
    const trace = callTraceOf(CALL_ID, [
      event(1, '2026-11-25T09:10:00.000Z', 'CallOffered', {
        userId: 'user-9',
        caller: '+4930999',
        callee: '+15550100',
        carrierSipCallId: 'abc@carrier.example',
        janusGatewayId: 'gw-us-2',
        region: 'us',
        sdpOffer: 'v=0',
      }),
      event(2, '2026-11-25T09:10:02.000Z', 'Answered', { sdpAnswer: 'v=0' }),
      event(3, '2026-11-25T09:10:03.000Z', 'FutureThing', { someField: 'x', sdp: 'v=0' }),
    ]);
    expect(trace.direction).toBe('incoming');
    expect(trace.sipCallIds).toEqual({ ours: null, carrier: 'abc@carrier.example' });
    expect(trace.events[0]!.fields).not.toHaveProperty('line');
    expect(trace.events[1]!.fields).toEqual({});
    expect(trace.events[2]).toMatchObject({ producer: 'unknown', fields: { someField: 'x' } });
    expect(trace.ended).toBeNull();
    expect(callTraceText(trace)).toContain('no: the call is live');
  });

  it('trace ids come from W3C traceparents; empty, malformed and all-zero ones are none', () => {
    expect(traceIdOf(`00-${TRACE_A}-b7ad6b7169203331-01`)).toBe(TRACE_A);
    expect(traceIdOf('')).toBe('');
    expect(traceIdOf('garbage')).toBe('');
    expect(traceIdOf(`00-${'0'.repeat(32)}-b7ad6b7169203331-01`)).toBe('');
  });

  it('the text form has the summary and one row per event; JSON round-trips', () => {
    const trace = callTraceOf(CALL_ID, outgoingBusy);
    const text = callTraceText(trace);
    expect(text).toContain(`trace id     ${TRACE_A}, ${TRACE_B} (search it in Jaeger/Tempo)`);
    expect(text).toContain('ended        BUSY, hung up by CALLEE, SIP 486, Q.850 17, after 700 ms');
    expect(text).toMatch(/v4 +2026-11-25T09:10:00\.700Z +\+700 +CallEnded +any +reason=BUSY hungUpBy=CALLEE/);
    expect(text).not.toContain('sdpOffer');
    expect(JSON.parse(callTraceJson(trace))).toEqual(JSON.parse(JSON.stringify(trace)));
  });
});
