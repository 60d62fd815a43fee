import { Controller, Inject, UseFilters } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { BusExceptionFilter, EventTypePattern } from '@ringbus/bus';
import { type RecordedEvent } from '@ringbus/event-store';
import { OutgoingCallPlacement } from './outgoing-call-placement.js';

/**
 * The call events media-orchestration acts on, from its durable consumer (one at a time, in order).
 * The filter hands handler errors to the transport unchanged (code, retryable) for its retries and dead
 * letters; it is set here because a hybrid app's microservice takes no global filter after `init()`.
 */
@Controller()
@UseFilters(new BusExceptionFilter())
export class CallEventsController {
  constructor(@Inject(OutgoingCallPlacement) private readonly placement: OutgoingCallPlacement) {}

  @EventTypePattern('CallRequested')
  onCallRequested(@Payload() event: RecordedEvent): Promise<void> {
    return this.placement.place(event);
  }

  @EventTypePattern('CallEnded')
  onCallEnded(@Payload() event: RecordedEvent): Promise<void> {
    return this.placement.endedElsewhere(event);
  }
}
