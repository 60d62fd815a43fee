import { RingbusError } from '@ringbus/errors';

export type PlatformTestkitErrorCode =
  'PLATFORM_BUILD_MISSING' | 'PLATFORM_START_FAILED' | 'PLATFORM_CALL_NOT_FOUND';

export abstract class PlatformTestkitError extends RingbusError<PlatformTestkitErrorCode> {}

/** A compiled entry point the platform runs (`dist/`) is not there: the services run as `node dist/...`. */
export class PlatformBuildMissingError extends PlatformTestkitError {
  readonly code = 'PLATFORM_BUILD_MISSING';
  readonly retryable = false;
  constructor(
    readonly file: string,
    problem = 'does not exist',
  ) {
    super(`${file} ${problem}: build the services first with \`npx tsc -b\``);
  }
}

/** One part of the platform did not come up; the parts already started were stopped again. */
export class PlatformStartError extends PlatformTestkitError {
  readonly code = 'PLATFORM_START_FAILED';
  readonly retryable = false;
  constructor(
    readonly part: string,
    options?: { cause?: unknown },
  ) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`the platform could not start ${part}${reason}`, options);
  }
}

/** No CallRequested in the event store carries the client call id a softphone sent. */
export class CallNotFoundError extends PlatformTestkitError {
  readonly code = 'PLATFORM_CALL_NOT_FOUND';
  readonly retryable = true;
  constructor(
    readonly clientCallId: string,
    timeoutMs: number,
  ) {
    super(`no CallRequested with client call id ${clientCallId} was stored within ${timeoutMs} ms`);
  }
}
