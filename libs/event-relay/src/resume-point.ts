import { type GlobalPosition } from '@ringbus/event-store';

/**
 * The relay continues after the later of what it knows it relayed (its checkpoint, or its memory of the
 * last acknowledged batch) and the last event JetStream actually holds. The stream wins after a crash
 * between a publish and the checkpoint write; the checkpoint wins after the stream was purged.
 */
export function chooseResumePoint(
  ...candidates: readonly (GlobalPosition | undefined)[]
): GlobalPosition | undefined {
  let latest: GlobalPosition | undefined;
  for (const candidate of candidates) {
    if (candidate !== undefined && (latest === undefined || latest < candidate)) latest = candidate;
  }
  return latest;
}

/**
 * Bounded exponential back-off: `initialMs` after the first failure, doubling, never above `maxMs`.
 * `jitter` in [0, 1) spreads relays that failed together by up to a fifth of the delay.
 */
export function backoffDelayMs(
  consecutiveFailures: number,
  bounds: { readonly initialMs: number; readonly maxMs: number },
  jitter = 0,
): number {
  const exponent = Math.min(Math.max(consecutiveFailures - 1, 0), 30);
  const base = Math.min(bounds.initialMs * 2 ** exponent, bounds.maxMs);
  return Math.round(base * (1 - 0.2 * Math.min(Math.max(jitter, 0), 1)));
}
