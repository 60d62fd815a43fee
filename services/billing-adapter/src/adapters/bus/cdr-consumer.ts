import { type NatsConnection } from '@nats-io/transport-node';
import { type INestApplication } from '@nestjs/common';
import { connectEventConsumers, type EventConsumers } from '@ringbus/bus';
import { streamCategoryFilter } from '@ringbus/event-wire';
import { NATS_CONNECTION, PinoNestLogger, SERVICE_LOGGER, type ServiceLogger } from '@ringbus/service-kit';
import { type BillingAdapterConfig } from '../../config.js';

/**
 * Connects the durable consumer that projects CDRs (one durable shared by every billing-adapter
 * instance) to `app`, which it initialises first.
 */
export async function consumeCdrEvents(
  app: INestApplication,
  config: BillingAdapterConfig,
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
        // Every event of every call stream: the CDR counts them all.
        filterSubject: streamCategoryFilter('call', { prefix: config.EVENTS_SUBJECT_PREFIX }),
        // A call event type this code does not know is kept for inspection, not silently acked.
        unhandled: 'dead-letter',
        deadLetter: { stream: config.DEAD_LETTER_STREAM, subjectPrefix: config.DEAD_LETTER_SUBJECT_PREFIX },
        logger: new PinoNestLogger(logger.child({ component: 'cdr-consumer' })),
      },
    ],
    log: logger,
    purpose: 'projecting CDRs',
  });
}
