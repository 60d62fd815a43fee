import { foldCallEvents } from '@ringbus/call-commands';
import { callIdOfStream, callStreamId, sipCallIdFor } from '@ringbus/call-domain';
import { StreamNotFoundError, type EventStore, type RecordedEvent } from '@ringbus/event-store';
import { callEventFromRecord, type CallRequested } from '@ringbus/proto';
import { type ServiceLogger } from '@ringbus/service-kit';
import { JanusPluginRefusedError, MediaOrchestrationError, ServiceStoppingError } from '../domain/errors.js';
import { sipRequestUriFor } from '../domain/sip-target.js';
import { gatewayLost, systemFailure } from '../domain/sip-leg-translation.js';
import { type CallRecorder, type RecordedCall } from './call-recorder.js';
import { LiveCall, letCallsGo } from './live-call.js';
import {
  type GatewayReservation,
  type LiveCallClaims,
  type MediaCallInbox,
  type MediaCallMailbox,
  type SipAccountDirectory,
  type SipLineProvider,
} from './ports.js';

export interface OutgoingCallSettings {
  readonly instanceId: string;
  readonly defaultRegion: string;
  readonly outboundUriTemplate: string;
  /** A CallRequested older than this is not dialled any more: its caller has long given up. */
  readonly maxRequestAgeMs: number;
  readonly hangupGraceMs: number;
}

export interface OutgoingCallDeps {
  readonly store: EventStore;
  readonly recorder: CallRecorder;
  readonly claims: LiveCallClaims;
  readonly lines: SipLineProvider;
  readonly accounts: SipAccountDirectory;
  /** Where signaling's requests for a call (hang up, hold, DTMF, ...) reach the call. */
  readonly inbox: MediaCallInbox;
  readonly logger: ServiceLogger;
  readonly clock?: () => number;
}

/**
 * The outgoing call path: CallRequested -> a gateway, a SIP handle, the SIP plugin `call` with our
 * Call-ID, and from then on Janus's events recorded as the call's events. Also lets calls go when the
 * stream says they ended elsewhere, and when this instance stops.
 */
export class OutgoingCallPlacement {
  private readonly live = new Map<string, LiveCall>();
  /** Calls being dialled beside the consumer (after their claim, until their INVITE's fate is recorded). */
  private readonly dialling = new Set<Promise<void>>();
  private stopping = false;
  private readonly now: () => number;

  constructor(
    private readonly settings: OutgoingCallSettings,
    private readonly deps: OutgoingCallDeps,
  ) {
    this.now = deps.clock ?? Date.now;
  }

  /**
   * Places the call `event` (a CallRequested) asks for. Settles once the call is claimed for this instance
   * (or its failure is recorded): the dialling through Janus goes on after, beside the consumer. A
   * redelivered event places nothing.
   */
  async place(event: RecordedEvent): Promise<void> {
    if (this.stopping) throw new ServiceStoppingError();
    const requested = callRequestedOf(event);
    const callId = requested.callId;
    if (this.live.has(callId)) return;
    // Read beside the claim (one PostgreSQL round trip less before the INVITE), consulted before
    // anything is recorded or dialled: a call already placed (a redelivery after our ack was lost) or
    // ended before we got to it is left alone.
    const statusRead = this.callStatus(callId);
    statusRead.catch(() => undefined);
    const stillRequested = async (): Promise<boolean> => (await statusRead) === 'requested';

    const context = {
      tenant: event.metadata.tenant,
      traceparent: event.metadata.traceparent,
      correlationId: event.metadata.correlationId,
    };
    const sipCallId = sipCallIdFor(callId);
    const unplaced: RecordedCall = { callId, sipCallId, gatewayId: '', region: '', context };
    const logger = this.deps.logger.child({ callId, sipCallId });

    const receivedAt = this.now();
    const ageMs = receivedAt - Date.parse(event.metadata.occurredAt);
    if (ageMs > this.settings.maxRequestAgeMs) {
      if (!(await stillRequested())) return;
      await this.recordFailure(
        unplaced,
        `the call request was ${ageMs} ms old when media-orchestration got it`,
      );
      return;
    }
    let uri: string;
    let reservation: GatewayReservation;
    try {
      uri = sipRequestUriFor(requested.callee, this.settings.outboundUriTemplate);
      reservation = this.deps.lines.reserve(this.settings.defaultRegion);
    } catch (error) {
      if (!(error instanceof MediaOrchestrationError)) throw error;
      if (!(await stillRequested())) return;
      logger.warn({ code: error.code }, error.message);
      await this.recordFailure(unplaced, error.message);
      return;
    }

    const call: RecordedCall = { ...unplaced, gatewayId: reservation.gatewayId, region: reservation.region };
    const [claiming, reading] = await Promise.allSettled([
      this.deps.claims.claim(event.eventId, {
        callId,
        instanceId: this.settings.instanceId,
        gatewayId: call.gatewayId,
        sipCallId,
        ...context,
      }),
      stillRequested(),
    ]);
    if (claiming.status === 'rejected') {
      reservation.cancel();
      throw claiming.reason;
    }
    if (claiming.value === 'duplicate') {
      reservation.cancel();
      return;
    }
    // The claim (and its processed-event marker) is stored: the event will not come back. A call that
    // ended meanwhile is given back; when the stream could not be read, the call is placed, and the
    // checks after it (SipInviteSent refused by an ended stream, the CallEnded consumer) hang it up.
    if (reading.status === 'rejected') {
      logger.warn({ err: reading.reason }, 'could not read the call stream before placing; placing anyway');
    } else if (!reading.value) {
      reservation.cancel();
      await this.deps.claims.release(callId);
      return;
    }

    let mailbox: MediaCallMailbox | undefined;
    const live = new LiveCall(call, {
      recorder: this.deps.recorder,
      claims: this.deps.claims,
      logger,
      hangupGraceMs: this.settings.hangupGraceMs,
      onFinished: (finished) => {
        mailbox?.close();
        if (this.live.get(finished.callId) === finished) this.live.delete(finished.callId);
      },
    });
    this.live.set(callId, live);
    // The claim is stored: from here a crash leaves a call the restart ends, never one lost silently. The
    // event is acked now, and the dialling goes on beside the consumer, which takes the next call at once
    // instead of waiting out this one's Janus round trips and recordings.
    const dialling = this.dial(live, {
      requested,
      uri,
      sipCallId,
      reservation,
      ageMs,
      receivedAt,
      logger,
      keepMailbox: (opened) => {
        mailbox = opened;
      },
    }).finally(() => this.dialling.delete(dialling));
    this.dialling.add(dialling);
  }

