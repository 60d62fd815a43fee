import { HoldMediaDirection } from '@ringbus/proto';
import { type ServiceLogger } from '@ringbus/service-kit';
import { JanusPluginRefusedError } from '../domain/errors.js';
import {
  DONE,
  JANUS_SIP_ERROR,
  legRequestProblem,
  refused,
  type LegRequest,
  type LegRequestOutcome,
} from '../domain/leg-request.js';
import { type SipLegEvent } from '../domain/sip-leg-event.js';
import {
  type CallEnding,
  endSipLeg,
  initialSipLegState,
  acceptSipLeg,
  declineSipLeg,
  gatewayLost,
  requestSipLegHangup,
  startSipLegRenegotiation,
  type CallUpdate,
  type SipLegState,
  type SipLegStep,
  systemFailure,
  translateSipLegEventInOrder,
} from '../domain/sip-leg-translation.js';
import { type CallRecorder, type RecordedCall } from './call-recorder.js';
import { type LiveCallClaims, type SipLine } from './ports.js';

export interface LiveCallDeps {
  readonly recorder: CallRecorder;
  readonly claims: LiveCallClaims;
  readonly logger: ServiceLogger;
  /** Called once, when the call's end is recorded (or given up on) and its line released. */
  readonly onFinished: (call: LiveCall) => void;
  /** How long to wait for Janus's `hangup` after we asked for one before letting the leg go anyway. */
  readonly hangupGraceMs: number;
}

// SIP 603 Decline: our user turned the call down.
const DECLINE = 603;

const PROGRESS_UPDATES: ReadonlySet<CallUpdate['kind']> = new Set([
  'invite-sent',
  'ringing',
  'early-media',
  'answered',
]);

/**
 * One call this instance carries, outgoing or incoming: its Janus SIP line, the translation state of its
 * Janus events, and a queue that records the resulting call updates one after another, in the order Janus
 * reported them.
 */
export class LiveCall {
  private leg: SipLegState;
  private line: SipLine | undefined;
  private recording: Promise<void> = Promise.resolve();
  private finishing: Promise<void> | undefined;
  private hangupGuard: NodeJS.Timeout | undefined;
  private requests: Promise<unknown> = Promise.resolve();
  private held = false;
  // Candidates the softphone trickled before the call's Janus handle existed; Janus queues them itself
  // until the offer arrives, so they go out as soon as the handle does.
  private earlyCandidates: (Readonly<Record<string, unknown>> | undefined)[] = [];
  private markFinished: () => void = () => undefined;
  private readonly whenFinished = new Promise<void>((resolve) => {
    this.markFinished = resolve;
  });

  constructor(
    readonly call: RecordedCall,
    private readonly deps: LiveCallDeps,
    /** `offeredSipLegState` for an incoming call. */
    initialLeg: SipLegState = initialSipLegState,
  ) {
    this.leg = initialLeg;
  }

  get callId(): string {
    return this.call.callId;
  }

  get hasEnded(): boolean {
    return this.leg.stage === 'ended';
  }

  /** Ended, or asked to hang up: nothing new (an INVITE) should start on the line any more. */
  get isEnding(): boolean {
    return this.hasEnded || this.leg.hangupRequested;
  }

  /** Starts following the line's events. */
  attach(line: SipLine): void {
    this.line = line;
    line.onEvent((event) => this.onLegEvent(event));
    const early = this.earlyCandidates.splice(0);
    if (early.length > 0) {
      this.requests = this.requests.then(async () => {
        for (const candidate of early) {
          await line
            .trickle(candidate)
            .catch((error: unknown) =>
              this.deps.logger.warn(
                { callId: this.callId, err: error },
                'Janus did not take an early candidate',
              ),
            );
        }
      });
    }
  }

  /** Settles once every update seen so far is recorded. */
  recorded(): Promise<void> {
    return this.recording;
  }

  /** Settles once the call's end is recorded and its line released. */
  finished(): Promise<void> {
    return this.whenFinished;
  }

  /** Ends the call for a reason found outside Janus's events. The first ending wins. */
  end(ending: CallEnding): void {
    this.apply(endSipLeg(this.leg, ending), Date.now());
  }

