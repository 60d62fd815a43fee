import { type NatsConnection } from '@nats-io/transport-node';
import { type INestApplication } from '@nestjs/common';
import { connectEventConsumers, type EventConsumers } from '@ringbus/bus';
import { streamCategoryFilter } from '@ringbus/event-wire';
import { NATS_CONNECTION, PinoNestLogger, SERVICE_LOGGER, type ServiceLogger } from '@ringbus/service-kit';
import { type SignalingConfig } from '../../config.js';

/**
 * Connects the durable consumer that keeps `signaling_live_call` current (one durable shared by every
 * signaling instance: the others are hot standbys) to `app`, which it initialises first.
 */
export async function consumeLiveCallEvents(
  app: INestApplication,
  config: SignalingConfig,
): Promise<EventConsumers> {
  await app.init();
  const logger = app.get<ServiceLogger>(SERVICE_LOGGER);
  return connectEventConsumers(app, {
    connection: app.get<NatsConnection>(NATS_CONNECTION),
    streamName: config.EVENTS_STREAM_NAME,
    transports: [
      {
        subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
        durableName: config.EVENTS_DURABLE_NAME,
        // Only call streams: NATS 2.9 consumers take one filter subject.
        filterSubject: streamCategoryFilter('call', { prefix: config.EVENTS_SUBJECT_PREFIX }),
        deadLetter: { stream: config.DEAD_LETTER_STREAM, subjectPrefix: config.DEAD_LETTER_SUBJECT_PREFIX },
        logger: new PinoNestLogger(logger.child({ component: 'live-call-consumer' })),
      },
    ],
    log: logger,
    purpose: 'projecting live calls',
  });
}