  private async dial(
    live: LiveCall,
    call: {
      readonly requested: CallRequested;
      readonly uri: string;
      readonly sipCallId: string;
      readonly reservation: GatewayReservation;
      readonly ageMs: number;
      readonly receivedAt: number;
      readonly logger: ServiceLogger;
      /** Hands the call's mailbox to whoever closes it when the call finishes. */
      readonly keepMailbox: (mailbox: MediaCallMailbox) => void;
    },
  ): Promise<void> {
    const { requested, uri, sipCallId, logger } = call;
    const gatewayId = live.call.gatewayId;
    try {
      // Open before the INVITE: by the time SipInviteSent is in the stream, signaling's requests reach us.
      const mailbox = await this.deps.inbox.open(live.callId, (request) => live.perform(request));
      call.keepMailbox(mailbox);
      if (live.hasEnded) mailbox.close();
      const line = await call.reservation.openLine();
      if (live.hasEnded) {
        // The stream said the call ended while its line was opening (CallEnded is consumed apart).
        await line.release();
        return;
      }
      live.attach(line);
      const account = await this.deps.accounts.accountFor({
        userId: requested.userId,
        line: requested.line,
        caller: requested.caller,
      });
      await line.startGuest(account);
      if (live.isEnding) {
        live.end(systemFailure('the call ended before its INVITE was sent'));
        await live.recorded();
        return;
      }
      await line.call({ uri, sipCallId, offerSdp: requested.sdpOffer, credentials: account.credentials });
      logger.debug(
        { gatewayId, requestAgeMs: call.ageMs, placingMs: this.now() - call.receivedAt },
        'INVITE sent',
      );
    } catch (error) {
      // Janus's own refusal arrives as an event too, and the line's events end the call with it.
      if (!(error instanceof JanusPluginRefusedError)) {
        logger.warn({ err: error, gatewayId }, 'placing the call through Janus failed');
        const reason = `placing the call on Janus gateway ${gatewayId} failed: ${(error as Error).message}`;
        live.end(this.deps.lines.isUp(gatewayId) ? systemFailure(reason) : gatewayLost(reason));
      }
    }
    await live.recorded();
  }

  /** The stream says the call ended (CallEnded): drop its Janus leg if this instance still carries it. */
  async endedElsewhere(event: RecordedEvent): Promise<void> {
    const callId = callIdOfStream(event.streamId);
    const live = callId === undefined ? undefined : this.live.get(callId);
    if (live === undefined || live.hasEnded) return;
    await live.hangUp();
  }

  /**
   * Lets every live call go (this instance stops) and returns how many it ended. Each ends as
   * GATEWAY_LOST, since its Janus session closes with our connection, and Janus is asked to hang up. New
   * CallRequested events are refused from now on (redelivered to another instance, or to this one after
   * its restart).
   */
  async stop(): Promise<number> {
    this.stopping = true;
    const ended = await letCallsGo(this.live.values());
    // Dialling in flight settles (its calls just ended).
    await Promise.allSettled([...this.dialling]);
    return ended;
  }

  private async recordFailure(call: RecordedCall, reasonText: string): Promise<void> {
    await this.deps.recorder.record({ kind: 'ended', ending: systemFailure(reasonText) }, call, this.now());
  }

  private async callStatus(callId: string): Promise<string> {
    try {
      return foldCallEvents(await this.deps.store.readStream(callStreamId(callId))).status;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return 'none';
      throw error;
    }
  }
}

function callRequestedOf(event: RecordedEvent): CallRequested {
  const decoded = callEventFromRecord(event);
  if (decoded.event.case !== 'callRequested') {
    throw new TypeError(`expected a CallRequested event, got ${event.type} (${event.eventId})`);
  }
  return decoded.event.value;
}
