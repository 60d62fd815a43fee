import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { EventTypePattern } from '@ringbus/bus';
import { type RecordedEvent } from '@ringbus/event-store';
import { LiveCallProjection } from '../../app/live-call-projection.js';

/** The durable consumer's handlers: each event is acked once its projection effect committed. */
@Controller()
export class LiveCallProjectionController {
  constructor(@Inject(LiveCallProjection) private readonly projection: LiveCallProjection) {}

  @EventTypePattern('CallRequested')
  onCallRequested(@Payload() event: RecordedEvent): Promise<void> {
    return this.projection.apply(event);
  }

  @EventTypePattern('CallOffered')
  onCallOffered(@Payload() event: RecordedEvent): Promise<void> {
    return this.projection.apply(event);
  }

  @EventTypePattern('CallEnded')
  onCallEnded(@Payload() event: RecordedEvent): Promise<void> {
    return this.projection.apply(event);
  }
}
