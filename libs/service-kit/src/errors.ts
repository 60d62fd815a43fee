import { RingbusError } from '@ringbus/errors';

export type ServiceKitErrorCode = 'CONFIGURATION_INVALID' | 'DEPENDENCY_UNAVAILABLE';

/**
 * Why a service could not start. `retryable` says whether starting again unchanged may succeed (e.g. a
 * dependency that was still starting).
 */
export abstract class ServiceKitError extends RingbusError<ServiceKitErrorCode> {}

export interface ConfigurationProblem {
  /** The environment variable, e.g. `HTTP_PORT`. */
  readonly variable: string;
  /** What is wrong with it, e.g. `must be a whole number from 1 to 65535`. */
  readonly problem: string;
}

/** The environment does not describe a runnable service; lists every bad or missing variable at once. */
export class ConfigurationError extends ServiceKitError {
  readonly code = 'CONFIGURATION_INVALID';
  readonly retryable = false;

  constructor(readonly problems: readonly ConfigurationProblem[]) {
    super(
      `invalid configuration: ${problems.map((p) => `${p.variable} ${p.problem}`).join('; ')}. ` +
        'Fix these environment variables and start again (docs/operations.md lists them all).',
    );
  }

  get variables(): readonly string[] {
    return this.problems.map((p) => p.variable);
  }
}

export type DependencyName = 'postgres' | 'nats';

/** PostgreSQL or NATS did not answer when the service started. */
export class DependencyUnavailableError extends ServiceKitError {
  readonly code = 'DEPENDENCY_UNAVAILABLE';
  readonly retryable = true;

  constructor(
    readonly dependency: DependencyName,
    /** Where we looked, with any password removed. */
    readonly location: string,
    options?: { cause?: unknown },
  ) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(
      `${dependency} at ${location} is not reachable${reason}. Start it or fix ` +
        `${dependency === 'postgres' ? 'DATABASE_URL' : 'NATS_URL'}; the service stops until it can connect.`,
      options,
    );
  }
}
