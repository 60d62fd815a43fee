import { type NatsConnection } from '@nats-io/transport-node';
import { type INestApplication } from '@nestjs/common';
import { BusExceptionFilter, JetStreamEventTransport, waitForEventsStream } from '@ringbus/bus';
import { streamCategoryFilter } from '@ringbus/event-wire';
import { NATS_CONNECTION, PinoNestLogger, SERVICE_LOGGER, type ServiceLogger } from '@ringbus/service-kit';
import { type SignalingConfig } from '../../config.js';

export interface LiveCallConsumer {
  /** Settles once the durable consumer runs (or the service stopped first); rejects when it cannot start. */
  readonly started: Promise<void>;
}

/**
 * Connects the durable consumer that keeps `signaling_live_call` current (one durable shared by every
 * signaling instance: the others are hot standbys) to `app`, which it initialises first. Until the relay
 * created the events stream, it waits in the background.
 */
export async function consumeLiveCallEvents(
  app: INestApplication,
  config: SignalingConfig,
): Promise<LiveCallConsumer> {
  await app.init();
  const nats = app.get<NatsConnection>(NATS_CONNECTION);
  const logger = app.get<ServiceLogger>(SERVICE_LOGGER);
  const microservice = app.connectMicroservice({
    strategy: new JetStreamEventTransport({
      connection: nats,
      streamName: config.EVENTS_STREAM_NAME,
      subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
      durableName: config.EVENTS_DURABLE_NAME,
      // Only call streams: NATS 2.9 consumers take one filter subject.
      filterSubject: streamCategoryFilter('call', { prefix: config.EVENTS_SUBJECT_PREFIX }),
      deadLetter: { stream: config.DEAD_LETTER_STREAM, subjectPrefix: config.DEAD_LETTER_SUBJECT_PREFIX },
      logger: new PinoNestLogger(logger.child({ component: 'live-call-consumer' })),
    }),
  });
  microservice.useGlobalFilters(new BusExceptionFilter());
  const started = (async () => {
    const stream = config.EVENTS_STREAM_NAME;
    if (
      !(await waitForEventsStream(nats, stream, {
        onFirstMiss: (err) =>
          logger.warn(
            { stream: stream, err },
            'the events stream is not there yet (the relay creates it); waiting',
          ),
      }))
    )
      return;
    await app.startAllMicroservices();
    logger.info(
      { stream: config.EVENTS_STREAM_NAME, durable: config.EVENTS_DURABLE_NAME },
      'projecting live calls',
    );
  })();
  return { started };
}
