import { RpcException } from '@nestjs/microservices';
import { describe, expect, it } from 'vitest';
import { describeHandlerFailure } from '../src/index.js';

class CallNotFoundError extends Error {
  readonly code = 'CALL_NOT_FOUND';
  readonly retryable = false;
}

class StoreDownError extends Error {
  readonly code = 'STORE_UNAVAILABLE';
  readonly retryable = true;
}

describe('describeHandlerFailure', () => {
  it('keeps the code, message and retryable flag of our errors', () => {
    expect(describeHandlerFailure(new CallNotFoundError('no call c1'), 'FALLBACK')).toEqual({
      code: 'CALL_NOT_FOUND',
      message: 'no call c1',
      retryable: false,
    });
    expect(describeHandlerFailure(new StoreDownError('down'), 'FALLBACK').retryable).toBe(true);
  });

  it('falls back to the given code for errors without one', () => {
    expect(describeHandlerFailure(new Error('boom'), 'EVENT_HANDLER_FAILED')).toEqual({
      code: 'EVENT_HANDLER_FAILED',
      message: 'boom',
      retryable: false,
    });
  });

  it("reads Nest's generic error object and RpcException payloads", () => {
    expect(describeHandlerFailure({ status: 'error', message: 'Internal server error' }, 'F')).toEqual({
      code: 'F',
      message: 'Internal server error',
      retryable: false,
    });
    expect(describeHandlerFailure(new RpcException({ code: 'LINE_BUSY', message: 'busy' }), 'F')).toEqual({
      code: 'LINE_BUSY',
      message: 'busy',
      retryable: false,
    });
    expect(describeHandlerFailure(new RpcException('plain text'), 'F')).toEqual({
      code: 'F',
      message: 'plain text',
      retryable: false,
    });
  });

  it('describes thrown non-objects', () => {
    expect(describeHandlerFailure(undefined, 'F')).toEqual({
      code: 'F',
      message: 'undefined',
      retryable: false,
    });
  });
});
