/** How hard one push is retried while the call rings. */
export interface PushRetryPolicy {
  /** Attempts in all, the first included (≥ 1). */
  readonly maxAttempts: number;
  /** Delay after the first failed attempt; doubles after each further one. */
  readonly baseDelayMs: number;
  /** No single wait is longer; a `Retry-After` beyond it ends the retries (the call would be over). */
  readonly maxDelayMs: number;
}

/**
 * How long to wait after failed attempt number `attempt` (1-based), or undefined to give up. The wait is
 * the exponential backoff with "equal jitter" (`jitter` in [0, 1) picks a point in its upper half), or
 * the provider's `Retry-After` when that is longer.
 */
export function retryDelayMs(
  policy: PushRetryPolicy,
  attempt: number,
  jitter: number,
  providerRetryAfterMs?: number,
): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const backoff = Math.round(exponential / 2 + (exponential / 2) * Math.min(Math.max(jitter, 0), 1));
  if (providerRetryAfterMs === undefined) return backoff;
  if (providerRetryAfterMs > policy.maxDelayMs) return undefined;
  return Math.max(backoff, providerRetryAfterMs);
}
