import { EventStoreError, StoreUnavailableError } from '../errors.js';

/** SQLSTATEs after which the same statement may succeed once the server is reachable again. */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down, recovering)
  '53300', // too_many_connections
]);

/** Socket-level failures on the way to the server. */
const UNAVAILABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** node-postgres reports a dropped or timed-out connection with these messages and no code. */
const UNAVAILABLE_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /client has encountered a connection error/i,
  /cannot use a pool after calling end/i,
];

export const UNIQUE_VIOLATION = '23505';

/** The subset of node-postgres' `DatabaseError` this adapter reads. */
export interface PostgresErrorFields {
  readonly code?: string;
  readonly constraint?: string;
  readonly detail?: string;
}

export function postgresErrorFields(error: unknown): PostgresErrorFields {
  return typeof error === 'object' && error !== null ? (error as PostgresErrorFields) : {};
}

/**
 * An error from pg or kysely as the port's error: unreachable servers become `StoreUnavailableError`
 * (retryable, original as `cause`); anything else is returned unchanged — it is a bug or a schema
 * problem that retrying will not fix.
 */
export function toStoreError(error: unknown): unknown {
  if (error instanceof EventStoreError) return error;
  if (isUnavailable(error)) {
    const reason = error instanceof Error ? error.message : String(error);
    return new StoreUnavailableError(`PostgreSQL is unavailable (${reason}): retry later`, { cause: error });
  }
  return error;
}

function isUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08') || UNAVAILABLE_SOCKET_CODES.has(code))
      return true;
  }
  // Node's happy-eyeballs connect reports every failed address inside one AggregateError.
  if (error instanceof AggregateError && error.errors.some(isUnavailable)) return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message));
}
