import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CloseCode,
  encodeClientMessage,
  encodeServerMessage,
  InvalidOutgoingMessageError,
  parseClientMessage,
  ProtocolError,
  ProtocolErrorCode,
  REQUEST_NAMES,
  ResponseErrorCode,
  type ProtocolErrorCodeValue,
} from '../src/index.js';
import { requestSamples } from './wire-samples.js';

function refusal(text: string): ProtocolError {
  try {
    parseClientMessage(text);
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw error;
  }
  throw new Error(`expected ${text} to be refused`);
}

describe('client messages: round trips', () => {
  it('has a sample of every request kind', () => {
    expect(Object.keys(requestSamples).sort()).toEqual([...REQUEST_NAMES].sort());
  });

  for (const [name, samples] of Object.entries(requestSamples)) {
    it(`${name}: parse(encode(request)) is the request`, () => {
      for (const request of samples) {
        expect(parseClientMessage(encodeClientMessage(request))).toEqual(request);
      }
    });
  }

  it('echoes a keep-alive exactly, extra keys and any transaction included', () => {
    for (const keepalive of [
      { handshake: 'keepalive' },
      { handshake: 'keepalive', transaction: 'transaction-0' },
      { handshake: 'keepalive', timestamp: 1663526263768 },
      { handshake: 'keepalive', transaction: null },
    ] as const) {
      expect(parseClientMessage(JSON.stringify(keepalive))).toEqual(keepalive);
    }
  });

  it('tolerates what the public clients really send', () => {
    const call = { transaction: 't', line: 0, call_id: 'c' };
    // refer_id as a string (both clients) or a number (WebTrit docs)
    expect(parseClientMessage(JSON.stringify({ request: 'decline', ...call, refer_id: '5' }))).toMatchObject({
      refer_id: '5',
    });
    expect(parseClientMessage(JSON.stringify({ request: 'decline', ...call, refer_id: 5 }))).toMatchObject({
      refer_id: 5,
    });
    // a trickle without a candidate key ends trickling like a null candidate
    expect(parseClientMessage('{"request":"ice_trickle","transaction":"t","line":0}')).toEqual({
      request: 'ice_trickle',
      transaction: 't',
      line: 0,
      candidate: null,
    });
    // Janus-style extra jsep keys and unknown request keys
    const parsed = parseClientMessage(
      JSON.stringify({
        request: 'accept',
        ...call,
        jsep: { type: 'answer', sdp: 'v=0', trickle: false },
        extra: 1,
      }),
    );
    expect(parsed).toEqual({
      request: 'accept',
      ...call,
      jsep: { type: 'answer', sdp: 'v=0', trickle: false },
    });
  });

  it('keeps a transaction of any shape as given', () => {
    for (const transaction of [7, 'x', true, { id: [1, 'a'] }, [null, 2]]) {
      expect(
        parseClientMessage(JSON.stringify({ request: 'hangup', transaction, line: 0, call_id: 'c' })),
      ).toMatchObject({ transaction });
    }
  });
});

