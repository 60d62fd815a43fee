import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/nats-core';

const STREAM_POLL_MS = 2_000;

export interface EventsStreamWaitOptions {
  /** Ends the wait early (the caller is stopping). */
  readonly stopped?: () => boolean;
  /** Told once, on the first miss, so the wait is visible in logs. */
  readonly onFirstMiss?: (error: unknown) => void;
}

/**
 * True once the events stream exists; false when the connection closes or `stopped()` turns true first.
 * The stream belongs to the relay: a consumer waits for it rather than creating it, so a service starts
 * and answers /healthz before the relay ever ran.
 */
export async function waitForEventsStream(
  nats: NatsConnection,
  stream: string,
  options: EventsStreamWaitOptions = {},
): Promise<boolean> {
  const jsm = await jetstreamManager(nats);
  const stopped = options.stopped ?? (() => false);
  for (let attempt = 0; !nats.isClosed() && !nats.isDraining() && !stopped(); attempt += 1) {
    try {
      await jsm.streams.info(stream);
      return true;
    } catch (error) {
      if (attempt === 0) options.onFirstMiss?.(error);
    }
    await sleep(STREAM_POLL_MS, undefined, { ref: false });
  }
  return false;
}
