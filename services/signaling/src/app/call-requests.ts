import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { foldCallEvents, type CallCommandHandler } from '@ringbus/call-commands';
import { type EventStore } from '@ringbus/event-store';
import { CallCommandSchema, CallEndReason, CallParty, type CallCommand } from '@ringbus/proto';
import {
  type CallLogRecord,
  type ClientRequest,
  type HangupRequest,
  type OutgoingCallRequest,
} from '@ringbus/softphone-protocol';
import { type ServiceLogger } from '@ringbus/service-kit';
import { type CallView } from '../domain/call-view.js';
import { lineRefusal, outgoingCallRefusal } from '../domain/outgoing-call-checks.js';
import { maskNumber } from '../domain/phone-number-mask.js';
import { refusals, type Refusal } from '../domain/request-refusal.js';
import { readCallStream } from './call-stream.js';
import {
  type LiveCallDirectory,
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
    }
  | { readonly kind: 'refused'; readonly refusal: Refusal };

export interface CallRequestDependencies {
  readonly liveCalls: LiveCallDirectory;
  readonly store: EventStore;
  readonly commands: CallCommandHandler;
  /** UUIDv7: call ids and command ids. */
  readonly newId: () => string;
  readonly clock: () => number;
}

// An outgoing claim still unconfirmed after this long, with no stream behind it, was left by a crash.
const STALE_CLAIM_MS = 30_000;

const refused = (refusal: Refusal): RequestOutcome => ({ kind: 'refused', refusal });
const ACK: RequestOutcome = { kind: 'ack' };

/**
 * The softphone's requests. Each returns exactly one outcome (the session turns it into the one response);
 * an error thrown here becomes a 500 or 503 response there. Calls change only through the call command
 * handler. Requests that need the media side answer 501 until media-orchestration takes commands.
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
      case 'accept':
      case 'decline':
      case 'hold':
      case 'unhold':
      case 'update':
      case 'transfer':
      case 'dtmf': {
        const call = await this.resolveCall(request, context);
        return refused('refusal' in call ? call.refusal : refusals.notAvailableYet(request.request));
      }
      case 'ice_trickle':
        return refused(
          lineRefusal(request.line, context.subscriber.lines) ?? refusals.notAvailableYet(request.request),
        );
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
      const stale = outcome.conflicts.filter(
        (entry) => !entry.confirmed && now - entry.claimedAt.getTime() > STALE_CLAIM_MS,
      );
      let released = false;
      for (const entry of stale) {
        if ((await readCallStream(this.deps.store, entry.callId)).length > 0) continue;
        await this.deps.liveCalls.release(entry.callId);
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
   * Afterwards it needs media-orchestration to send CANCEL or BYE: 501 until its command contract exists.
   */
  private async hangup(
    request: HangupRequest,
    context: RequestContext,
    traceparent: string,
  ): Promise<RequestOutcome> {
    const call = await this.resolveCall(request, context);
    if ('refusal' in call) return refused(call.refusal);
    const state = foldCallEvents(await readCallStream(this.deps.store, call.callId));
    if (state.status === 'none' || state.status === 'ended') return refused(refusals.noSuchCall());
    if (state.status !== 'requested') return refused(refusals.notAvailableYet('hangup after the INVITE'));
    await this.deps.commands(
      this.command(call.callId, {
        case: 'hangup',
        value: {
          reason: CallEndReason.CANCELLED,
          hungUpBy: CallParty.CALLER,
          sipCode: 0,
          q850Cause: 0,
          reasonText: 'Cancelled by the caller before the INVITE was sent',
        },
      }),
      { tenant: context.identity.tenant, traceparent },
    );
    context.logger.info({ callId: call.callId }, 'call cancelled before the INVITE');
    return { kind: 'ack', after: [{ event: 'hangingup' }] };
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