describe('client messages: refusals', () => {
  const cases: [string, string, ProtocolErrorCodeValue, number, number | undefined][] = [
    ['not JSON', '{"request":', ProtocolErrorCode.malformedJson, CloseCode.socketMessageError, undefined],
    ['empty frame', '', ProtocolErrorCode.malformedJson, CloseCode.socketMessageError, undefined],
    ['a JSON array', '[1,2]', ProtocolErrorCode.notAnObject, CloseCode.socketMessageError, undefined],
    ['a JSON string', '"hangup"', ProtocolErrorCode.notAnObject, CloseCode.socketMessageError, undefined],
    [
      'no kind',
      '{"transaction":"t"}',
      ProtocolErrorCode.unknownMessageKind,
      CloseCode.signalingMessageError,
      undefined,
    ],
    [
      'an event',
      '{"event":"ringing"}',
      ProtocolErrorCode.unexpectedMessageKind,
      CloseCode.signalingMessageError,
      undefined,
    ],
    [
      'a response',
      '{"response":"ack","transaction":"t"}',
      ProtocolErrorCode.unexpectedMessageKind,
      4501,
      undefined,
    ],
    ['a state handshake', '{"handshake":"state"}', ProtocolErrorCode.unexpectedMessageKind, 4501, undefined],
    ['an unknown handshake', '{"handshake":"hello"}', ProtocolErrorCode.unknownHandshake, 4501, undefined],
    [
      'an unknown request with a transaction',
      '{"request":"call","transaction":"t","line":0,"call_id":"c"}',
      ProtocolErrorCode.unknownRequest,
      CloseCode.requestUnknown,
      ResponseErrorCode.unknownRequest,
    ],
    [
      'an unknown request without one',
      '{"request":"call"}',
      ProtocolErrorCode.unknownRequest,
      4600,
      undefined,
    ],
    ['a non-string request', '{"request":5,"transaction":"t"}', ProtocolErrorCode.unknownRequest, 4600, 453],
    [
      'a prototype key as request',
      '{"request":"toString","transaction":"t"}',
      ProtocolErrorCode.unknownRequest,
      4600,
      453,
    ],
    [
      'no transaction',
      '{"request":"hangup","line":0,"call_id":"c"}',
      ProtocolErrorCode.missingTransaction,
      4501,
      undefined,
    ],
    [
      'a null transaction',
      '{"request":"hangup","transaction":null,"line":0,"call_id":"c"}',
      ProtocolErrorCode.missingTransaction,
      4501,
      undefined,
    ],
    [
      'no line',
      '{"request":"hangup","transaction":"t","call_id":"c"}',
      ProtocolErrorCode.missingElement,
      4501,
      ResponseErrorCode.missingMandatoryElement,
    ],
    [
      'no call_id',
      '{"request":"accept","transaction":"t","line":0,"jsep":{"type":"answer","sdp":"v=0"}}',
      ProtocolErrorCode.missingElement,
      4501,
      456,
    ],
    [
      'no sdp in the jsep',
      '{"request":"update","transaction":"t","line":0,"call_id":"c","jsep":{"type":"offer"}}',
      ProtocolErrorCode.missingElement,
      4501,
      456,
    ],
    [
      'a string line',
      '{"request":"hangup","transaction":"t","line":"0","call_id":"c"}',
      ProtocolErrorCode.invalidElement,
      4501,
      ResponseErrorCode.invalidElementType,
    ],
    [
      'a negative line',
      '{"request":"hangup","transaction":"t","line":-1,"call_id":"c"}',
      ProtocolErrorCode.invalidElement,
      4501,
      467,
    ],
    [
      'a numeric call_id',
      '{"request":"hangup","transaction":"t","line":0,"call_id":42}',
      ProtocolErrorCode.invalidElement,
      4501,
      467,
    ],
    [
      'an unknown hold direction',
      '{"request":"hold","transaction":"t","line":0,"call_id":"c","direction":"sideways"}',
      ProtocolErrorCode.invalidElement,
      4501,
      467,
    ],
    [
      'a malformed candidate',
      '{"request":"ice_trickle","transaction":"t","line":0,"candidate":{"sdpMid":"0"}}',
      ProtocolErrorCode.missingElement,
      4501,
      456,
    ],
    [
      'non-DTMF digits',
      '{"request":"dtmf","transaction":"t","line":0,"call_id":"c","digits":"12x"}',
      ProtocolErrorCode.invalidElement,
      4501,
      467,
    ],
    [
      'an object as presence settings field',
      '{"request":"presence_update","transaction":"t","settings":{"available":"yes"}}',
      ProtocolErrorCode.invalidElement,
      4501,
      467,
    ],
  ];

  for (const [what, text, code, closeCode, responseCode] of cases) {
    it(`refuses ${what}: ${code}, close ${closeCode}, response ${responseCode ?? 'none'}`, () => {
      const error = refusal(text);
      expect(error.code).toBe(code);
      expect(error.retryable).toBe(false);
      expect(error.closeCode).toBe(closeCode);
      expect(error.response?.code).toBe(responseCode);
      expect(new TextEncoder().encode(error.closeReason).length).toBeLessThanOrEqual(123);
    });
  }

  it('answers with the request transaction, line and call id, and names the bad element', () => {
    const error = refusal(
      JSON.stringify({ request: 'hold', transaction: { n: 1 }, line: 3, call_id: 'c', direction: 1 }),
    );
    expect(error.response).toEqual({
      response: 'error',
      transaction: { n: 1 },
      line: 3,
      call_id: 'c',
      code: 467,
      reason: expect.stringContaining('direction'),
    });
    expect(error.issues[0]?.path).toBe('direction');
    expect(error.request).toBe('hold');
  });

  it('leaves an invalid line out of the error response rather than echoing it', () => {
    const error = refusal('{"request":"hangup","transaction":"t","line":"zero","call_id":"c"}');
    expect(error.response).not.toHaveProperty('line');
    expect(error.response?.call_id).toBe('c');
  });

  it('keeps the JSON syntax error as the cause', () => {
    expect(refusal('{').cause).toBeInstanceOf(SyntaxError);
  });

  it('does not answer a transaction too deep to echo safely', () => {
    let transaction: unknown = 'leaf';
    for (let i = 0; i < 100; i += 1) transaction = [transaction];
    const error = refusal(JSON.stringify({ request: 'hangup', transaction, line: 0, call_id: 'c' }));
    expect(error.code).toBe(ProtocolErrorCode.missingTransaction);
    expect(error.response).toBeUndefined();
  });

  it('refuses to encode a request the server would refuse', () => {
    expect(() =>
      encodeClientMessage({ request: 'hangup', transaction: 't', line: -2, call_id: 'c' } as never),
    ).toThrow(InvalidOutgoingMessageError);
    expect(() => encodeClientMessage({ request: 'call', transaction: 't' } as never)).toThrow(
      InvalidOutgoingMessageError,
    );
  });
});

