import { type NatsConnection } from '@nats-io/transport-node';
import { type INestApplication } from '@nestjs/common';
import { JetStreamEventTransport, waitForEventsStream } from '@ringbus/bus';
import { eventTypeFilter } from '@ringbus/event-wire';
import { NATS_CONNECTION, PinoNestLogger, SERVICE_LOGGER, type ServiceLogger } from '@ringbus/service-kit';
import { type PushConfig } from '../../config.js';

export interface PushConsumer {
  /** Settles once the consumer and the command subscriptions run (or the service stopped first). */
  readonly started: Promise<void>;
}

/**
 * Connects the durable consumer of `CallOffered` and the token command subscriptions (one transport)
 * to `app`, which it initialises first. Until the relay created the events stream it waits in the
 * background; the token commands are answered from then on too.
 */
export async function consumePushEvents(app: INestApplication, config: PushConfig): Promise<PushConsumer> {
  await app.init();
  const nats = app.get<NatsConnection>(NATS_CONNECTION);
  const logger = app.get<ServiceLogger>(SERVICE_LOGGER);
  // BusExceptionFilter is bound on the controller (see push-bus.controller.ts).
  app.connectMicroservice({
    strategy: new JetStreamEventTransport({
      connection: nats,
      streamName: config.EVENTS_STREAM_NAME,
      subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
      durableName: config.EVENTS_DURABLE_NAME,
      filterSubject: eventTypeFilter('CallOffered', config.EVENTS_SUBJECT_PREFIX),
      // Pushes are retried inside the handler while the call rings; a bus redelivery comes after
      // ack_wait at the earliest and only runs what was not claimed (database trouble).
      backoffMs: [1_000, 2_000, 5_000],
      deadLetter: { stream: config.DEAD_LETTER_STREAM, subjectPrefix: config.DEAD_LETTER_SUBJECT_PREFIX },
      logger: new PinoNestLogger(logger.child({ component: 'push-consumer' })),
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
    logger.info({ stream, durable: config.EVENTS_DURABLE_NAME }, 'pushing incoming calls');
  })();
  return { started };
}
