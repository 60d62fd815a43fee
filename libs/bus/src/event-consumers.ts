import { type NatsConnection } from '@nats-io/nats-core';
import { type INestApplication } from '@nestjs/common';
import { waitForEventsStream } from './events-stream-wait.js';
import { JetStreamEventTransport } from './jetstream-event-transport.js';
import { type JetStreamEventTransportOptions } from './transport-options.js';

/** What the start-up says in the service's log (pino's `(object, message)` order). */
export interface EventConsumerLog {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

export interface EventConsumersOptions {
  readonly connection: NatsConnection;
  /** The relay's stream every transport reads. */
  readonly streamName: string;
  /** One durable consumer each; `connection` and `streamName` come from above. */
  readonly transports: readonly Omit<JetStreamEventTransportOptions, 'connection' | 'streamName'>[];
  readonly log: EventConsumerLog;
  /** What the consumers do, for the log line once they run (e.g. "projecting CDRs"). */
  readonly purpose: string;
}

export interface EventConsumers {
  /** Settles once the consumers run (or the service stopped first); rejects when one cannot start. */
  readonly started: Promise<void>;
}

/**
 * Connects a service's durable JetStream consumers to `app` (already initialised) and starts them once
 * the events stream exists. The stream belongs to the relay: until it is there the consumers wait in the
 * background, so the service starts and answers /healthz before the relay ever ran.
 *
 * Bind `BusExceptionFilter` on the handling controllers (`@UseFilters`): a global filter set on a
 * microservice joined to an app comes too late to apply.
 */
export function connectEventConsumers(app: INestApplication, options: EventConsumersOptions): EventConsumers {
  const { connection, streamName, log } = options;
  for (const transport of options.transports) {
    app.connectMicroservice({
      strategy: new JetStreamEventTransport({ ...transport, connection, streamName }),
    });
  }
  const started = (async () => {
    const ready = await waitForEventsStream(connection, streamName, {
      onFirstMiss: (err) =>
        log.warn(
          { stream: streamName, err },
          'the events stream is not there yet (the relay creates it); waiting',
        ),
    });
    if (!ready) return;
    await app.startAllMicroservices();
    log.info(
      { stream: streamName, durables: options.transports.map((transport) => transport.durableName) },
      options.purpose,
    );
  })();
  return { started };
}
