import { callIdOfStream } from '@ringbus/call-domain';
import { type RecordedEvent } from '@ringbus/event-store';
import { type ServiceLogger } from '@ringbus/service-kit';
import { decodeCallEvent } from './call-stream.js';
import { type IncomingPlacement } from '../domain/call-view.js';
import { type LiveCallProjectionStore, type MediaLegs, type SubscriberDirectory } from './ports.js';

/** The call event types the live-call table follows; the durable consumer acks every other one. */
export const PROJECTED_CALL_EVENT_TYPES = ['CallRequested', 'CallOffered', 'CallEnded'] as const;

/**
 * Keeps `signaling_live_call` in step with the call streams, for every signaling instance: a call's
 * client id, user and line from its first event until its CallEnded; and files each call under its user
 * (`signaling_user_call`, the index of the call history). Each event applies once (by event
 * id), in stream order, whatever the redeliveries. A socket that meets a call first places it the same
 * way (the placement is decided once per call, by whoever comes first).
 */
export class LiveCallProjection {
  constructor(
    private readonly store: LiveCallProjectionStore,
    private readonly subscribers: SubscriberDirectory,
    private readonly logger: ServiceLogger,
    /** Declines (486) an incoming call that finds every line of its user busy. */
    private readonly media: MediaLegs,
  ) {}

  async apply(event: RecordedEvent): Promise<void> {
    const callId = callIdOfStream(event.streamId);
    if (callId === undefined) return;
    const callEvent = decodeCallEvent(event);
    const tenant = event.metadata.tenant;
    switch (callEvent?.event.case) {
      case 'callRequested': {
        const requested = callEvent.event.value;
        await this.store.applyOnce(event.eventId, async (directory) => {
          const outcome = await directory.recordRequested({
            callId,
            tenant,
            userId: requested.userId,
            line: requested.line ?? null,
            clientCallId: requested.clientCallId,
          });
          if (outcome === 'conflict') {
            // Only a call requested around signaling's claim can get here; its events still reach the
            // softphone through the stream, but its client call id cannot be looked up.
            this.logger.warn({ callId, line: requested.line }, 'requested call collides with a live call');
          }
          await directory.indexUserCall({
            callId,
            tenant,
            userId: requested.userId,
            direction: 'outgoing',
            startedAt: new Date(event.metadata.occurredAt),
          });
        });
        return;
      }
      case 'callOffered': {
        const offered = callEvent.event.value;
        const subscriber = await this.subscribers.findSubscriber(tenant, offered.userId);
        let placement: IncomingPlacement | undefined;
        await this.store.applyOnce(event.eventId, async (directory) => {
          placement = await directory.placeIncoming({
            callId,
            tenant,
            userId: offered.userId,
            preferredLine: offered.line,
            lineCount: subscriber?.lines ?? 0,
            carrierSipCallId: offered.carrierSipCallId,
          });
          await directory.indexUserCall({
            callId,
            tenant,
            userId: offered.userId,
            direction: 'incoming',
            startedAt: new Date(event.metadata.occurredAt),
          });
        });
        if (placement?.line === null) await this.declineBusy(callId, event.metadata.traceparent);
        return;
      }
      case 'callEnded':
        await this.store.applyOnce(event.eventId, async (directory) => {
          await directory.forget(callId);
          await directory.markUserCallEnded(callId, new Date(event.metadata.occurredAt));
        });
        return;
      default:
        return;
    }
  }

  /**
   * Every line of the user is busy: the carrier gets 486 Busy Here (the softphone hears `missed_call`).
   * Only the delivery that placed the call declines it; a failure is logged and the call rings on until
   * the carrier gives up, which no retry here could make better.
   */
  private async declineBusy(callId: string, traceparent: string): Promise<void> {
    try {
      const outcome = await this.media.request(
        callId,
        { case: 'decline', value: { sipCode: 486 } },
        traceparent,
      );
      this.logger.info({ callId, outcome: outcome.kind }, 'incoming call with no free line declined busy');
    } catch (error) {
      this.logger.warn({ callId, err: error }, 'could not decline an incoming call with no free line');
    }
  }
}