  /**
   * Ends the call because this instance lets go of it (it is stopping): records `ending`, then asks Janus
   * to hang up so the carrier gets a BYE or CANCEL rather than a dialog that dies silently.
   */
  async abandon(ending: CallEnding): Promise<void> {
    const wasLive = !this.hasEnded;
    const unanswered = this.leg.direction === 'incoming' && this.leg.stage === 'offered';
    this.end(ending);
    if (wasLive)
      await (unanswered ? this.line?.decline(DECLINE) : this.line?.hangup())?.catch(() => undefined);
    await this.finished();
  }

  /**
   * The call ended elsewhere (our user hung up; the stream says so): ask Janus to hang up, which sends
   * BYE or CANCEL. Janus's `hangup` event then ends the leg here.
   */
  async hangUp(): Promise<void> {
    if (this.hasEnded) return;
    const line = this.line;
    if (line === undefined) {
      this.end(systemFailure('the call ended before its SIP line was open'));
      return;
    }
    const declining = this.leg.direction === 'incoming' && this.leg.stage === 'offered';
    // An incoming call not answered yet is declined (603): Janus has no hang-up for it.
    this.leg = declining ? declineSipLeg(this.leg, DECLINE) : requestSipLegHangup(this.leg);
    try {
      await (declining ? line.decline(DECLINE) : line.hangup());
    } catch (error) {
      this.deps.logger.warn({ callId: this.callId, err: error }, 'Janus did not take our hang-up');
      this.end(systemFailure(`hanging up through Janus failed: ${(error as Error).message}`));
      return;
    }
    clearTimeout(this.hangupGuard);
    this.hangupGuard = setTimeout(
      () => this.end(systemFailure('Janus confirmed no hang-up in time')),
      this.deps.hangupGraceMs,
    );
    this.hangupGuard.unref();
  }

  /**
   * Carries out one of signaling's requests on the call's Janus leg, after the requests before it (DTMF
   * digits stay in order, a hold does not overtake an update). What Janus then did is recorded as the
   * call's events, in the same queue as Janus's own events.
   */
  perform(request: LegRequest): Promise<LegRequestOutcome> {
    const outcome = this.requests.then(() => this.carryOut(request));
    this.requests = outcome.catch(() => undefined);
    return outcome;
  }

  private async carryOut(request: LegRequest): Promise<LegRequestOutcome> {
    const problem = legRequestProblem(request);
    if (problem !== undefined) return problem;
    if (request.kind === 'hang-up') {
      await this.hangUp();
      return DONE;
    }
    const line = this.line;
    if (request.kind === 'trickle' && line === undefined && !this.hasEnded) {
      this.earlyCandidates.push(request.candidate);
      return DONE;
    }
    if (this.hasEnded || line === undefined) {
      return refused(JANUS_SIP_ERROR.wrongState, 'Wrong state (the call has ended)');
    }
    const answeredOnly = (): LegRequestOutcome | undefined =>
      this.leg.stage === 'answered'
        ? undefined
        : refused(JANUS_SIP_ERROR.wrongState, `Wrong state (the call is not answered: ${this.leg.stage})`);
    const offeredOnly = (): LegRequestOutcome | undefined =>
      this.leg.direction === 'incoming' && this.leg.stage === 'offered' && this.leg.declinedWith === undefined
        ? undefined
        : refused(JANUS_SIP_ERROR.wrongState, `Wrong state (not an incoming call waiting for an answer)`);
    try {
      switch (request.kind) {
        case 'hold': {
          const notNow = answeredOnly();
          if (notNow !== undefined) return notNow;
          await line.hold(janusHoldDirection(request.mediaDirection));
          this.held = true;
          return this.recordThenDone({ kind: 'held', mediaDirection: request.mediaDirection });
        }
        case 'unhold': {
          const notNow = answeredOnly();
          if (notNow !== undefined) return notNow;
          await line.unhold();
          this.held = false;
          return this.recordThenDone({ kind: 'resumed' });
        }
        case 'dtmf': {
          const notNow = answeredOnly();
          if (notNow !== undefined) return notNow;
          if (this.held) return refused(JANUS_SIP_ERROR.wrongState, 'Wrong state (the call is on hold)');
          const digits = request.digits.toUpperCase();
          for (const digit of digits) await line.sendDtmfDigit(digit, request.durationMs);
          return this.recordThenDone({ kind: 'dtmf-sent', digits });
        }
        case 'renegotiate': {
          const notNow = answeredOnly();
          if (notNow !== undefined) return notNow;
          // Before the request: Janus's answer may arrive right behind its `updating`.
          this.leg = startSipLegRenegotiation(this.leg, request.sdpOffer);
          await line.update(request.sdpOffer);
          return DONE;
        }
        case 'trickle':
          await line.trickle(request.candidate);
          return DONE;
        case 'accept': {
          const notNow = offeredOnly();
          if (notNow !== undefined) return notNow;
          this.leg = acceptSipLeg(this.leg, request.sdpAnswer);
          await line.accept(request.sdpAnswer);
          return DONE;
        }
        case 'decline': {
          const notNow = offeredOnly();
          if (notNow !== undefined) return notNow;
          const code = request.sipCode === 0 ? DECLINE : request.sipCode;
          this.leg = declineSipLeg(this.leg, code);
          await line.decline(code);
          return DONE;
        }
      }
    } catch (error) {
      if (error instanceof JanusPluginRefusedError) return refused(error.pluginErrorCode, error.pluginError);
      this.deps.logger.warn(
        { callId: this.callId, request: request.kind, err: error },
        'Janus did not do it',
      );
      return refused(503, `Service Unavailable (the Janus gateway did not complete ${request.kind})`);
    }
  }

