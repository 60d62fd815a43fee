import { RingbusError } from '@ringbus/errors';

export type CliErrorCode =
  'CLI_CONFIGURATION_INVALID' | 'CLI_USAGE_INVALID' | 'CLI_DATABASE_UNAVAILABLE' | 'CLI_CALL_NOT_FOUND';

export interface CliConfigurationProblem {
  /** The environment variable, e.g. `DATABASE_URL`. */
  readonly variable: string;
  readonly problem: string;
}

/** The environment does not let the command run; names every bad or missing variable at once. */
export class CliConfigurationError extends RingbusError<'CLI_CONFIGURATION_INVALID'> {
  readonly code = 'CLI_CONFIGURATION_INVALID';
  readonly retryable = false;

  constructor(readonly problems: readonly CliConfigurationProblem[]) {
    super(
      `invalid configuration: ${problems.map((p) => `${p.variable} ${p.problem}`).join('; ')}. ` +
        'Set these environment variables and run again (docs/billing.md, "The ringbus CLI").',
    );
  }
}

/** An option's value cannot be used, e.g. a time that is not RFC 3339. */
export class CliUsageError extends RingbusError<'CLI_USAGE_INVALID'> {
  readonly code = 'CLI_USAGE_INVALID';
  readonly retryable = false;
}

/** PostgreSQL did not answer at DATABASE_URL; `location` has no password. */
export class CliDatabaseUnavailableError extends RingbusError<'CLI_DATABASE_UNAVAILABLE'> {
  readonly code = 'CLI_DATABASE_UNAVAILABLE';
  readonly retryable = true;

  constructor(location: string, options?: { cause?: unknown }) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`PostgreSQL at ${location} is not reachable${reason}. Start it or fix DATABASE_URL.`, options);
  }
}

/** `ringbus trace`: no call in the event store matches what was given. */
export class CliCallNotFoundError extends RingbusError<'CLI_CALL_NOT_FOUND'> {
  readonly code = 'CLI_CALL_NOT_FOUND';
  // The events may still arrive (a call id typed before its first event was stored).
  readonly retryable = true;

  constructor(
    readonly given: string,
    detail: string,
  ) {
    super(`no call found for ${given} (${detail}). Check the id, and that DATABASE_URL is the event store.`);
  }
}
