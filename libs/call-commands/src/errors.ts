import { RingbusError } from '@ringbus/errors';

export class CallCommandConflictError extends RingbusError {
  readonly code = 'CALL_COMMAND_CONFLICT';
  // Writers kept racing on one call: trying again later may well succeed.
  readonly retryable = true;

  constructor(
    readonly callId: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(`call ${callId} kept changing under this command: gave up after ${attempts} attempts`, options);
  }
}
