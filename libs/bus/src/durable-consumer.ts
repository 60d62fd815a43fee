import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  DeliverPolicy,
  type JetStreamManager,
  ReplayPolicy,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { ConsumerConfigConflictError, ConsumerSetupError, EventsStreamNotFoundError } from './errors.js';
import { isConsumerNotFound, isStreamNotFound } from './jetstream-api-errors.js';

export interface DurableConsumerSpec {
  readonly stream: string;
  readonly durableName: string;
  readonly filterSubject: string;
  readonly ackWaitMs: number;
}

/**
 * The server-side settings every Ringbus consumer runs with, and why:
 * - `max_ack_pending: 1` — the server hands out one message at a time, so a nak'd message is redelivered
 *   before anything after it: stream order holds even across retries.
 * - `max_deliver: -1` — the transport counts deliveries and dead-letters; a server limit would strand a
 *   message that used up its deliveries without the transport ever seeing a verdict.
 * - no server `backoff` — on NATS 2.9 a consumer `backoff` replaces `ack_wait` with its first entry, which
 *   would redeliver a slow but healthy handler while it still runs. Retry delays are sent with each nak.
 */
export function durableConsumerConfig(spec: DurableConsumerSpec): Partial<ConsumerConfig> {
  return {
    durable_name: spec.durableName,
    description: 'Ringbus event consumer',
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    filter_subject: spec.filterSubject,
    ack_wait: nanos(spec.ackWaitMs),
    max_deliver: -1,
    max_ack_pending: 1,
  };
}

/** Creates the durable consumer, or brings an existing one to our settings; refuses a different subscription. */
export async function ensureDurableConsumer(jsm: JetStreamManager, spec: DurableConsumerSpec): Promise<void> {
  const desired = durableConsumerConfig(spec);
  let existing: ConsumerInfo | undefined;
  try {
    existing = await jsm.consumers.info(spec.stream, spec.durableName);
  } catch (error) {
    if (isStreamNotFound(error)) throw new EventsStreamNotFoundError(spec.stream, { cause: error });
    if (!isConsumerNotFound(error))
      throw new ConsumerSetupError(spec.stream, spec.durableName, { cause: error });
  }
  try {
    if (existing === undefined) {
      await jsm.consumers.add(spec.stream, desired);
      return;
    }
    requireSameSubscription(existing.config, spec);
    if (
      existing.config.ack_wait !== desired.ack_wait ||
      existing.config.max_deliver !== desired.max_deliver ||
      existing.config.max_ack_pending !== desired.max_ack_pending
    ) {
      await jsm.consumers.update(spec.stream, spec.durableName, {
        ack_wait: desired.ack_wait,
        max_deliver: desired.max_deliver,
        max_ack_pending: desired.max_ack_pending,
      });
    }
  } catch (error) {
    if (error instanceof ConsumerConfigConflictError) throw error;
    if (isStreamNotFound(error)) throw new EventsStreamNotFoundError(spec.stream, { cause: error });
    throw new ConsumerSetupError(spec.stream, spec.durableName, { cause: error });
  }
}

function requireSameSubscription(config: ConsumerConfig, spec: DurableConsumerSpec): void {
  if (config.deliver_subject) {
    throw new ConsumerConfigConflictError(spec.durableName, 'is a push consumer, not a pull consumer');
  }
  if (config.ack_policy !== AckPolicy.Explicit) {
    throw new ConsumerConfigConflictError(
      spec.durableName,
      `acks with policy ${config.ack_policy}, not explicit`,
    );
  }
  const filter = config.filter_subject ?? '';
  if (filter !== spec.filterSubject) {
    throw new ConsumerConfigConflictError(
      spec.durableName,
      `filters ${filter === '' ? 'every subject' : filter}, not ${spec.filterSubject}`,
    );
  }
}
