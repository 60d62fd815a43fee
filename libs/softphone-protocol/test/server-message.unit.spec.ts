import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeServerMessage,
  EVENT_NAMES,
  InvalidOutgoingMessageError,
  MalformedServerMessageError,
  parseServerMessage,
  type ServerMessage,
} from '../src/index.js';
import { eventSamples, stateSamples } from './wire-samples.js';

function roundTrip(message: ServerMessage): ServerMessage {
  return parseServerMessage(encodeServerMessage(message));
}

function encodingFailure(message: unknown): InvalidOutgoingMessageError {
  try {
    encodeServerMessage(message as ServerMessage);
  } catch (error) {
    if (error instanceof InvalidOutgoingMessageError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(message)} to be refused`);
}

const base = { line: 0, call_id: 'c' };
const state = {
  handshake: 'state',
  keepalive_interval: 30000,
  timestamp: 1,
  registration: { status: 'registered' },
} as const;

describe('server messages: round trips', () => {
  it('has a sample of every event kind', () => {
    expect(Object.keys(eventSamples).sort()).toEqual([...EVENT_NAMES].sort());
  });

  for (const [name, samples] of Object.entries(eventSamples)) {
    it(`${name}: parse(encode(event)) is the event`, () => {
      for (const event of samples) expect(roundTrip(event)).toEqual(event);
    });
  }

  it('state handshakes, with call logs newest first and a guest line', () => {
    for (const handshake of stateSamples) expect(roundTrip(handshake)).toEqual(handshake);
  });

  it('responses echo any transaction', () => {
    const messages: ServerMessage[] = [
      { response: 'ack', transaction: 'transaction-1', line: 0, call_id: 'c' },
      { response: 'ack', transaction: { id: 1 } },
      { response: 'error', transaction: 7, line: null, code: 453, reason: 'Unknown request (call)' },
    ];
    for (const message of messages) expect(roundTrip(message)).toEqual(message);
  });

  it('keep-alive echoes keep keys the schema does not name', () => {
    const echo = { handshake: 'keepalive', transaction: 'transaction-9', timestamp: 1663526263768 } as const;
    expect(JSON.parse(encodeServerMessage(echo))).toEqual(echo);
    expect(roundTrip(echo)).toEqual(echo);
  });

  it('omits optional keys left undefined', () => {
    const text = encodeServerMessage({ event: 'accepted', ...base, jsep: undefined, callee: undefined });
    expect(JSON.parse(text)).toEqual({ event: 'accepted', ...base });
  });
});

describe('server messages: shapes the public clients would drop are refused before sending', () => {
  const cases: [string, unknown, string][] = [
    [
      'a numeric refer_id in transfer',
      { event: 'transfer', line: 0, refer_id: 5, refer_to: '1' },
      'refer_id',
    ],
    ['a string refer_id in declining', { event: 'declining', ...base, code: 486, refer_id: '5' }, 'refer_id'],
    [
      'ice_media without mid',
      { event: 'ice_media', line: 0, type: 'audio', media: 'audio', receiving: true },
      'mid',
    ],
    [
      'ice_slowlink without media',
      { event: 'ice_slowlink', line: 0, uplink: true, lost: 1, type: 'audio', mid: '0' },
      'media',
    ],
    ['a call event without line', { event: 'ringing', call_id: 'c' }, 'line'],
    ['a call event without call_id', { event: 'hangup', line: 0, code: 200, reason: 'BYE' }, 'call_id'],
    ['a numeric hangup reason', { event: 'hangup', ...base, code: 200, reason: 200 }, 'reason'],
    ['a call error without line', { event: 'error', call_id: 'c', code: 490, reason: 'x' }, 'line'],
    ['updating_call without caller', { event: 'updating_call', ...base, callee: '1' }, 'caller'],
    ['progress without jsep', { event: 'progress', ...base, callee: '1' }, 'jsep'],
    ['an error response without reason', { response: 'error', transaction: 't', code: 490 }, 'reason'],
    ['a response without transaction', { response: 'ack' }, 'transaction'],
    [
      'an unknown registration status',
      { ...state, registration: { status: 'online' }, lines: [] },
      'registration.status',
    ],
    [
      'a line event in a call log',
      { ...state, lines: [{ call_id: 'c', call_logs: [[1, { event: 'ice_webrtcup' }]] }] },
      'lines.0.call_logs.0.1.event',
    ],
    [
      'an ice_trickle request in a call log',
      {
        ...state,
        lines: [
          { call_id: 'c', call_logs: [[1, { request: 'ice_trickle', transaction: 't', candidate: null }]] },
        ],
      },
      'lines.0.call_logs.0.1.request',
    ],
    [
      'a dtmf request in a call log',
      {
        ...state,
        lines: [{ call_id: 'c', call_logs: [[1, { request: 'dtmf', transaction: 't', digits: '1' }]] }],
      },
      'lines.0.call_logs.0.1.request',
    ],
    [
      'a logged request without transaction',
      { ...state, lines: [{ call_id: 'c', call_logs: [[1, { request: 'hangup' }]] }] },
      'lines.0.call_logs.0.1.transaction',
    ],
    [
      'a busy line without call_id',
      { ...state, lines: [{ call_id: null, call_logs: [] }] },
      'lines.0.call_id',
    ],
  ];

  for (const [what, message, path] of cases) {
    it(`refuses ${what}, naming ${path}`, () => {
      const error = encodingFailure(message);
      expect(error.code).toBe('INVALID_OUTGOING_MESSAGE');
      expect(error.issues.map((issue) => issue.path)).toContain(path);
    });
  }

  it('refuses unknown kinds and values that are not JSON', () => {
    expect(encodingFailure({ event: 'number_presence_update', number: '1' }).message).toMatch(
      /unknown event/,
    );
    expect(encodingFailure({ handshake: 'hello' }).message).toMatch(/unknown handshake/);
    const cyclic: Record<string, unknown> = { handshake: 'keepalive' };
    cyclic['self'] = cyclic;
    expect(encodingFailure(cyclic).cause).toBeInstanceOf(TypeError);
  });
});

describe('server messages: reading them on the client side', () => {
  it('refuses text that is not a server message, with a typed error', () => {
    for (const text of [
      '{',
      '[]',
      '{"request":"hangup"}',
      '{"event":"dancing","line":0}',
      '{"response":"maybe"}',
    ]) {
      expect(() => parseServerMessage(text)).toThrow(MalformedServerMessageError);
    }
    expect(() => parseServerMessage('{"event":"ringing","line":0}')).toThrow(/call_id/);
  });

  it('throws nothing but MalformedServerMessageError for arbitrary input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json({ maxDepth: 5 })), (text) => {
        try {
          parseServerMessage(text);
        } catch (error) {
          expect(error).toBeInstanceOf(MalformedServerMessageError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