describe('client messages: any input', () => {
  /** Parses, and checks what a server would do with the outcome is itself valid on the wire. */
  function parseOrRefuse(text: string): void {
    try {
      parseClientMessage(text);
    } catch (error) {
      expect(error).toBeInstanceOf(ProtocolError);
      const refusal = error as ProtocolError;
      expect(refusal.closeCode).toBeGreaterThanOrEqual(4000);
      expect(new TextEncoder().encode(refusal.closeReason).length).toBeLessThanOrEqual(123);
      if (refusal.response !== undefined) {
        // The error response must be sendable, and must echo the transaction as given.
        const sent = JSON.parse(encodeServerMessage(refusal.response)) as { transaction: unknown };
        const given = (JSON.parse(text) as { transaction: unknown }).transaction;
        expect(JSON.stringify(sent.transaction)).toBe(JSON.stringify(given));
      }
    }
  }

  it('throws nothing but ProtocolError for arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), parseOrRefuse), { numRuns: 2000 });
  });

  it('throws nothing but ProtocolError for arbitrary JSON', () => {
    fc.assert(fc.property(fc.json({ maxDepth: 6 }), parseOrRefuse), { numRuns: 2000 });
  });

  it('throws nothing but ProtocolError for request-shaped JSON with arbitrary fields', () => {
    const anyValue = fc.jsonValue({ maxDepth: 3 });
    const requestLike = fc.record(
      {
        request: fc.oneof(fc.constantFrom(...REQUEST_NAMES, 'call', '__proto__', 'constructor'), anyValue),
        transaction: anyValue,
        line: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constant(null), anyValue),
        call_id: fc.oneof(fc.string(), anyValue),
        number: fc.oneof(fc.string(), anyValue),
        jsep: fc.oneof(
          fc.record({ type: fc.constantFrom('offer', 'answer', 'nope'), sdp: fc.string() }),
          anyValue,
        ),
        candidate: anyValue,
        refer_id: anyValue,
        direction: fc.oneof(fc.constantFrom('sendonly', 'recvonly', 'inactive'), anyValue),
        digits: fc.oneof(fc.stringMatching(/^[0-9*#]{1,4}$/), anyValue),
        settings: anyValue,
      },
      { requiredKeys: ['request'] },
    );
    fc.assert(
      fc.property(requestLike, (message) => parseOrRefuse(JSON.stringify(message))),
      { numRuns: 3000 },
    );
  });
});
