import { EventEmitter } from 'node:events';
import {
  CloseCode,
  parseServerMessage,
  SIGNALING_SUBPROTOCOL,
  signalingUrl,
  type AckResponse,
  type RequestName,
  type ServerEvent,
  type ServerMessage,
  type StateHandshake,
} from '@ringbus/softphone-protocol';
import WebSocket, { type RawData } from 'ws';
import type {
  AcceptParams,
  CallTarget,
  DeclineParams,
  DtmfParams,
  HoldParams,
  IceTrickleParams,
  OutgoingCallParams,
  PresenceUpdateParams,
  RequestTarget,
  TransferParams,
  UpdateParams,
} from './call-request-params.js';
import {
  ClientStateError,
  closeInfo,
  SignalingClosedError,
  SignalingConnectError,
  SignalingProtocolViolationError,
  SignalingRequestError,
  SignalingTimeoutError,
  type CloseInfo,
  type SoftphoneClientError,
} from './client-errors.js';
import {
  resolveClientOptions,
  type ResolvedClientOptions,
  type SoftphoneClientOptions,
} from './client-options.js';
import { PendingTransactions } from './pending-transactions.js';
import { ServerEventLog } from './server-event-log.js';

// What a WebSocket reports for a connection that ended without a close frame.
const ABNORMAL_CLOSURE = 1006;

export interface ConnectTarget {
  /** Server base, e.g. `ws://127.0.0.1:8080` (http(s) works too); `/signaling/v1` is appended. */
  readonly url: string;
  /** Session token from `POST /api/v1/session`. */
  readonly token: string;
  /** Evict a live socket of the same session (the server closes it with 4441). */
  readonly force?: boolean;
  /** Connect under `/tenant/<tenant>/signaling/v1`. */
  readonly tenant?: string;
}

export interface SoftphoneClientEvents {
  event: [event: ServerEvent];
  close: [info: CloseInfo];
  protocolError: [error: SignalingProtocolViolationError];
}

export interface WaitForEventOptions {
  /** Also match events received since this `eventMark()`; by default only events still to come. */
  readonly since?: number;
}

/**
 * A softphone's signaling socket, speaking WTSP as the public WebTrit clients do: it waits for the `state`
 * handshake, sends keep-alives at the server's interval, gives each request a transaction id and resolves it
 * with its one response, and reports the server's close code.
 *
 * One client is one socket: to reconnect, make a new client. Events are delivered one per macrotask, so code
 * that awaits a request and then calls `waitForEvent` cannot miss an event sent right after the response.
 */
export class SoftphoneClient {
  private readonly options: ResolvedClientOptions;
  private readonly emitter = new EventEmitter();
  private readonly transactions = new PendingTransactions();
  private readonly log: ServerEventLog;
  private socket: WebSocket | undefined;
  private handshake: StateHandshake | undefined;
  private onHandshake: ((state: StateHandshake) => void) | undefined;
  private keepaliveTimer: ReturnType<typeof setInterval> | undefined;
  private keepaliveEchoCount = 0;
  private closedBy: 'server' | 'client' = 'server';
  private clientCloseError: SoftphoneClientError | undefined;
  private closeInfoValue: CloseInfo | undefined;
  private resolveClosed: (info: CloseInfo) => void = () => undefined;
  /** Resolves once the socket has closed, with the code the server (or the client) closed it with. */
  readonly closed: Promise<CloseInfo>;

  constructor(options: SoftphoneClientOptions = {}) {
    this.options = resolveClientOptions(options);
    this.log = new ServerEventLog(this.options.eventHistoryLimit);
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
  }

  /** The `state` handshake of this socket, once received. */
  get state(): StateHandshake | undefined {
    return this.handshake;
  }

  get closeInfo(): CloseInfo | undefined {
    return this.closeInfoValue;
  }

  /** Keep-alives the server has echoed so far. */
  get keepaliveEchoes(): number {
    return this.keepaliveEchoCount;
  }

