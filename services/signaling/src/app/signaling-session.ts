import { callIdOfStream } from '@ringbus/call-domain';
import { type EventStore, type RecordedEvent } from '@ringbus/event-store';
import { isRetryable } from '@ringbus/errors';
import { type CallEvent } from '@ringbus/proto';
import {
  CloseCode,
  encodeServerMessage,
  parseClientMessage,
  ProtocolError,
  type CallLogRecord,
  type ClientMessage,
  type ClientRequest,
  type ErrorResponse,
  type LineSlot,
  type ServerEvent,
  type ServerMessage,
  type SignalingTarget,
} from '@ringbus/softphone-protocol';
import { type ServiceLogger } from '@ringbus/service-kit';
import { incomingCallView, outgoingCallView, type CallView } from '../domain/call-view.js';
import { FrameRateLimit, type FrameRateLimitSettings } from '../domain/frame-rate-limit.js';
import { refusals, type Refusal } from '../domain/request-refusal.js';
import { softphoneRecordFor } from '../domain/softphone-call-events.js';
import { traceparentOf } from '../domain/traceparent.js';
import { type CallEventFanout, type CallEventSink } from './call-event-fanout.js';
import { type CallRequests, type RequestContext, type RequestOutcome } from './call-requests.js';
import { decodeCallEvent, readCallStream } from './call-stream.js';
import { rebuildLiveCalls } from './live-call-rebuild.js';
import {
  type DisplacedBy,
  type LiveCallDirectory,
  type SessionAttachment,
  type SessionAttachments,
  type SessionIdentity,
  type SessionTokens,
  type SocketConnection,
  type Subscriber,
  type SubscriberDirectory,
} from './ports.js';
import { SessionCalls } from './session-calls.js';

export interface SessionSettings {
  /** `keepalive_interval` of the state handshake. */
  readonly keepaliveIntervalMs: number;
  /** Silence allowed beyond the interval before 4502 (the public clients wait 10 s for the echo). */
  readonly keepaliveGraceMs: number;
  readonly rateLimit: FrameRateLimitSettings;
  /** A request not answered by then gets 504 (the Vue dialer gives up after 5 s). */
  readonly requestDeadlineMs: number;
  /** Requests queued on one socket before further ones get 503 at once. */
  readonly maxPendingRequests: number;
  /** Call events held for a socket that is still opening before it is given up on. */
  readonly maxPendingEvents: number;
  /** Unsent bytes allowed to pile up for a client that does not read before it is closed (1013). */
  readonly maxBufferedBytes: number;
}

export interface SessionServices {
  readonly tokens: SessionTokens;
  readonly subscribers: SubscriberDirectory;
  readonly liveCalls: LiveCallDirectory;
  readonly attachments: SessionAttachments;
  readonly fanout: CallEventFanout;
  readonly store: EventStore;
  readonly requests: CallRequests;
  readonly settings: SessionSettings;
  readonly logger: ServiceLogger;
  readonly clock: () => number;
  readonly newId: () => string;
}

const TRY_AGAIN_LATER = 1013;
const INTERNAL_ERROR = 1011;
const POLICY_VIOLATION = 1008;

type Phase = 'opening' | 'ready' | 'closed';

/**
 * One softphone socket speaking WTSP: authenticate, attach the session (one socket per session, across
 * instances), send the `state` handshake rebuilt from the call streams, then answer requests (exactly one
 * response each, in arrival order) and forward call events as they arrive.
 *
 * Everything a socket needs comes from PostgreSQL, the event store or NATS, never from another instance's
 * memory, so any instance serves any user.
 */
export class SignalingSession implements CallEventSink {
  readonly socketId: string;
  private phase: Phase = 'opening';
  private identity: SessionIdentity | undefined;
  private subscriber: Subscriber | undefined;
  private attachment: SessionAttachment | undefined;
  private readonly calls = new SessionCalls();
  private readonly rateLimit: FrameRateLimit;
  private lastHeardMs: number;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private pendingEvents: RecordedEvent[] = [];
  private eventChain: Promise<void> = Promise.resolve();
  private requestChain: Promise<void> = Promise.resolve();
  private pendingRequests = 0;
  private logger: ServiceLogger;

