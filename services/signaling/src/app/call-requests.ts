import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs, timestampMs } from '@bufbuild/protobuf/wkt';
import { foldCallEvents, type CallCommandHandler } from '@ringbus/call-commands';
import { type EventStore } from '@ringbus/event-store';
import {
  CallCommandSchema,
  CallEndReason,
  CallDirection,
  CallParty,
  HoldMediaDirection,
  type CallCommand,
} from '@ringbus/proto';
import {
  type CallLogRecord,
  type ClientRequest,
  type AcceptRequest,
  type DeclineRequest,
  type HangupRequest,
  type HoldRequest,
  type IceTrickleRequest,
  type OutgoingCallRequest,
  type UpdateRequest,
} from '@ringbus/softphone-protocol';
import { type ServiceLogger } from '@ringbus/service-kit';
import { type CallView } from '../domain/call-view.js';
import { lineRefusal, outgoingCallRefusal } from '../domain/outgoing-call-checks.js';
import { maskNumber } from '../domain/phone-number-mask.js';
import { refusals, type Refusal } from '../domain/request-refusal.js';
import { readCallStream } from './call-stream.js';
import {
  type LiveCallDirectory,
  type MediaLegOutcome,
  type MediaLegRequest,
  type MediaLegs,
  type OutgoingClaim,
  type SessionIdentity,
  type Subscriber,
} from './ports.js';
import { type SessionCalls } from './session-calls.js';

/** What a request handler may know about, and do to, the socket it serves. */
export interface RequestContext {
  readonly identity: SessionIdentity;
  readonly subscriber: Subscriber;
  readonly calls: SessionCalls;
  /** Follows a call this socket starts, before its first event can arrive. */
  follow(view: CallView): void;
  unfollow(callId: string): void;
  readonly logger: ServiceLogger;
}

export type RequestOutcome =
  | {
      readonly kind: 'ack';
      /** Call events to send right after the ack, on the request's line and call, with its transaction. */
      readonly after?: readonly CallLogRecord[];
      /**
       * The call's stream version the handler decided on: the socket is told every event up to it before
       * the ack, so what the softphone hears keeps the stream's order (`resuming` before `hangingup`).
       */
      readonly seenVersion?: number;
    }
  | { readonly kind: 'refused'; readonly refusal: Refusal };

export interface CallRequestDependencies {
  readonly liveCalls: LiveCallDirectory;
  readonly store: EventStore;
  readonly commands: CallCommandHandler;
  /** The calls' Janus legs, for what only media-orchestration can do (hang up, hold, DTMF, ...). */
  readonly media: MediaLegs;
  /** UUIDv7: call ids and command ids. */
  readonly newId: () => string;
  readonly clock: () => number;
}

// An outgoing claim still unconfirmed after this long, with no stream behind it, was left by a crash.
const STALE_CLAIM_MS = 30_000;

const refused = (refusal: Refusal): RequestOutcome => ({ kind: 'refused', refusal });
const ACK: RequestOutcome = { kind: 'ack' };
// Candidates may come right behind `outgoing_call`, before media-orchestration took the call: how long
// to keep offering one to the call's (not yet listening) media leg.
const TRICKLE_RETRY_DELAYS_MS = [20, 40, 80, 160, 320] as const;
// media-orchestration takes a call within milliseconds of CallRequested: a call requested longer ago than
// this and still not taken has nobody to take it.
const TRICKLE_WAIT_MS = 2_000;

// SIP 603 Decline: what the carrier hears when our user turns a call down.
const DECLINE = 603;

const HOLD_DIRECTIONS: Readonly<Record<string, HoldMediaDirection>> = {
  sendonly: HoldMediaDirection.SENDONLY,
  recvonly: HoldMediaDirection.RECVONLY,
  inactive: HoldMediaDirection.INACTIVE,
};

/**
 * The softphone's requests. Each returns exactly one outcome (the session turns it into the one response);
 * an error thrown here becomes a 500 or 503 response there. Calls change only through the call command
 * handler; what only the Janus leg can do goes to media-orchestration as a media request, and the facts
 * that follow (HeldByUs, CallEnded, ...) come back as the call's events.
 */
export class CallRequests {
  constructor(private readonly deps: CallRequestDependencies) {}