  /**
   * Records what Janus just did and answers `done` once it is in the stream: signaling's ack then means
   * the fact is stored, so whatever the softphone asks next (a hangup) finds it there, in order.
   */
  private async recordThenDone(update: CallUpdate): Promise<LegRequestOutcome> {
    this.record(update);
    await this.recording;
    return DONE;
  }

  /** Records a fact found outside Janus's events (CallOffered, a hold Janus took), in the call's queue. */
  record(update: CallUpdate): void {
    this.apply({ state: this.leg, update }, Date.now());
  }

  private onLegEvent(event: SipLegEvent): void {
    const at = Date.now();
    for (const step of translateSipLegEventInOrder(this.leg, event)) this.apply(step, at);
  }

  private apply(step: SipLegStep, occurredAtMs: number): void {
    this.leg = step.state;
    const update = step.update;
    if (update === undefined) return;
    this.recording = this.recording.then(async () => {
      let outcome: Awaited<ReturnType<CallRecorder['record']>>;
      try {
        outcome = await this.deps.recorder.record(update, this.call, occurredAtMs);
      } catch (error) {
        this.deps.logger.error(
          { callId: this.callId, update: update.kind, err: error },
          'could not record a call update; the claim stays, so a restart ends the call',
        );
        if (update.kind === 'ended') await this.finish(false);
        return;
      }
      if (update.kind === 'ended') await this.finish(true);
      // The stream refused the call's progress: it ended meanwhile (our user hung up as the callee
      // answered). A refused hold or DTMF record changes nothing on the SIP side: it is only logged.
      else if (outcome === 'rejected' && PROGRESS_UPDATES.has(update.kind)) await this.hangUp();
    });
  }

  private finish(dropClaim: boolean): Promise<void> {
    this.finishing ??= (async () => {
      clearTimeout(this.hangupGuard);
      await this.line?.release();
      if (dropClaim) {
        await this.deps.claims
          .release(this.callId)
          .catch((error: unknown) =>
            this.deps.logger.warn(
              { callId: this.callId, err: error },
              'could not drop the claim of an ended call',
            ),
          );
      }
      this.deps.onFinished(this);
      this.markFinished();
    })();
    return this.finishing;
  }
}

function janusHoldDirection(direction: HoldMediaDirection): 'sendonly' | 'recvonly' | 'inactive' {
  switch (direction) {
    case HoldMediaDirection.RECVONLY:
      return 'recvonly';
    case HoldMediaDirection.INACTIVE:
      return 'inactive';
    case HoldMediaDirection.SENDONLY:
    case HoldMediaDirection.UNSPECIFIED:
      return 'sendonly';
  }
}

/**
 * Lets every live call of `calls` go because this instance stops: each ends as GATEWAY_LOST (its Janus
 * session closes with our connection) and Janus is asked to hang up; calls that had ended already finish
 * releasing their lines. Returns how many live calls it ended.
 */
export async function letCallsGo(calls: Iterable<LiveCall>): Promise<number> {
  const all = [...calls];
  const live = all.filter((call) => !call.hasEnded);
  await Promise.all(
    live.map((call) =>
      call.abandon(gatewayLost('media-orchestration stopped; the Janus session of the call closed with it')),
    ),
  );
  await Promise.all(all.map((call) => call.finished()));
  return live.length;
}