  constructor(
    private readonly connection: SocketConnection,
    private readonly target: SignalingTarget,
    private readonly services: SessionServices,
  ) {
    this.socketId = services.newId();
    this.rateLimit = new FrameRateLimit(services.settings.rateLimit);
    this.lastHeardMs = services.clock();
    this.logger = services.logger.child({ socketId: this.socketId });
  }

  get tenant(): string {
    return this.identity?.tenant ?? '';
  }

  get userId(): string {
    return this.identity?.userId ?? '';
  }

  get isClosed(): boolean {
    return this.phase === 'closed';
  }

  /** Runs the opening: authentication, attachment, the state handshake. Never rejects. */
  async start(): Promise<void> {
    this.armKeepalive();
    try {
      await this.open();
    } catch (error) {
      this.failed(error, 'could not open the signaling session');
    }
  }

  /** A frame from the softphone. */
  receive(text: string, isBinary: boolean): void {
    if (this.phase === 'closed') return;
    const now = this.services.clock();
    // Any frame proves the client alive: the Flutter app restarts its keep-alive timer on every request.
    this.lastHeardMs = now;
    if (isBinary) {
      this.refuseFrame('BINARY_FRAME', CloseCode.socketMessageError, 'binary frames are not WTSP');
      return;
    }
    const verdict = this.rateLimit.admit(now);
    if (verdict === 'close') {
      this.refuseFrame('RATE_LIMIT', POLICY_VIOLATION, 'request rate limit exceeded');
      return;
    }
    let message: ClientMessage;
    try {
      message = parseClientMessage(text);
    } catch (error) {
      if (error instanceof ProtocolError) this.refuseMessage(error);
      else this.failed(error, 'could not read a client message');
      return;
    }
    if ('handshake' in message) {
      // A keep-alive over the budget goes unanswered: the client's own timeout then tells it to slow down.
      if (verdict === 'admit') this.send(message);
      return;
    }
    if (verdict === 'refuse') {
      this.respond(message, { kind: 'refused', refusal: refusals.rateLimited() });
      return;
    }
    if (this.phase === 'opening') {
      this.respond(message, { kind: 'refused', refusal: refusals.beforeHandshake() });
      return;
    }
    if (this.pendingRequests >= this.services.settings.maxPendingRequests) {
      this.respond(message, { kind: 'refused', refusal: refusals.tooManyInFlight() });
      return;
    }
    const traceparent = text.includes('"traceparent"') ? traceparentOf(JSON.parse(text)) : '';
    this.pendingRequests += 1;
    this.requestChain = this.requestChain
      .then(() => this.run(message, traceparent))
      .finally(() => {
        this.pendingRequests -= 1;
      });
  }

  /** A call event for this user (from the fan-out). Held until the state handshake is out. */
  deliver(event: RecordedEvent): void {
    if (this.phase === 'closed') return;
    if (this.phase === 'opening') {
      this.pendingEvents.push(event);
      if (this.pendingEvents.length > this.services.settings.maxPendingEvents) {
        this.logger.warn({ held: this.pendingEvents.length }, 'too many call events held while opening');
        this.close(TRY_AGAIN_LATER, 'too many call events while opening; reconnect');
      }
      return;
    }
    this.eventChain = this.eventChain
      .then(() => this.apply(event))
      .catch((error: unknown) => {
        // The softphone would miss an event: better it reconnects and gets the state rebuilt from the streams.
        this.failed(error, `could not forward call event ${event.eventId}`);
      });
  }

  /** Closes the socket with a WTSP close code and lets go of everything the session holds. */
  close(code: number, reason: string): void {
    if (this.phase !== 'closed') this.connection.close(code, reason);
    this.closed();
  }

  /** The socket is gone (closed by either side). Idempotent. */
  closed(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    clearTimeout(this.keepaliveTimer);
    this.services.fanout.removeSession(this);
    this.attachment?.release();
    this.attachment = undefined;
    this.pendingEvents = [];
    this.calls.clear();
  }

