import { type NatsConnection } from '@nats-io/transport-node';
import { type INestApplication } from '@nestjs/common';
import { JetStreamEventTransport, waitForEventsStream } from '@ringbus/bus';
import { streamCategoryFilter } from '@ringbus/event-wire';
import { NATS_CONNECTION, PinoNestLogger, SERVICE_LOGGER, type ServiceLogger } from '@ringbus/service-kit';
import { type BillingAdapterConfig } from '../../config.js';

export interface CdrConsumer {
  /** Settles once the durable consumer runs (or the service stopped first); rejects when it cannot start. */
  readonly started: Promise<void>;
}

/**
 * Connects the durable consumer that projects CDRs (one durable shared by every billing-adapter
 * instance) to `app`, which it initialises first. Until the relay created the events stream, it waits
 * in the background.
 */
export async function consumeCdrEvents(
  app: INestApplication,
  config: BillingAdapterConfig,
): Promise<CdrConsumer> {
  await app.init();
  const nats = app.get<NatsConnection>(NATS_CONNECTION);
  const logger = app.get<ServiceLogger>(SERVICE_LOGGER);
  app.connectMicroservice({
    strategy: new JetStreamEventTransport({
      connection: nats,
      streamName: config.EVENTS_STREAM_NAME,
      subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
      durableName: config.EVENTS_DURABLE_NAME,
      // Every event of every call stream: the CDR counts them all.
      filterSubject: streamCategoryFilter('call', { prefix: config.EVENTS_SUBJECT_PREFIX }),
      // A call event type this code does not know is kept for inspection, not silently acked.
      unhandled: 'dead-letter',
      deadLetter: { stream: config.DEAD_LETTER_STREAM, subjectPrefix: config.DEAD_LETTER_SUBJECT_PREFIX },
      logger: new PinoNestLogger(logger.child({ component: 'cdr-consumer' })),
    }),
  });
  const started = (async () => {
    const stream = config.EVENTS_STREAM_NAME;
    const ready = await waitForEventsStream(nats, stream, {
      onFirstMiss: (err) =>
        logger.warn({ stream, err }, 'the events stream is not there yet (the relay creates it); waiting'),
    });
    if (!ready) return;
    await app.startAllMicroservices();
    logger.info({ stream, durable: config.EVENTS_DURABLE_NAME }, 'projecting CDRs');
  })();
  return { started };
}
