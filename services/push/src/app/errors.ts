import { RingbusError } from '@ringbus/errors';

export type PushErrorCode =
  | 'INVALID_PUSH_TOKEN_COMMAND'
  | 'CALL_OFFERED_UNREADABLE'
  | 'PUSH_MIGRATION_FAILED'
  | 'PUSH_CREDENTIALS_INVALID'
  | 'PUSH_AUTH_FAILED';

/** One problem with a command payload: where (a field path) and what; never the value. */
export interface CommandPayloadProblem {
  readonly field: string;
  readonly problem: string;
}

/** A token command whose payload does not validate; the caller must fix it, retrying cannot help. */
export class InvalidPushTokenCommandError extends RingbusError<'INVALID_PUSH_TOKEN_COMMAND'> {
  readonly code = 'INVALID_PUSH_TOKEN_COMMAND';
  readonly retryable = false;
  constructor(
    readonly command: string,
    readonly problems: readonly CommandPayloadProblem[],
  ) {
    super(`${command}: invalid payload: ${problems.map((p) => `${p.field} ${p.problem}`).join('; ')}`);
  }
}

/** A `CallOffered` whose data cannot be read (newer schema, malformed): dead-lettered by the bus. */
export class CallOfferedUnreadableError extends RingbusError<'CALL_OFFERED_UNREADABLE'> {
  readonly code = 'CALL_OFFERED_UNREADABLE';
  readonly retryable = false;
  constructor(eventId: string, reason: string, options?: { cause?: unknown }) {
    super(`CallOffered ${eventId} cannot be read, no push sent: ${reason}`, options);
  }
}

export class PushMigrationError extends RingbusError<'PUSH_MIGRATION_FAILED'> {
  readonly code = 'PUSH_MIGRATION_FAILED';
  readonly retryable = true;
  constructor(migration: string | undefined, options?: { cause?: unknown }) {
    super(
      `push schema migration ${migration ?? '(before any migration)'} failed: check DATABASE_URL, PUSH_SCHEMA and the cause`,
      options,
    );
  }
}

/** A service account or APNs key that cannot be used as configured (never carries the secret). */
export class PushCredentialsError extends RingbusError<'PUSH_CREDENTIALS_INVALID'> {
  readonly code = 'PUSH_CREDENTIALS_INVALID';
  readonly retryable = false;
  constructor(what: string, options?: { cause?: unknown }) {
    super(`push credentials unusable: ${what}`, options);
  }
}

/** The OAuth2 token endpoint did not give FCM an access token. */
export class PushAuthError extends RingbusError<'PUSH_AUTH_FAILED'> {
  readonly code = 'PUSH_AUTH_FAILED';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
