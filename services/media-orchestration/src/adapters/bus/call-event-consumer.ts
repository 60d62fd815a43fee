import { type NatsConnection } from '@nats-io/transport-node';
import { type INestApplication } from '@nestjs/common';
import { JetStreamEventTransport, waitForEventsStream } from '@ringbus/bus';
import { streamCategoryFilter } from '@ringbus/event-wire';
import { NATS_CONNECTION, PinoNestLogger, SERVICE_LOGGER, type ServiceLogger } from '@ringbus/service-kit';
import { type MediaOrchestrationConfig } from '../../config.js';

export interface CallEventConsumer {
  /** Settles once the durable consumer runs; rejects when it cannot start for a reason waiting won't fix. */
  readonly started: Promise<void>;
}

/**
 * Connects the service's durable JetStream consumer of call events to `app` (initialising the app
 * first, so the gateways are up and lost calls ended before the first event). The events stream belongs
 * to the relay: until it exists the consumer waits for it in the background, so the service still starts
 * and answers /healthz before the relay ever ran.
 */
export async function consumeCallEvents(
  app: INestApplication,
  config: MediaOrchestrationConfig,
): Promise<CallEventConsumer> {
  await app.init();
  const nats = app.get<NatsConnection>(NATS_CONNECTION);
  const logger = app.get<ServiceLogger>(SERVICE_LOGGER);
  app.connectMicroservice({
    strategy: new JetStreamEventTransport({
      connection: nats,
      streamName: config.EVENTS_STREAM_NAME,
      subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
      durableName: config.EVENTS_DURABLE_NAME,
      ackWaitMs: config.EVENTS_ACK_WAIT_MS,
      // Only call streams: NATS 2.9 consumers take one filter subject.
      filterSubject: streamCategoryFilter('call', { prefix: config.EVENTS_SUBJECT_PREFIX }),
      logger: new PinoNestLogger(logger.child({ component: 'call-event-consumer' })),
    }),
  });
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
      'consuming call events',
    );
  })();
  return { started };
}
