import { RingbusError } from '@ringbus/errors';
import { type CdrEventProblem } from '../domain/cdr-event.js';

export type BillingErrorCode =
  | 'CDR_EVENT_UNREADABLE'
  | 'CDR_WRITE_CONTENTION'
  | 'CDR_REBUILD_FAILED'
  | 'BILLING_MIGRATION_FAILED'
  | 'BILLING_SYSTEM_UNAVAILABLE'
  | 'BILLING_SYSTEM_REFUSED';

/**
 * A delivered call event the CDR fold cannot read (newer schema version, malformed data). Not retryable:
 * the bus dead-letters it; the call's later events still project (the gap is re-read and the same event
 * is left out there too, so the row matches what a rebuild makes).
 */
export class CdrEventUnreadableError extends RingbusError<'CDR_EVENT_UNREADABLE'> {
  readonly code = 'CDR_EVENT_UNREADABLE';
  readonly retryable = false;
  constructor(readonly problem: CdrEventProblem) {
    super(
      `event ${problem.eventId} (${problem.type}) left out of its CDR: ${problem.code}, ${problem.message}`,
    );
  }
}

/** The CDR row kept moving under this writer (another instance applying the same call). */
export class CdrWriteContentionError extends RingbusError<'CDR_WRITE_CONTENTION'> {
  readonly code = 'CDR_WRITE_CONTENTION';
  readonly retryable = true;
  constructor(callId: string) {
    super(`the CDR of call ${callId} kept changing under this writer; the event will be redelivered`);
  }
}

export class CdrRebuildError extends RingbusError<'CDR_REBUILD_FAILED'> {
  readonly code = 'CDR_REBUILD_FAILED';
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(`CDR rebuild failed, the live table is untouched: ${message}`, options);
  }
}

export class BillingMigrationError extends RingbusError<'BILLING_MIGRATION_FAILED'> {
  readonly code = 'BILLING_MIGRATION_FAILED';
  // A database that is still starting may accept the same migration a moment later.
  readonly retryable = true;
  constructor(migration: string | undefined, options?: { cause?: unknown }) {
    super(
      `billing schema migration ${migration ?? '(before any migration)'} failed: check the database URL, CDR_SCHEMA and the cause`,
      options,
    );
  }
}

/** The billing system did not answer usefully (network, timeout, 5xx, unreadable reply) after retries. */
export class BillingSystemUnavailableError extends RingbusError<'BILLING_SYSTEM_UNAVAILABLE'> {
  readonly code = 'BILLING_SYSTEM_UNAVAILABLE';
  readonly retryable = true;
  constructor(system: string, detail: string, options?: { cause?: unknown }) {
    super(`${system} did not answer usefully: ${detail}; try again later or check its URL`, options);
  }
}

/** The billing system refused a request (a fault): wrong credentials, unknown account, bad parameters. */
export class BillingSystemRefusedError extends RingbusError<'BILLING_SYSTEM_REFUSED'> {
  readonly code = 'BILLING_SYSTEM_REFUSED';
  readonly retryable = false;
  constructor(
    system: string,
    readonly fault: string,
    detail: string,
  ) {
    super(`${system} refused the request: ${fault} ${detail}; check its login, password and account ids`);
  }
}
