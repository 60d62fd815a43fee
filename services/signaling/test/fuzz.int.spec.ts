import { eventMatching, generateCallId } from '@ringbus/client-sdk';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawSocket } from './support/raw-socket.js';
import {
  eventually,
  OFFER_SDP,
  SignalingPlatform,
  TENANT,
  type SignalingInstance,
} from './support/signaling-platform.js';

let platform: SignalingPlatform;
let instance: SignalingInstance;

beforeAll(async () => {
  platform = await SignalingPlatform.start();
  // Limits high enough that the fuzz reaches the parser and the handlers, not only the rate limiter.
  instance = await platform.startInstance({
    RATE_LIMIT_PER_SECOND: '10000',
    RATE_LIMIT_BURST: '100000',
    LOG_LEVEL: 'warn',
  });
});

afterAll(async () => {
  await platform?.stop();
});

const MESSAGES = 3_000;
const BATCH = 10;
const SEED = Number(process.env['SIGNALING_FUZZ_SEED'] ?? 20_251_125);

const offer = { type: 'offer', sdp: OFFER_SDP };
const candidate = {
  candidate: 'candidate:1 1 udp 2122260223 10.0.0.1 50000 typ host',
  sdpMid: '0',
  sdpMLineIndex: 0,
};

/** Well-formed messages of every kind a softphone sends, to mutate. */
const templates: (() => Record<string, unknown>)[] = [
  () => ({ request: 'outgoing_call', line: 0, call_id: generateCallId(), number: '+15550199', jsep: offer }),
  () => ({
    request: 'outgoing_call',
    line: 1,
    call_id: generateCallId(),
    number: '+15550199',
    jsep: offer,
    refer_id: null,
  }),
  () => ({ request: 'hangup', line: 0, call_id: generateCallId() }),
  () => ({ request: 'accept', line: 0, call_id: generateCallId(), jsep: { type: 'answer', sdp: OFFER_SDP } }),
  () => ({ request: 'decline', line: 0, call_id: generateCallId(), refer_id: '7' }),
  () => ({ request: 'hold', line: 1, call_id: generateCallId(), direction: 'inactive' }),
  () => ({ request: 'unhold', line: 1, call_id: generateCallId() }),
  () => ({ request: 'update', line: 0, call_id: generateCallId(), jsep: offer }),
  () => ({ request: 'transfer', line: 0, call_id: generateCallId(), number: '+15550300' }),
  () => ({ request: 'ice_trickle', line: 0, candidate }),
  () => ({ request: 'presence_update', settings: { available: true, note: 'x' } }),
  () => ({ request: 'dtmf', line: 0, call_id: generateCallId(), digits: '12#' }),
  () => ({ handshake: 'keepalive' }),
];

type Frame = { readonly text: string; readonly binary?: boolean };

const jsonValue = fc.jsonValue({ maxDepth: 4 });

/** A template with a mutation; most keep their transaction, so the socket stays open and answers. */
const mutated: fc.Arbitrary<(index: number) => Frame> = fc
  .tuple(
    fc.integer({ min: 0, max: templates.length - 1 }),
    fc.oneof(
      { weight: 3, arbitrary: fc.constant<'none'>('none') },
      { weight: 4, arbitrary: fc.tuple(fc.constant<'set'>('set'), fc.string({ maxLength: 12 }), jsonValue) },
      { weight: 3, arbitrary: fc.tuple(fc.constant<'drop'>('drop'), fc.nat()) },
      { weight: 2, arbitrary: fc.tuple(fc.constant<'rename'>('rename'), fc.string({ maxLength: 40 })) },
      { weight: 1, arbitrary: fc.tuple(fc.constant<'transaction'>('transaction'), jsonValue) },
      { weight: 1, arbitrary: fc.tuple(fc.constant<'long'>('long'), fc.nat({ max: 200_000 })) },
    ),
  )
  .map(([template, mutation]) => (index: number): Frame => {
    const message: Record<string, unknown> = { ...templates[template]?.(), transaction: `fz-${index}` };
    const keys = Object.keys(message).filter((key) => key !== 'transaction');
    if (mutation !== 'none') {
      switch (mutation[0]) {
        case 'set': {
          // Half the time an existing key, else a new one.
          const key =
            mutation[1].length % 2 === 0 ? (keys[mutation[1].length % keys.length] ?? 'x') : mutation[1];
          message[key] = mutation[2];
          break;
        }
        case 'drop': {
          // The elements, not the kind: a message without its kind closes the socket (garbage covers that).
          const elements = keys.filter((key) => key !== 'request' && key !== 'handshake');
          delete message[elements[mutation[1] % Math.max(elements.length, 1)] ?? 'x'];
          break;
        }
        case 'rename':
          if ('request' in message) message['request'] = mutation[1];
          break;
        case 'transaction':
          message['transaction'] = mutation[1];
          break;
        case 'long':
          message['number'] = '9'.repeat(mutation[1]);
          break;
      }
    }
    return { text: JSON.stringify(message) };
  });

