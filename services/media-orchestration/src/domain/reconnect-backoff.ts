export interface ReconnectPolicy {
  /** Wait before the first reconnection attempt. */
  readonly initialMs: number;
  /** The longest wait between attempts. */
  readonly maxMs: number;
}

/**
 * How long to wait before reconnection attempt `attempt` (1 for the first): doubling from `initialMs`, never
 * above `maxMs`. No jitter: each gateway has one connection, so there is no herd to spread.
 */
export function reconnectDelayMs(attempt: number, policy: ReconnectPolicy): number {
  const doublings = Math.max(0, Math.min(attempt - 1, 30));
  return Math.min(policy.maxMs, policy.initialMs * 2 ** doublings);
}
