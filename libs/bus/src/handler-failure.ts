import { RpcException } from '@nestjs/microservices';

/** A handler's failure reduced to what crosses the wire: a stable code, a message, and whether to retry. */
export interface HandlerFailure {
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
}

/**
 * Reads a failure from whatever a handler threw. Our errors carry `code` and `retryable`; Nest's default
 * exception filter turns any other error into `{ status: 'error', message }` before we see it (install
 * `BusExceptionFilter` to keep the original), and `RpcException` wraps a string or an object.
 */
export function describeHandlerFailure(error: unknown, fallbackCode: string): HandlerFailure {
  const source = error instanceof RpcException ? error.getError() : error;
  if (typeof source === 'string') return { code: fallbackCode, message: source, retryable: false };
  if (typeof source !== 'object' || source === null) {
    return { code: fallbackCode, message: String(source), retryable: false };
  }
  const fields = source as { code?: unknown; message?: unknown; retryable?: unknown };
  return {
    code: typeof fields.code === 'string' && fields.code !== '' ? fields.code : fallbackCode,
    message: typeof fields.message === 'string' ? fields.message : 'handler failed without a message',
    retryable: fields.retryable === true,
  };
}
