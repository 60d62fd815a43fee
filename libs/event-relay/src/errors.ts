import { RingbusError } from '@ringbus/errors';

export type EventRelayErrorCode =
  | 'RELAY_CONFIG_INVALID'
  | 'EVENTS_STREAM_INCOMPATIBLE'
  | 'STREAM_SEQUENCE_CONFLICT'
  | 'STREAM_TAIL_UNREADABLE'
  | 'EVENTS_STREAM_UNAVAILABLE'
  | 'PUBLISH_FAILED'
  | 'CHECKPOINT_UNAVAILABLE'
  | 'STORE_ORDER_VIOLATED'
  | 'RELAY_STATE_INVALID';

export abstract class EventRelayError extends RingbusError<EventRelayErrorCode> {}

/** A relay option or environment variable is missing or malformed; names the culprit. */
export class RelayConfigError extends EventRelayError {
  readonly code = 'RELAY_CONFIG_INVALID';
  readonly retryable = false;
  constructor(
    readonly setting: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${setting}: ${problem}`, options);
  }
}

/**
 * The JetStream stream exists with settings the relay cannot live with and may not change itself
 * (memory storage, a retention that deletes acknowledged events, ...). An operator must decide.
 */
export class EventsStreamIncompatibleError extends EventRelayError {
  readonly code = 'EVENTS_STREAM_INCOMPATIBLE';
  readonly retryable = false;
  constructor(
    readonly streamName: string,
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(
      `JetStream stream ${streamName} cannot carry stored events: ${problems.join('; ')}. ` +
        'Fix the stream (or point RELAY_STREAM_NAME at another one); the relay will not change these itself',
      options,
    );
  }
}

/**
 * JetStream refused a publish because the stream's last sequence was not the one this relay expected:
 * another writer (usually a second relay) appended in between. Re-reading the stream's tail resolves it.
 */
export class StreamSequenceConflictError extends EventRelayError {
  readonly code = 'STREAM_SEQUENCE_CONFLICT';
  readonly retryable = true;
  constructor(
    readonly streamName: string,
    readonly expectedLastSequence: number,
    options?: { cause?: unknown },
  ) {
    super(
      `stream ${streamName} no longer ends at sequence ${expectedLastSequence}: another writer appended; ` +
        're-reading the stream tail',
      options,
    );
  }
}

/** The stream's last messages carry no `Ringbus-Global-Position`, so the relay cannot tell where it is. */
export class StreamTailUnreadableError extends EventRelayError {
  readonly code = 'STREAM_TAIL_UNREADABLE';
  readonly retryable = false;
  constructor(
    readonly streamName: string,
    readonly fromSequence: number,
    readonly toSequence: number,
  ) {
    super(
      `stream ${streamName} has no stored event between sequences ${fromSequence} and ${toSequence}: ` +
        'something other than the relay publishes to its subjects; stop it, or give the relay its own stream',
    );
  }
}

/** JetStream did not answer about the events stream (NATS down or reconnecting, JetStream not enabled). */
export class EventsStreamUnavailableError extends EventRelayError {
  readonly code = 'EVENTS_STREAM_UNAVAILABLE';
  readonly retryable = true;
  constructor(
    readonly streamName: string,
    options?: { cause?: unknown },
  ) {
    super(
      `could not read JetStream stream ${streamName} (is NATS reachable, with JetStream enabled?)`,
      options,
    );
  }
}

/** NATS did not take a publish (timeout, disconnected, server error). Nothing is skipped: the relay retries. */
export class PublishFailedError extends EventRelayError {
  readonly code = 'PUBLISH_FAILED';
  readonly retryable = true;
  constructor(
    readonly eventId: string,
    options?: { cause?: unknown },
  ) {
    super(`publishing event ${eventId} to JetStream failed; retrying after a back-off`, options);
  }
}

export class CheckpointUnavailableError extends EventRelayError {
  readonly code = 'CHECKPOINT_UNAVAILABLE';
  readonly retryable = true;
  constructor(
    readonly relayName: string,
    operation: 'load' | 'save' | 'migrate',
    options?: { cause?: unknown },
  ) {
    super(`relay checkpoint ${relayName}: ${operation} failed (is PostgreSQL reachable?)`, options);
  }
}

/**
 * The event store returned events that are not strictly after the resume point and ascending. Publishing
 * them would break the stream's order (or repeat events), so the relay stops there and retries; the store
 * backend needs fixing.
 */
export class StoreOrderViolationError extends EventRelayError {
  readonly code = 'STORE_ORDER_VIOLATED';
  readonly retryable = false;
  constructor(
    readonly previousPosition: string,
    readonly nextPosition: string,
    readonly eventId: string,
  ) {
    super(
      `the event store returned event ${eventId} at ${nextPosition} after ${previousPosition}: readAll must ` +
        'return positions strictly ascending and after `after`; the relay publishes nothing out of order',
    );
  }
}

export class RelayStateError extends EventRelayError {
  readonly code = 'RELAY_STATE_INVALID';
  readonly retryable = false;
}
