import { RingbusError } from '@ringbus/errors';

export type BusErrorCode =
  | 'INVALID_BUS_OPTIONS'
  | 'BUS_CONNECTION_FAILED'
  | 'EVENTS_STREAM_NOT_FOUND'
  | 'CONSUMER_SETUP_FAILED'
  | 'CONSUMER_CONFIG_CONFLICT'
  | 'DEAD_LETTER_STREAM_MISMATCH'
  | 'COMMAND_TIMEOUT'
  | 'NO_COMMAND_HANDLER'
  | 'COMMAND_REJECTED'
  | 'INVALID_COMMAND_REPLY'
  | 'COMMAND_TRANSPORT_FAILED'
  | 'BUS_SCHEMA_MIGRATION_FAILED';

export abstract class BusError extends RingbusError<BusErrorCode> {}

export class InvalidBusOptionsError extends BusError {
  readonly code = 'INVALID_BUS_OPTIONS';
  readonly retryable = false;
  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(`bus option \`${option}\` is invalid: ${problem}`);
  }
}

export class BusConnectionError extends BusError {
  readonly code = 'BUS_CONNECTION_FAILED';
  readonly retryable = true;
  constructor(servers: readonly string[], options?: { cause?: unknown }) {
    super(`cannot connect to NATS at ${servers.join(', ')}: is nats-server running with JetStream?`, options);
  }
}

export class EventsStreamNotFoundError extends BusError {
  readonly code = 'EVENTS_STREAM_NOT_FOUND';
  // The relay creates the stream; a later start may find it.
  readonly retryable = true;
  constructor(
    readonly stream: string,
    options?: { cause?: unknown },
  ) {
    super(
      `JetStream stream ${stream} does not exist: start the event relay (it creates the stream) first`,
      options,
    );
  }
}

export class ConsumerSetupError extends BusError {
  readonly code = 'CONSUMER_SETUP_FAILED';
  readonly retryable = true;
  constructor(
    readonly stream: string,
    readonly durableName: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot create or update durable consumer ${durableName} on stream ${stream}`, options);
  }
}

export class ConsumerConfigConflictError extends BusError {
  readonly code = 'CONSUMER_CONFIG_CONFLICT';
  readonly retryable = false;
  constructor(
    readonly durableName: string,
    problem: string,
  ) {
    super(
      `durable consumer ${durableName} already exists and ${problem}: a different subscription is a different consumer, so pick a new durable name (or delete the old consumer on purpose)`,
    );
  }
}

export class DeadLetterStreamMismatchError extends BusError {
  readonly code = 'DEAD_LETTER_STREAM_MISMATCH';
  readonly retryable = false;
  constructor(
    readonly stream: string,
    readonly subject: string,
  ) {
    super(
      `dead-letter stream ${stream} exists but does not capture ${subject}: add the subject to the stream or choose another dead-letter subject prefix`,
    );
  }
}

export class CommandTimeoutError extends BusError {
  readonly code = 'COMMAND_TIMEOUT';
  // The handler may still have acted: retry only commands whose handlers are idempotent.
  readonly retryable = true;
  constructor(
    readonly subject: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(
      `no reply to command ${subject} within ${timeoutMs} ms (the handler may still have acted)`,
      options,
    );
  }
}

export class NoCommandHandlerError extends BusError {
  readonly code = 'NO_COMMAND_HANDLER';
  readonly retryable = true;
  constructor(
    readonly subject: string,
    options?: { cause?: unknown },
  ) {
    super(`no service handles command ${subject} right now (NATS reported no responders)`, options);
  }
}

/** What a command handler said when it refused or failed a command. */
export interface CommandRejection {
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
}

export class CommandRejectedError extends BusError {
  readonly code = 'COMMAND_REJECTED';
  /** A rejection is final unless the handler marked its own error retryable. */
  readonly retryable: boolean;
  constructor(
    readonly subject: string,
    readonly rejection: CommandRejection,
  ) {
    super(`command ${subject} rejected with ${rejection.code}: ${rejection.message}`);
    this.retryable = rejection.retryable;
  }
}

export class InvalidCommandReplyError extends BusError {
  readonly code = 'INVALID_COMMAND_REPLY';
  readonly retryable = false;
  constructor(
    readonly subject: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`reply to command ${subject} is not a command reply envelope: ${problem}`, options);
  }
}

export class CommandTransportError extends BusError {
  readonly code = 'COMMAND_TRANSPORT_FAILED';
  readonly retryable = true;
  constructor(
    readonly subject: string,
    options?: { cause?: unknown },
  ) {
    super(
      `command ${subject} could not be sent: the NATS connection is closed, draining or disconnected`,
      options,
    );
  }
}

export class BusSchemaMigrationError extends BusError {
  readonly code = 'BUS_SCHEMA_MIGRATION_FAILED';
  readonly retryable = false;
  constructor(migration: string | undefined, options?: { cause?: unknown }) {
    super(
      migration === undefined
        ? 'bus schema migration failed before any migration ran: check the database connection and permissions'
        : `bus schema migration ${migration} failed: see the cause`,
      options,
    );
  }
}