  private async open(): Promise<void> {
    const { services, target } = this;
    if (target.token === null) {
      this.close(CloseCode.sessionMissed, 'session missed: no token');
      return;
    }
    const identity = await services.tokens.authenticate(
      target.token,
      target.tenantId,
      new Date(services.clock()),
    );
    if (this.isClosed) return;
    if (identity === undefined) {
      this.logger.info({ tenant: target.tenantId }, 'unknown, expired or revoked session token');
      this.close(CloseCode.sessionMissed, 'session missed');
      return;
    }
    this.identity = identity;
    this.logger = this.logger.child({ sessionId: identity.sessionId });

    const subscriber = await services.subscribers.findSubscriber(identity.tenant, identity.userId);
    if (this.isClosed) return;
    if (subscriber === undefined) {
      this.logger.warn('session of a user with no subscriber entry');
      this.close(CloseCode.subscriberMissed, 'subscriber missed');
      return;
    }
    this.subscriber = subscriber;

    const attachment = await services.attachments.attach({
      sessionId: identity.sessionId,
      socketId: this.socketId,
      force: target.force,
      onDisplaced: (by) => this.displaced(by),
    });
    if (attachment === 'already-attached') {
      this.logger.info('refused a second socket of an attached session');
      this.close(CloseCode.alreadyAttached, 'session already attached; connect with force=true');
      return;
    }
    if (this.isClosed) {
      attachment.release();
      return;
    }
    this.attachment = attachment;

    // From here on, new calls of this user are held for this socket; the rebuild adds the live ones.
    services.fanout.addSession(this);
    const rebuilt = await rebuildLiveCalls(
      {
        liveCalls: services.liveCalls,
        store: services.store,
        recentStarts: services.fanout.recentStartsOf(identity.tenant, identity.userId),
      },
      identity,
      subscriber,
      (callId) => services.fanout.watch(callId, this),
    );
    if (this.isClosed) return;
    for (const callId of rebuilt.settled) {
      this.calls.forget(callId);
      services.fanout.unwatch(callId, this);
    }
    const lines: LineSlot[] = Array.from({ length: subscriber.lines }, () => null);
    for (const call of rebuilt.live) {
      this.calls.track(call.view, call.version);
      const line = call.view.line;
      if (line === null || line >= lines.length || lines[line] !== null) {
        this.logger.warn({ callId: call.view.callId, line }, 'live call without a line slot of its own');
        continue;
      }
      lines[line] = { call_id: call.view.clientCallId, call_logs: call.log };
    }
    this.send({
      handshake: 'state',
      keepalive_interval: services.settings.keepaliveIntervalMs,
      timestamp: services.clock(),
      // SIP registration belongs to media-orchestration and is not reported yet; outgoing calls go
      // through the trunk without one (docs/protocol.md).
      registration: { status: 'registered' },
      lines,
    });
    this.phase = 'ready';
    this.logger.info({ liveCalls: rebuilt.live.length, force: target.force }, 'signaling session open');
    const held = this.pendingEvents;
    this.pendingEvents = [];
    for (const event of held) this.deliver(event);
  }

  private displaced(by: DisplacedBy): void {
    if (this.phase === 'closed') return;
    if (by === 'ended') {
      // 4201 makes the public clients log the user out, as a signed-out session should.
      this.logger.info('socket closed: its session ended (signed out)');
      this.close(CloseCode.sessionMissed, 'session ended');
      return;
    }
    this.logger.info({ by }, 'socket displaced by another socket of the same session');
    if (by === 'force') this.close(CloseCode.evictedByForce, 'evicted by a newer socket (force)');
    else this.close(CloseCode.alreadyAttached, 'session already attached');
  }

  private async run(request: ClientRequest, traceparent: string): Promise<void> {
    if (this.phase === 'closed') return;
    // A call this request starts or acts on holds its events until the response (and the events that
    // follow it at once) are out: ack, then `calling`; ack, `hangingup`, then `hangup`.
    let markAnswered = (): void => undefined;
    const answered = new Promise<void>((resolve) => {
      markAnswered = resolve;
    });
    if ('call_id' in request && request.call_id !== undefined) {
      const tracked = this.calls.byClientId(request.call_id);
      if (tracked !== undefined) tracked.answered = answered;
    }
    try {
      await this.answer(request, traceparent, answered);
    } finally {
      markAnswered();
    }
  }

