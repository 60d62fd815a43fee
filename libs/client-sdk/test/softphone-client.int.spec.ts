import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode, type Jsep, type ServerEvent } from '@ringbus/softphone-protocol';
import {
  ClientStateError,
  eventMatching,
  generateCallId,
  SignalingClosedError,
  SignalingConnectError,
  SignalingProtocolViolationError,
  SignalingRequestError,
  SignalingTimeoutError,
  SoftphoneClient,
  type SoftphoneClientOptions,
} from '../src/index.js';
import { ScriptedSignalingServer, type ScriptedServerOptions } from './scripted-signaling-server.js';

const offer: Jsep = { type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n' };
const answer: Jsep = { type: 'answer', sdp: 'v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\n' };

const servers: ScriptedSignalingServer[] = [];
const clients: SoftphoneClient[] = [];

async function serve(options?: ScriptedServerOptions): Promise<ScriptedSignalingServer> {
  const server = await ScriptedSignalingServer.start(options);
  servers.push(server);
  return server;
}

function client(options?: SoftphoneClientOptions): SoftphoneClient {
  const made = new SoftphoneClient(options);
  clients.push(made);
  return made;
}

async function connected(server: ScriptedSignalingServer, options?: SoftphoneClientOptions) {
  const phone = client(options);
  await phone.connect({ url: server.url, token: 'token-1' });
  return { phone, far: await server.connection() };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

afterEach(async () => {
  for (const phone of clients.splice(0)) {
    if (phone.closeInfo === undefined && phone.state !== undefined) await phone.close();
  }
  for (const server of servers.splice(0)) await server.stop();
});

describe('SoftphoneClient against a WTSP server', () => {
  it('resolves connect with the state handshake, on the tenant path with token and force', async () => {
    const server = await serve({ lines: [null, null, null] });
    const phone = client();
    const state = await phone.connect({ url: server.url, token: 'a+b/c=', force: true, tenant: 'acme' });
    expect(state).toMatchObject({
      handshake: 'state',
      registration: { status: 'registered' },
      lines: [null, null, null],
    });
    expect(phone.state).toEqual(state);
    const far = await server.connection();
    expect(far.protocol).toBe('webtrit-protocol');
    expect(far.target).toEqual({ tenantId: 'acme', token: 'a+b/c=', force: true });
  });

  it('matches each response to its request by transaction, even out of order', async () => {
    const server = await serve();
    const { phone, far } = await connected(server);
    const held: (() => void)[] = [];
    far.reply = (request) => {
      if (request.request === 'hold') {
        // Answer the hold only after the unhold has been answered.
        held.push(() =>
          far.send({ response: 'ack', transaction: request.transaction, line: 0, call_id: 'a' }),
        );
        return { kind: 'silent' };
      }
      setTimeout(() => held.forEach((answerHold) => answerHold()), 20);
      return { kind: 'ack' };
    };
    const [hold, unhold] = await Promise.all([
      phone.hold({ line: 0, callId: 'a', direction: 'inactive' }),
      phone.unhold({ line: 1, callId: 'b' }),
    ]);
    const [holdRequest, unholdRequest] = far.requests();
    expect(hold).toEqual({ response: 'ack', transaction: holdRequest?.transaction, line: 0, call_id: 'a' });
    expect(unhold).toEqual({
      response: 'ack',
      transaction: unholdRequest?.transaction,
      line: 1,
      call_id: 'b',
    });
    expect(holdRequest?.transaction).not.toEqual(unholdRequest?.transaction);
    expect(holdRequest).toEqual({
      request: 'hold',
      transaction: expect.stringMatching(/^transaction-\d+$/),
      line: 0,
      call_id: 'a',
      direction: 'inactive',
    });
  });

  it('sends every convenience request in the wire shape the server reads', async () => {
    const server = await serve();
    const { phone, far } = await connected(server);
    const callId = generateCallId();
    expect(callId).toMatch(/^[A-Za-z0-9]{24}$/);
    await phone.outgoingCall({ line: null, callId, number: '100', jsep: offer, from: '200' });
    await phone.accept({ line: 0, callId, jsep: answer });
    await phone.decline({ line: 0, callId, referId: '17' });
    await phone.hangup({ line: 0, callId });
    await phone.update({ line: 0, callId, jsep: offer });
    await phone.transfer({ line: 0, callId, number: '102', replaceCallId: 'other' });
    await phone.iceTrickle({
      line: 0,
      candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' },
    });
    await phone.iceTrickle({ line: 0, candidate: null });
    await phone.dtmf({ line: 0, callId, digits: '1#' });
    await phone.presenceUpdate({ available: true, note: '' });
    const strip = far.requests().map(({ transaction: _transaction, ...rest }) => rest);
    expect(strip).toEqual([
      { request: 'outgoing_call', line: null, call_id: callId, number: '100', jsep: offer, from: '200' },
      { request: 'accept', line: 0, call_id: callId, jsep: answer },
      { request: 'decline', line: 0, call_id: callId, refer_id: '17' },
      { request: 'hangup', line: 0, call_id: callId },
      { request: 'update', line: 0, call_id: callId, jsep: offer },
      { request: 'transfer', line: 0, call_id: callId, number: '102', replace_call_id: 'other' },
      {
        request: 'ice_trickle',
        line: 0,
        candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' },
      },
      { request: 'ice_trickle', line: 0, candidate: null },
      { request: 'dtmf', line: 0, call_id: callId, digits: '1#' },
      { request: 'presence_update', settings: { available: true, note: '' } },
    ]);
  });

  it('rejects a request answered with an error response', async () => {
    const server = await serve();
    const { phone, far } = await connected(server);
    far.reply = () => ({ kind: 'error', code: 486, reason: 'Busy Here' });
    const error = await rejection(phone.outgoingCall({ line: 0, callId: 'c', number: '1', jsep: offer }));
    expect(error).toBeInstanceOf(SignalingRequestError);
    expect(error).toMatchObject({
      code: 'REQUEST_REJECTED',
      request: 'outgoing_call',
      responseCode: 486,
      reason: 'Busy Here',
      retryable: false,
    });
  });

  it('hands events to waitForEvent, the async stream and listeners, in order, without missing any', async () => {
    const server = await serve();
    const { phone, far } = await connected(server);
    const callId = generateCallId();
    const progress: ServerEvent[] = [
      { event: 'calling', line: 0, call_id: callId },
      { event: 'ringing', line: 0, call_id: callId },
      { event: 'accepted', line: 0, call_id: callId, callee: '1', jsep: answer },
    ];
    // The server sends all three right behind the ack, in the same tick.
    far.reply = () => ({ kind: 'ack', then: progress });
    const heard: ServerEvent[] = [];
    phone.on('event', (event) => heard.push(event));
    const stream = phone.events();
    const mark = phone.eventMark();

    await phone.outgoingCall({ line: 0, callId, number: '1', jsep: offer });
    const calling = await phone.waitForEvent(eventMatching('calling', { callId }), 1000);
    expect(calling).toEqual(progress[0]);
    const accepted = await phone.waitForEvent(eventMatching('accepted', { line: 0, callId }), 1000);
    expect(accepted.jsep).toEqual(answer);
    // An event that already arrived is found again from a mark taken before it.
    expect(await phone.waitForEvent(eventMatching('ringing'), 1000, { since: mark })).toEqual(progress[1]);

    const streamed: ServerEvent[] = [];
    for await (const event of stream) {
      streamed.push(event);
      if (streamed.length === 3) break;
    }
    expect(streamed).toEqual(progress);
    expect(heard).toEqual(progress);
    expect(phone.eventsSince(mark)).toEqual(progress);

    const missing = await rejection(phone.waitForEvent(eventMatching('hangup'), 50));
    expect(missing).toBeInstanceOf(SignalingTimeoutError);
    expect(missing).toMatchObject({ code: 'EVENT_TIMEOUT', retryable: true });
  });

  it("sends keep-alives at the server's interval and counts the echoes", async () => {
    const server = await serve({ keepaliveIntervalMs: 40 });
    const { phone, far } = await connected(server);
    await sleep(300);
    expect(far.keepalives).toBeGreaterThanOrEqual(3);
    expect(phone.keepaliveEchoes).toBeGreaterThanOrEqual(3);
    const keepalive = far.received.find((message) => 'handshake' in message);
    expect(keepalive).toEqual({
      handshake: 'keepalive',
      transaction: expect.stringMatching(/^transaction-\d+$/),
    });
    expect(phone.closeInfo).toBeUndefined();
  });

  it('drops the connection when a keep-alive is not echoed, failing what was pending', async () => {
    const server = await serve({ keepaliveIntervalMs: 30 });
    const { phone, far } = await connected(server, { requestTimeoutMs: 150 });
    far.echoKeepalives = false;
    far.reply = () => ({ kind: 'silent' });
    // Sent after a keep-alive has gone out, so the keep-alive's timeout comes before the request's own.
    await until(() => far.keepalives >= 1);
    const pending = rejection(phone.hangup({ line: 0, callId: 'c' }));
    const closed = await phone.closed;
    expect(closed).toMatchObject({ closedBy: 'client', error: { code: 'KEEPALIVE_TIMEOUT' } });
    expect(await pending).toBeInstanceOf(SignalingClosedError);
  });

  it("surfaces the server's close code to pending requests, waiters and listeners", async () => {
    const server = await serve();
    const { phone, far } = await connected(server);
    far.reply = () => ({ kind: 'silent' });
    const heard: unknown[] = [];
    phone.on('close', (info) => heard.push(info));
    const pending = rejection(phone.hangup({ line: 0, callId: 'c' }));
    const waiting = rejection(phone.waitForEvent(eventMatching('hangup'), 5000));
    await until(() => far.requests().length === 1);
    far.close(CloseCode.evictedByForce, 'another socket took the session');

    const info = await phone.closed;
    expect(info).toEqual({
      code: 4441,
      reason: 'another socket took the session',
      codeName: 'evictedByForce',
      closedBy: 'server',
    });
    expect(heard).toEqual([info]);
    const failed = await pending;
    expect(failed).toBeInstanceOf(SignalingClosedError);
    expect(failed).toMatchObject({ code: 'SOCKET_CLOSED', closeCode: 4441, retryable: false });
    expect(await waiting).toMatchObject({ closeCode: 4441 });
    expect(await rejection(phone.hangup({ line: 0, callId: 'c' }))).toMatchObject({ closeCode: 4441 });
  });

  it('times out a request without response and ignores its late answer', async () => {
    const server = await serve();
    const { phone, far } = await connected(server, { requestTimeoutMs: 100 });
    far.reply = () => ({ kind: 'silent' });
    const error = await rejection(phone.dtmf({ line: 0, callId: 'c', digits: '5' }));
    expect(error).toBeInstanceOf(SignalingTimeoutError);
    expect(error).toMatchObject({ code: 'REQUEST_TIMEOUT', timeoutMs: 100, retryable: true });

    const protocolErrors: unknown[] = [];
    phone.on('protocolError', (violation) => protocolErrors.push(violation));
    await until(() => far.requests().length === 1);
    far.send({ response: 'ack', transaction: far.requests()[0]?.transaction ?? '', line: 0, call_id: 'c' });
    far.reply = () => ({ kind: 'ack' });
    await expect(phone.hangup({ line: 0, callId: 'c' })).resolves.toMatchObject({ response: 'ack' });
    expect(protocolErrors).toEqual([]);
    expect(phone.closeInfo).toBeUndefined();
  });

  it('reports frames that are not WTSP, and fails the request a malformed answer was for', async () => {
    const server = await serve();
    const { phone, far } = await connected(server);
    const violations: SignalingProtocolViolationError[] = [];
    phone.on('protocolError', (violation) => violations.push(violation));
    far.reply = (request) => {
      far.sendText(JSON.stringify({ response: 'error', transaction: request.transaction, code: 490 }));
      return { kind: 'silent' };
    };
    const started = Date.now();
    const error = await rejection(phone.hangup({ line: 0, callId: 'c' }));
    expect(error).toBeInstanceOf(SignalingProtocolViolationError);
    expect(Date.now() - started).toBeLessThan(5000);
    far.sendText('{"event":"dancing","line":0}');
    await sleep(50);
    expect(violations.map((violation) => violation.frame)).toEqual([
      expect.stringContaining('"code":490'),
      '{"event":"dancing","line":0}',
    ]);
    expect(phone.closeInfo).toBeUndefined();
  });

  it("carries the server's treatment of bad input: an error response, or a close code", async () => {
    const server = await serve();
    const { phone } = await connected(server);
    const unknown = await rejection(phone.request('frobnicate', {}, { line: 0, callId: 'c' }));
    expect(unknown).toMatchObject({ responseCode: 453, reason: 'Unknown request (frobnicate)' });
    const invalid = await rejection(phone.request('hangup', {}, { line: -1, callId: 'c' }));
    expect(invalid).toMatchObject({ responseCode: 467 });

    phone.sendRaw('{"request":');
    expect(await phone.closed).toMatchObject({ code: CloseCode.socketMessageError, closedBy: 'server' });
  });

  it('rejects connect when the server closes before the state handshake', async () => {
    const server = await serve({ withholdState: true });
    const phone = client();
    const connecting = rejection(phone.connect({ url: server.url, token: 't' }));
    (await server.connection()).close(CloseCode.alreadyAttached, 'session already has a socket');
    const error = await connecting;
    expect(error).toBeInstanceOf(SignalingClosedError);
    expect(error).toMatchObject({ closeCode: 4431, retryable: false });
  });

  it('rejects connect when no state handshake comes in time', async () => {
    const server = await serve({ withholdState: true });
    const phone = client({ handshakeTimeoutMs: 150 });
    const error = await rejection(phone.connect({ url: server.url, token: 't' }));
    expect(error).toBeInstanceOf(SignalingTimeoutError);
    expect(error).toMatchObject({ code: 'HANDSHAKE_TIMEOUT' });
    expect((await phone.closed).closedBy).toBe('client');
  });

  it('rejects connect when the server refuses the upgrade, without leaking the token', async () => {
    const server = await serve({ refuseWith: 401 });
    const error = await rejection(client().connect({ url: server.url, token: 'secret-token' }));
    expect(error).toBeInstanceOf(SignalingConnectError);
    expect(error).toMatchObject({ code: 'CONNECT_FAILED', httpStatus: 401, retryable: false });
    expect((error as Error).message).not.toContain('secret-token');

    const nobody = await rejection(client().connect({ url: 'ws://127.0.0.1:9', token: 't' }));
    expect(nobody).toMatchObject({ code: 'CONNECT_FAILED', retryable: true });
  });

  it('refuses use out of order', async () => {
    const server = await serve();
    const phone = client();
    expect(await rejection(phone.hangup({ line: 0, callId: 'c' }))).toBeInstanceOf(ClientStateError);
    await phone.connect({ url: server.url, token: 't' });
    expect(await rejection(phone.connect({ url: server.url, token: 't' }))).toMatchObject({
      code: 'ALREADY_CONNECTED',
    });
    expect(await phone.close()).toMatchObject({ code: 1000, closedBy: 'client' });
    expect(await rejection(phone.hangup({ line: 0, callId: 'c' }))).toBeInstanceOf(SignalingClosedError);
    expect(() => new SoftphoneClient({ requestTimeoutMs: -1 })).toThrow(/requestTimeoutMs/);
  });
});
