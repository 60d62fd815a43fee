import { randomBytes } from 'node:crypto';
import { type ServiceLogger } from '@ringbus/service-kit';
import { userOfSipUri } from '../domain/sip-target.js';
import { offeredSipLegState, systemFailure } from '../domain/sip-leg-translation.js';
import { type CallRecorder, type RecordedCall } from './call-recorder.js';
import { LiveCall, letCallsGo } from './live-call.js';
import {
  type IncomingSipCall,
  type LiveCallClaims,
  type MediaCallInbox,
  type MediaCallMailbox,
  type RegisteredAccount,
} from './ports.js';

export interface IncomingCallDeps {
  readonly recorder: CallRecorder;
  readonly claims: LiveCallClaims;
  readonly inbox: MediaCallInbox;
  readonly logger: ServiceLogger;
  /** UUIDv7 call ids. */
  readonly newId: () => string;
  readonly instanceId: string;
  readonly hangupGraceMs: number;
}

/**
 * The incoming call path: an INVITE that reached a registered account becomes a call of its own (a new
 * Ringbus call id; the carrier's Call-ID is recorded beside it, never trusted as unique), recorded as
 * CallOffered, with its Janus handle's events recorded from then on and signaling's requests (accept,
 * decline, hang up, ...) taken on the call's subject.
 */
export class IncomingCallReception {
  private readonly live = new Map<string, LiveCall>();
  private stopping = false;

  constructor(private readonly deps: IncomingCallDeps) {}

  /** Takes one incoming call; settles once CallOffered is recorded (or the call's failure is). */
  async receive(account: RegisteredAccount, incoming: IncomingSipCall): Promise<void> {
    const callId = this.deps.newId();
    const logger = this.deps.logger.child({ callId, carrierSipCallId: incoming.carrierSipCallId });
    const context = { tenant: account.tenant, traceparent: newTraceparent(), correlationId: callId };
    const call: RecordedCall = {
      callId,
      sipCallId: incoming.carrierSipCallId,
      gatewayId: incoming.line.gatewayId,
      region: incoming.line.region,
      context,
    };
    let mailbox: MediaCallMailbox | undefined;
    const live = new LiveCall(
      call,
      {
        recorder: this.deps.recorder,
        claims: this.deps.claims,
        logger,
        hangupGraceMs: this.deps.hangupGraceMs,
        onFinished: (finished) => {
          mailbox?.close();
          if (this.live.get(finished.callId) === finished) this.live.delete(finished.callId);
        },
      },
      offeredSipLegState,
    );
    live.attach(incoming.line);
    if (this.stopping) {
      // Nobody will carry the call: the carrier hears 603 rather than ringing into the void.
      await live.hangUp();
      return;
    }
    this.live.set(callId, live);
    try {
      await this.deps.claims.claim(callId, {
        callId,
        instanceId: this.deps.instanceId,
        gatewayId: call.gatewayId,
        sipCallId: call.sipCallId,
        ...context,
      });
      mailbox = await this.deps.inbox.open(callId, (request) => live.perform(request));
      live.record({
        kind: 'offered',
        offer: {
          userId: account.userId,
          caller: userOfSipUri(incoming.caller),
          callerDisplayName: incoming.callerDisplayName,
          callee: userOfSipUri(incoming.callee),
          sdpOffer: incoming.sdpOffer,
          carrierSipCallId: incoming.carrierSipCallId,
        },
      });
      logger.info({ userId: account.userId, gatewayId: call.gatewayId }, 'incoming call offered');
    } catch (error) {
      logger.warn({ err: error }, 'could not take the incoming call; declining it');
      live.end(systemFailure(`taking the incoming call failed: ${(error as Error).message}`));
      await incoming.line.decline(500).catch(() => undefined);
    }
    await live.recorded();
  }

  /** Lets every incoming call go (this instance stops), as OutgoingCallPlacement.stop does. */
  async stop(): Promise<number> {
    this.stopping = true;
    return letCallsGo(this.live.values());
  }
}

/** A new W3C trace for a call that starts at the carrier (version 00, sampled). */
function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}
