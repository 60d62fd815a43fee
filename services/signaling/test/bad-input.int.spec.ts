import { generateCallId } from '@ringbus/client-sdk';
import { CloseCode } from '@ringbus/softphone-protocol';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawSocket } from './support/raw-socket.js';
import {
  OFFER_SDP,
  SignalingPlatform,
  TENANT,
  type SignalingInstance,
  type TestUser,
} from './support/signaling-platform.js';

let platform: SignalingPlatform;
let instance: SignalingInstance;
const sockets: RawSocket[] = [];

beforeAll(async () => {
  platform = await SignalingPlatform.start();
  instance = await platform.startInstance({
    RATE_LIMIT_PER_SECOND: '20',
    RATE_LIMIT_BURST: '40',
    RATE_LIMIT_CLOSE_AFTER: '100',
  });
});

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await platform?.stop();
});

const offer = { type: 'offer', sdp: OFFER_SDP };

async function open(user: TestUser, force = true): Promise<RawSocket> {
  const socket = await RawSocket.open(instance.url, user.session.token, { tenant: TENANT, force });
  sockets.push(socket);
  await socket.state();
  return socket;
}

/** Sends one request and returns its one response (and checks there is only one). */
async function ask(socket: RawSocket, request: Record<string, unknown>): Promise<Record<string, unknown>> {
  socket.send(JSON.stringify(request));
  const response = await socket.next(
    (frame) => 'response' in frame && frame['transaction'] === request['transaction'],
  );
  expect(socket.responsesTo(request['transaction'])).toHaveLength(1);
  return response;
}

let transactions = 0;
const tx = (): string => `bad-${(transactions += 1)}`;

describe('malformed frames close the socket with the protocol’s code', () => {
  it.each([
    ['not JSON', '{"request": "hangup", ', CloseCode.socketMessageError],
    ['JSON but not an object', '[1, 2, 3]', CloseCode.socketMessageError],
    ['an object of no known kind', '{"hello": "world"}', CloseCode.signalingMessageError],
    [
      'a response sent by the client',
      '{"response": "ack", "transaction": "t"}',
      CloseCode.signalingMessageError,
    ],
    [
      'a known request without a transaction',
      '{"request": "hangup", "line": 0, "call_id": "abc"}',
      CloseCode.signalingMessageError,
    ],
    ['an unknown request without a transaction', '{"request": "teleport"}', CloseCode.requestUnknown],
    [
      'a transaction nested too deep to echo',
      `{"request": "hangup", "transaction": ${'['.repeat(50)}${']'.repeat(50)}}`,
      CloseCode.signalingMessageError,
    ],
  ])('%s', async (_what, frame, code) => {
    const socket = await open(await platform.provisionUser());
    socket.send(frame);
    expect(await socket.closed).toBe(code);
  });

  it('a binary frame', async () => {
    const socket = await open(await platform.provisionUser());
    socket.send(Buffer.from([0x7b, 0x7d]), true);
    expect(await socket.closed).toBe(CloseCode.socketMessageError);
  });

  it('an oversized frame (over MAX_FRAME_BYTES, 256 KiB by default) closes with 1009', async () => {
    const socket = await open(await platform.provisionUser());
    socket.send(JSON.stringify({ handshake: 'keepalive', transaction: 'x'.repeat(300 * 1024) }));
    expect(await socket.closed).toBe(1009);
  });
});