  async handle(
    request: ClientRequest,
    context: RequestContext,
    traceparent: string,
  ): Promise<RequestOutcome> {
    switch (request.request) {
      case 'outgoing_call':
        return this.outgoingCall(request, context, traceparent);
      case 'hangup':
        return this.hangup(request, context, traceparent);
      case 'hold':
        return this.onMediaLeg(request, context, traceparent, holdOf(request));
      case 'unhold':
        return this.onMediaLeg(request, context, traceparent, { case: 'unhold', value: {} });
      case 'dtmf':
        return this.onMediaLeg(request, context, traceparent, {
          case: 'sendDtmf',
          value: { digits: request.digits },
        });
      case 'update':
        return this.update(request, context, traceparent);
      case 'ice_trickle':
        return this.trickle(request, context, traceparent);
      case 'accept':
        return this.accept(request, context, traceparent);
      case 'decline':
        return this.decline(request, context, traceparent);
      case 'transfer': {
        const call = await this.resolveCall(request, context);
        return refused('refusal' in call ? call.refusal : refusals.notAvailableYet(request.request));
      }
      case 'presence_update':
        return refused(refusals.notAvailableYet(request.request));
    }
  }

  private async outgoingCall(
    request: OutgoingCallRequest,
    context: RequestContext,
    traceparent: string,
  ): Promise<RequestOutcome> {
    const { identity, subscriber } = context;
    const problem = outgoingCallRefusal(request, subscriber.lines);
    if (problem !== undefined || request.line === null) return refused(problem ?? refusals.guestLine());

    const callId = this.deps.newId();
    const claim: OutgoingClaim = {
      callId,
      tenant: identity.tenant,
      userId: identity.userId,
      line: request.line,
      clientCallId: request.call_id,
    };
    const conflict = await this.claim(claim, request.line);
    if (conflict !== undefined) return refused(conflict);

    const view: CallView = {
      callId,
      direction: 'outgoing',
      clientCallId: request.call_id,
      line: request.line,
      caller: subscriber.callerNumber,
      callee: request.number,
      callerDisplayName: '',
    };
    context.follow(view);
    try {
      await this.deps.commands(
        this.command(callId, {
          case: 'requestCall',
          value: {
            userId: identity.userId,
            line: request.line,
            caller: subscriber.callerNumber,
            callee: request.number,
            sdpOffer: request.jsep.sdp,
            clientCallId: request.call_id,
          },
        }),
        { tenant: identity.tenant, traceparent },
      );
    } catch (error) {
      context.unfollow(callId);
      await this.deps.liveCalls
        .release(callId)
        .catch((releaseError: unknown) =>
          context.logger.warn({ err: releaseError, callId }, 'could not release the claim of a failed call'),
        );
      throw error;
    }
    // The projection confirms it too, from CallRequested; this only saves a stale-claim check meanwhile.
    await this.deps.liveCalls
      .confirmOutgoing(callId)
      .catch((error: unknown) => context.logger.warn({ err: error, callId }, 'could not confirm the claim'));
    context.logger.info(
      { callId, line: request.line, callee: maskNumber(request.number) },
      'outgoing call requested',
    );
    return ACK;
  }

  /** Claims line and call id; a claim a crash left behind is cleared once. Returns why not, if not. */
  private async claim(claim: OutgoingClaim, line: number): Promise<Refusal | undefined> {
    let outcome = await this.deps.liveCalls.claimOutgoing(claim);
    if (!outcome.claimed) {
      const now = this.deps.clock();
      let released = false;
      for (const entry of outcome.conflicts) {
        const stale = !entry.confirmed && now - entry.claimedAt.getTime() > STALE_CLAIM_MS;
        const events = await readCallStream(this.deps.store, entry.callId);
        // A claim a crash left (no stream behind it), or a call that has ended while the projection has
        // not caught up yet (a softphone redialling right after `hangup`): either frees the line.
        if (stale && events.length === 0) await this.deps.liveCalls.release(entry.callId);
        else if (events.length > 0 && foldCallEvents(events).status === 'ended') {
          await this.deps.liveCalls.forget(entry.callId);
        } else continue;
        released = true;
      }
      if (released) outcome = await this.deps.liveCalls.claimOutgoing(claim);
    }
    if (outcome.claimed) return undefined;
    return outcome.conflicts.some(
      (entry) => entry.tenant === claim.tenant && entry.clientCallId === claim.clientCallId,
    )
      ? refusals.callIdInUse()
      : refusals.lineBusy(line);
  }

