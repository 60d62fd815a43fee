import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/nats-core';
import { type ServiceLogger } from '@ringbus/service-kit';

const STREAM_POLL_MS = 2_000;

/**
 * True once the events stream exists; false when the connection closes first (the service is stopping).
 * The stream belongs to the relay: signaling waits for it rather than creating it, so it starts and
 * answers /healthz before the relay ever ran.
 */
export async function waitForEventsStream(
  nats: NatsConnection,
  stream: string,
  logger: ServiceLogger,
  stopped: () => boolean = () => false,
): Promise<boolean> {
  const jsm = await jetstreamManager(nats);
  for (let attempt = 0; !nats.isClosed() && !nats.isDraining() && !stopped(); attempt += 1) {
    try {
      await jsm.streams.info(stream);
      return true;
    } catch (error) {
      if (attempt === 0) {
        logger.warn(
          { stream, err: error },
          'the events stream is not there yet (the relay creates it); waiting',
        );
      }
    }
    await sleep(STREAM_POLL_MS, undefined, { ref: false });
  }
  return false;
}