describe('answerable bad requests get one error response and keep the socket', () => {
  it('unknown request (453), missing and wrongly typed elements (456, 467), wrong line (444), invalid SDP (465)', async () => {
    const user = await platform.provisionUser(2);
    const socket = await open(user);
    const expectations: [Record<string, unknown>, number][] = [
      [{ request: 'teleport', transaction: tx() }, 453],
      [{ request: 'outgoing_call', transaction: tx(), line: 0, call_id: generateCallId(), jsep: offer }, 456],
      [
        {
          request: 'outgoing_call',
          transaction: tx(),
          line: 0,
          call_id: generateCallId(),
          number: '+15550199',
        },
        456,
      ],
      [
        {
          request: 'outgoing_call',
          transaction: tx(),
          line: '0',
          call_id: generateCallId(),
          number: '1',
          jsep: offer,
        },
        467,
      ],
      [
        {
          request: 'outgoing_call',
          transaction: tx(),
          line: -1,
          call_id: generateCallId(),
          number: '1',
          jsep: offer,
        },
        467,
      ],
      [
        {
          request: 'outgoing_call',
          transaction: tx(),
          line: 7,
          call_id: generateCallId(),
          number: '1',
          jsep: offer,
        },
        444,
      ],
      [
        {
          request: 'outgoing_call',
          transaction: tx(),
          line: null,
          call_id: generateCallId(),
          number: '1',
          jsep: offer,
        },
        444,
      ],
      [
        {
          request: 'outgoing_call',
          transaction: tx(),
          line: 0,
          call_id: generateCallId(),
          number: '1',
          jsep: { type: 'answer', sdp: OFFER_SDP },
        },
        465,
      ],
      [
        {
          request: 'outgoing_call',
          transaction: tx(),
          line: 0,
          call_id: generateCallId(),
          number: '1',
          jsep: { type: 'offer', sdp: 'not sdp' },
        },
        465,
      ],
      [{ request: 'ice_trickle', transaction: tx(), line: 9, candidate: null }, 444],
    ];
    for (const [request, code] of expectations) {
      const response = await ask(socket, request);
      expect(response, JSON.stringify(request).slice(0, 120)).toMatchObject({ response: 'error', code });
      expect(typeof response['reason']).toBe('string');
    }
    expect(socket.isOpen).toBe(true);
  });

  it('unknown call_id and another user’s call_id both read as 481, and a call on another line as 444', async () => {
    const alice = await platform.provisionUser(2);
    const mallory = await platform.provisionUser(2);
    const a = await open(alice);
    const m = await open(mallory);
    const callId = generateCallId();
    expect(
      await ask(a, {
        request: 'outgoing_call',
        transaction: tx(),
        line: 0,
        call_id: callId,
        number: '+15550199',
        jsep: offer,
      }),
    ).toMatchObject({ response: 'ack' });

    expect(
      await ask(m, { request: 'hangup', transaction: tx(), line: 0, call_id: 'no-such-call' }),
    ).toMatchObject({ code: 481 });
    expect(await ask(m, { request: 'hangup', transaction: tx(), line: 0, call_id: callId })).toMatchObject({
      code: 481,
    });
    expect(
      await ask(m, { request: 'accept', transaction: tx(), line: 0, call_id: callId, jsep: offer }),
    ).toMatchObject({ code: 481 });
    expect(await ask(a, { request: 'hangup', transaction: tx(), line: 1, call_id: callId })).toMatchObject({
      code: 444,
    });
    // Mallory's attempt is logged with her session id, as a warning.
    const warned = instance.logs.find(
      (line) => line.includes("another user's call") && line.includes(mallory.session.sessionId),
    );
    expect(warned).toBeDefined();
    // Alice's call is untouched.
    expect(await ask(a, { request: 'hangup', transaction: tx(), line: 0, call_id: callId })).toMatchObject({
      response: 'ack',
    });
  });

  it('refuses requests sent before the state handshake (403) and answers keep-alives meanwhile', async () => {
    const user = await platform.provisionUser();
    // Hold the opening on the subscriber lookup, so the requests surely arrive before the state.
    const locker = new pg.Client({ connectionString: platform.schema.databaseUrl });
    await locker.connect();
    try {
      await locker.query(
        `begin; set local search_path = "${platform.schema.schema}"; lock table signaling_subscriber in access exclusive mode`,
      );
      const socket = await RawSocket.open(instance.url, user.session.token, { tenant: TENANT, force: true });
      sockets.push(socket);
      socket.send(JSON.stringify({ request: 'presence_update', transaction: 'early-1', settings: {} }));
      socket.send(JSON.stringify({ handshake: 'keepalive', transaction: 'early-ka' }));
      const early = await socket.next((frame) => frame['transaction'] === 'early-1');
      expect(early).toMatchObject({ response: 'error', code: 403 });
      expect(await socket.next((frame) => frame['transaction'] === 'early-ka')).toEqual({
        handshake: 'keepalive',
        transaction: 'early-ka',
      });
      expect(socket.received.some((frame) => frame['handshake'] === 'state')).toBe(false);
      await locker.query('commit');
      await socket.state();
      expect(socket.received.findIndex((frame) => frame['handshake'] === 'state')).toBeGreaterThan(
        socket.received.indexOf(early),
      );
    } finally {
      await locker.query('rollback').catch(() => undefined);
      await locker.end();
    }
  });

  it('answers a flood with 503 beyond the rate limit, then closes the socket (1008) when it persists', async () => {
    const user = await platform.provisionUser();
    const socket = await open(user);
    // Within the budget a request is answered as usual (501: presence is not implemented yet). In the
    // flood itself the close can overtake answers still in flight, so this is checked before it.
    expect(
      await ask(socket, { request: 'presence_update', transaction: 'before-flood', settings: {} }),
    ).toMatchObject({ code: 501 });
    const count = 400;
    for (let i = 0; i < count; i += 1) {
      socket.send(JSON.stringify({ request: 'presence_update', transaction: `flood-${i}`, settings: {} }));
    }
    expect(await socket.closed).toBe(1008);
    const responses = socket.received.filter((frame) => 'response' in frame);
    const codes = responses.map((frame) => frame['code']);
    expect(codes.filter((code) => code === 503).length).toBeGreaterThan(10);
    // Never more than one response per transaction.
    expect(new Set(responses.map((frame) => frame['transaction'])).size).toBe(responses.length);
  });
});

describe('after all that', () => {
  it('still serves a normal call, logs carry session ids, and no token or full number reaches the logs', async () => {
    const user = await platform.provisionUser();
    const socket = await open(user);
    const callId = generateCallId();
    expect(
      await ask(socket, {
        request: 'outgoing_call',
        transaction: tx(),
        line: 0,
        call_id: callId,
        number: '+15550123456',
        jsep: offer,
      }),
    ).toMatchObject({ response: 'ack' });
    const all = instance.logs.join('\n');
    expect(all).toContain(user.session.sessionId);
    expect(all).not.toContain(user.session.token);
    expect(all).not.toContain('+15550123456');
    expect(all).toContain('+15*******56');
  });
});