  /** Opens the socket and resolves with the server's `state` handshake. */
  connect(target: ConnectTarget): Promise<StateHandshake> {
    if (this.socket !== undefined) {
      return Promise.reject(
        new ClientStateError(
          'ALREADY_CONNECTED',
          'a SoftphoneClient opens one socket; make a new client to reconnect',
        ),
      );
    }
    let url: string;
    let socket: WebSocket;
    try {
      url = signalingUrl(target.url, { token: target.token, force: target.force, tenant: target.tenant });
      socket = new WebSocket(url, [SIGNALING_SUBPROTOCOL], {
        ...this.options.webSocket,
        handshakeTimeout: this.options.handshakeTimeoutMs,
        // One message per macrotask: a caller's continuation after a response runs before the next event.
        allowSynchronousEvents: false,
      });
    } catch (cause) {
      return Promise.reject(
        // The base URL, not the built one: that one carries the token.
        new SignalingConnectError(`invalid signaling server URL ${target.url}`, undefined, { cause }),
      );
    }
    this.socket = socket;
    // Never put the token in an error message or a log.
    const where = url.slice(0, url.indexOf('?'));

    return new Promise<StateHandshake>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.onHandshake = undefined;
        outcome();
      };
      const timer = setTimeout(() => {
        const error = new SignalingTimeoutError(
          'HANDSHAKE_TIMEOUT',
          `no state handshake from ${where}`,
          this.options.handshakeTimeoutMs,
        );
        settle(() => reject(error));
        this.abort(error);
      }, this.options.handshakeTimeoutMs);

