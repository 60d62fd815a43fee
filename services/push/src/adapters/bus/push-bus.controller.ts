import { Controller, Inject, type Type, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BusExceptionFilter, EventTypePattern } from '@ringbus/bus';
import { type RecordedEvent } from '@ringbus/event-store';
import { callEventFromRecord } from '@ringbus/proto';
import { CallOfferedUnreadableError } from '../../app/errors.js';
import { IncomingCallPusher, type PushReport } from '../../app/incoming-call-pusher.js';
import {
  PushTokenCommands,
  type RegisterPushTokenResult,
  type UnregisterPushTokenResult,
} from '../../app/push-token-commands.js';
import { incomingCallPushOf, type IncomingCallPush } from '../../domain/incoming-call-push.js';

/** The token command subjects under a prefix (default `ringbus.push`). */
export function pushTokenSubjects(prefix: string): {
  readonly register: string;
  readonly unregister: string;
} {
  return { register: `${prefix}.tokens.register`, unregister: `${prefix}.tokens.unregister` };
}

/** Reads a delivered `CallOffered` into what a push needs; unreadable data is dead-lettered. */
export function incomingCallPushOfEvent(event: RecordedEvent): IncomingCallPush {
  let decoded;
  try {
    decoded = callEventFromRecord(event);
  } catch (cause) {
    throw new CallOfferedUnreadableError(
      event.eventId,
      cause instanceof Error ? cause.message : String(cause),
      { cause },
    );
  }
  if (decoded.event.case !== 'callOffered') {
    throw new CallOfferedUnreadableError(event.eventId, `it decodes as ${decoded.event.case ?? 'nothing'}`);
  }
  const offered = decoded.event.value;
  return incomingCallPushOf({
    eventId: event.eventId,
    tenant: event.metadata.tenant,
    occurredAt: event.metadata.occurredAt,
    callId: offered.callId,
    userId: offered.userId,
    caller: offered.caller,
    callerDisplayName: offered.callerDisplayName,
    carrierSipCallId: offered.carrierSipCallId,
  });
}

/**
 * The push service on the bus: `CallOffered` from the durable consumer, token commands over
 * request/reply. Built per configuration because Nest reads command subjects from decorators.
 *
 * `BusExceptionFilter` is bound here, not with `useGlobalFilters`: a microservice joined to an app with
 * `connectMicroservice` builds its handlers (and their exception filters) at once, before any global
 * filter set on it afterwards, so rejections and dead letters would lose their code.
 */
export function pushBusController(subjects: {
  readonly register: string;
  readonly unregister: string;
}): Type {
  @Controller()
  @UseFilters(new BusExceptionFilter())
  class PushBusController {
    constructor(
      @Inject(IncomingCallPusher) private readonly pusher: IncomingCallPusher,
      @Inject(PushTokenCommands) private readonly commands: PushTokenCommands,
    ) {}

    @EventTypePattern('CallOffered')
    onCallOffered(@Payload() event: RecordedEvent): Promise<PushReport> {
      return this.pusher.push(incomingCallPushOfEvent(event));
    }

    @MessagePattern(subjects.register)
    register(@Payload() payload: unknown): Promise<RegisterPushTokenResult> {
      return this.commands.register(payload);
    }

    @MessagePattern(subjects.unregister)
    unregister(@Payload() payload: unknown): Promise<UnregisterPushTokenResult> {
      return this.commands.unregister(payload);
    }
  }
  return PushBusController;
}