  /**
   * Before the INVITE went out, a hangup is decided here (CANCELLED by the caller, no SIP involved).
   * Afterwards media-orchestration sends CANCEL or BYE and records the end from Janus's `hangup`; when no
   * instance carries the call's leg any more, the end is recorded here.
   */
  private async hangup(
    request: HangupRequest,
    context: RequestContext,
    traceparent: string,
  ): Promise<RequestOutcome> {
    const call = await this.resolveCall(request, context);
    if ('refusal' in call) return refused(call.refusal);
    const events = await readCallStream(this.deps.store, call.callId);
    const state = foldCallEvents(events);
    if (state.status === 'none' || state.status === 'ended') return refused(refusals.noSuchCall());
    const hangingUp: RequestOutcome = {
      kind: 'ack',
      after: [{ event: 'hangingup' }],
      seenVersion: events.at(-1)?.streamVersion,
    };
    if (state.status === 'offered') {
      // An incoming call not answered yet is declined: a hang-up of it means "no".
      const outcome = await this.deps.media.request(
        call.callId,
        { case: 'decline', value: { sipCode: DECLINE } },
        traceparent,
      );
      if (outcome.kind === 'done') return hangingUp;
      if (outcome.kind === 'refused') return refused({ code: outcome.code, reason: outcome.reason });
    } else if (state.status !== 'requested') {
      const outcome = await this.deps.media.request(call.callId, { case: 'hangUp', value: {} }, traceparent);
      if (outcome.kind === 'done') return hangingUp;
      if (outcome.kind === 'refused') return refused({ code: outcome.code, reason: outcome.reason });
      context.logger.warn({ callId: call.callId }, 'no media leg carries the call: its end is recorded here');
    }
    const connected = state.status === 'answered' || state.status === 'held';
    await this.deps.commands(
      this.command(call.callId, {
        case: 'hangup',
        value: {
          reason: connected
            ? CallEndReason.NORMAL
            : state.status === 'offered'
              ? CallEndReason.REJECTED
              : CallEndReason.CANCELLED,
          hungUpBy: state.direction === CallDirection.INCOMING ? CallParty.CALLEE : CallParty.CALLER,
          sipCode: 0,
          q850Cause: 0,
          reasonText:
            state.status === 'requested'
              ? 'Cancelled by the caller before the INVITE was sent'
              : 'Hung up by our user; no media-orchestration instance carried the call any more',
        },
      }),
      { tenant: context.identity.tenant, traceparent },
    );
    context.logger.info({ callId: call.callId, status: state.status }, 'call ended by signaling');
    return hangingUp;
  }

  /** `accept` of an incoming call with the softphone's answer: `accepting` follows the ack. */
  private async accept(
    request: AcceptRequest,
    context: RequestContext,
    traceparent: string,
  ): Promise<RequestOutcome> {
    // The call first: an unknown or another user's call reads 481 whatever else is wrong.
    const call = await this.resolveCall(request, context);
    if ('refusal' in call) return refused(call.refusal);
    if (request.jsep.type !== 'answer') return refused(refusals.invalidSdp('accept takes an answer'));
    const outcome = await this.onMediaLeg(request, context, traceparent, {
      case: 'accept',
      value: { sdpAnswer: request.jsep.sdp },
    });
    return outcome.kind === 'ack' ? { kind: 'ack', after: [{ event: 'accepting' }] } : outcome;
  }

  /** `decline` of an incoming call: 603 Decline to the carrier, `declining` after the ack. */
  private async decline(
    request: DeclineRequest,
    context: RequestContext,
    traceparent: string,
  ): Promise<RequestOutcome> {
    const outcome = await this.onMediaLeg(request, context, traceparent, {
      case: 'decline',
      value: { sipCode: DECLINE },
    });
    return outcome.kind === 'ack' ? { kind: 'ack', after: [{ event: 'declining', code: DECLINE }] } : outcome;
  }

  /** `update`: the softphone's new offer (an ICE restart) goes to Janus; `updating` follows the ack. */
  private async update(
    request: UpdateRequest,
    context: RequestContext,
    traceparent: string,
  ): Promise<RequestOutcome> {
    const call = await this.resolveCall(request, context);
    if ('refusal' in call) return refused(call.refusal);
    if (request.jsep.type !== 'offer') {
      return refused(
        refusals.invalidSdp('update takes an offer: re-INVITEs from the far end are auto-accepted'),
      );
    }
    const outcome = await this.onMediaLeg(request, context, traceparent, {
      case: 'renegotiate',
      value: { sdpOffer: request.jsep.sdp },
    });
    return outcome.kind === 'ack' ? { kind: 'ack', after: [{ event: 'updating' }] } : outcome;
  }

