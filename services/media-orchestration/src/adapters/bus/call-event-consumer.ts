import { type NatsConnection } from '@nats-io/transport-node';
import { type INestApplication } from '@nestjs/common';
import { connectEventConsumers, type EventConsumers } from '@ringbus/bus';
import { eventTypeFilter } from '@ringbus/event-wire';
import { NATS_CONNECTION, PinoNestLogger, SERVICE_LOGGER, type ServiceLogger } from '@ringbus/service-kit';
import { type MediaOrchestrationConfig } from '../../config.js';

/** The event types handled (call-events.controller.ts), each on its own durable `<EVENTS_DURABLE_NAME>-<suffix>`. */
const CONSUMED_EVENT_TYPES = [
  { type: 'CallRequested', suffix: 'requested' },
  { type: 'CallEnded', suffix: 'ended' },
] as const;

/**
 * Connects the service's durable JetStream consumers of call events to `app` (initialising the app
 * first, so the gateways are up and lost calls ended before the first event).
 */
export async function consumeCallEvents(
  app: INestApplication,
  config: MediaOrchestrationConfig,
): Promise<EventConsumers> {
  await app.init();
  const logger = app.get<ServiceLogger>(SERVICE_LOGGER);
  return connectEventConsumers(app, {
    connection: app.get<NatsConnection>(NATS_CONNECTION),
    streamName: config.EVENTS_STREAM_NAME,
    // One durable per event type the service acts on, each filtered to its type (NATS 2.9 takes one
    // filter subject per consumer): the one that places calls sees one message per call instead of every
    // event of every call, and a burst of call ends never queues in front of new calls.
    transports: CONSUMED_EVENT_TYPES.map(({ type, suffix }) => ({
      subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
      durableName: `${config.EVENTS_DURABLE_NAME}-${suffix}`,
      ackWaitMs: config.EVENTS_ACK_WAIT_MS,
      filterSubject: eventTypeFilter(type, config.EVENTS_SUBJECT_PREFIX),
      logger: new PinoNestLogger(logger.child({ component: 'call-event-consumer', type })),
    })),
    log: logger,
    purpose: 'consuming call events',
  });
}
