import { RingbusError } from '@ringbus/errors';

export type EventStoreErrorCode =
  | 'VERSION_CONFLICT'
  | 'STREAM_NOT_FOUND'
  | 'EVENT_TOO_LARGE'
  | 'DUPLICATE_EVENT_ID'
  | 'INVALID_APPEND'
  | 'STORE_UNAVAILABLE'
  | 'MIGRATION_FAILED';

export abstract class EventStoreError extends RingbusError<EventStoreErrorCode> {}

export class VersionConflictError extends EventStoreError {
  readonly code = 'VERSION_CONFLICT';
  // Retrying unchanged would fail again: the caller must re-read the stream and decide anew.
  readonly retryable = false;
  constructor(
    readonly streamId: string,
    readonly expectedVersion: string,
    readonly actualVersion: number,
    options?: { cause?: unknown },
  ) {
    super(
      `stream ${streamId} is at version ${actualVersion}, expected ${expectedVersion}: re-read the stream and decide again`,
      options,
    );
  }
}

export class StreamNotFoundError extends EventStoreError {
  readonly code = 'STREAM_NOT_FOUND';
  readonly retryable = false;
  constructor(readonly streamId: string) {
    super(`stream ${streamId} has no events`);
  }
}

export class EventTooLargeError extends EventStoreError {
  readonly code = 'EVENT_TOO_LARGE';
  readonly retryable = false;
  constructor(
    readonly eventId: string,
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(`event ${eventId} is ${sizeBytes} bytes, over the ${limitBytes}-byte limit`);
  }
}

export class DuplicateEventIdError extends EventStoreError {
  readonly code = 'DUPLICATE_EVENT_ID';
  readonly retryable = false;
  constructor(
    readonly eventId: string,
    options?: { cause?: unknown },
  ) {
    super(`an event with id ${eventId} is already stored`, options);
  }
}

export class InvalidAppendError extends EventStoreError {
  readonly code = 'INVALID_APPEND';
  readonly retryable = false;
}

export class StoreUnavailableError extends EventStoreError {
  readonly code = 'STORE_UNAVAILABLE';
  readonly retryable = true;
}

export class EventStoreMigrationError extends EventStoreError {
  readonly code = 'MIGRATION_FAILED';
  // A failed migration needs a person: the schema, permissions or a hand-edited table are wrong.
  readonly retryable = false;
}