  private async answer(request: ClientRequest, traceparent: string, answered: Promise<void>): Promise<void> {
    const context = this.requestContext(answered);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.services.settings.requestDeadlineMs);
    });
    const work = this.services.requests
      .handle(request, context, traceparent)
      .catch((error: unknown): RequestOutcome => {
        this.logger.error({ err: error, request: request.request }, 'request failed');
        return {
          kind: 'refused',
          refusal: isRetryable(error) ? refusals.dependencyDown() : refusals.internalError(),
        };
      });
    const outcome = await Promise.race([work, deadline]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.logger.warn({ request: request.request }, 'request missed its deadline');
      this.respond(request, { kind: 'refused', refusal: refusals.timeout() });
      return;
    }
    if (outcome.kind === 'ack' && outcome.seenVersion !== undefined && 'call_id' in request) {
      await this.catchUp(request.call_id, outcome.seenVersion);
    }
    this.respond(request, outcome);
  }

  /**
   * Tells the socket the events of the call `clientCallId` up to `version` that it has not heard yet
   * (read from the store: they may still be on their way through the relay). Events held for the request
   * meanwhile are then dropped by version when released.
   */
  private async catchUp(clientCallId: string | undefined, version: number): Promise<void> {
    const tracked = clientCallId === undefined ? undefined : this.calls.byClientId(clientCallId);
    if (tracked === undefined || tracked.version >= version) return;
    const missed = await readCallStream(this.services.store, tracked.view.callId, tracked.version + 1);
    for (const record of missed) {
      if (record.streamVersion > version || this.phase !== 'ready') break;
      const missedEvent = decodeCallEvent(record);
      if (missedEvent !== undefined) this.forward(missedEvent, tracked.view);
      tracked.version = record.streamVersion;
    }
  }

  private requestContext(answered: Promise<void>): RequestContext {
    const { identity, subscriber } = this;
    if (identity === undefined || subscriber === undefined)
      throw new Error('request before the session opened');
    return {
      identity,
      subscriber,
      calls: this.calls,
      logger: this.logger,
      follow: (view: CallView) => {
        this.calls.track(view, 0).answered = answered;
        this.services.fanout.watch(view.callId, this);
      },
      unfollow: (callId: string) => {
        this.calls.forget(callId, false);
        this.services.fanout.unwatch(callId, this);
      },
    };
  }

  /** The one response of a request, then the events that follow it at once. */
  private respond(request: ClientRequest, outcome: RequestOutcome): void {
    const scope = {
      ...('line' in request ? { line: request.line } : {}),
      ...('call_id' in request && request.call_id !== undefined ? { call_id: request.call_id } : {}),
    };
    if (outcome.kind === 'refused') {
      // A flood is logged once, when it closes the socket, not once per refused frame.
      this.refusalLogged(request, outcome.refusal, outcome.refusal.code === 503 ? 'debug' : 'info');
      this.send({ response: 'error', transaction: request.transaction, ...scope, ...outcome.refusal });
      return;
    }
    this.send({ response: 'ack', transaction: request.transaction, ...scope });
    if (!('call_id' in request) || request.call_id === undefined) return;
    for (const record of outcome.after ?? []) {
      this.sendCallEvent(record, request.line, request.call_id, request.transaction);
    }
  }

  private refusalLogged(request: ClientRequest, refusal: Refusal, level: 'info' | 'debug'): void {
    this.logger[level](
      { request: request.request, code: refusal.code, reason: refusal.reason },
      'request refused',
    );
  }

  /** Input the protocol codec refused: answer it when it carried a transaction, else close. */
  private refuseMessage(error: ProtocolError): void {
    this.logger.info(
      {
        code: error.code,
        // The name as the client sent it: cut, so a hostile one cannot bloat the logs.
        request: error.request?.slice(0, 64),
        closeCode: error.response === undefined ? error.closeCode : undefined,
      },
      'malformed client message',
    );
    if (error.response !== undefined) this.send(error.response satisfies ErrorResponse);
    else this.close(error.closeCode, error.closeReason);
  }

  /** Our own bug or a dependency's surprise: logged, and the socket closed so the client reconnects. */
  failed(error: unknown, what: string): void {
    this.logger.error({ err: error }, what);
    this.close(INTERNAL_ERROR, 'signaling error; reconnect');
  }

  private refuseFrame(code: string, closeCode: number, reason: string): void {
    this.logger.warn({ code, closeCode }, reason);
    this.close(closeCode, reason);
  }

  private async apply(event: RecordedEvent): Promise<void> {
    if (this.phase !== 'ready') return;
    const callId = callIdOfStream(event.streamId);
    if (callId === undefined || this.calls.isSettled(callId)) return;
    const callEvent = decodeCallEvent(event);
    if (callEvent === undefined) return;
    const tracked = this.calls.get(callId);
    if (tracked === undefined) {
      await this.startFollowing(event, callEvent);
      return;
    }
    if (tracked.answered !== undefined) {
      await tracked.answered;
      tracked.answered = undefined;
    }
    if (event.streamVersion <= tracked.version) return;
    if (event.streamVersion > tracked.version + 1) {
      // Something was skipped (a consumer restart, a dead-lettered event): tell the client in order.
      const missed = await readCallStream(this.services.store, callId, tracked.version + 1);
      for (const record of missed) {
        if (record.streamVersion >= event.streamVersion || this.phase !== 'ready') break;
        const missedEvent = decodeCallEvent(record);
        if (missedEvent !== undefined) this.forward(missedEvent, tracked.view);
        tracked.version = record.streamVersion;
      }
    }
    tracked.version = event.streamVersion;
    this.forward(callEvent, tracked.view);
  }

  /** The first event of a call of this user: follow it, and announce an incoming one. */
  private async startFollowing(event: RecordedEvent, callEvent: CallEvent): Promise<void> {
    const { identity, subscriber } = this;
    if (identity === undefined || subscriber === undefined) return;
    const e = callEvent.event;
    let view: CallView;
    if (e.case === 'callRequested') {
      view = outgoingCallView(e.value);
    } else if (e.case === 'callOffered') {
      const placement = await this.services.liveCalls.placeIncoming({
        callId: e.value.callId,
        tenant: identity.tenant,
        userId: identity.userId,
        preferredLine: e.value.line,
        lineCount: subscriber.lines,
        carrierSipCallId: e.value.carrierSipCallId,
      });
      view = incomingCallView(e.value, placement);
    } else {
      return;
    }
    if (this.phase !== 'ready') return;
    this.calls.track(view, event.streamVersion);
    this.forward(callEvent, view);
  }

  private forward(callEvent: CallEvent, view: CallView): void {
    const record = softphoneRecordFor(callEvent, view);
    if (record !== undefined) this.sendCallEvent(record, view.line, view.clientCallId, undefined);
    // A call that ended, or that found every line busy, has nothing more to tell this socket.
    if (callEvent.event.case === 'callEnded' || view.line === null) {
      this.calls.forget(view.callId);
      this.services.fanout.unwatch(view.callId, this);
    }
  }

  private sendCallEvent(
    record: CallLogRecord,
    line: number | null,
    callId: string,
    transaction: ClientRequest['transaction'] | undefined,
  ): void {
    const event = {
      ...record,
      ...(transaction === undefined ? {} : { transaction }),
      line,
      call_id: callId,
    } as ServerEvent;
    this.send(event);
  }

  private send(message: ServerMessage): void {
    if (this.phase === 'closed' || !this.connection.isOpen) return;
    if (this.connection.bufferedAmount > this.services.settings.maxBufferedBytes) {
      this.refuseFrame('CLIENT_NOT_READING', TRY_AGAIN_LATER, 'client is not reading its socket');
      return;
    }
    let text: string;
    try {
      text = encodeServerMessage(message);
    } catch (error) {
      // A message the public clients would reject is our bug: never send it, always log it.
      this.logger.error({ err: error }, 'refused to send a message that breaks the protocol');
      return;
    }
    this.connection.send(text);
  }

  private armKeepalive(): void {
    const allowedMs = this.services.settings.keepaliveIntervalMs + this.services.settings.keepaliveGraceMs;
    const check = (): void => {
      if (this.phase === 'closed') return;
      const silentMs = this.services.clock() - this.lastHeardMs;
      if (silentMs >= allowedMs) {
        this.logger.info({ silentMs }, 'keep-alive timeout');
        this.close(CloseCode.keepaliveTimeout, 'keep-alive timeout');
        return;
      }
      this.keepaliveTimer = setTimeout(check, allowedMs - silentMs);
      this.keepaliveTimer.unref();
    };
    this.keepaliveTimer = setTimeout(check, allowedMs);
    this.keepaliveTimer.unref();
  }
}
