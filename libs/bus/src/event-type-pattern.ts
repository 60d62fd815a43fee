import { EventPattern } from '@nestjs/microservices';
import { JETSTREAM_EVENT_TRANSPORT } from './transport-id.js';

/**
 * `@EventPattern(eventType)` bound to the Ringbus transport. Nest 12's typed `EventPattern` overload types
 * every handler parameter after the payload as `unknown`, so a handler taking
 * `@Ctx() context: JetStreamEventContext` must be declared with `@EventPattern<string>('CallEnded')` —
 * or with this, which says the same thing.
 */
export function EventTypePattern(eventType: string): MethodDecorator {
  return EventPattern<string>(eventType, JETSTREAM_EVENT_TRANSPORT);
}