  /**
   * `ice_trickle`: the candidate goes to the Janus handle of the call on the request's line. A call just
   * placed may not be taken by media-orchestration yet: the candidate is offered again for a short while.
   */
  private async trickle(
    request: IceTrickleRequest,
    context: RequestContext,
    traceparent: string,
  ): Promise<RequestOutcome> {
    const lineProblem = lineRefusal(request.line, context.subscriber.lines);
    if (lineProblem !== undefined) return refused(lineProblem);
    const call =
      request.call_id === undefined
        ? callOnLine(context, request.line)
        : await this.resolveCall({ line: request.line, call_id: request.call_id }, context);
    if ('refusal' in call) return refused(call.refusal);
    const candidate = request.candidate;
    const completed =
      candidate === null ||
      (typeof candidate === 'object' && 'completed' in candidate && candidate.completed === true);
    const leg: MediaLegRequest = {
      case: 'trickle',
      value: { candidateJson: completed ? '' : JSON.stringify(candidate) },
    };
    let outcome = await this.deps.media.request(call.callId, leg, traceparent);
    if (outcome.kind === 'no-carrier') {
      // Only a call just requested, which media-orchestration has not taken yet, is worth waiting for.
      const state = foldCallEvents(await readCallStream(this.deps.store, call.callId));
      const waiting =
        state.status === 'requested' && this.deps.clock() - timestampMs(state.startedAt) < TRICKLE_WAIT_MS;
      if (!waiting) return this.answerFor(outcome);
    }
    for (const delayMs of TRICKLE_RETRY_DELAYS_MS) {
      if (outcome.kind !== 'no-carrier') break;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      outcome = await this.deps.media.request(call.callId, leg, traceparent);
    }
    return this.answerFor(outcome);
  }

  /** A request only the call's Janus leg can carry out: hold, unhold, DTMF, renegotiation. */
  private async onMediaLeg(
    request: { readonly line: number | null; readonly call_id: string },
    context: RequestContext,
    traceparent: string,
    leg: MediaLegRequest,
  ): Promise<RequestOutcome> {
    const call = await this.resolveCall(request, context);
    if ('refusal' in call) return refused(call.refusal);
    const outcome = await this.deps.media.request(call.callId, leg, traceparent);
    if (outcome.kind === 'done')
      context.logger.info({ callId: call.callId, request: leg.case }, 'media request done');
    return this.answerFor(outcome);
  }

  private answerFor(outcome: MediaLegOutcome): RequestOutcome {
    switch (outcome.kind) {
      case 'done':
        return ACK;
      case 'refused':
        return refused({ code: outcome.code, reason: outcome.reason });
      case 'no-carrier':
        return refused(refusals.noMediaLeg());
    }
  }

  /**
   * The user's live call that a request names, on the line it names. Another user's call id reads as
   * unknown: a client learns nothing about calls that are not its own.
   */
  private async resolveCall(
    request: { readonly line: number | null; readonly call_id: string },
    context: RequestContext,
  ): Promise<{ readonly callId: string } | { readonly refusal: Refusal }> {
    const tracked = context.calls.byClientId(request.call_id);
    if (tracked !== undefined) {
      if (tracked.view.line !== request.line) return { refusal: refusals.wrongLine(request.line) };
      return { callId: tracked.view.callId };
    }
    const { tenant, userId } = context.identity;
    const entry = await this.deps.liveCalls.findByClientCallId(tenant, request.call_id);
    if (entry === undefined) return { refusal: refusals.noSuchCall() };
    if (entry.userId !== userId) {
      context.logger.warn({ callId: entry.callId }, "request names another user's call: refused as unknown");
      return { refusal: refusals.noSuchCall() };
    }
    if (entry.line !== request.line) return { refusal: refusals.wrongLine(request.line) };
    return { callId: entry.callId };
  }

  private command(
    callId: string,
    command: MessageInitShape<typeof CallCommandSchema>['command'],
  ): CallCommand {
    return create(CallCommandSchema, {
      commandId: this.deps.newId(),
      callId,
      occurredAt: timestampFromMs(this.deps.clock()),
      command,
    });
  }
}

function holdOf(request: HoldRequest): MediaLegRequest {
  const direction = request.direction ?? undefined;
  return {
    case: 'hold',
    value: {
      mediaDirection:
        direction === undefined
          ? HoldMediaDirection.UNSPECIFIED
          : (HOLD_DIRECTIONS[direction] ?? HoldMediaDirection.UNSPECIFIED),
    },
  };
}

/** The call this socket follows on `line` (a trickle names no call). */
function callOnLine(
  context: RequestContext,
  line: number | null,
): { readonly callId: string } | { readonly refusal: Refusal } {
  for (const callId of context.calls.callIds()) {
    if (context.calls.get(callId)?.view.line === line) return { callId };
  }
  return { refusal: refusals.noSuchCall() };
}
