/** How many wrong passwords a login may take, within what window, and how long it is locked after. */
export interface SignInLockoutPolicy {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly lockoutMs: number;
}

/** The failed sign-ins of one login (known or not: the count never says whether the login exists). */
export interface SignInFailures {
  readonly failures: number;
  readonly firstFailedAt: Date;
  readonly lockedUntil: Date | null;
}

/** Milliseconds the login stays locked, or 0 when it may try now. */
export function lockedForMs(record: SignInFailures | undefined, now: Date): number {
  if (record?.lockedUntil == null) return 0;
  return Math.max(0, record.lockedUntil.getTime() - now.getTime());
}

/**
 * The record after one more wrong password at `now`. Failures older than the window (and not locked) start
 * the count again; the failure that reaches the limit locks the login for `lockoutMs`.
 */
export function afterFailedSignIn(
  record: SignInFailures | undefined,
  now: Date,
  policy: SignInLockoutPolicy,
): SignInFailures {
  const stale =
    record === undefined ||
    (now.getTime() - record.firstFailedAt.getTime() >= policy.windowMs && lockedForMs(record, now) === 0);
  const failures = stale ? 1 : record.failures + 1;
  const firstFailedAt = stale ? now : record.firstFailedAt;
  const lockedUntil =
    failures >= policy.maxFailures
      ? new Date(now.getTime() + policy.lockoutMs)
      : stale
        ? null
        : record.lockedUntil;
  return { failures, firstFailedAt, lockedUntil };
}