/** Frames that are not answerable at all: most of these close the socket. */
const garbage: fc.Arbitrary<(index: number) => Frame> = fc.oneof(
  fc.string({ maxLength: 200 }).map((text) => () => ({ text })),
  jsonValue.map((value) => () => ({ text: JSON.stringify(value) })),
  fc
    .uint8Array({ maxLength: 64 })
    .map((bytes) => () => ({ text: Buffer.from(bytes).toString('latin1'), binary: true })),
  fc.nat({ max: 40 }).map((cut) => (index: number) => ({
    text: JSON.stringify({ request: 'hangup', transaction: `fz-${index}`, line: 0, call_id: 'c' }).slice(
      0,
      cut,
    ),
  })),
);

const frames = fc.oneof({ weight: 19, arbitrary: mutated }, { weight: 1, arbitrary: garbage });

/** Must get exactly one response while the socket stays open: an object with a request and our transaction. */
function expectsAnswer(text: string, index: number): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return (
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      Object.hasOwn(value, 'request') &&
      (value as Record<string, unknown>)['transaction'] === `fz-${index}`
    );
  } catch {
    return false;
  }
}

describe('fuzz: random and mutated messages over a real socket', () => {
  it(`answers or closes as the protocol says for ${MESSAGES} messages, never twice, and a normal call works afterwards`, async () => {
    const user = await platform.provisionUser(2);
    const generated = fc.sample(frames, { numRuns: MESSAGES, seed: SEED });
    const sentTransactions = new Set<string>();
    const sockets: RawSocket[] = [];
    let socket: RawSocket | undefined;
    let closes = 0;
    let batchesAnswered = 0;

    for (let start = 0; start < generated.length; start += BATCH) {
      if (socket === undefined || !socket.isOpen) {
        if (socket !== undefined) closes += 1;
        socket = await RawSocket.open(instance.url, user.session.token, { tenant: TENANT, force: true });
        sockets.push(socket);
        await socket.state();
      }
      const expected: string[] = [];
      for (let index = start; index < Math.min(start + BATCH, generated.length); index += 1) {
        const frame = generated[index]?.(index);
        if (frame === undefined) continue;
        try {
          const parsed: unknown = JSON.parse(frame.text);
          if (typeof parsed === 'object' && parsed !== null && 'transaction' in parsed) {
            sentTransactions.add(JSON.stringify((parsed as Record<string, unknown>)['transaction']));
          }
        } catch {
          // not JSON: nothing to answer
        }
        if (!frame.binary && expectsAnswer(frame.text, index)) expected.push(`fz-${index}`);
        socket.send(frame.binary === true ? Buffer.from(frame.text, 'latin1') : frame.text, frame.binary);
      }
      const current = socket;
      await eventually(
        `answers to ${expected.length} requests (seed ${SEED}, batch at ${start})`,
        () =>
          !current.isOpen || expected.every((transaction) => current.responsesTo(transaction).length > 0)
            ? true
            : undefined,
        15_000,
      );
      if (current.isOpen) batchesAnswered += 1;
    }
    socket?.close();

    const responses = sockets.flatMap((s) => s.received.filter((frame) => 'response' in frame));
    const answersPerTransaction = new Map<string, number>();
    for (const response of responses) {
      const transaction = response['transaction'];
      if (typeof transaction === 'string' && transaction.startsWith('fz-')) {
        answersPerTransaction.set(transaction, (answersPerTransaction.get(transaction) ?? 0) + 1);
      }
      // The server never answers a transaction nobody sent.
      expect(sentTransactions.has(JSON.stringify(transaction))).toBe(true);
      // Every error carries an integer code and a string reason (the Flutter app requires both).
      if (response['response'] === 'error') {
        expect(Number.isInteger(response['code'])).toBe(true);
        expect(typeof response['reason']).toBe('string');
      }
    }
    // Exactly one response per transaction, never two.
    expect([...answersPerTransaction].filter(([, count]) => count !== 1)).toEqual([]);
    // Most messages reached the handlers and were answered, rather than closing the socket.
    expect(answersPerTransaction.size).toBeGreaterThan(MESSAGES / 3);
    expect(batchesAnswered).toBeGreaterThan(0);
    expect(closes).toBeGreaterThan(0);
    // Every close used a code the protocol (or WebSocket itself) defines for bad input.
    const codes = new Set(sockets.map((s) => s.closeCode).filter((code) => code !== undefined));
    for (const code of codes) expect([1000, 1005, 1007, 1009, 4101, 4501, 4600]).toContain(code);

    // Nothing leaked: the fuzz sockets are all gone from the instance.
    await eventually('the fuzz sockets to be let go', () => {
      const { sessions, watchedCalls } = instance.endpoint.fanout.size();
      return instance.endpoint.openSockets === 0 && sessions === 0 && watchedCalls === 0 ? true : undefined;
    });

    // And a normal call works on the same instance.
    const caller = await platform.provisionUser();
    const { client } = await platform.connect(instance, caller);
    const clientCallId = generateCallId();
    const ack = await client.outgoingCall({
      line: 0,
      callId: clientCallId,
      number: '+15550199',
      jsep: { type: 'offer', sdp: OFFER_SDP },
    });
    expect(ack.response).toBe('ack');
    const callId = await platform.callIdOf(clientCallId);
    await platform.inviteSent(callId);
    await client.waitForEvent(eventMatching('calling', { callId: clientCallId }), 5_000, { since: 0 });
  }, 180_000);
});
