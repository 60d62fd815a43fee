import { type NatsConnection } from '@nats-io/transport-node';
import { type INestApplication } from '@nestjs/common';
import { JetStreamEventTransport, waitForEventsStream } from '@ringbus/bus';
import { eventTypeFilter } from '@ringbus/event-wire';
import { NATS_CONNECTION, PinoNestLogger, SERVICE_LOGGER, type ServiceLogger } from '@ringbus/service-kit';
import { type MediaOrchestrationConfig } from '../../config.js';

/** The event types handled (call-events.controller.ts), each on its own durable `<EVENTS_DURABLE_NAME>-<suffix>`. */
const CONSUMED_EVENT_TYPES = [
  { type: 'CallRequested', suffix: 'requested' },
  { type: 'CallEnded', suffix: 'ended' },
] as const;

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
  // One durable per event type the service acts on, each filtered to its type (NATS 2.9 takes one filter
  // subject per consumer): the one that places calls sees one message per call instead of every event of
  // every call, and a burst of call ends never queues in front of new calls.
  for (const { type, suffix } of CONSUMED_EVENT_TYPES) {
    app.connectMicroservice({
      strategy: new JetStreamEventTransport({
        connection: nats,
        streamName: config.EVENTS_STREAM_NAME,
        subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
        durableName: `${config.EVENTS_DURABLE_NAME}-${suffix}`,
        ackWaitMs: config.EVENTS_ACK_WAIT_MS,
        filterSubject: eventTypeFilter(type, config.EVENTS_SUBJECT_PREFIX),
        logger: new PinoNestLogger(logger.child({ component: 'call-event-consumer', type })),
      }),
    });
  }
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
      {
        stream: config.EVENTS_STREAM_NAME,
        durables: CONSUMED_EVENT_TYPES.map(({ suffix }) => `${config.EVENTS_DURABLE_NAME}-${suffix}`),
      },
      'consuming call events',
    );
  })();
  return { started };
}
