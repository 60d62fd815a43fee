import { Controller, Inject, UseFilters } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { BusExceptionFilter, EventTypePattern } from '@ringbus/bus';
import { type RecordedEvent } from '@ringbus/event-store';
import { CdrProjection } from '../../app/cdr-projection.js';
import { storedCallEventOf } from '../event-store/event-store-call-events.js';

/**
 * The durable consumer's handlers: every call event type, because the CDR keeps the version of the
 * last event folded in. Each event is acked once its row is written. A type without a handler here (an
 * event newer than this code) is dead-lettered by the transport (`unhandled: 'dead-letter'`) and left
 * out of the fold when the call's next event re-reads the gap.
 */
// Bound here: `useGlobalFilters` on a microservice joined to an app comes too late to apply (see
// services/push/src/adapters/bus/push-bus.controller.ts), and typed errors would reach the bus as 500s.
@UseFilters(new BusExceptionFilter())
@Controller()
export class CdrEventsController {
  constructor(@Inject(CdrProjection) private readonly projection: CdrProjection) {}

  private async project(event: RecordedEvent): Promise<void> {
    await this.projection.apply(storedCallEventOf(event));
  }

  @EventTypePattern('CallRequested')
  onCallRequested(@Payload() event: RecordedEvent): Promise<void> {
    return this.project(event);
  }

  @EventTypePattern('CallOffered')
  onCallOffered(@Payload() event: RecordedEvent): Promise<void> {
    return this.project(event);
  }

  @EventTypePattern('SipInviteSent')
  onSipInviteSent(@Payload() event: RecordedEvent): Promise<void> {
    return this.project(event);
  }

  @EventTypePattern('Ringing')
  onRinging(@Payload() event: RecordedEvent): Promise<void> {
    return this.project(event);
  }

  @EventTypePattern('EarlyMedia')
  onEarlyMedia(@Payload() event: RecordedEvent): Promise<void> {
    return this.project(event);
  }

  @EventTypePattern('Answered')
  onAnswered(@Payload() event: RecordedEvent): Promise<void> {
    return this.project(event);
  }

  @EventTypePattern('HeldByUs')
  onHeldByUs(@Payload() event: RecordedEvent): Promise<void> {
    return this.project(event);
  }

  @EventTypePattern('Resumed')
  onResumed(@Payload() event: RecordedEvent): Promise<void> {
    return this.project(event);
  }

  @EventTypePattern('DtmfSent')
  onDtmfSent(@Payload() event: RecordedEvent): Promise<void> {
    return this.project(event);
  }

  @EventTypePattern('TransferRequested')
  onTransferRequested(@Payload() event: RecordedEvent): Promise<void> {
    return this.project(event);
  }

  @EventTypePattern('MediaRenegotiated')
  onMediaRenegotiated(@Payload() event: RecordedEvent): Promise<void> {
    return this.project(event);
  }

  @EventTypePattern('CallEnded')
  onCallEnded(@Payload() event: RecordedEvent): Promise<void> {
    return this.project(event);
  }
}

/** The types handled above; a unit test holds it equal to `callEventTypes`. */
export const CDR_HANDLED_EVENT_TYPES = [
  'CallRequested',
  'CallOffered',
  'SipInviteSent',
  'Ringing',
  'EarlyMedia',
  'Answered',
  'HeldByUs',
  'Resumed',
  'DtmfSent',
  'TransferRequested',
  'MediaRenegotiated',
  'CallEnded',
] as const;
