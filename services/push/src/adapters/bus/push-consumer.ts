import { type NatsConnection } from '@nats-io/transport-node';
import { type INestApplication } from '@nestjs/common';
import { connectEventConsumers, type EventConsumers } from '@ringbus/bus';
import { eventTypeFilter } from '@ringbus/event-wire';
import { NATS_CONNECTION, PinoNestLogger, SERVICE_LOGGER, type ServiceLogger } from '@ringbus/service-kit';
import { type PushConfig } from '../../config.js';

/**
 * Connects the durable consumer of `CallOffered` and the token command subscriptions (one transport)
 * to `app`, which it initialises first. The token commands are answered once the events stream exists
 * (the transport starts then). BusExceptionFilter is bound on the controller (push-bus.controller.ts).
 */
export async function consumePushEvents(app: INestApplication, config: PushConfig): Promise<EventConsumers> {
  await app.init();
  const logger = app.get<ServiceLogger>(SERVICE_LOGGER);
  return connectEventConsumers(app, {
    connection: app.get<NatsConnection>(NATS_CONNECTION),
    streamName: config.EVENTS_STREAM_NAME,
    transports: [
      {
        subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
        durableName: config.EVENTS_DURABLE_NAME,
        filterSubject: eventTypeFilter('CallOffered', config.EVENTS_SUBJECT_PREFIX),
        // Pushes are retried inside the handler while the call rings; a bus redelivery comes after
        // ack_wait at the earliest and only runs what was not claimed (database trouble).
        backoffMs: [1_000, 2_000, 5_000],
        deadLetter: { stream: config.DEAD_LETTER_STREAM, subjectPrefix: config.DEAD_LETTER_SUBJECT_PREFIX },
        logger: new PinoNestLogger(logger.child({ component: 'push-consumer' })),
      },
    ],
    log: logger,
    purpose: 'pushing incoming calls',
  });
}
