import { Controller, Inject, UseFilters } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { BusExceptionFilter, EventTypePattern } from '@ringbus/bus';
import { type RecordedEvent } from '@ringbus/event-store';
import { LiveCallProjection } from '../../app/live-call-projection.js';

/** The durable consumer's handlers: each event is acked once its projection effect committed. */
// Bound here: `useGlobalFilters` on a microservice joined to an app comes too late to apply (see
// services/push/src/adapters/bus/push-bus.controller.ts), and typed errors would reach the bus as 500s.
@UseFilters(new BusExceptionFilter())
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
