import { randomUUID } from 'node:crypto';
import { type NewEvent } from '@ringbus/event-store';

/** One call's life as the store sees it: a stream and its 5–10 events, in order. */
export interface BenchCall {
  readonly streamId: string;
  readonly events: readonly NewEvent[];
}

/** Deterministic pseudo-random numbers (mulberry32), so every run writes the same mix of calls. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Calls shaped like Ringbus's own: an outgoing call is requested, invited over SIP, rings, maybe has early
 * media, is answered, maybe held and resumed or sent DTMF, and hung up. Each event's data + metadata
 * JSON is 300–600 bytes.
 */
export function generateCalls(count: number, random: () => number): BenchCall[] {
  return Array.from({ length: count }, () => generateCall(random));
}

function generateCall(random: () => number): BenchCall {
  const callId = randomUUID();
  const sipCallId = `${callId.replaceAll('-', '')}@ringbus.example.net`;
  const tenant = `tenant-${1 + Math.floor(random() * 40)}`;
  const gateway = `janus-eu-central-${1 + Math.floor(random() * 4)}`;
  const types: [string, Record<string, unknown>][] = [
    [
      'CallRequested',
      {
        callId,
        direction: 'outgoing',
        from: { user: `user-${Math.floor(random() * 1e6)}`, line: 'sip:+4930*****12@sip.carrier.example' },
        to: 'tel:+4989*****34',
        region: 'eu-central',
        client: {
          app: 'ringbus-web',
          version: '1.4.2',
          userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0',
        },
      },
    ],
    [
      'SipInviteSent',
      { callId, sipCallId, gateway, janusSessionId: randomInt(random), janusHandleId: randomInt(random) },
    ],
    ['Ringing', { callId, sipCallId, sipCode: 180, sipReason: 'Ringing' }],
  ];
  if (random() < 0.5) types.push(['EarlyMedia', { callId, sipCallId, sipCode: 183, codec: 'PCMU/8000' }]);
  types.push(['Answered', { callId, sipCallId, sipCode: 200, codec: 'PCMU/8000', sdpAnswerBytes: 612 }]);
  const extras = Math.floor(random() * 4);
  for (let extra = 0; extra < extras && types.length < 9; extra += 1) {
    if (random() < 0.5) {
      types.push(['HeldByUs', { callId, sipCallId, reason: 'user', direction: 'sendonly' }]);
      types.push(['Resumed', { callId, sipCallId, direction: 'sendrecv' }]);
    } else {
      types.push([
        'DtmfSent',
        { callId, sipCallId, digits: String(Math.floor(random() * 1e4)), method: 'SIP INFO' },
      ]);
    }
  }
  types.push([
    'Hangup',
    { callId, sipCallId, sipCode: 200, q850Cause: 16, reason: 'Normal call clearing', hungUpBy: 'caller' },
  ]);

  let causationId = randomUUID();
  const events = types.slice(0, 10).map(([type, data], index): NewEvent => {
    const eventId = randomUUID();
    const event: NewEvent = {
      eventId,
      type,
      schemaVersion: 1,
      data,
      metadata: {
        occurredAt: new Date(Date.UTC(2025, 0, 1, 12, 0, index)).toISOString(),
        causationId,
        correlationId: callId,
        tenant,
        traceparent: `00-${randomUUID().replaceAll('-', '')}-${randomUUID().replaceAll('-', '').slice(0, 16)}-01`,
      },
    };
    causationId = eventId;
    return event;
  });
  return { streamId: `call-${callId}`, events };
}

function randomInt(random: () => number): number {
  return Math.floor(random() * 2 ** 48);
}

export function eventBytes(event: NewEvent): number {
  return Buffer.byteLength(JSON.stringify(event.data)) + Buffer.byteLength(JSON.stringify(event.metadata));
}
