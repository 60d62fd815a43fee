/** Wall-clock milliseconds with sub-millisecond resolution, on the same clock as sipp's trace stamps. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export type CallPath = 'ringbus' | 'direct';

/** One measured call: when it was asked for, and what became of it. */
export interface CallSample {
  readonly path: CallPath;
  /** The called number: unique per call, it finds the call's INVITE in sipp's trace. */
  readonly number: string;
  /** Wall clock when the request left: `outgoing_call` on the socket, or the first Janus request. */
  readonly sentAtMs: number;
  /** The INVITE in sipp's trace (same clock). */
  inviteAtMs?: number;
  /** Why the call failed, if it did (refused, no INVITE, not ended 486, timed out). */
  failure?: string;
  /** Ringbus only: the `calling` and `hangup` events on the socket. */
  callingAtMs?: number;
  endedAtMs?: number;
}

export function setupMs(sample: CallSample): number | undefined {
  return sample.inviteAtMs === undefined ? undefined : sample.inviteAtMs - sample.sentAtMs;
}

export interface Distribution {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentiles; undefined for no values. */
export function distribution(values: readonly number[]): Distribution | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return {
    count: sorted.length,
    p50: rank(0.5),
    p95: rank(0.95),
    p99: rank(0.99),
    max: sorted[sorted.length - 1]!,
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
  };
}

/**
 * Fires `count` calls at `rate` per second on a fixed schedule (open loop: a slow call does not delay the
 * next one) and resolves once every call settled.
 */
export async function runAtRate(
  rate: number,
  count: number,
  placeCall: (index: number) => Promise<void>,
): Promise<{ seconds: number }> {
  const intervalMs = 1000 / rate;
  const startedAt = nowMs();
  const calls: Promise<void>[] = [];
  for (let index = 0; index < count; index += 1) {
    const due = startedAt + index * intervalMs;
    const wait = due - nowMs();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    calls.push(placeCall(index));
  }
  const seconds = (nowMs() - startedAt) / 1000;
  await Promise.all(calls);
  return { seconds };
}
