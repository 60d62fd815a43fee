import { describe, expect, it } from 'vitest';
import { afterFailedSignIn, lockedForMs, type SignInFailures } from '../../src/domain/sign-in-lockout.js';

const policy = { maxFailures: 3, windowMs: 60_000, lockoutMs: 300_000 };
const at = (ms: number) => new Date(ms);

function fail(times: number, startMs: number, stepMs = 1_000): SignInFailures | undefined {
  let record: SignInFailures | undefined;
  for (let i = 0; i < times; i += 1) record = afterFailedSignIn(record, at(startMs + i * stepMs), policy);
  return record;
}

describe('sign-in lockout per login', () => {
  it('locks on the failure that reaches the limit, for the lockout time', () => {
    expect(lockedForMs(fail(2, 0), at(2_000))).toBe(0);
    const locked = fail(3, 0);
    expect(locked?.lockedUntil).toEqual(at(2_000 + 300_000));
    expect(lockedForMs(locked, at(2_000))).toBe(300_000);
    expect(lockedForMs(locked, at(302_000))).toBe(0);
  });

  it('forgets failures older than the window', () => {
    const record = fail(2, 0);
    const later = afterFailedSignIn(record, at(61_000), policy);
    expect(later).toEqual({ failures: 1, firstFailedAt: at(61_000), lockedUntil: null });
  });

  it('a failure while still locked extends the lock rather than starting over', () => {
    const locked = fail(3, 0);
    const again = afterFailedSignIn(locked, at(100_000), policy);
    expect(again.failures).toBe(4);
    expect(again.lockedUntil).toEqual(at(400_000));
  });

  it('no record: not locked', () => {
    expect(lockedForMs(undefined, at(0))).toBe(0);
  });
});