      this.onHandshake = (state) => settle(() => resolve(state));
      socket.on('unexpected-response', (_request, response) => {
        const status = response.statusCode ?? 0;
        settle(() =>
          reject(
            new SignalingConnectError(
              `server refused the signaling socket at ${where}: HTTP ${status}`,
              status,
            ),
          ),
        );
        socket.terminate();
      });
      socket.on('error', (error) => {
        // After the socket opened, ws follows an error with 'close', which reports it.
        settle(() =>
          reject(
            new SignalingConnectError(
              `cannot open the signaling socket at ${where}: ${error.message}`,
              undefined,
              {
                cause: error,
              },
            ),
          ),
        );
      });
      socket.on('message', (data, isBinary) => this.receive(data, isBinary));
      socket.on('close', (code, reason) => {
        const info = this.socketClosed(code, reason.toString());
        settle(() =>
          reject(new SignalingClosedError(info, 'signaling socket closed before the state handshake')),
        );
      });
    });
  }

  /**
   * Sends a request and resolves with its `ack`; an `error` response rejects with SignalingRequestError.
   * `body` is sent as given (snake_case wire keys), so tests can send what a server must refuse.
   */
  async request(
    name: RequestName | (string & {}),
    body: Readonly<Record<string, unknown>> = {},
    target: RequestTarget = {},
  ): Promise<AckResponse> {
    this.requireReady();
    const transaction = this.transactions.nextId();
    const message: Record<string, unknown> = { request: name, transaction };
    if (target.line !== undefined) message['line'] = target.line;
    if (target.callId !== undefined) message['call_id'] = target.callId;
    for (const [key, value] of Object.entries(body)) {
      if (key !== 'request' && key !== 'transaction') message[key] = value;
    }
    const answer = this.transactions.open(
      transaction,
      'REQUEST_TIMEOUT',
      name,
      this.options.requestTimeoutMs,
    );
    this.transmit(transaction, JSON.stringify(message));
    const response = await answer;
    if ('handshake' in response) {
      throw new SignalingProtocolViolationError(
        `server answered ${name} (${transaction}) with a keep-alive`,
        JSON.stringify(response),
      );
    }
    if (response.response === 'error') {
      throw new SignalingRequestError(name, response.code, response.reason, transaction);
    }
    return response;
  }

  outgoingCall(params: OutgoingCallParams): Promise<AckResponse> {
    return this.request(
      'outgoing_call',
      {
        number: params.number,
        jsep: params.jsep,
        ...(params.from === undefined ? {} : { from: params.from }),
        ...(params.referId === undefined ? {} : { refer_id: params.referId }),
        ...(params.replaces === undefined ? {} : { replaces: params.replaces }),
      },
      params,
    );
  }

  accept(params: AcceptParams): Promise<AckResponse> {
    return this.request('accept', { jsep: params.jsep }, params);
  }

  decline(params: DeclineParams): Promise<AckResponse> {
    return this.request('decline', params.referId === undefined ? {} : { refer_id: params.referId }, params);
  }

  hangup(params: CallTarget): Promise<AckResponse> {
    return this.request('hangup', {}, params);
  }

  hold(params: HoldParams): Promise<AckResponse> {
    return this.request(
      'hold',
      params.direction === undefined ? {} : { direction: params.direction },
      params,
    );
  }

  unhold(params: CallTarget): Promise<AckResponse> {
    return this.request('unhold', {}, params);
  }

  update(params: UpdateParams): Promise<AckResponse> {
    return this.request('update', { jsep: params.jsep }, params);
  }

  transfer(params: TransferParams): Promise<AckResponse> {
    return this.request(
      'transfer',
      {
        number: params.number,
        ...(params.replaceCallId === undefined ? {} : { replace_call_id: params.replaceCallId }),
      },
      params,
    );
  }

  /** A line request: no call id, as the public clients send it. */
  iceTrickle(params: IceTrickleParams): Promise<AckResponse> {
    return this.request('ice_trickle', { candidate: params.candidate }, { line: params.line });
  }

  /** **Ringbus** extension: DTMF as SIP INFO through Janus. */
  dtmf(params: DtmfParams): Promise<AckResponse> {
    return this.request('dtmf', { digits: params.digits }, params);
  }

  presenceUpdate(settings: PresenceUpdateParams): Promise<AckResponse> {
    return this.request('presence_update', { settings });
  }

  /** Sends one text frame as is: for tests of how a server treats malformed input. */
  sendRaw(text: string): void {
    this.transmit(undefined, text);
  }

  on<K extends keyof SoftphoneClientEvents>(
    type: K,
    listener: (...args: SoftphoneClientEvents[K]) => void,
  ): this {
    this.emitter.on(type, listener as (...args: unknown[]) => void);
    return this;
  }

  once<K extends keyof SoftphoneClientEvents>(
    type: K,
    listener: (...args: SoftphoneClientEvents[K]) => void,
  ): this {
    this.emitter.once(type, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof SoftphoneClientEvents>(
    type: K,
    listener: (...args: SoftphoneClientEvents[K]) => void,
  ): this {
    this.emitter.off(type, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Events from now on, until the socket closes. Each call is an independent stream. */
  events(): AsyncIterableIterator<ServerEvent> {
    return this.log.subscribe();
  }

  /** A position in the received events, for `waitForEvent(…, { since })`. */
  eventMark(): number {
    return this.log.mark();
  }

  /** Events received since `mark` (from the bounded history). */
  eventsSince(mark: number): readonly ServerEvent[] {
    return this.log.since(mark);
  }

  /** The first event (from now, or since a mark) that satisfies `predicate`. */
  waitForEvent<E extends ServerEvent>(
    predicate: (event: ServerEvent) => event is E,
    timeoutMs: number,
    options?: WaitForEventOptions,
  ): Promise<E>;
  waitForEvent(
    predicate: (event: ServerEvent) => boolean,
    timeoutMs: number,
    options?: WaitForEventOptions,
  ): Promise<ServerEvent>;
  waitForEvent(
    predicate: (event: ServerEvent) => boolean,
    timeoutMs: number,
    options: WaitForEventOptions = {},
  ): Promise<ServerEvent> {
    return this.log.wait(predicate, timeoutMs, options.since ?? this.log.mark());
  }

  /** Closes the socket (normal closure by default) and resolves once it is closed. */
  async close(code: number = CloseCode.normal, reason = ''): Promise<CloseInfo> {
    const socket = this.socket;
    if (socket === undefined) throw new ClientStateError('NOT_CONNECTED', 'close() before connect()');
    if (this.closeInfoValue !== undefined) return this.closeInfoValue;
    socket.close(code, reason);
    this.closedBy = 'client';
    this.stopKeepalive();
    // A server that never answers the close frame must not keep the caller waiting.
    const timer = setTimeout(() => socket.terminate(), this.options.closeTimeoutMs);
    try {
      return await this.closed;
    } finally {
      clearTimeout(timer);
    }
  }

  private requireReady(): void {
    if (this.closeInfoValue !== undefined) throw new SignalingClosedError(this.closeInfoValue);
    if (this.handshake === undefined) {
      throw new ClientStateError(
        'NOT_CONNECTED',
        'requests wait for the state handshake: await connect() first',
      );
    }
  }

  /** Sends a frame; a failed send fails the transaction it carried instead of leaving it to time out. */
  private transmit(transaction: string | undefined, text: string): void {
    const socket = this.socket;
    if (socket === undefined || socket.readyState !== WebSocket.OPEN) {
      const error =
        this.closeInfoValue === undefined
          ? new ClientStateError('NOT_CONNECTED', 'the signaling socket is not open')
          : new SignalingClosedError(this.closeInfoValue);
      if (transaction === undefined || !this.transactions.fail(transaction, error)) throw error;
      return;
    }
    socket.send(text, (error) => {
      if (error !== undefined && error !== null && transaction !== undefined)
        this.transactions.fail(transaction, error);
    });
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.report(
        new SignalingProtocolViolationError('server sent a binary frame; WTSP uses text frames', '<binary>'),
      );
      return;
    }
    const text = rawText(data);
    let message: ServerMessage;
    try {
      message = parseServerMessage(text);
    } catch (cause) {
      const violation = new SignalingProtocolViolationError(
        `unreadable server message: ${(cause as Error).message}`,
        text.slice(0, 512),
        { cause },
      );
      // A malformed answer still ends the request it answers, rather than leaving it to time out.
      this.transactions.fail(answeredTransaction(text), violation);
      this.report(violation);
      return;
    }
    if ('handshake' in message) {
      if (message.handshake === 'state') this.receiveState(message, text);
      else if (this.transactions.settle(message.transaction, message)) this.keepaliveEchoCount += 1;
    } else if ('response' in message) {
      // An answer after its timeout finds no transaction and is dropped.
      this.transactions.settle(message.transaction, message);
    } else {
      this.log.record(message);
      this.emitter.emit('event', message);
    }
  }

  private receiveState(state: StateHandshake, text: string): void {
    if (this.handshake !== undefined) {
      this.report(
        new SignalingProtocolViolationError('server sent a second state handshake', text.slice(0, 512)),
      );
      return;
    }
    this.handshake = state;
    if (this.options.keepalive) {
      const interval = this.options.keepaliveIntervalMs ?? state.keepalive_interval;
      this.keepaliveTimer = setInterval(() => void this.sendKeepalive(), interval);
    }
    this.onHandshake?.(state);
  }

  private async sendKeepalive(): Promise<void> {
    const transaction = this.transactions.nextId();
    const echo = this.transactions.open(
      transaction,
      'KEEPALIVE_TIMEOUT',
      'keep-alive',
      this.options.requestTimeoutMs,
    );
    this.transmit(transaction, JSON.stringify({ handshake: 'keepalive', transaction }));
    try {
      await echo;
    } catch (error) {
      // An unanswered keep-alive means the connection is dead even if TCP has not noticed yet.
      if (error instanceof SignalingTimeoutError) this.abort(error);
    }
  }

  /**
   * Drops the connection because the client judged it dead. Everything pending fails now, with the reason,
   * not when ws gets round to reporting the dropped socket (another timeout could fire in between).
   */
  private abort(error: SoftphoneClientError): void {
    if (this.closeInfoValue !== undefined) return;
    this.closedBy = 'client';
    this.clientCloseError = error;
    this.socket?.terminate();
    this.socketClosed(ABNORMAL_CLOSURE, '');
  }

  private stopKeepalive(): void {
    clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
  }

  private socketClosed(code: number, reason: string): CloseInfo {
    if (this.closeInfoValue !== undefined) return this.closeInfoValue;
    this.stopKeepalive();
    const info = closeInfo(code, reason, this.closedBy, this.clientCloseError);
    this.closeInfoValue = info;
    this.transactions.failAll(
      () => new SignalingClosedError(info, 'signaling socket closed before the answer came'),
    );
    this.log.end(new SignalingClosedError(info));
    this.resolveClosed(info);
    this.emitter.emit('close', info);
    return info;
  }

  private report(violation: SignalingProtocolViolationError): void {
    this.emitter.emit('protocolError', violation);
  }
}

/** The transaction of a response or keep-alive echo that failed validation, if it can be read at all. */
function answeredTransaction(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const message = value as Record<string, unknown>;
    const answers = Object.hasOwn(message, 'response') || message['handshake'] === 'keepalive';
    return answers ? message['transaction'] : undefined;
  } catch {
    return undefined;
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
