import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRetryable, RingbusError } from '../src/index.js';

type TrunkErrorCode = 'TRUNK_DOWN' | 'TRUNK_REFUSED';

abstract class TrunkError extends RingbusError<TrunkErrorCode> {}

class TrunkDownError extends TrunkError {
  readonly code = 'TRUNK_DOWN';
  readonly retryable = true;
  constructor(
    readonly trunk: string,
    options?: { cause?: unknown },
  ) {
    super(`trunk ${trunk} does not answer OPTIONS`, options);
  }
}

class TrunkRefusedError extends TrunkError {
  readonly code = 'TRUNK_REFUSED';
  readonly retryable = false;
}

class TrunkBlacklistedError extends TrunkRefusedError {}

class RejectionWithCode extends RingbusError {
  readonly retryable: boolean;
  constructor(
    readonly code: string,
    message: string,
    retryable: boolean,
  ) {
    super(message);
    this.retryable = retryable;
  }
}

describe('RingbusError', () => {
  it('is an Error named after the class that was constructed, with its code and retryable', () => {
    const error = new TrunkDownError('carrier-a');
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(RingbusError);
    expect(error.name).toBe('TrunkDownError');
    expect(error.code).toBe('TRUNK_DOWN');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('trunk carrier-a does not answer OPTIONS');
    expect(String(error)).toBe('TrunkDownError: trunk carrier-a does not answer OPTIONS');
  });

  it('names a subclass of a subclass after itself, not after its parent', () => {
    expect(new TrunkBlacklistedError('403 from carrier-b').name).toBe('TrunkBlacklistedError');
    expect(new TrunkRefusedError('403 from carrier-b').name).toBe('TrunkRefusedError');
  });

  it('keeps the cause it was given, and has none when given none', () => {
    const cause = new Error('ECONNREFUSED 10.0.0.7:5060');
    expect(new TrunkDownError('carrier-a', { cause }).cause).toBe(cause);
    expect('cause' in new TrunkDownError('carrier-a')).toBe(false);
  });

  it('serializes to name, code, message and retryable only: no cause, no stack, no extra fields', () => {
    const cause = new Error('password authentication failed for postgres://ringbus:s3cret@db/ringbus');
    const error = new TrunkDownError('carrier-a', { cause });
    expect(error.toJSON()).toStrictEqual({
      name: 'TrunkDownError',
      code: 'TRUNK_DOWN',
      message: 'trunk carrier-a does not answer OPTIONS',
      retryable: true,
    });
    const text = JSON.stringify({ error });
    expect(JSON.parse(text)).toStrictEqual({ error: error.toJSON() });
    expect(text).not.toContain('s3cret');
  });

  it('serializes whatever code, message and retryable an error carries', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.boolean(), (code, message, retryable) => {
        const json = JSON.parse(JSON.stringify(new RejectionWithCode(code, message, retryable)));
        expect(json).toStrictEqual({ name: 'RejectionWithCode', code, message, retryable });
      }),
    );
  });
});

describe('isRetryable', () => {
  it('is true for a Ringbus error that says it may succeed when tried again', () => {
    expect(isRetryable(new TrunkDownError('carrier-a'))).toBe(true);
    expect(isRetryable(new RejectionWithCode('BUSY_HERE', '486 Busy Here', true))).toBe(true);
  });

  it('is false for a Ringbus error that is final', () => {
    expect(isRetryable(new TrunkRefusedError('403 from carrier-b'))).toBe(false);
    expect(isRetryable(new RejectionWithCode('DECLINE', '603 Decline', false))).toBe(false);
  });

  it('is false for anything that is not a Ringbus error, even when it claims to be retryable', () => {
    const lookalike = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', retryable: true });
    for (const thrown of [
      lookalike,
      { retryable: true },
      new Error('boom'),
      'retry me',
      42,
      null,
      undefined,
    ]) {
      expect(isRetryable(thrown)).toBe(false);
    }
  });
});
